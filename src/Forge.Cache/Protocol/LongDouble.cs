using System.Numerics;
using System.Text;

namespace Forge.Cache.Protocol;

/// <summary>
/// An x87 80-bit "long double" (64-bit significand, 15-bit exponent), which Redis uses for
/// HINCRBYFLOAT and INCRBYFLOAT: parsed like strtold, added with round-to-nearest-even, and
/// printed like "%.17Lf" with the trailing zeros removed (ld2string's LD_STR_HUMAN). Emulated
/// exactly with BigInteger, so results match Redis digit for digit, including the noise digits
/// it prints for values whose binary form is inexact ("5000.00001000000000007").
/// The value is Sign × Significand × 2^Exponent; a finite non-zero normal value has the
/// significand's top bit set.
/// </summary>
internal readonly struct LongDouble
{
    private const int SignificandBits = 64;
    private const int MinExponent = -16382 - 63;   // exponent of the smallest subnormal's unit
    private const int MaxExponent = 16383 - 63;    // largest exponent of a normal significand

    private LongDouble(bool negative, ulong significand, int exponent, bool infinite)
    {
        Negative = negative;
        Significand = significand;
        Exponent = exponent;
        IsInfinity = infinite;
    }

    public bool Negative { get; }

    public ulong Significand { get; }

    public int Exponent { get; }

    public bool IsInfinity { get; }

    public bool IsZero => !IsInfinity && Significand == 0;

    public static LongDouble FromLong(long value)
    {
        var negative = value < 0;
        var magnitude = negative ? (BigInteger)value * -1 : value;
        return Round(negative, magnitude, 0);
    }

    /// <summary>
    /// Redis's string2ld: all of <paramref name="s"/> must be a number strtold reads (decimal or
    /// hex, "inf"/"infinity"), without leading space, not NaN, and neither overflowing nor
    /// underflowing to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.IsEmpty || s.Length >= 5 * 1024 || IsSpace(s[0]))
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }

        var rest = s[i..];
        if (EqualsIgnoreCase(rest, "inf"u8) || EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = new LongDouble(negative, 0, 0, infinite: true);
            return true;
        }

        if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x')
        {
            return TryParseHex(negative, rest[2..], out value);
        }

        return TryParseDecimal(negative, rest, out value);
    }

    private static bool TryParseDecimal(bool negative, ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        var mantissa = new StringBuilder();
        var digits = 0;
        var fractionDigits = 0;
        var i = 0;
        var seenDot = false;
        for (; i < s.Length; i++)
        {
            var b = s[i];
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
                if (seenDot)
                {
                    fractionDigits++;
                }

                if (mantissa.Length > 0 || b != (byte)'0')
                {
                    mantissa.Append((char)b);
                }
                else if (seenDot)
                {
                    // Leading zeros after the dot only scale.
                }
            }
            else if (b == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        long exponent = 0;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != (byte)'e' || !TryParseExponent(s[(i + 1)..], out exponent))
            {
                return false;
            }
        }

        if (mantissa.Length == 0)
        {
            value = new LongDouble(negative, 0, 0, infinite: false);
            return true;
        }

        // value = M × 10^(exponent - fractionDigits); decide out-of-range cheaply first.
        var scale = exponent - fractionDigits;
        var magnitude = scale + mantissa.Length;
        if (magnitude > 4940)
        {
            return false;
        }

        if (magnitude < -4960)
        {
            return false;
        }

        var m = BigInteger.Parse(mantissa.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var result = scale >= 0
            ? RoundRational(negative, m * BigInteger.Pow(10, (int)scale), BigInteger.One)
            : RoundRational(negative, m, BigInteger.Pow(10, (int)-scale));
        if (result.IsInfinity || result.IsZero)
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool TryParseHex(bool negative, ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        var m = BigInteger.Zero;
        var digits = 0;
        var fractionDigits = 0;
        var seenDot = false;
        var i = 0;
        for (; i < s.Length; i++)
        {
            var b = s[i];
            var d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d >= 0)
            {
                m = (m << 4) + d;
                digits++;
                if (seenDot)
                {
                    fractionDigits++;
                }
            }
            else if (b == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        long exponent = 0;
        if (i < s.Length && ((s[i] | 0x20) != (byte)'p' || !TryParseExponent(s[(i + 1)..], out exponent)))
        {
            return false;
        }

        if (m.IsZero)
        {
            value = new LongDouble(negative, 0, 0, infinite: false);
            return true;
        }

        var e = exponent - (4L * fractionDigits);
        if (e + (long)m.GetBitLength() > 16400 || e + (long)m.GetBitLength() < -16500)
        {
            return false;
        }

        var result = Round(negative, m, (int)e);
        if (result.IsInfinity || result.IsZero)
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool TryParseExponent(ReadOnlySpan<byte> s, out long exponent)
    {
        exponent = 0;
        var negative = false;
        var i = 0;
        if (s.Length > 0 && s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }

        if (i == s.Length)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            if (s[i] is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            exponent = Math.Min((exponent * 10) + (s[i] - '0'), 1_000_000_000);
        }

        if (negative)
        {
            exponent = -exponent;
        }

        return true;
    }

    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            // inf + -inf is NaN; callers check IsFinite-like conditions before printing.
            return a.IsInfinity ? a : b;
        }

        var e = Math.Min(a.Exponent, b.Exponent);
        var x = (BigInteger)a.Significand << (a.Exponent - e);
        var y = (BigInteger)b.Significand << (b.Exponent - e);
        var sum = (a.Negative ? -x : x) + (b.Negative ? -y : y);
        if (sum.IsZero)
        {
            // Round-to-nearest gives +0 for x + (-x); -0 only when both are -0.
            return new LongDouble(a.Negative && b.Negative, 0, 0, infinite: false);
        }

        return Round(sum.Sign < 0, BigInteger.Abs(sum), e);
    }

    /// <summary>True when adding produced infinity (or NaN, inf + -inf).</summary>
    public static bool AddOverflows(LongDouble a, LongDouble b) => (a + b).IsInfinity;

    /// <summary>"%.17Lf" with trailing zeros and a bare dot removed, "-0" printed as "0".</summary>
    public string ToHumanString()
    {
        if (IsInfinity)
        {
            return Negative ? "-inf" : "inf";
        }

        var scaled = (BigInteger)Significand * BigInteger.Pow(10, 17);
        BigInteger n;
        if (Exponent >= 0)
        {
            n = scaled << Exponent;
        }
        else
        {
            var den = BigInteger.One << -Exponent;
            n = BigInteger.DivRem(scaled, den, out var rem);
            var twice = rem * 2;
            if (twice > den || (twice == den && !n.IsEven))
            {
                n += 1;
            }
        }

        var digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(18, '0');
        var text = digits[..^17] + "." + digits[^17..];
        text = text.TrimEnd('0');
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (Negative && text != "0")
        {
            text = "-" + text;
        }

        return text;
    }

    /// <summary>Rounds p/q (positive) to the nearest representable value.</summary>
    private static LongDouble RoundRational(bool negative, BigInteger p, BigInteger q)
    {
        // Choose e so that p / (q·2^e) has 64 significant bits, then round the quotient.
        var e = (int)((long)p.GetBitLength() - (long)q.GetBitLength()) - SignificandBits;
        while (true)
        {
            var exp = Math.Max(e, MinExponent);
            var num = exp >= 0 ? p : p << -exp;
            var den = exp >= 0 ? q << exp : q;
            var quotient = BigInteger.DivRem(num, den, out var rem);
            var bits = (int)quotient.GetBitLength();
            if (bits > SignificandBits)
            {
                e++;
                continue;
            }

            if (bits < SignificandBits && exp > MinExponent)
            {
                e--;
                continue;
            }

            var twice = rem * 2;
            if (twice > den || (twice == den && !quotient.IsEven))
            {
                quotient += 1;
            }

            return Finish(negative, quotient, exp);
        }
    }

    /// <summary>Rounds magnitude × 2^exponent (magnitude &gt; 0) to the nearest representable value.</summary>
    private static LongDouble Round(bool negative, BigInteger magnitude, int exponent)
    {
        var bits = (long)magnitude.GetBitLength();
        var shift = (int)Math.Max(bits - SignificandBits, MinExponent - (long)exponent);
        if (shift <= 0)
        {
            // Exact: normalize the significand up (not below the subnormal floor).
            var up = (int)Math.Min(SignificandBits - bits, (long)exponent - MinExponent);
            return Finish(negative, magnitude << up, exponent - up);
        }

        var quotient = magnitude >> shift;
        var rem = magnitude - (quotient << shift);
        var half = BigInteger.One << (shift - 1);
        if (rem > half || (rem == half && !quotient.IsEven))
        {
            quotient += 1;
        }

        return Finish(negative, quotient, exponent + shift);
    }

    private static LongDouble Finish(bool negative, BigInteger quotient, int exponent)
    {
        if (quotient.GetBitLength() > SignificandBits)
        {
            quotient >>= 1;
            exponent++;
        }

        if (exponent > MaxExponent)
        {
            return new LongDouble(negative, 0, 0, infinite: true);
        }

        return new LongDouble(negative, (ulong)quotient, exponent, infinite: false);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lower)
    {
        if (a.Length != lower.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if ((a[i] | 0x20) != lower[i])
            {
                return false;
            }
        }

        return true;
    }
}
