using System.Buffers.Binary;
using System.Numerics;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>Index records packed one after another in large chunks (CREATE INDEX's sort input).</summary>
internal sealed class KeyArena
{
    private const int ChunkSize = 1 << 20;
    private readonly List<byte[]> _chunks = [];
    private byte[] _current = [];
    private int _used;

    public (int Chunk, int Offset, int Length) Add(ReadOnlySpan<SqlValue> values)
    {
        var length = RecordFormat.EncodedLength(values);
        if (_used + length > _current.Length)
        {
            _current = new byte[Math.Max(ChunkSize, length)];
            _chunks.Add(_current);
            _used = 0;
        }

        var offset = _used;
        RecordFormat.Encode(values, _current.AsSpan(offset, length));
        _used += length;
        return (_chunks.Count - 1, offset, length);
    }

    public ReadOnlySpan<byte> Span(in IndexKeyEntry e) => _chunks[e.Chunk].AsSpan(e.Offset, e.Length);

    public ReadOnlyMemory<byte> Memory(in IndexKeyEntry e) => _chunks[e.Chunk].AsMemory(e.Offset, e.Length);

    public void Reset(RecordReader reader, in IndexKeyEntry e) => reader.Reset(_chunks[e.Chunk], e.Offset, e.Length);
}

/// <summary>
/// One index record to sort: where it is in the <see cref="KeyArena"/>, and a prefix of its first
/// column that orders as the column does (<see cref="Rank"/>, then <see cref="P1"/>, <see cref="P2"/>):
/// entries whose prefixes differ compare without touching their records. The prefix is a monotonic
/// image of the value, so a difference in the prefix always agrees with the full comparison; equal
/// prefixes fall back to it.
/// </summary>
internal struct IndexKeyEntry
{
    public ulong P1;
    public ulong P2;
    public int Chunk;
    public int Offset;
    public int Length;
    public int Rank;

    /// <param name="first">The record's first field.</param>
    /// <param name="rowid">The row's rowid (the record's last field).</param>
    /// <param name="single">The index has one column: equal values are ordered by rowid, which P2 then carries.</param>
    public static IndexKeyEntry Create(in SqlValue first, Collation collation, bool descending, long rowid, bool single, (int Chunk, int Offset, int Length) at)
    {
        var e = new IndexKeyEntry { Chunk = at.Chunk, Offset = at.Offset, Length = at.Length };
        var rowidInP2 = false;
        switch (first.Type)
        {
            case SqlType.Null:
                e.Rank = 0;
                rowidInP2 = single;
                break;
            case SqlType.Integer or SqlType.Real:
                {
                    e.Rank = 1;
                    var d = first.Type == SqlType.Integer ? first.AsInteger : first.AsReal;
                    if (d == 0)
                    {
                        d = 0; // -0.0 equals 0.0
                    }

                    var bits = BitConverter.DoubleToInt64Bits(d);
                    e.P1 = bits < 0 ? ~(ulong)bits : (ulong)bits | 0x8000_0000_0000_0000UL;

                    // Below 2^53 every integer is exact as a double: equal P1 means equal values.
                    rowidInP2 = single && Math.Abs(d) < 9007199254740992.0;
                    break;
                }

            case SqlType.Text or SqlType.Blob:
                {
                    e.Rank = first.Type == SqlType.Text ? 2 : 3;
                    if (first.Type == SqlType.Blob || collation != Collation.RTrim)
                    {
                        Span<byte> prefix = stackalloc byte[16];
                        prefix.Clear();
                        var bytes = first.Bytes;
                        bytes[..Math.Min(16, bytes.Length)].CopyTo(prefix);
                        if (first.Type == SqlType.Text && collation == Collation.NoCase)
                        {
                            for (var i = 0; i < prefix.Length; i++)
                            {
                                if (prefix[i] is >= (byte)'A' and <= (byte)'Z')
                                {
                                    prefix[i] += 32;
                                }
                            }
                        }

                        e.P1 = BinaryPrimitives.ReadUInt64BigEndian(prefix);
                        e.P2 = BinaryPrimitives.ReadUInt64BigEndian(prefix[8..]);
                    }

                    break;
                }
        }

        if (descending)
        {
            e.Rank = 3 - e.Rank;
            e.P1 = ~e.P1;
            e.P2 = ~e.P2;
        }

        if (rowidInP2)
        {
            e.P2 = (ulong)rowid ^ 0x8000_0000_0000_0000UL;
        }

        return e;
    }
}

/// <summary>Orders <see cref="IndexKeyEntry"/>s as the index orders its records.</summary>
internal readonly struct IndexKeyComparer(KeyArena arena, KeyInfo keyInfo) : IComparer<IndexKeyEntry>
{
    public int Compare(IndexKeyEntry x, IndexKeyEntry y)
    {
        if (x.Rank != y.Rank)
        {
            return x.Rank < y.Rank ? -1 : 1;
        }

        if (x.P1 != y.P1)
        {
            return x.P1 < y.P1 ? -1 : 1;
        }

        if (x.P2 != y.P2)
        {
            return x.P2 < y.P2 ? -1 : 1;
        }

        return SqlComparer.CompareRecords(arena.Span(x), arena.Span(y), keyInfo);
    }
}

/// <summary>
/// An introsort over <see cref="IndexKeyEntry"/> specialised for its comparer (the BCL's span sort
/// calls a struct comparer through the IComparer interface, boxed).
/// </summary>
internal static class IndexKeySort
{
    public static void Sort(Span<IndexKeyEntry> span, IndexKeyComparer comparer)
    {
        if (span.Length > 1)
        {
            IntroSort(span, 2 * (BitOperations.Log2((uint)span.Length) + 1), comparer);
        }
    }

    private static void IntroSort(Span<IndexKeyEntry> span, int depth, IndexKeyComparer cmp)
    {
        while (span.Length > 16)
        {
            if (depth-- == 0)
            {
                HeapSort(span, cmp);
                return;
            }

            // Median of three to span[0], then Hoare partition around it.
            var mid = span.Length >> 1;
            var last = span.Length - 1;
            if (cmp.Compare(span[mid], span[0]) < 0)
            {
                (span[mid], span[0]) = (span[0], span[mid]);
            }

            if (cmp.Compare(span[last], span[mid]) < 0)
            {
                (span[last], span[mid]) = (span[mid], span[last]);
                if (cmp.Compare(span[mid], span[0]) < 0)
                {
                    (span[mid], span[0]) = (span[0], span[mid]);
                }
            }

            (span[0], span[mid]) = (span[mid], span[0]);
            var pivot = span[0];
            int i = 0, j = span.Length;
            while (true)
            {
                while (++i < span.Length && cmp.Compare(span[i], pivot) < 0)
                {
                }

                while (cmp.Compare(pivot, span[--j]) < 0)
                {
                }

                if (i >= j)
                {
                    break;
                }

                (span[i], span[j]) = (span[j], span[i]);
            }

            (span[0], span[j]) = (span[j], span[0]);

            // Recurse into the smaller side, loop on the larger.
            if (j < span.Length - j - 1)
            {
                IntroSort(span[..j], depth, cmp);
                span = span[(j + 1)..];
            }
            else
            {
                IntroSort(span[(j + 1)..], depth, cmp);
                span = span[..j];
            }
        }

        for (var i = 1; i < span.Length; i++)
        {
            var x = span[i];
            var j = i - 1;
            while (j >= 0 && cmp.Compare(x, span[j]) < 0)
            {
                span[j + 1] = span[j];
                j--;
            }

            span[j + 1] = x;
        }
    }

    private static void HeapSort(Span<IndexKeyEntry> span, IndexKeyComparer cmp)
    {
        for (var i = (span.Length >> 1) - 1; i >= 0; i--)
        {
            SiftDown(span, i, span.Length, cmp);
        }

        for (var end = span.Length - 1; end > 0; end--)
        {
            (span[0], span[end]) = (span[end], span[0]);
            SiftDown(span, 0, end, cmp);
        }
    }

    private static void SiftDown(Span<IndexKeyEntry> span, int i, int n, IndexKeyComparer cmp)
    {
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                return;
            }

            if (child + 1 < n && cmp.Compare(span[child], span[child + 1]) < 0)
            {
                child++;
            }

            if (cmp.Compare(span[i], span[child]) >= 0)
            {
                return;
            }

            (span[i], span[child]) = (span[child], span[i]);
            i = child;
        }
    }
}
