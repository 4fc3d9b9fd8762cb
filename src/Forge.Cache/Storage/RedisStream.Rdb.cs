using System.Buffers.Binary;
using Forge.Cache.Persistence;
using Forge.Cache.Protocol;

namespace Forge.Cache.Storage;

/// <summary>
/// RDB payloads of streams (rdb.c, DUMP/RESTORE). Written as RDB_TYPE_STREAM_LISTPACKS_2 (19,
/// Redis 7.0); read as 19 or the older RDB_TYPE_STREAM_LISTPACKS (15, Redis 5 to 6.2). Layout:
/// <code>
/// nodes(len) { master-id(string: 16 bytes, ms and seq big-endian) listpack(string) }
/// length(len) last-id(len ms, len seq)
/// [19 only: first-id(len, len) max-deleted-id(len, len) entries-added(len)]
/// groups(len) { name(string) last-id(len, len) [19 only: entries-read(len, -1 as 2^64-1)]
///               pel(len) { id(16 raw bytes) delivery-time(8 bytes LE ms) delivery-count(len) }
///               consumers(len) { name(string) seen-time(8 bytes LE ms) pel(len) { id(16 raw bytes) } } }
/// </code>
/// Each listpack holds one node as Redis lays it out (see <see cref="StreamNode"/>).
/// </summary>
internal sealed partial class RedisStream
{
    public const byte RdbTypeStreamListpacks = 15;

    public const byte RdbTypeStreamListpacks2 = 19;

    private const int FlagDeleted = 1;
    private const int FlagSameFields = 2;

    public void WriteRdb(List<byte> w)
    {
        w.Add(RdbTypeStreamListpacks2);
        WriteLength(w, (ulong)_nodes.Count);
        Span<byte> key = stackalloc byte[16];
        foreach (var node in _nodes)
        {
            WriteRawId(key, node.MasterId);
            RdbPayload.WriteString(w, key);
            RdbPayload.WriteString(w, NodeListpack(node));
        }

        WriteLength(w, (ulong)Length);
        WriteId(w, LastId);
        WriteId(w, FirstId);
        WriteId(w, MaxDeletedId);
        WriteLength(w, (ulong)EntriesAdded);
        WriteLength(w, (ulong)GroupCount);
        if (Groups is null)
        {
            return;
        }

        Span<byte> time = stackalloc byte[8];
        foreach (var (name, group) in Groups)
        {
            RdbPayload.WriteString(w, name);
            WriteId(w, group.LastId);
            WriteLength(w, (ulong)group.EntriesRead);
            WriteLength(w, (ulong)group.Pending.Count);
            foreach (var nack in group.Pending.All)
            {
                WriteRawId(key, nack.Id);
                w.AddRange(key);
                BinaryPrimitives.WriteInt64LittleEndian(time, nack.DeliveryTime);
                w.AddRange(time);
                WriteLength(w, (ulong)nack.DeliveryCount);
            }

            WriteLength(w, (ulong)group.Consumers.Count);
            foreach (var (cname, consumer) in group.Consumers)
            {
                RdbPayload.WriteString(w, cname);
                BinaryPrimitives.WriteInt64LittleEndian(time, consumer.SeenTime);
                w.AddRange(time);
                WriteLength(w, (ulong)consumer.Pending.Count);
                foreach (var nack in consumer.Pending.All)
                {
                    WriteRawId(key, nack.Id);
                    w.AddRange(key);
                }
            }
        }
    }

    /// <summary>Reads the payload of a stream object of RDB type <paramref name="type"/> at <paramref name="pos"/>; null when malformed.</summary>
    public static RedisStream? ReadRdb(byte type, ReadOnlySpan<byte> data, ref int pos)
    {
        if (type is not (RdbTypeStreamListpacks or RdbTypeStreamListpacks2))
        {
            return null;
        }

        var v2 = type == RdbTypeStreamListpacks2;
        var s = new RedisStream();
        if (!TryReadLength(data, ref pos, out var nodeCount) || nodeCount > (ulong)data.Length)
        {
            return null;
        }

        for (var n = 0UL; n < nodeCount; n++)
        {
            if (RdbPayload.ReadString(data, ref pos) is not { Length: 16 } key || RdbPayload.ReadString(data, ref pos) is not { } blob)
            {
                return null;
            }

            var items = new List<byte[]>();
            if (!RdbPayload.TryReadListpack(blob, items) || ReadNode(ReadRawId(key), items) is not { } node)
            {
                return null;
            }

            if (s._nodes.Count > 0 && node.Entries[0].Id <= s._nodes[^1].Entries[^1].Id)
            {
                return null;
            }

            s._nodes.Add(node);
            s.Length += node.Live;
        }

        if (!TryReadLength(data, ref pos, out var length) || length != (ulong)s.Length || !TryReadId(data, ref pos, out var lastId))
        {
            return null;
        }

        s.LastId = lastId;
        if (s._nodes.Count > 0 && s._nodes[^1].Entries[^1].Id > lastId)
        {
            return null;
        }

        if (v2)
        {
            if (!TryReadId(data, ref pos, out var first) || !TryReadId(data, ref pos, out var maxDeleted) || !TryReadLength(data, ref pos, out var added))
            {
                return null;
            }

            s.FirstId = first;
            s.MaxDeletedId = maxDeleted;
            s.EntriesAdded = (long)added;
        }
        else
        {
            s.EntriesAdded = s.Length;
            s.FirstId = s.FirstValidId();
        }

        if (!TryReadLength(data, ref pos, out var groupCount) || groupCount > (ulong)data.Length)
        {
            return null;
        }

        for (var g = 0UL; g < groupCount; g++)
        {
            if (RdbPayload.ReadString(data, ref pos) is not { } name || !TryReadId(data, ref pos, out var groupLast))
            {
                return null;
            }

            var entriesRead = s.EstimateDistanceFromFirstEverEntry(groupLast);
            if (v2)
            {
                if (!TryReadLength(data, ref pos, out var read))
                {
                    return null;
                }

                entriesRead = (long)read;
            }

            var group = s.CreateGroup(name, groupLast, entriesRead);
            if (group is null || !ReadGroupPel(data, ref pos, group) || !ReadConsumers(data, ref pos, group))
            {
                return null;
            }
        }

        return s;
    }

    private static bool ReadGroupPel(ReadOnlySpan<byte> data, ref int pos, ConsumerGroup group)
    {
        if (!TryReadLength(data, ref pos, out var count) || count > (ulong)data.Length)
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (pos + 24 > data.Length)
            {
                return false;
            }

            var id = ReadRawId(data.Slice(pos, 16));
            var time = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(pos + 16, 8));
            pos += 24;
            if (!TryReadLength(data, ref pos, out var deliveries) || !group.Pending.TryAdd(new PendingEntry(id, null, time) { DeliveryCount = (long)deliveries }))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadConsumers(ReadOnlySpan<byte> data, ref int pos, ConsumerGroup group)
    {
        if (!TryReadLength(data, ref pos, out var count) || count > (ulong)data.Length)
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (RdbPayload.ReadString(data, ref pos) is not { } name || pos + 8 > data.Length || group.Consumers.ContainsKey(name))
            {
                return false;
            }

            var consumer = new StreamConsumer(name, BinaryPrimitives.ReadInt64LittleEndian(data.Slice(pos, 8)));
            pos += 8;
            group.Consumers[name] = consumer;
            if (!TryReadLength(data, ref pos, out var pending) || pending > (ulong)data.Length)
            {
                return false;
            }

            for (var p = 0UL; p < pending; p++)
            {
                if (pos + 16 > data.Length)
                {
                    return false;
                }

                var nack = group.Pending.Find(ReadRawId(data.Slice(pos, 16)));
                pos += 16;
                if (nack is null || nack.Consumer is not null)
                {
                    return false; // a consumer's entry missing from the group PEL, or owned twice
                }

                nack.Consumer = consumer;
                consumer.Pending.TryAdd(nack);
            }
        }

        foreach (var nack in group.Pending.All)
        {
            if (nack.Consumer is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Rebuilds one node from its listpack's elements; null when they do not follow the layout.</summary>
    private static StreamNode? ReadNode(StreamId masterId, List<byte[]> items)
    {
        var p = 0;
        bool Next(out long v)
        {
            v = 0;
            return p < items.Count && NumberFormat.TryParseLong(items[p++], out v);
        }

        if (!Next(out var live) || !Next(out var deleted) || !Next(out var masterCount) || masterCount < 0 || masterCount > items.Count - p)
        {
            return null;
        }

        var masterPairs = new byte[masterCount * 2][];
        for (var i = 0; i < masterCount; i++)
        {
            masterPairs[i * 2] = items[p++];
            masterPairs[(i * 2) + 1] = [];
        }

        if (!Next(out var terminator) || terminator != 0)
        {
            return null;
        }

        var node = new StreamNode(masterId, masterPairs);
        long seenDeleted = 0;
        var previous = StreamId.Zero;
        while (p < items.Count)
        {
            if (!Next(out var flags) || !Next(out var msDiff) || !Next(out var seqDiff))
            {
                return null;
            }

            var id = new StreamId(masterId.Ms + (ulong)msDiff, masterId.Seq + (ulong)seqDiff);
            if (node.Entries.Count > 0 ? id <= previous : id < masterId)
            {
                return null;
            }

            previous = id;
            long fieldCount;
            byte[][] fields;
            if ((flags & FlagSameFields) != 0)
            {
                fieldCount = masterCount;
                if (fieldCount > items.Count - p)
                {
                    return null;
                }

                fields = new byte[fieldCount * 2][];
                for (var i = 0; i < fieldCount; i++)
                {
                    fields[i * 2] = masterPairs[i * 2];
                    fields[(i * 2) + 1] = items[p++];
                }
            }
            else
            {
                if (!Next(out fieldCount) || fieldCount < 0 || fieldCount * 2 > items.Count - p)
                {
                    return null;
                }

                fields = new byte[fieldCount * 2][];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = items[p++];
                }
            }

            var expected = fieldCount + 3 + ((flags & FlagSameFields) != 0 ? 0 : fieldCount + 1);
            if (!Next(out var lpCount) || lpCount != expected)
            {
                return null;
            }

            var entry = new StreamEntry(id, fields);
            node.Add(entry);
            if ((flags & FlagDeleted) != 0)
            {
                entry.Deleted = true;
                node.Live--;
                seenDeleted++;
            }
        }

        return node.Entries.Count > 0 && node.Live == live && seenDeleted == deleted && node.Live > 0 ? node : null;
    }

    /// <summary>The node as Redis's listpack (master entry, then the entries).</summary>
    private static byte[] NodeListpack(StreamNode node)
    {
        var lp = new ListpackWriter();
        var master = node.MasterFields;
        lp.AddInteger(node.Live);
        lp.AddInteger(node.Entries.Count - node.Live);
        lp.AddInteger(master.Length);
        foreach (var f in master)
        {
            lp.AddString(f);
        }

        lp.AddInteger(0);
        foreach (var e in node.Entries)
        {
            var pairs = e.Fields.Length / 2;
            var same = pairs == master.Length;
            for (var i = 0; same && i < pairs; i++)
            {
                same = e.Fields[i * 2].AsSpan().SequenceEqual(master[i]);
            }

            lp.AddInteger((e.Deleted ? FlagDeleted : 0) | (same ? FlagSameFields : 0));
            lp.AddInteger((long)(e.Id.Ms - node.MasterId.Ms));
            lp.AddInteger((long)(e.Id.Seq - node.MasterId.Seq));
            if (!same)
            {
                lp.AddInteger(pairs);
            }

            for (var i = 0; i < e.Fields.Length; i++)
            {
                if (!same || (i & 1) == 1)
                {
                    lp.AddString(e.Fields[i]);
                }
            }

            lp.AddInteger(pairs + 3 + (same ? 0 : pairs + 1));
        }

        return lp.ToArray();
    }

    private static void WriteRawId(Span<byte> dest, StreamId id)
    {
        BinaryPrimitives.WriteUInt64BigEndian(dest, id.Ms);
        BinaryPrimitives.WriteUInt64BigEndian(dest[8..], id.Seq);
    }

    private static StreamId ReadRawId(ReadOnlySpan<byte> raw) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(raw), BinaryPrimitives.ReadUInt64BigEndian(raw[8..]));

    private static void WriteId(List<byte> w, StreamId id)
    {
        WriteLength(w, id.Ms);
        WriteLength(w, id.Seq);
    }

    private static bool TryReadId(ReadOnlySpan<byte> data, ref int pos, out StreamId id)
    {
        id = default;
        if (!TryReadLength(data, ref pos, out var ms) || !TryReadLength(data, ref pos, out var seq))
        {
            return false;
        }

        id = new StreamId(ms, seq);
        return true;
    }

    /// <summary>rdbSaveLen with the full 64-bit range (stream IDs and counters use it).</summary>
    private static void WriteLength(List<byte> w, ulong v)
    {
        if (v <= long.MaxValue)
        {
            RdbPayload.WriteLength(w, (long)v);
            return;
        }

        w.Add(0x81);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        w.AddRange(b);
    }

    /// <summary>rdbLoadLen with the full 64-bit range.</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> data, ref int pos, out ulong v)
    {
        v = 0;
        if (pos >= data.Length)
        {
            return false;
        }

        var b = data[pos++];
        switch (b >> 6)
        {
            case 0:
                v = (ulong)(b & 0x3F);
                return true;
            case 1:
                if (pos >= data.Length)
                {
                    return false;
                }

                v = (ulong)(((b & 0x3F) << 8) | data[pos++]);
                return true;
            case 2 when b == 0x80 && pos + 4 <= data.Length:
                v = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(pos, 4));
                pos += 4;
                return true;
            case 2 when b == 0x81 && pos + 8 <= data.Length:
                v = BinaryPrimitives.ReadUInt64BigEndian(data.Slice(pos, 8));
                pos += 8;
                return true;
            default:
                return false;
        }
    }
}
