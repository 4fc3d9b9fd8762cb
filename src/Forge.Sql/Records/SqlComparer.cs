using System.Buffers.Binary;

namespace Forge.Sql.Records;

/// <summary>SQLite's three built-in collating sequences.</summary>
internal enum Collation : byte
{
    /// <summary>memcmp of the UTF-8 bytes.</summary>
    Binary = 0,

    /// <summary>Like BINARY after folding ASCII A–Z to lower case (no Unicode folding, as SQLite).</summary>
    NoCase = 1,

    /// <summary>Like BINARY ignoring trailing spaces (0x20).</summary>
    RTrim = 2,
}

/// <summary>
/// How index keys compare, column by column (SQLite's KeyInfo): a collation and a DESC flag per key
/// column. Columns beyond the arrays (such as the rowid appended to every index entry) compare with
/// BINARY, ascending.
/// </summary>
internal sealed class KeyInfo
{
    public static readonly KeyInfo Default = new([], []);

    public KeyInfo(Collation[] collations, bool[] descending)
    {
        Collations = collations;
        Descending = descending;
    }

    public Collation[] Collations { get; }

    public bool[] Descending { get; }

    public static KeyInfo Ascending(int columns, Collation collation = Collation.Binary)
    {
        var c = new Collation[columns];
        Array.Fill(c, collation);
        return new KeyInfo(c, new bool[columns]);
    }

    public Collation CollationOf(int column) => column < Collations.Length ? Collations[column] : Collation.Binary;

    public bool IsDescending(int column) => column < Descending.Length && Descending[column];
}

/// <summary>
/// Value and record comparison in SQLite's order (sqlite3MemCompare): NULL &lt; INTEGER/REAL (compared
/// exactly by numeric value, an integer against a real without rounding) &lt; TEXT (by collation) &lt; BLOB
/// (memcmp, shorter first on a common prefix).
/// </summary>
internal static class SqlComparer
{
    public static int Compare(in SqlValue a, in SqlValue b, Collation collation = Collation.Binary)
    {
        return CompareCore(a.Type, a.AsInteger, a.Bytes, b.Type, b.AsInteger, b.Bytes, collation);
    }

    /// <summary>
    /// Compares a packed record (an index cell's payload) with an unpacked key, as
    /// sqlite3VdbeRecordCompare: fields are compared left to right up to the shorter of the two; the
    /// first difference decides (negated for a DESC column); when every compared field is equal the
    /// result is <paramref name="defaultResult"/> (0 for an equality/prefix match; seeks pass -1 or +1
    /// to land after or before all entries equal to a prefix).
    /// </summary>
    public static int CompareRecord(ReadOnlySpan<byte> record, ReadOnlySpan<SqlValue> key, KeyInfo info, int defaultResult = 0)
    {
        var n = Varint.Read(record, out var hs);
        if (n == 0 || hs < n || hs > record.Length)
        {
            SqliteCorruptException.Throw("index record header size out of range");
        }

        var headerPos = n;
        var bodyPos = (int)hs;
        for (var i = 0; i < key.Length && headerPos < hs; i++)
        {
            var m = Varint.Read(record[headerPos..(int)hs], out var st);
            var len = RecordFormat.BodyLength(st);
            if (m == 0 || len < 0 || bodyPos + len > record.Length)
            {
                SqliteCorruptException.Throw("bad serial type in index record");
            }

            headerPos += m;
            var body = record.Slice(bodyPos, (int)len);
            bodyPos += (int)len;
            TypeOf(st, body, out var type, out var bits);
            ref readonly var k = ref key[i];
            var c = CompareCore(type, bits, body, k.Type, k.AsInteger, k.Bytes, info.CollationOf(i));
            if (c != 0)
            {
                return info.IsDescending(i) ? -c : c;
            }
        }

        return defaultResult;
    }

    /// <summary>Compares two packed records field by field (all fields of the shorter one, at most <paramref name="fields"/>).</summary>
    public static int CompareRecords(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, KeyInfo info, int fields = int.MaxValue)
    {
        var na = Varint.Read(a, out var hsa);
        var nb = Varint.Read(b, out var hsb);
        if (na == 0 || hsa < na || hsa > a.Length || nb == 0 || hsb < nb || hsb > b.Length)
        {
            SqliteCorruptException.Throw("index record header size out of range");
        }

        int headA = na, headB = nb, bodyA = (int)hsa, bodyB = (int)hsb;
        for (var i = 0; i < fields && headA < hsa && headB < hsb; i++)
        {
            var ma = ReadSerialType(a, headA, (int)hsa, out var sta);
            var mb = ReadSerialType(b, headB, (int)hsb, out var stb);
            var la = RecordFormat.BodyLength(sta);
            var lb = RecordFormat.BodyLength(stb);
            if (ma == 0 || mb == 0 || la < 0 || lb < 0 || bodyA + la > a.Length || bodyB + lb > b.Length)
            {
                SqliteCorruptException.Throw("bad serial type in index record");
            }

            headA += ma;
            headB += mb;
            var fa = a.Slice(bodyA, (int)la);
            var fb = b.Slice(bodyB, (int)lb);
            bodyA += (int)la;
            bodyB += (int)lb;
            TypeOf(sta, fa, out var ta, out var bitsA);
            TypeOf(stb, fb, out var tb, out var bitsB);
            var c = CompareCore(ta, bitsA, fa, tb, bitsB, fb, info.CollationOf(i));
            if (c != 0)
            {
                return info.IsDescending(i) ? -c : c;
            }
        }

        return 0;
    }

    private static int ReadSerialType(ReadOnlySpan<byte> record, int pos, int headerSize, out long serialType)
    {
        if (record[pos] < 0x80)
        {
            serialType = record[pos];
            return 1;
        }

        return Varint.Read(record[pos..headerSize], out serialType);
    }

    private static void TypeOf(long serialType, ReadOnlySpan<byte> body, out SqlType type, out long bits)
    {
        switch (serialType)
        {
            case 0:
                type = SqlType.Null;
                bits = 0;
                break;
            case 8 or 9:
                type = SqlType.Integer;
                bits = serialType - 8;
                break;
            case 7:
                type = SqlType.Real;
                bits = BinaryPrimitives.ReadInt64BigEndian(body);
                break;
            case <= 6:
                type = SqlType.Integer;
                bits = SqlValue.ReadBigEndianInt(body);
                break;
            default:
                type = (serialType & 1) == 0 ? SqlType.Blob : SqlType.Text;
                bits = 0;
                break;
        }
    }

    private static int Rank(SqlType t) => t switch
    {
        SqlType.Null => 0,
        SqlType.Integer or SqlType.Real => 1,
        SqlType.Text => 2,
        _ => 3,
    };

    private static int CompareCore(SqlType ta, long bitsA, ReadOnlySpan<byte> bytesA, SqlType tb, long bitsB, ReadOnlySpan<byte> bytesB, Collation collation)
    {
        var ra = Rank(ta);
        var rb = Rank(tb);
        if (ra != rb)
        {
            return ra < rb ? -1 : 1;
        }

        switch (ra)
        {
            case 0:
                return 0;
            case 1:
                if (ta == SqlType.Integer && tb == SqlType.Integer)
                {
                    return bitsA.CompareTo(bitsB);
                }

                if (ta == SqlType.Real && tb == SqlType.Real)
                {
                    return CompareReals(BitConverter.Int64BitsToDouble(bitsA), BitConverter.Int64BitsToDouble(bitsB));
                }

                return ta == SqlType.Integer
                    ? CompareIntReal(bitsA, BitConverter.Int64BitsToDouble(bitsB))
                    : -CompareIntReal(bitsB, BitConverter.Int64BitsToDouble(bitsA));
            case 2:
                return CompareText(bytesA, bytesB, collation);
            default:
                return Sign(bytesA.SequenceCompareTo(bytesB));
        }
    }

    private static int CompareReals(double a, double b)
    {
        // SQLite never stores NaN (it becomes NULL); order it first among numbers for a total order.
        if (a < b)
        {
            return -1;
        }

        if (a > b)
        {
            return 1;
        }

        if (a == b)
        {
            return 0;
        }

        return double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : 1;
    }

    /// <summary>Compares an integer with a real exactly (no rounding of large integers to double).</summary>
    public static int CompareIntReal(long i, double r)
    {
        if (double.IsNaN(r))
        {
            return 1;
        }

        if (r < -9223372036854775808.0)
        {
            return 1;
        }

        if (r >= 9223372036854775808.0)
        {
            return -1;
        }

        var y = (long)r;
        if (i < y)
        {
            return -1;
        }

        if (i > y)
        {
            return 1;
        }

        // i == trunc(r): the fractional part decides.
        var frac = r - y;
        return frac > 0 ? -1 : frac < 0 ? 1 : 0;
    }

    public static int CompareText(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Collation collation)
    {
        switch (collation)
        {
            case Collation.NoCase:
                var n = Math.Min(a.Length, b.Length);
                for (var i = 0; i < n; i++)
                {
                    var x = Fold(a[i]);
                    var y = Fold(b[i]);
                    if (x != y)
                    {
                        return x < y ? -1 : 1;
                    }
                }

                return a.Length.CompareTo(b.Length);
            case Collation.RTrim:
                return Sign(TrimEndSpaces(a).SequenceCompareTo(TrimEndSpaces(b)));
            default:
                return Sign(a.SequenceCompareTo(b));
        }
    }

    private static byte Fold(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c;

    private static ReadOnlySpan<byte> TrimEndSpaces(ReadOnlySpan<byte> s)
    {
        var n = s.Length;
        while (n > 0 && s[n - 1] == (byte)' ')
        {
            n--;
        }

        return s[..n];
    }

    private static int Sign(int c) => c < 0 ? -1 : c > 0 ? 1 : 0;
}
