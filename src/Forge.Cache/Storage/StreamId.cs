using System.Buffers.Text;

namespace Forge.Cache.Storage;

/// <summary>A stream entry ID: milliseconds and sequence, two unsigned 64-bit numbers, ordered as a pair.</summary>
internal readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    public static readonly StreamId Zero = new(0, 0);

    public static readonly StreamId Max = new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>Longest text form: two 20-digit numbers and a dash.</summary>
    public const int MaxTextLength = 41;

    public bool IsZero => Ms == 0 && Seq == 0;

    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary>streamIncrID: the next ID; false (and 0-0) when this is the last possible one.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq == ulong.MaxValue)
        {
            if (Ms == ulong.MaxValue)
            {
                next = Zero;
                return false;
            }

            next = new StreamId(Ms + 1, 0);
            return true;
        }

        next = new StreamId(Ms, Seq + 1);
        return true;
    }

    /// <summary>streamDecrID: the previous ID; false when this is 0-0.</summary>
    public bool TryDecrement(out StreamId previous)
    {
        if (Seq == 0)
        {
            if (Ms == 0)
            {
                previous = Max;
                return false;
            }

            previous = new StreamId(Ms - 1, ulong.MaxValue);
            return true;
        }

        previous = new StreamId(Ms, Seq - 1);
        return true;
    }

    /// <summary>Writes "ms-seq" into <paramref name="destination"/> (at least <see cref="MaxTextLength"/> bytes); returns the length.</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out var n);
        destination[n++] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[n..], out var m);
        return n + m;
    }

    public override string ToString() => $"{Ms}-{Seq}";

    /// <summary>
    /// Redis's string2ull: a canonical integer, or what strtoull accepts (leading white space, a
    /// sign, leading zeros); negative values and overflow are rejected.
    /// </summary>
    public static bool TryParseUnsigned(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        var i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == '-';
            i++;
        }

        if (i == s.Length)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            var b = s[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            var digit = (ulong)(b - '0');
            if (value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return !negative || value == 0;
    }
}
