using System.Text;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// SQLite's own floating-point conversions (sqlite3_str_vappendf's etFLOAT/etEXP/etGENERIC in 3.40 with
/// x86-64's 80-bit long double): the digits come from a multiply-by-ten loop on a long double,
/// limited to 16 significant digits (26 with '!'), so they are not always the exactly rounded
/// ones .NET prints. printf()/format() use every flag; the text of a REAL is "%!.15g"; the shell's
/// quote/insert/json modes and .dump use "%!.20g"; the sqllogictest reference renders REAL columns
/// with "%.3f".
/// </summary>
internal static class SqlitePrintf
{
    /// <summary>SQLITE_LIMIT_LENGTH: a printf result or work buffer this long fails ("string or blob too big").</summary>
    public const long MaxLength = 1_000_000_000;

    /// <summary>SQLITE_FP_PRECISION_LIMIT: larger float precisions are clamped to it.</summary>
    public const int FloatPrecisionLimit = 100_000_000;

    /// <summary>printf("%.{precision}f", r).</summary>
    public static string Fixed(double r, int precision) => FormatFloat(r, precision, 'f', '\0', false, false, false, false, 0)!;

    /// <summary>printf("%!.{precision}g", r).</summary>
    public static string GenericAlt(double r, int precision) => FormatFloat(r, precision, 'g', '\0', false, true, false, false, 0)!;

    private static readonly double[] s_round = [5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10];

    /// <summary>
    /// One %f, %e, %E, %g or %G conversion: <paramref name="precision"/> −1 is the default 6,
    /// <paramref name="prefixFlag"/> is '+', ' ' or '\0'; zero padding to <paramref name="width"/> is
    /// done here (space padding is the caller's). Null when SQLite's work buffer (integer digits +
    /// precision + width + 15) would exceed <see cref="MaxLength"/>.
    /// </summary>
    public static string? FormatFloat(double value, int precision, char type, char prefixFlag, bool alternate, bool altForm2, bool zeroPad, bool leftJustify, int width)
    {
        if (precision < 0)
        {
            precision = 6;
        }
        else if (precision > FloatPrecisionLimit)
        {
            precision = FloatPrecisionLimit;
        }

        char prefix;
        if (value < 0.0)
        {
            value = -value;
            prefix = '-';
        }
        else
        {
            prefix = prefixFlag;
        }

        var generic = type is 'g' or 'G';
        var useExp = type is 'e' or 'E';
        var expChar = type is 'E' or 'G' ? 'E' : 'e';
        if (generic && precision > 0)
        {
            precision--;
        }

        var idx = precision & 0xfff;
        var rounder = s_round[idx % 10];
        while (idx >= 10)
        {
            rounder *= 1.0e-10;
            idx -= 10;
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return Inf(prefix);
        }

        var rv = Ext.FromDouble(value);
        if (type == 'f')
        {
            var ex = -1023 + (int)((BitConverter.DoubleToUInt64Bits(value) >> 52) & 0x7ff);
            if (precision + (ex / 3) < 15)
            {
                rounder = Ext.Add(Ext.FromDouble(rounder), Ext.Mul(rv, Ext.FromDouble(3e-16))).ToDouble();
            }

            rv = Ext.Add(rv, Ext.FromDouble(rounder));
        }

        var exp = 0;
        if (!rv.IsZero)
        {
            var scale = Ext.FromDouble(1.0);
            var e100 = Ext.FromDouble(1e100);
            var e10 = Ext.FromDouble(1e10);
            var ten = Ext.FromDouble(10.0);
            while (Ext.Compare(rv, Ext.Mul(e100, scale)) >= 0 && exp <= 350)
            {
                scale = Ext.Mul(scale, e100);
                exp += 100;
            }

            while (Ext.Compare(rv, Ext.Mul(e10, scale)) >= 0 && exp <= 350)
            {
                scale = Ext.Mul(scale, e10);
                exp += 10;
            }

            while (Ext.Compare(rv, Ext.Mul(ten, scale)) >= 0 && exp <= 350)
            {
                scale = Ext.Mul(scale, ten);
                exp++;
            }

            rv = Ext.Div(rv, scale);
            var e8 = Ext.FromDouble(1e8);
            var em8 = Ext.FromDouble(1e-8);
            while (Ext.Compare(rv, em8) < 0)
            {
                rv = Ext.Mul(rv, e8);
                exp -= 8;
            }

            var one = Ext.FromDouble(1.0);
            while (Ext.Compare(rv, one) < 0)
            {
                rv = Ext.Mul(rv, ten);
                exp--;
            }

            if (exp > 350)
            {
                return Inf(prefix);
            }
        }

        if (type != 'f')
        {
            rv = Ext.Add(rv, Ext.FromDouble(rounder));
            if (Ext.Compare(rv, Ext.FromDouble(10.0)) >= 0)
            {
                rv = Ext.Mul(rv, Ext.FromDouble(0.1));
                exp++;
            }
        }

        bool rtz;
        if (generic)
        {
            rtz = !alternate;
            if (exp < -4 || exp > precision)
            {
                useExp = true;
            }
            else
            {
                precision -= exp;
            }
        }
        else
        {
            rtz = altForm2;
        }

        var e2 = useExp ? 0 : exp;
        if (Math.Max(e2, 0) + (long)precision + width + 15 > MaxLength)
        {
            return null;
        }

        var sb = new StringBuilder(Math.Min(Math.Max(e2, 0) + precision + 8, 1 << 20));
        var nsd = 16 + (altForm2 ? 10 : 0);
        var dp = precision > 0 || alternate || altForm2;
        if (prefix != '\0')
        {
            sb.Append(prefix);
        }

        if (e2 < 0)
        {
            sb.Append('0');
        }
        else
        {
            for (; e2 >= 0; e2--)
            {
                sb.Append(Digit(ref rv, ref nsd));
            }
        }

        if (dp)
        {
            sb.Append('.');
        }

        for (e2++; e2 < 0 && precision > 0; precision--, e2++)
        {
            sb.Append('0');
        }

        while (precision-- > 0)
        {
            sb.Append(Digit(ref rv, ref nsd));
        }

        if (rtz && dp)
        {
            while (sb[^1] == '0')
            {
                sb.Length--;
            }

            if (sb[^1] == '.')
            {
                if (altForm2)
                {
                    sb.Append('0');
                }
                else
                {
                    sb.Length--;
                }
            }
        }

        if (useExp)
        {
            sb.Append(expChar);
            if (exp < 0)
            {
                sb.Append('-');
                exp = -exp;
            }
            else
            {
                sb.Append('+');
            }

            if (exp >= 100)
            {
                sb.Append((char)('0' + (exp / 100)));
                exp %= 100;
            }

            sb.Append((char)('0' + (exp / 10)));
            sb.Append((char)('0' + (exp % 10)));
        }

        if (zeroPad && !leftJustify && sb.Length < width)
        {
            sb.Insert(prefix != '\0' ? 1 : 0, "0", width - sb.Length);
        }

        return sb.ToString();
    }

    private static string Inf(char prefix) => prefix == '\0' ? "Inf" : prefix + "Inf";

    private static char Digit(ref Ext value, ref int count)
    {
        if (count <= 0)
        {
            return '0';
        }

        count--;
        var digit = value.TruncateToInt();
        value = Ext.Mul(Ext.Sub(value, Ext.FromDouble(digit)), Ext.FromDouble(10.0));
        return (char)('0' + digit);
    }

    /// <summary>A non-negative x87 extended-precision value: Mantissa (bit 63 set) × 2^(Exponent − 63); zero when Mantissa is 0.</summary>
    private readonly record struct Ext(ulong Mantissa, int Exponent)
    {
        public bool IsZero => Mantissa == 0;

        public static Ext FromDouble(double d)
        {
            var bits = BitConverter.DoubleToUInt64Bits(d) & 0x7fff_ffff_ffff_ffffUL;
            if (bits == 0)
            {
                return default;
            }

            var biased = (int)(bits >> 52);
            var fraction = bits & 0x000f_ffff_ffff_ffffUL;
            if (biased == 0)
            {
                var shift = System.Numerics.BitOperations.LeadingZeroCount(fraction);
                return new Ext(fraction << shift, -1074 + 63 - shift);
            }

            return new Ext((fraction | (1UL << 52)) << 11, biased - 1023);
        }

        public double ToDouble()
        {
            if (IsZero)
            {
                return 0.0;
            }

            if (Exponent > 1023)
            {
                return double.PositiveInfinity;
            }

            // Round the 64-bit mantissa to the bits a double keeps at this exponent (fewer when subnormal).
            var unitExponent = Math.Max(Exponent, -1022);
            var shift = 11 + (unitExponent - Exponent);
            if (shift > 100)
            {
                return 0.0;
            }

            var m = (UInt128)Mantissa;
            var q = (ulong)(m >> shift);
            var rest = m & ((UInt128.One << shift) - 1);
            var half = UInt128.One << (shift - 1);
            if (rest > half || (rest == half && (q & 1) == 1))
            {
                q++;
            }

            var e = Exponent;
            if (Exponent >= -1022)
            {
                if (q == 1UL << 53)
                {
                    q >>= 1;
                    e++;
                }

                return e > 1023
                    ? double.PositiveInfinity
                    : BitConverter.UInt64BitsToDouble(((ulong)(e + 1023) << 52) | (q & 0x000f_ffff_ffff_ffffUL));
            }

            return BitConverter.UInt64BitsToDouble(q); // subnormal (2^52 becomes the smallest normal)
        }

        public int TruncateToInt() => IsZero || Exponent < 0 ? 0 : (int)(Mantissa >> (63 - Exponent));

        public static int Compare(Ext a, Ext b)
        {
            if (a.IsZero || b.IsZero)
            {
                return a.IsZero ? (b.IsZero ? 0 : -1) : 1;
            }

            return a.Exponent != b.Exponent ? a.Exponent.CompareTo(b.Exponent) : a.Mantissa.CompareTo(b.Mantissa);
        }

        /// <summary>Rounds a value given as big × 2^(exponent − 63) (big may have more than 64 bits) to nearest, ties to even.</summary>
        private static Ext Round(UInt128 big, int exponent)
        {
            if (big == UInt128.Zero)
            {
                return default;
            }

            var top = 127 - (int)UInt128.LeadingZeroCount(big);
            if (top <= 63)
            {
                return new Ext((ulong)(big << (63 - top)), exponent - (63 - top));
            }

            var shift = top - 63;
            var mantissa = (ulong)(big >> shift);
            var rest = big & ((UInt128.One << shift) - 1);
            var half = UInt128.One << (shift - 1);
            var e = exponent + shift;
            if (rest > half || (rest == half && (mantissa & 1) == 1))
            {
                mantissa++;
                if (mantissa == 0)
                {
                    mantissa = 1UL << 63;
                    e++;
                }
            }

            return new Ext(mantissa, e);
        }

        public static Ext Mul(Ext a, Ext b)
        {
            if (a.IsZero || b.IsZero)
            {
                return default;
            }

            var product = (UInt128)a.Mantissa * b.Mantissa; // × 2^(ea + eb − 126)
            return Round(product, a.Exponent + b.Exponent - 63);
        }

        public static Ext Div(Ext a, Ext b)
        {
            var numerator = (UInt128)a.Mantissa << 64;
            var q = numerator / b.Mantissa;
            var r = numerator % b.Mantissa;

            // Two more quotient bits and a sticky bit, so that rounding sees everything.
            var twoR = r << 2;
            var extra = twoR / b.Mantissa;
            var sticky = twoR % b.Mantissa != 0 ? 1u : 0u;
            var big = (q << 3) | (extra << 1) | sticky; // × 2^(ea − eb − 67)
            return Round(big, a.Exponent - b.Exponent - 67 + 63);
        }

        public static Ext Add(Ext a, Ext b) => AddSub(a, b, subtract: false);

        /// <summary>a − b for a ≥ b ≥ 0.</summary>
        public static Ext Sub(Ext a, Ext b) => AddSub(a, b, subtract: true);

        private static Ext AddSub(Ext a, Ext b, bool subtract)
        {
            if (b.IsZero)
            {
                return a;
            }

            if (a.IsZero)
            {
                return subtract ? default : b;
            }

            if (!subtract && Compare(a, b) < 0)
            {
                (a, b) = (b, a);
            }

            var big = (UInt128)a.Mantissa << 62; // × 2^(ea − 63 − 62)
            var shift = a.Exponent - b.Exponent;
            UInt128 small;
            if (shift >= 126)
            {
                small = UInt128.One; // only a sticky bit is left of b
            }
            else
            {
                var full = (UInt128)b.Mantissa << 62;
                small = full >> shift;
                if (shift > 0 && (full & ((UInt128.One << shift) - 1)) != 0)
                {
                    small |= 1;
                }
            }

            var sum = subtract ? big - small : big + small;
            return Round(sum, a.Exponent - 62);
        }
    }
}
