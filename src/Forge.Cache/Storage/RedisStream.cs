namespace Forge.Cache.Storage;

/// <summary>One stream entry: its ID and its field/value pairs (fields at even indices).</summary>
internal sealed class StreamEntry
{
    public StreamEntry(StreamId id, byte[][] fields)
    {
        Id = id;
        Fields = fields;
    }

    public StreamId Id { get; }

    public byte[][] Fields { get; }

    /// <summary>A tombstone: XDEL or exact trimming removed it, but its node still holds its place.</summary>
    public bool Deleted { get; set; }
}

/// <summary>
/// The value of a stream key. Entries live in a sorted list of nodes, each modelled on one of
/// Redis's listpack nodes: a master ID (the first ID ever stored in it), the master fields, its
/// entries in ID order (tombstones included) and an estimate of the listpack's size in bytes.
/// Nodes split exactly where Redis's would (stream-node-max-entries counting tombstones,
/// stream-node-max-bytes), so approximate trimming ("~", which removes whole nodes only) and
/// XINFO's radix-tree-keys match Redis. A lookup is a binary search over the nodes' master IDs
/// and then inside one node: O(log n); an append touches only the last node.
/// Consumer groups are in <see cref="Groups"/> (RedisStream.Groups.cs).
/// </summary>
internal sealed partial class RedisStream : IMemoryEstimate
{
    private readonly List<StreamNode> _nodes = [];

    /// <summary>Entries that are not tombstones (XLEN).</summary>
    public long Length { get; private set; }

    /// <summary>The last ID ever added (or set by XSETID); 0-0 for a new stream.</summary>
    public StreamId LastId { get; set; }

    /// <summary>The first live entry's ID, 0-0 when empty ("recorded-first-entry-id").</summary>
    public StreamId FirstId { get; private set; }

    /// <summary>The highest ID XDEL removed ("max-deleted-entry-id").</summary>
    public StreamId MaxDeletedId { get; set; }

    /// <summary>All-time count of added entries ("entries-added").</summary>
    public long EntriesAdded { get; set; }

    /// <summary>Nodes (XINFO radix-tree-keys).</summary>
    public int NodeCount => _nodes.Count;

    public static string Encoding => "stream";

    /// <summary>
    /// Appends an entry whose ID is greater than <see cref="LastId"/> (the caller checked).
    /// <paramref name="fields"/> alternate field and value and are stored as given.
    /// </summary>
    public void Append(StreamId id, byte[][] fields, long nodeMaxBytes, long nodeMaxEntries)
    {
        var node = _nodes.Count > 0 ? _nodes[^1] : null;
        if (node is not null)
        {
            long total = 0;
            foreach (var f in fields)
            {
                total += f.Length;
            }

            var maxBytes = nodeMaxBytes is <= 0 or > int.MaxValue ? int.MaxValue : nodeMaxBytes;
            if (node.Bytes + total >= maxBytes)
            {
                node = null;
            }
            else if (nodeMaxEntries > 0 && node.Entries.Count >= nodeMaxEntries)
            {
                node = null;
            }
        }

        if (node is null)
        {
            node = new StreamNode(id, fields);
            _nodes.Add(node);
        }

        node.Add(new StreamEntry(id, fields));
        Length++;
        EntriesAdded++;
        LastId = id;
        if (Length == 1)
        {
            FirstId = id;
        }
    }

    /// <summary>The live entry with this ID, or null.</summary>
    public StreamEntry? Find(StreamId id)
    {
        var n = NodeFor(id);
        if (n < 0)
        {
            return null;
        }

        var node = _nodes[n];
        var i = node.LowerBound(id);
        return i < node.Entries.Count && node.Entries[i].Id == id && !node.Entries[i].Deleted ? node.Entries[i] : null;
    }

    /// <summary>Live entries with start &lt;= ID &lt;= end, ascending (or descending when <paramref name="reverse"/>).</summary>
    public IEnumerable<StreamEntry> Range(StreamId start, StreamId end, bool reverse = false)
    {
        if (start > end || _nodes.Count == 0)
        {
            yield break;
        }

        if (!reverse)
        {
            var n = Math.Max(NodeFor(start), 0);
            var i = _nodes[n].LowerBound(start);
            for (; n < _nodes.Count; n++, i = 0)
            {
                var entries = _nodes[n].Entries;
                for (; i < entries.Count; i++)
                {
                    var e = entries[i];
                    if (e.Id > end)
                    {
                        yield break;
                    }

                    if (!e.Deleted)
                    {
                        yield return e;
                    }
                }
            }
        }
        else
        {
            var n = NodeFor(end);
            if (n < 0)
            {
                yield break;
            }

            var i = _nodes[n].UpperBound(end) - 1;
            for (; n >= 0; n--)
            {
                var entries = _nodes[n].Entries;
                if (i == int.MinValue)
                {
                    i = entries.Count - 1;
                }

                for (; i >= 0; i--)
                {
                    var e = entries[i];
                    if (e.Id < start)
                    {
                        yield break;
                    }

                    if (!e.Deleted)
                    {
                        yield return e;
                    }
                }

                i = int.MinValue;
            }
        }
    }

    /// <summary>The last live entry's ID (streamLastValidID), 0-0 when empty.</summary>
    public StreamId LastValidId()
    {
        for (var n = _nodes.Count - 1; n >= 0; n--)
        {
            var entries = _nodes[n].Entries;
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                if (!entries[i].Deleted)
                {
                    return entries[i].Id;
                }
            }
        }

        return StreamId.Zero;
    }

    private StreamId FirstValidId()
    {
        foreach (var node in _nodes)
        {
            foreach (var e in node.Entries)
            {
                if (!e.Deleted)
                {
                    return e.Id;
                }
            }
        }

        return StreamId.Zero;
    }

    /// <summary>Marks the entry deleted (XDEL); a node left with no live entry goes away. False when absent.</summary>
    public bool Delete(StreamId id)
    {
        var n = NodeFor(id);
        if (n < 0)
        {
            return false;
        }

        var node = _nodes[n];
        var i = node.LowerBound(id);
        if (i >= node.Entries.Count || node.Entries[i].Id != id || node.Entries[i].Deleted)
        {
            return false;
        }

        if (node.Live == 1)
        {
            _nodes.RemoveAt(n);
        }
        else
        {
            node.Entries[i].Deleted = true;
            node.Live--;
        }

        Length--;
        return true;
    }

    /// <summary>XDEL's bookkeeping after deleting <paramref name="ids"/>: first ID and max deleted ID.</summary>
    public void AfterDelete(bool firstDeleted)
    {
        if (Length == 0)
        {
            FirstId = StreamId.Zero;
        }
        else if (firstDeleted)
        {
            FirstId = FirstValidId();
        }
    }

    /// <summary>
    /// streamTrim: removes entries from the head until at most <paramref name="maxLen"/> remain
    /// (or, with <paramref name="byId"/>, every entry below <paramref name="minId"/>). Whole nodes
    /// go first; with <paramref name="approx"/> that is all, otherwise the entries of the next node
    /// become tombstones. <paramref name="limit"/> (0 = none) bounds the entries removed. Returns
    /// the number removed.
    /// </summary>
    public long Trim(bool byId, long maxLen, StreamId minId, bool approx, long limit)
    {
        long deleted = 0;
        while (_nodes.Count > 0)
        {
            if (!byId && Length <= maxLen)
            {
                break;
            }

            var node = _nodes[0];
            long entries = node.Live;
            if (limit > 0 && deleted + entries > limit)
            {
                break;
            }

            var removeNode = byId ? node.Entries[^1].Id < minId : Length - entries >= maxLen;
            if (removeNode)
            {
                _nodes.RemoveAt(0);
                Length -= entries;
                deleted += entries;
                continue;
            }

            if (approx)
            {
                break;
            }

            foreach (var e in node.Entries)
            {
                var stop = byId ? e.Id >= minId : Length <= maxLen;
                if (stop)
                {
                    break;
                }

                if (!e.Deleted)
                {
                    e.Deleted = true;
                    node.Live--;
                    Length--;
                    deleted++;
                }
            }

            break;
        }

        FirstId = Length == 0 ? StreamId.Zero : FirstValidId();
        return deleted;
    }

    /// <summary>The first ID of the first node, tombstones included (what Redis rewrites MINID ~ to).</summary>
    public StreamId FirstIdIncludingTombstones() => _nodes.Count > 0 ? _nodes[0].Entries[0].Id : StreamId.Max;

    /// <summary>Index of the node that would hold <paramref name="id"/>: the last whose master ID is &lt;= id; -1 if none.</summary>
    private int NodeFor(StreamId id)
    {
        int lo = 0, hi = _nodes.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_nodes[mid].MasterId <= id)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>A deep copy (COPY): entries are immutable so they are shared; tombstones and groups are copied.</summary>
    public RedisStream Clone()
    {
        var copy = new RedisStream
        {
            Length = Length,
            LastId = LastId,
            FirstId = FirstId,
            MaxDeletedId = MaxDeletedId,
            EntriesAdded = EntriesAdded,
        };
        foreach (var node in _nodes)
        {
            copy._nodes.Add(node.Clone());
        }

        CloneGroupsInto(copy);
        return copy;
    }

    public long EstimateBytes()
    {
        long bytes = 96;
        foreach (var node in _nodes)
        {
            bytes += 64 + node.Bytes + (node.Entries.Count * 48);
        }

        return bytes + EstimateGroupBytes();
    }

    /// <summary>
    /// Radix tree nodes, as XINFO reports them: the node count of a fully compressed rax holding
    /// the nodes' 16-byte big-endian master IDs (what Redis's rax has after inserts; deletions can
    /// leave Redis's tree less compressed than this).
    /// </summary>
    public long RadixTreeNodes
    {
        get
        {
            if (_nodes.Count == 0)
            {
                return 1;
            }

            var keys = new byte[_nodes.Count][];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = new byte[16];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(keys[i], _nodes[i].MasterId.Ms);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(keys[i].AsSpan(8), _nodes[i].MasterId.Seq);
            }

            return RaxNodes(keys, 0, keys.Length, 0);
        }
    }

    /// <summary>Nodes of the subtree for sorted keys [from, to) that share their first <paramref name="depth"/> bytes.</summary>
    private static long RaxNodes(byte[][] keys, int from, int to, int depth)
    {
        const int KeyLength = 16;
        if (to - from == 1)
        {
            return depth == KeyLength ? 1 : 2; // a compressed node for the rest of the key, then the key's leaf
        }

        var common = depth;
        while (keys[from][common] == keys[to - 1][common])
        {
            common++;
        }

        long count = common > depth ? 2 : 1; // an optional compressed node, then the branch node
        for (var i = from; i < to;)
        {
            var j = i + 1;
            while (j < to && keys[j][common] == keys[i][common])
            {
                j++;
            }

            count += RaxNodes(keys, i, j, common + 1);
            i = j;
        }

        return count;
    }
}
