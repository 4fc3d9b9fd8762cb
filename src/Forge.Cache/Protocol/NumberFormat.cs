using System.Globalization;
using System.Text;

namespace Forge.Cache.Protocol;

/// <summary>
/// Number parsing and printing with Redis's exact rules: string2ll (no spaces, no '+', no leading
/// zeros), strtod-like doubles ("inf" accepted, "nan" refused, overflow and underflow refused),
/// "%.17g" for double replies and "%.17Lf" with trailing zeros trimmed for INCRBYFLOAT.
/// </summary>
internal static class NumberFormat
{
    /// <summary>Redis's string2ll: the exact canonical decimal form of a 64-bit integer.</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }

        if (s.Length == 1 && s[0] == (byte)'0')
        {
            return true;
        }

        var negative = false;
        var i = 0;
        if (s[0] == (byte)'-')
        {
            negative = true;
            i = 1;
            if (s.Length == 1)
            {
                return false;
            }
        }

        if (s[i] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        ulong v = 0;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            if (v > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            v = (v * 10) + d;
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue)
            {
                return false;
            }

            value = (long)v;
        }

        return true;
    }

    /// <summary>True when <paramref name="s"/> is an integer Redis would store with the "int" encoding.</summary>
    public static bool IsCanonicalLong(ReadOnlySpan<byte> s) => s.Length <= 20 && TryParseLong(s, out _);

    /// <summary>
    /// Redis's getDoubleFromObject / strtod rules: no leading or trailing space, the whole string,
    /// "inf"/"infinity" with an optional sign, never NaN, no overflow to infinity from a finite
    /// literal, no underflow of a non-zero literal to zero.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 5 * 1024 || IsSpace(s[0]) || IsSpace(s[^1]))
        {
            return false;
        }

        // Fast path for the common case, a plain integer that a double holds exactly (scores like
        // "0" or "1700000000"): what strtod returns for it is the integer itself.
        if (s.Length <= 15 && TryParsePlainInteger(s, out var whole))
        {
            value = whole;
            return true;
        }

        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (b >= 0x80)
            {
                return false;
            }

            chars[i] = (char)b;
        }

        var body = (ReadOnlySpan<char>)chars;
        var sign = 1.0;
        var unsigned = body;
        if (unsigned.Length > 0 && (unsigned[0] == '+' || unsigned[0] == '-'))
        {
            sign = unsigned[0] == '-' ? -1 : 1;
            unsigned = unsigned[1..];
        }

        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }

        // Only what strtod accepts in decimal form: digits, one dot, an exponent. (.NET would also
        // take "Infinity", "NaN", thousands separators or surrounding spaces.)
        var sawDigit = false;
        var sawNonZeroDigit = false;
        var j = 0;
        for (; j < unsigned.Length && char.IsAsciiDigit(unsigned[j]); j++)
        {
            sawDigit = true;
            sawNonZeroDigit |= unsigned[j] != '0';
        }

        if (j < unsigned.Length && unsigned[j] == '.')
        {
            j++;
            for (; j < unsigned.Length && char.IsAsciiDigit(unsigned[j]); j++)
            {
                sawDigit = true;
                sawNonZeroDigit |= unsigned[j] != '0';
            }
        }

        if (!sawDigit)
        {
            return false;
        }

        if (j < unsigned.Length && (unsigned[j] == 'e' || unsigned[j] == 'E'))
        {
            j++;
            if (j < unsigned.Length && (unsigned[j] == '+' || unsigned[j] == '-'))
            {
                j++;
            }

            var expDigits = 0;
            for (; j < unsigned.Length && char.IsAsciiDigit(unsigned[j]); j++)
            {
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        if (j != unsigned.Length)
        {
            return false;
        }

        if (!double.TryParse(body, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        if (double.IsInfinity(value) || (value == 0 && sawNonZeroDigit))
        {
            return false; // ERANGE in strtod
        }

        return true;
    }

    public static bool TryParseDouble(string s, out double value) => TryParseDouble(Encoding.UTF8.GetBytes(s), out value);

    /// <summary>Optional '-' then 1–15 ASCII digits (no '+', no spaces): exact in a double.</summary>
    private static bool TryParsePlainInteger(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var negative = s[0] == (byte)'-';
        var digits = negative ? s[1..] : s;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        if (negative)
        {
            if (value == 0)
            {
                return false; // "-0" is -0.0, which the slow path returns
            }

            value = -value;
        }

        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>"%.17g" as glibc prints it: "inf", "-inf", "1e+20", "0.10000000000000001".</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value))
        {
            "inf"u8.CopyTo(destination);
            return 3;
        }

        if (double.IsNegativeInfinity(value))
        {
            "-inf"u8.CopyTo(destination);
            return 4;
        }

        if (double.IsNaN(value))
        {
            "nan"u8.CopyTo(destination);
            return 3;
        }

        value.TryFormat(destination, out var n, "G17", CultureInfo.InvariantCulture);
        for (var i = 0; i < n; i++)
        {
            if (destination[i] == (byte)'E')
            {
                destination[i] = (byte)'e';
            }
        }

        return n;
    }

    public static string FormatDouble(double value)
    {
        Span<byte> tmp = stackalloc byte[40];
        var n = FormatDouble(value, tmp);
        return Encoding.ASCII.GetString(tmp[..n]);
    }

    /// <summary>Formats a long into ASCII bytes.</summary>
    public static byte[] LongToBytes(long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        value.TryFormat(tmp, out var n);
        return tmp[..n].ToArray();
    }
}
