using System.Globalization;
using System.Text;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// SQLite's core scalar functions (https://www.sqlite.org/lang_corefunc.html) as sqlite3 3.40
/// answers them: text is UTF-8 and counted in characters, blobs in bytes; upper/lower and LIKE
/// fold ASCII only (SQLite without ICU); round() rounds as SQLite's printf("%.*f") does.
/// </summary>
internal static class CoreFunctions
{
    public static SqlValue Abs(in SqlValue x)
    {
        switch (x.Type)
        {
            case SqlType.Null:
                return x;
            case SqlType.Integer:
                if (x.AsInteger == long.MinValue)
                {
                    throw new SqlRuntimeException("integer overflow");
                }

                return SqlValue.FromInteger(Math.Abs(x.AsInteger));
            default:
                return SqlValue.FromReal(Math.Abs(SqlConvert.ToReal(x)));
        }
    }

    public static SqlValue TypeOf(in SqlValue x) => SqlValue.FromText(x.Type switch
    {
        SqlType.Null => "null",
        SqlType.Integer => "integer",
        SqlType.Real => "real",
        SqlType.Text => "text",
        _ => "blob",
    });

    public static SqlValue Length(in SqlValue x)
    {
        switch (x.Type)
        {
            case SqlType.Null:
                return x;
            case SqlType.Blob:
                return SqlValue.FromInteger(x.Bytes.Length);
            case SqlType.Text:
                {
                    var bytes = x.Bytes;
                    var nul = bytes.IndexOf((byte)0);
                    return SqlValue.FromInteger(CountChars(nul >= 0 ? bytes[..nul] : bytes));
                }

            default:
                return SqlValue.FromInteger(SqlConvert.ToText(x).Length);
        }
    }

    public static SqlValue Lower(in SqlValue x) => x.IsNull ? x : SqlValue.FromText(MapAscii(SqlArithmetic.TextBytes(x), upper: false));

    public static SqlValue Upper(in SqlValue x) => x.IsNull ? x : SqlValue.FromText(MapAscii(SqlArithmetic.TextBytes(x), upper: true));

    private static byte[] MapAscii(ReadOnlySpan<byte> s, bool upper)
    {
        var result = s.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            var b = result[i];
            if (upper && b is >= (byte)'a' and <= (byte)'z')
            {
                result[i] = (byte)(b - 32);
            }
            else if (!upper && b is >= (byte)'A' and <= (byte)'Z')
            {
                result[i] = (byte)(b + 32);
            }
        }

        return result;
    }

    /// <summary>substr(X, Y[, Z]) with SQLite's rules for 0, negative starts and negative lengths.</summary>
    public static SqlValue Substr(in SqlValue x, in SqlValue y, in SqlValue z, bool hasLength)
    {
        if (x.IsNull || y.IsNull || (hasLength && z.IsNull))
        {
            return SqlValue.Null;
        }

        var isBlob = x.Type == SqlType.Blob;
        if (isBlob && x.Bytes.IsEmpty)
        {
            return SqlValue.Null; // SQLite sees no data pointer for an empty blob
        }

        var bytes = SqlArithmetic.TextBytes(x);
        long length = isBlob ? bytes.Length : CountChars(bytes);
        var p1 = SqlConvert.ToInteger(y);
        var p2 = hasLength ? SqlConvert.ToInteger(z) : 1_000_000_000L;
        var negativeLength = false;
        if (p2 < 0)
        {
            p2 = p2 == long.MinValue ? long.MaxValue : -p2;
            negativeLength = true;
        }

        if (p1 < 0)
        {
            p1 += length;
            if (p1 < 0)
            {
                p2 += p1;
                if (p2 < 0)
                {
                    p2 = 0;
                }

                p1 = 0;
            }
        }
        else if (p1 > 0)
        {
            p1--;
        }
        else if (p2 > 0)
        {
            p2--;
        }

        if (negativeLength)
        {
            p1 -= p2;
            if (p1 < 0)
            {
                p2 += p1;
                p1 = 0;
            }
        }

        if (p1 >= length || p2 <= 0)
        {
            return isBlob ? SqlValue.FromBlob(Array.Empty<byte>()) : SqlValue.FromText(Array.Empty<byte>());
        }

        var count = Math.Min(p2, length - p1);
        if (isBlob)
        {
            return SqlValue.FromBlob(bytes.Slice((int)p1, (int)count).ToArray());
        }

        var start = CharOffset(bytes, (int)p1);
        var end = CharOffset(bytes[start..], (int)count) + start;
        return SqlValue.FromText(bytes[start..end].ToArray());
    }

    /// <summary>trim/ltrim/rtrim: removes any of the characters of <paramref name="chars"/> (default a space).</summary>
    public static SqlValue Trim(in SqlValue x, in SqlValue chars, bool hasChars, bool left, bool right)
    {
        if (x.IsNull || (hasChars && chars.IsNull))
        {
            return SqlValue.Null;
        }

        var s = SqlArithmetic.TextBytes(x);
        var set = hasChars ? Runes(SqlArithmetic.TextBytes(chars)) : [new Rune(' ')];
        var start = 0;
        var end = s.Length;
        if (left)
        {
            while (start < end && Rune.DecodeFromUtf8(s[start..end], out var r, out var n) == System.Buffers.OperationStatus.Done && set.Contains(r))
            {
                start += n;
            }
        }

        if (right)
        {
            while (end > start && Rune.DecodeLastFromUtf8(s[start..end], out var r, out var n) == System.Buffers.OperationStatus.Done && set.Contains(r))
            {
                end -= n;
            }
        }

        return SqlValue.FromText(s[start..end].ToArray());
    }

    public static SqlValue Replace(in SqlValue x, in SqlValue from, in SqlValue to)
    {
        if (x.IsNull || from.IsNull || to.IsNull)
        {
            return SqlValue.Null;
        }

        var s = SqlArithmetic.TextBytes(x);
        var f = SqlArithmetic.TextBytes(from);
        if (f.IsEmpty)
        {
            // Unchanged; a blob comes back as text (SQLite read it as text first).
            return x.Type == SqlType.Blob ? SqlValue.FromText(x.Bytes.ToArray()) : x;
        }

        var t = SqlArithmetic.TextBytes(to);
        var result = new List<byte>(s.Length);
        var i = 0;
        while (i <= s.Length - f.Length)
        {
            if (s.Slice(i, f.Length).SequenceEqual(f))
            {
                result.AddRange(t);
                i += f.Length;
            }
            else
            {
                result.Add(s[i++]);
            }
        }

        result.AddRange(s[i..]);
        return SqlValue.FromText(result.ToArray());
    }

    /// <summary>instr(X, Y): 1-based position of Y in X (characters, or bytes when both are blobs); 0 when absent.</summary>
    public static SqlValue Instr(in SqlValue x, in SqlValue y)
    {
        if (x.IsNull || y.IsNull)
        {
            return SqlValue.Null;
        }

        var haystack = SqlArithmetic.TextBytes(x);
        var needle = SqlArithmetic.TextBytes(y);
        var at = haystack.IndexOf(needle);
        if (at < 0)
        {
            return SqlValue.FromInteger(0);
        }

        return SqlValue.FromInteger(x.Type == SqlType.Blob && y.Type == SqlType.Blob ? at + 1 : CountChars(haystack[..at]) + 1);
    }

    /// <summary>round(X[, N]): a REAL, rounded as SQLite 3.40 rounds (half away from zero, with its printf fudge).</summary>
    public static SqlValue Round(in SqlValue x, in SqlValue digits, bool hasDigits)
    {
        if (x.IsNull || (hasDigits && digits.IsNull))
        {
            return SqlValue.Null;
        }

        var n = hasDigits ? (int)Math.Clamp(SqlConvert.ToInteger(digits), 0, 30) : 0;
        var r = SqlConvert.ToReal(x);
        if (r is < -4503599627370496.0 or > 4503599627370496.0)
        {
            return SqlValue.FromReal(r); // beyond 2^52 a double has no fraction to round
        }

        if (n == 0 && r >= 0 && r < 9.2233720368547758e18 - 1)
        {
            return SqlValue.FromReal((long)(r + 0.5));
        }

        if (n == 0 && r < 0 && -r < 9.2233720368547758e18 - 1)
        {
            return SqlValue.FromReal(-(double)(long)(-r + 0.5));
        }

        var text = PrintfFixed(r, n);
        return SqlValue.FromReal(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// SQLite 3.40's printf("%.Nf"): adds a rounder of half a unit in the last place (plus 3e-16 of
    /// the value when few digits are asked, which carries 2.675 to 2.68), then truncates; digits
    /// past the 16th significant one print as 0.
    /// </summary>
    internal static string PrintfFixed(double r, int precision)
    {
        if (double.IsNaN(r) || double.IsInfinity(r))
        {
            return r.ToString(CultureInfo.InvariantCulture);
        }

        var negative = r < 0;
        if (negative)
        {
            r = -r;
        }

        var rounder = 0.5;
        for (var i = 0; i < precision; i++)
        {
            rounder *= 0.1;
        }

        var exponent = (int)((BitConverter.DoubleToInt64Bits(r) >> 52) & 0x7FF) - 1023;
        if (precision + (exponent / 3) < 15)
        {
            rounder += r * 3e-16;
        }

        var v = r + rounder;
        var exact = v.ToString("F" + (precision + 30).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var dot = exact.IndexOf('.', StringComparison.Ordinal);
        var truncated = precision == 0 ? exact[..dot] : exact[..(dot + 1 + precision)];
        var chars = truncated.ToCharArray();
        var significant = 0;
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiDigit(chars[i]))
            {
                continue;
            }

            if (significant > 0 || chars[i] != '0')
            {
                significant++;
                if (significant > 16)
                {
                    chars[i] = '0';
                }
            }
        }

        return (negative ? "-" : string.Empty) + new string(chars);
    }

    public static SqlValue Hex(in SqlValue x) => SqlValue.FromText(Convert.ToHexString(x.IsNull ? [] : SqlArithmetic.TextBytes(x)));

    /// <summary>quote(X): an SQL literal for the value.</summary>
    public static SqlValue Quote(in SqlValue x)
    {
        switch (x.Type)
        {
            case SqlType.Null:
                return SqlValue.FromText("NULL");
            case SqlType.Integer:
                return SqlValue.FromText(x.AsInteger.ToString(CultureInfo.InvariantCulture));
            case SqlType.Real:
                {
                    var r = x.AsReal;
                    var text = SqlConvert.RealToText(r);
                    if (double.IsInfinity(r))
                    {
                        return SqlValue.FromText(text);
                    }

                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var back) && back == r)
                    {
                        return SqlValue.FromText(text);
                    }

                    // "%!.20e": 21 significant digits.
                    var e = r.ToString("E20", CultureInfo.InvariantCulture);
                    var at = e.IndexOf('E', StringComparison.Ordinal);
                    var exp = int.Parse(e.AsSpan(at + 1), CultureInfo.InvariantCulture);
                    return SqlValue.FromText(string.Concat(e.AsSpan(0, at), "e", exp < 0 ? "-" : "+", Math.Abs(exp).ToString("D2", CultureInfo.InvariantCulture)));
                }

            case SqlType.Blob:
                return SqlValue.FromText("X'" + Convert.ToHexString(x.Bytes) + "'");
            default:
                {
                    var s = Encoding.UTF8.GetString(x.Bytes);
                    return SqlValue.FromText("'" + s.Replace("'", "''", StringComparison.Ordinal) + "'");
                }
        }
    }

    /// <summary>Scalar min()/max() of two or more arguments: NULL if any is NULL.</summary>
    public static SqlValue MinMax(ReadOnlySpan<SqlValue> args, bool max)
    {
        var best = args[0];
        if (best.IsNull)
        {
            return best;
        }

        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].IsNull)
            {
                return SqlValue.Null;
            }

            // Ties: min() takes the later argument, max() keeps the earlier one (as SQLite's loop does).
            var c = SqlComparer.Compare(best, args[i]);
            if (max ? c < 0 : c >= 0)
            {
                best = args[i];
            }
        }

        return best;
    }

    public static SqlValue NullIf(in SqlValue a, in SqlValue b) =>
        !a.IsNull && !b.IsNull && SqlComparer.Compare(a, b) == 0 ? SqlValue.Null : a;

    public static SqlValue Unicode(in SqlValue x)
    {
        if (x.IsNull)
        {
            return x;
        }

        var s = SqlArithmetic.TextBytes(x);
        return s.IsEmpty || Rune.DecodeFromUtf8(s, out var r, out _) != System.Buffers.OperationStatus.Done
            ? SqlValue.Null
            : SqlValue.FromInteger(r.Value);
    }

    /// <summary>char(X1, ..., XN): the characters with those code points (invalid ones become U+FFFD).</summary>
    public static SqlValue Char(ReadOnlySpan<SqlValue> args)
    {
        var sb = new StringBuilder(args.Length);
        foreach (var a in args)
        {
            var cp = SqlConvert.ToInteger(a);
            sb.Append(cp is >= 0 and <= 0x10FFFF && Rune.IsValid((int)cp) ? new Rune((int)cp).ToString() : "\uFFFD");
        }

        return SqlValue.FromText(sb.ToString());
    }

    public static SqlValue ZeroBlob(in SqlValue n) => SqlValue.FromBlob(new byte[(int)Math.Clamp(SqlConvert.ToInteger(n), 0, 1_000_000_000)]);

    /// <summary>random(): a pseudo-random 64-bit integer.</summary>
    public static SqlValue Random() => SqlValue.FromInteger(System.Random.Shared.NextInt64(long.MinValue, long.MaxValue));

    public static SqlValue RandomBlob(in SqlValue n)
    {
        var bytes = new byte[(int)Math.Clamp(SqlConvert.ToInteger(n), 1, 1_000_000_000)];
        System.Random.Shared.NextBytes(bytes);
        return SqlValue.FromBlob(bytes);
    }

    private static int CountChars(ReadOnlySpan<byte> utf8)
    {
        // Every byte that is not a continuation byte starts a character.
        var count = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The byte offset of character number <paramref name="chars"/>.</summary>
    private static int CharOffset(ReadOnlySpan<byte> utf8, int chars)
    {
        var i = 0;
        while (i < utf8.Length && chars > 0)
        {
            i++;
            while (i < utf8.Length && (utf8[i] & 0xC0) == 0x80)
            {
                i++;
            }

            chars--;
        }

        return i;
    }

    private static HashSet<Rune> Runes(ReadOnlySpan<byte> utf8)
    {
        var set = new HashSet<Rune>();
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var r, out var n) != System.Buffers.OperationStatus.Done)
            {
                r = Rune.ReplacementChar;
                n = Math.Max(n, 1);
            }

            set.Add(r);
            utf8 = utf8[n..];
        }

        return set;
    }
}
