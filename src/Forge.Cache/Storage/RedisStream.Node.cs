using Forge.Cache.Protocol;

namespace Forge.Cache.Storage;

/// <summary>
/// One node of a stream, standing for one Redis listpack (t_stream.c). Redis lays a node out as
/// a master entry followed by the entries:
/// <code>
/// master: count | deleted | num-fields | field_1 .. field_N | 0
/// entry:  flags | ms-diff | seq-diff | [num-fields | field_1 | value_1 ..] | value_1 .. | lp-count
/// </code>
/// (an entry whose fields equal the master fields stores only its values). Only the size in
/// bytes of that layout is kept here, to split nodes where Redis does (stream-node-max-bytes).
/// </summary>
internal sealed class StreamNode
{
    /// <summary>listpack header (total bytes + element count) and end byte.</summary>
    private const int ListpackOverhead = 6 + 1;

    private readonly byte[][] _masterFields;
    private long _bytesWithoutCounts;

    public StreamNode(StreamId masterId, byte[][] firstEntryFields)
    {
        MasterId = masterId;
        _masterFields = new byte[firstEntryFields.Length / 2][];
        for (var i = 0; i < _masterFields.Length; i++)
        {
            _masterFields[i] = firstEntryFields[i * 2];
        }

        _bytesWithoutCounts = ListpackOverhead + Listpack.IntSize(_masterFields.Length) + Listpack.IntSize(0);
        foreach (var f in _masterFields)
        {
            _bytesWithoutCounts += Listpack.StringSize(f);
        }
    }

    private StreamNode(StreamNode other)
    {
        MasterId = other.MasterId;
        _masterFields = other._masterFields;
        _bytesWithoutCounts = other._bytesWithoutCounts;
        Live = other.Live;
        foreach (var e in other.Entries)
        {
            Entries.Add(new StreamEntry(e.Id, e.Fields) { Deleted = e.Deleted });
        }
    }

    public StreamId MasterId { get; }

    /// <summary>The field names of the first entry ever stored here (the master entry).</summary>
    public byte[][] MasterFields => _masterFields;

    /// <summary>Entries in ID order, tombstones included.</summary>
    public List<StreamEntry> Entries { get; } = [];

    /// <summary>Entries that are not tombstones (the master entry's "count").</summary>
    public int Live { get; set; }

    /// <summary>Estimated listpack size (lpBytes).</summary>
    public long Bytes => _bytesWithoutCounts + Listpack.IntSize(Live) + Listpack.IntSize(Entries.Count - Live);

    public void Add(StreamEntry entry)
    {
        var fields = entry.Fields;
        var same = fields.Length / 2 == _masterFields.Length;
        for (var i = 0; same && i < _masterFields.Length; i++)
        {
            same = fields[i * 2].AsSpan().SequenceEqual(_masterFields[i]);
        }

        long size = Listpack.IntSize(same ? 2 : 0)
            + Listpack.IntSize((long)(entry.Id.Ms - MasterId.Ms))
            + Listpack.IntSize((long)(entry.Id.Seq - MasterId.Seq));
        var lpCount = (fields.Length / 2) + 3;
        if (!same)
        {
            size += Listpack.IntSize(fields.Length / 2);
            lpCount += (fields.Length / 2) + 1;
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (!same || (i & 1) == 1)
            {
                size += Listpack.StringSize(fields[i]);
            }
        }

        size += Listpack.IntSize(lpCount);
        _bytesWithoutCounts += size;
        Entries.Add(entry);
        Live++;
    }

    /// <summary>Index of the first entry with ID &gt;= <paramref name="id"/>.</summary>
    public int LowerBound(StreamId id)
    {
        int lo = 0, hi = Entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Entries[mid].Id < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Index of the first entry with ID &gt; <paramref name="id"/>.</summary>
    public int UpperBound(StreamId id)
    {
        int lo = 0, hi = Entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Entries[mid].Id <= id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public StreamNode Clone() => new(this);
}

/// <summary>Sizes of listpack elements (listpack.c's encodings), for node size estimates.</summary>
internal static class Listpack
{
    /// <summary>Bytes an integer element takes: encoding + payload + back-length.</summary>
    public static int IntSize(long v)
    {
        var encoded = v switch
        {
            >= 0 and <= 127 => 1,
            >= -4096 and <= 4095 => 2,
            >= short.MinValue and <= short.MaxValue => 3,
            >= -8388608 and <= 8388607 => 4,
            >= int.MinValue and <= int.MaxValue => 5,
            _ => 9,
        };
        return encoded + BackLength(encoded);
    }

    /// <summary>Bytes a string element takes (strings that are canonical integers are stored as integers).</summary>
    public static long StringSize(byte[] s)
    {
        if (s.Length <= 20 && NumberFormat.TryParseLong(s, out var v))
        {
            return IntSize(v);
        }

        long encoded = s.Length < 64 ? 1 + s.Length : s.Length < 4096 ? 2 + s.Length : 5 + s.Length;
        return encoded + BackLength(encoded);
    }

    private static int BackLength(long encoded) => encoded switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };
}
