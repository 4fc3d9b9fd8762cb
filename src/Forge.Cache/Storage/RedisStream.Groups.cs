namespace Forge.Cache.Storage;

/// <summary>A delivered, not yet acknowledged entry (streamNACK): shared by the group's and the owner's PEL.</summary>
internal sealed class PendingEntry
{
    public PendingEntry(StreamId id, StreamConsumer? consumer, long deliveryTime)
    {
        Id = id;
        Consumer = consumer;
        DeliveryTime = deliveryTime;
        DeliveryCount = 1;
    }

    public StreamId Id { get; }

    public StreamConsumer? Consumer { get; set; }

    public long DeliveryTime { get; set; }

    public long DeliveryCount { get; set; }
}

/// <summary>A pending entries list: ordered by ID with O(log n) seek, and O(1) lookup by ID.</summary>
internal sealed class PendingList
{
    private static readonly Comparer<PendingEntry> s_byId = Comparer<PendingEntry>.Create(static (a, b) => a.Id.CompareTo(b.Id));

    private readonly SortedSet<PendingEntry> _ordered = new(s_byId);
    private readonly Dictionary<StreamId, PendingEntry> _byId = [];

    public int Count => _byId.Count;

    public PendingEntry? Find(StreamId id) => _byId.GetValueOrDefault(id);

    /// <summary>Adds <paramref name="entry"/> unless an entry with its ID is present; true when added.</summary>
    public bool TryAdd(PendingEntry entry)
    {
        if (!_byId.TryAdd(entry.Id, entry))
        {
            return false;
        }

        _ordered.Add(entry);
        return true;
    }

    public bool Remove(StreamId id)
    {
        if (!_byId.Remove(id, out var entry))
        {
            return false;
        }

        _ordered.Remove(entry);
        return true;
    }

    public PendingEntry? First => _ordered.Min;

    public PendingEntry? Last => _ordered.Max;

    /// <summary>Entries with start &lt;= ID &lt;= end in ID order (a snapshot: the caller may modify the list while walking it).</summary>
    public List<PendingEntry> Range(StreamId start, StreamId end, int max = int.MaxValue)
    {
        var result = new List<PendingEntry>();
        if (start > end || _ordered.Count == 0)
        {
            return result;
        }

        foreach (var e in _ordered.GetViewBetween(new PendingEntry(start, null, 0), new PendingEntry(end, null, 0)))
        {
            if (result.Count >= max)
            {
                break;
            }

            result.Add(e);
        }

        return result;
    }

    public IEnumerable<PendingEntry> All => _ordered;
}

/// <summary>A consumer of a group: its name, when it was last seen, and its own PEL.</summary>
internal sealed class StreamConsumer
{
    public StreamConsumer(byte[] name, long seenTime)
    {
        Name = name;
        SeenTime = seenTime;
    }

    public byte[] Name { get; }

    public long SeenTime { get; set; }

    public PendingList Pending { get; } = new();
}

/// <summary>A consumer group (streamCG): last delivered ID, entries-read counter, PEL, consumers by name.</summary>
internal sealed class ConsumerGroup
{
    /// <summary>entries_read when unknown (SCG_INVALID_ENTRIES_READ).</summary>
    public const long InvalidEntriesRead = -1;

    public ConsumerGroup(StreamId lastId, long entriesRead)
    {
        LastId = lastId;
        EntriesRead = entriesRead;
    }

    public StreamId LastId { get; set; }

    public long EntriesRead { get; set; }

    public PendingList Pending { get; } = new();

    /// <summary>Consumers in name order (byte-wise, as Redis's radix tree lists them).</summary>
    public SortedDictionary<byte[], StreamConsumer> Consumers { get; } = new(ByteOrder.Instance);

    public StreamConsumer? FindConsumer(byte[] name) => Consumers.GetValueOrDefault(name);

    /// <summary>Removes a consumer and its pending entries from the group's PEL.</summary>
    public void DeleteConsumer(StreamConsumer consumer)
    {
        foreach (var e in consumer.Pending.All)
        {
            Pending.Remove(e.Id);
        }

        Consumers.Remove(consumer.Name);
    }
}

/// <summary>Byte-wise lexicographic order (memcmp, shorter prefix first), as a radix tree iterates.</summary>
internal sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}

internal sealed partial class RedisStream
{
    /// <summary>Consumer groups in name order; null until the first XGROUP CREATE.</summary>
    public SortedDictionary<byte[], ConsumerGroup>? Groups { get; private set; }

    public int GroupCount => Groups?.Count ?? 0;

    public ConsumerGroup? FindGroup(byte[] name) => Groups?.GetValueOrDefault(name);

    /// <summary>Creates a group; null when one with that name exists.</summary>
    public ConsumerGroup? CreateGroup(byte[] name, StreamId lastId, long entriesRead)
    {
        Groups ??= new SortedDictionary<byte[], ConsumerGroup>(ByteOrder.Instance);
        if (Groups.ContainsKey(name))
        {
            return null;
        }

        var group = new ConsumerGroup(lastId, entriesRead);
        Groups[name] = group;
        return group;
    }

    public bool DestroyGroup(byte[] name) => Groups is not null && Groups.Remove(name);

    /// <summary>True when a tombstone may lie between <paramref name="start"/> and the end (streamRangeHasTombstones).</summary>
    public bool RangeHasTombstones(StreamId start)
    {
        if (Length == 0 || MaxDeletedId.IsZero)
        {
            return false;
        }

        if (FirstId > MaxDeletedId)
        {
            return false;
        }

        return start <= MaxDeletedId;
    }

    /// <summary>streamEstimateDistanceFromFirstEverEntry: the read counter of <paramref name="id"/>, or -1 when unknown.</summary>
    public long EstimateDistanceFromFirstEverEntry(StreamId id)
    {
        if (EntriesAdded == 0)
        {
            return 0;
        }

        if (Length == 0 && id <= LastId)
        {
            return EntriesAdded;
        }

        var cmpLast = id.CompareTo(LastId);
        if (cmpLast == 0)
        {
            return EntriesAdded;
        }

        if (cmpLast > 0)
        {
            return ConsumerGroup.InvalidEntriesRead;
        }

        if (MaxDeletedId.IsZero || MaxDeletedId < FirstId)
        {
            var cmpFirst = id.CompareTo(FirstId);
            if (cmpFirst < 0)
            {
                return EntriesAdded - Length;
            }

            if (cmpFirst == 0)
            {
                return EntriesAdded - Length + 1;
            }
        }

        return ConsumerGroup.InvalidEntriesRead;
    }

    /// <summary>The group's lag (streamReplyWithCGLag), or null when it cannot be known.</summary>
    public long? Lag(ConsumerGroup group)
    {
        if (EntriesAdded == 0)
        {
            return 0;
        }

        if (group.EntriesRead != ConsumerGroup.InvalidEntriesRead && !RangeHasTombstones(group.LastId))
        {
            return EntriesAdded - group.EntriesRead;
        }

        var read = EstimateDistanceFromFirstEverEntry(group.LastId);
        return read != ConsumerGroup.InvalidEntriesRead ? EntriesAdded - read : null;
    }

    /// <summary>Moves the group's last delivered ID to a just-delivered <paramref name="id"/>, keeping entries-read right.</summary>
    public void AdvanceGroup(ConsumerGroup group, StreamId id)
    {
        if (id <= group.LastId)
        {
            return;
        }

        if (group.EntriesRead != ConsumerGroup.InvalidEntriesRead && !RangeHasTombstones(id))
        {
            group.EntriesRead++;
        }
        else if (EntriesAdded != 0)
        {
            group.EntriesRead = EstimateDistanceFromFirstEverEntry(id);
        }

        group.LastId = id;
    }

    private void CloneGroupsInto(RedisStream copy)
    {
        if (Groups is null)
        {
            return;
        }

        copy.Groups = new SortedDictionary<byte[], ConsumerGroup>(ByteOrder.Instance);
        foreach (var (name, group) in Groups)
        {
            var g = new ConsumerGroup(group.LastId, group.EntriesRead);
            foreach (var (cname, consumer) in group.Consumers)
            {
                g.Consumers[cname] = new StreamConsumer(cname, consumer.SeenTime);
            }

            foreach (var e in group.Pending.All)
            {
                var owner = e.Consumer is null ? null : g.Consumers[e.Consumer.Name];
                var n = new PendingEntry(e.Id, owner, e.DeliveryTime) { DeliveryCount = e.DeliveryCount };
                g.Pending.TryAdd(n);
                owner?.Pending.TryAdd(n);
            }

            copy.Groups[name] = g;
        }
    }

    private long EstimateGroupBytes()
    {
        if (Groups is null)
        {
            return 0;
        }

        long bytes = 0;
        foreach (var (name, group) in Groups)
        {
            bytes += 96 + name.Length + (group.Pending.Count * 96);
            foreach (var (cname, consumer) in group.Consumers)
            {
                bytes += 80 + cname.Length + (consumer.Pending.Count * 48);
            }
        }

        return bytes;
    }
}
