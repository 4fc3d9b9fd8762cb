using System.Globalization;
using System.Text;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Values;

/// <summary>A column's type affinity (https://www.sqlite.org/datatype3.html, section 3).</summary>
internal enum Affinity : byte
{
    /// <summary>No conversion ("BLOB" affinity, and the affinity of expressions without one).</summary>
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

/// <summary>
/// SQLite's conversions between storage classes: type affinity from a declared type, affinity
/// applied to a value, text to number (the prefix rules of sqlite3AtoF/sqlite3Atoi64), CAST, and
/// the text form of a REAL (<c>%!.15g</c>: 15 significant digits, always a ".0" on integral values).
/// </summary>
internal static class SqlConvert
{
    /// <summary>The affinity rules of section 3.1, in their order.</summary>
    public static Affinity AffinityOf(string? declaredType)
    {
        if (string.IsNullOrEmpty(declaredType))
        {
            return Affinity.Blob;
        }

        var t = declaredType.ToUpperInvariant();
        if (t.Contains("INT", StringComparison.Ordinal))
        {
            return Affinity.Integer;
        }

        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("CLOB", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal))
        {
            return Affinity.Text;
        }

        if (t.Contains("BLOB", StringComparison.Ordinal))
        {
            return Affinity.Blob;
        }

        if (t.Contains("REAL", StringComparison.Ordinal) || t.Contains("FLOA", StringComparison.Ordinal) || t.Contains("DOUB", StringComparison.Ordinal))
        {
            return Affinity.Real;
        }

        return Affinity.Numeric;
    }

    /// <summary>Applies a column affinity to a value about to be stored or compared.</summary>
    public static SqlValue ApplyAffinity(in SqlValue value, Affinity affinity)
    {
        switch (affinity)
        {
            case Affinity.Text:
                return value.Type is SqlType.Integer or SqlType.Real ? SqlValue.FromText(Encoding.ASCII.GetBytes(ToText(value))) : value;
            case Affinity.Numeric or Affinity.Integer:
                if (value.Type == SqlType.Text && TryTextToNumber(value.Bytes, out var n, wholeTextOnly: true))
                {
                    return n.Type == SqlType.Real && RealIsExactInteger(n.AsReal, out var i) ? SqlValue.FromInteger(i) : n;
                }

                if (value.Type == SqlType.Real && RealIsExactInteger(value.AsReal, out var exact))
                {
                    return SqlValue.FromInteger(exact);
                }

                return value;
            case Affinity.Real:
                if (value.Type == SqlType.Text && TryTextToNumber(value.Bytes, out var r, wholeTextOnly: true))
                {
                    return r.Type == SqlType.Integer ? SqlValue.FromReal(r.AsInteger) : r;
                }

                return value.Type == SqlType.Integer ? SqlValue.FromReal(value.AsInteger) : value;
            default:
                return value;
        }
    }

    /// <summary>A REAL that holds an integer exactly and fits in 64 bits (what NUMERIC affinity turns into INTEGER).</summary>
    public static bool RealIsExactInteger(double r, out long value)
    {
        value = 0;
        if (r is < -9.2233720368547758e18 or >= 9.2233720368547758e18 || r != Math.Floor(r))
        {
            return false;
        }

        value = (long)r;
        return true;
    }

    /// <summary>
    /// Text to a number. With <paramref name="wholeTextOnly"/> (affinity), the text must be a number
    /// with optional surrounding spaces; otherwise (arithmetic, CAST AS NUMERIC) the longest numeric
    /// prefix counts and no prefix is 0. Integers that fit in 64 bits stay INTEGER.
    /// </summary>
    public static bool TryTextToNumber(ReadOnlySpan<byte> text, out SqlValue number, bool wholeTextOnly)
    {
        var length = NumericPrefixLength(text, out var isInteger, out var start);
        if (length == 0)
        {
            number = SqlValue.FromInteger(0);
            return !wholeTextOnly;
        }

        if (wholeTextOnly && !IsAllSpace(text[(start + length)..]))
        {
            number = default;
            return false;
        }

        var digits = text.Slice(start, length);
        if (isInteger && long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            number = SqlValue.FromInteger(l);
            return true;
        }

        number = SqlValue.FromReal(double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>The numeric prefix after leading spaces: [+-]digits[.digits][e[+-]digits] (at least one digit).</summary>
    private static int NumericPrefixLength(ReadOnlySpan<byte> s, out bool isInteger, out int start)
    {
        isInteger = true;
        start = 0;
        while (start < s.Length && IsSpace(s[start]))
        {
            start++;
        }

        var i = start;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            i++;
        }

        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            var j = i + 1;
            var fraction = 0;
            while (j < s.Length && char.IsAsciiDigit((char)s[j]))
            {
                j++;
                fraction++;
            }

            if (digits + fraction > 0)
            {
                isInteger = false;
                i = j;
                digits += fraction;
            }
        }

        if (digits == 0)
        {
            return 0;
        }

        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            var j = i + 1;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }

            var expDigits = 0;
            while (j < s.Length && char.IsAsciiDigit((char)s[j]))
            {
                j++;
                expDigits++;
            }

            if (expDigits > 0)
            {
                isInteger = false;
                i = j;
            }
        }

        return i - start;
    }

    /// <summary>A value as a number for arithmetic: text and blobs by their numeric prefix (else 0), NULL stays NULL.</summary>
    public static SqlValue ToNumeric(in SqlValue value)
    {
        switch (value.Type)
        {
            case SqlType.Integer or SqlType.Real or SqlType.Null:
                return value;
            default:
                TryTextToNumber(value.Bytes, out var n, wholeTextOnly: false);
                return n;
        }
    }

    /// <summary>CAST(x AS INTEGER): reals truncate (saturating at the 64-bit range), text by its integer prefix.</summary>
    public static long ToInteger(in SqlValue value)
    {
        switch (value.Type)
        {
            case SqlType.Integer:
                return value.AsInteger;
            case SqlType.Real:
                return RealToInteger(value.AsReal);
            case SqlType.Null:
                return 0;
            default:
                return TextToIntegerPrefix(value.Bytes);
        }
    }

    /// <summary>sqlite3RealToI64: truncation toward zero, saturating; NaN is 0.</summary>
    public static long RealToInteger(double r) => r switch
    {
        double.NaN => 0,
        <= -9.2233720368547758e18 => long.MinValue,
        >= 9.2233720368547758e18 => long.MaxValue,
        _ => (long)r,
    };

    /// <summary>The leading [+-]digits of the text (after spaces), saturating at the 64-bit range; 0 when none.</summary>
    public static long TextToIntegerPrefix(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == '-';
            i++;
        }

        ulong magnitude = 0;
        var overflow = false;
        for (; i < s.Length && char.IsAsciiDigit((char)s[i]); i++)
        {
            var d = (ulong)(s[i] - '0');
            if (magnitude > (ulong.MaxValue - d) / 10)
            {
                overflow = true;
                continue;
            }

            magnitude = (magnitude * 10) + d;
        }

        if (negative)
        {
            return overflow || magnitude > 9223372036854775808UL ? long.MinValue : (long)(0UL - magnitude);
        }

        return overflow || magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
    }

    /// <summary>CAST(x AS REAL).</summary>
    public static double ToReal(in SqlValue value) => value.Type switch
    {
        SqlType.Real => value.AsReal,
        SqlType.Integer => value.AsInteger,
        SqlType.Null => 0,
        _ => ToNumeric(value) is var n && n.Type == SqlType.Integer ? n.AsInteger : ToNumeric(value).AsReal,
    };

    /// <summary>
    /// CAST(x AS NUMERIC): numbers stay as they are (1.0 stays REAL); text and blobs become their
    /// numeric prefix, as INTEGER when it is one (or an integral REAL that fits).
    /// </summary>
    public static SqlValue ToNumericCast(in SqlValue value)
    {
        if (value.Type is SqlType.Null or SqlType.Integer or SqlType.Real)
        {
            return value;
        }

        var n = ToNumeric(value);
        return n.Type == SqlType.Real && RealIsExactInteger(n.AsReal, out var i) ? SqlValue.FromInteger(i) : n;
    }

    /// <summary>The text form of a value (what sqlite3_column_text returns); NULL gives null.</summary>
    public static string? ToTextOrNull(in SqlValue value) => value.Type == SqlType.Null ? null : ToText(value);

    public static string ToText(in SqlValue value) => value.Type switch
    {
        SqlType.Integer => value.AsInteger.ToString(CultureInfo.InvariantCulture),
        SqlType.Real => RealToText(value.AsReal),
        SqlType.Null => string.Empty,
        _ => Encoding.UTF8.GetString(value.Bytes),
    };

    /// <summary>"%!.15g" as SQLite prints a REAL: 15 significant digits, ".0" kept on integral values, "Inf"/"-Inf".</summary>
    public static string RealToText(double r)
    {
        if (double.IsNaN(r))
        {
            return string.Empty; // SQLite stores NaN as NULL; never reached through SQL
        }

        if (double.IsInfinity(r))
        {
            return r > 0 ? "Inf" : "-Inf";
        }

        if (r == 0)
        {
            return "0.0";
        }

        // 15 significant digits, correctly rounded, then %g's choice between fixed and exponent form.
        var e = r.ToString("E14", CultureInfo.InvariantCulture); // d.ddddddddddddddE+xxx
        var mantissa = e.AsSpan(0, e.IndexOf('E', StringComparison.Ordinal));
        var exponent = int.Parse(e.AsSpan(e.IndexOf('E', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
        var negative = mantissa[0] == '-';
        var digits = new StringBuilder(16);
        foreach (var c in mantissa)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
        }

        var d = digits.ToString().TrimEnd('0');
        if (d.Length == 0)
        {
            d = "0";
        }

        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        if (exponent < -4 || exponent >= 15)
        {
            sb.Append(d[0]).Append('.');
            sb.Append(d.Length > 1 ? d.AsSpan(1) : "0");
            sb.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("D2", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(d);
        }
        else
        {
            var intDigits = exponent + 1;
            if (d.Length <= intDigits)
            {
                sb.Append(d).Append('0', intDigits - d.Length).Append(".0");
            }
            else
            {
                sb.Append(d.AsSpan(0, intDigits)).Append('.').Append(d.AsSpan(intDigits));
            }
        }

        return sb.ToString();
    }

    private static bool IsAllSpace(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!IsSpace(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\f' or (byte)'\r' or (byte)'\v';
}
