using System.Text;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Values;

/// <summary>
/// SQLite's arithmetic, bitwise and concatenation operators: NULL in, NULL out; text and blobs
/// count by their numeric prefix; INTEGER arithmetic that overflows is redone in REAL; division or
/// remainder by zero is NULL; a NaN result is NULL; % on REALs works on the truncated integers and
/// answers a REAL.
/// </summary>
internal static class SqlArithmetic
{
    public static SqlValue Add(in SqlValue a, in SqlValue b) => Arith('+', a, b);

    public static SqlValue Subtract(in SqlValue a, in SqlValue b) => Arith('-', a, b);

    public static SqlValue Multiply(in SqlValue a, in SqlValue b) => Arith('*', a, b);

    public static SqlValue Divide(in SqlValue a, in SqlValue b) => Arith('/', a, b);

    public static SqlValue Remainder(in SqlValue a, in SqlValue b) => Arith('%', a, b);

    private static SqlValue Arith(char op, in SqlValue a, in SqlValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqlValue.Null;
        }

        var x = SqlConvert.ToNumeric(a);
        var y = SqlConvert.ToNumeric(b);
        if (x.Type == SqlType.Integer && y.Type == SqlType.Integer)
        {
            long i = x.AsInteger, j = y.AsInteger;
            switch (op)
            {
                case '+':
                    if (!AddOverflows(i, j, out var sum))
                    {
                        return SqlValue.FromInteger(sum);
                    }

                    break;
                case '-':
                    if (!SubtractOverflows(i, j, out var difference))
                    {
                        return SqlValue.FromInteger(difference);
                    }

                    break;
                case '*':
                    if (!MultiplyOverflows(i, j, out var product))
                    {
                        return SqlValue.FromInteger(product);
                    }

                    break;
                case '/':
                    if (j == 0)
                    {
                        return SqlValue.Null;
                    }

                    if (i == long.MinValue && j == -1)
                    {
                        break; // 2^63 does not fit: REAL
                    }

                    return SqlValue.FromInteger(i / j);
                default:
                    if (j == 0)
                    {
                        return SqlValue.Null;
                    }

                    return SqlValue.FromInteger(j == -1 ? 0 : i % j);
            }
        }

        var r = AsDouble(x);
        var s = AsDouble(y);
        double result;
        switch (op)
        {
            case '+':
                result = r + s;
                break;
            case '-':
                result = r - s;
                break;
            case '*':
                result = r * s;
                break;
            case '/':
                if (s == 0)
                {
                    return SqlValue.Null;
                }

                result = r / s;
                break;
            default:
                {
                    // On the REAL path the operands' integer values are taken from the original
                    // operands (text by its integer prefix: '1e3' counts as 1), as sqlite3VdbeIntValue does.
                    var ii = SqlConvert.ToInteger(a);
                    var jj = SqlConvert.ToInteger(b);
                    if (jj == 0)
                    {
                        return SqlValue.Null;
                    }

                    result = jj == -1 ? 0 : ii % jj;
                    break;
                }
        }

        return double.IsNaN(result) ? SqlValue.Null : SqlValue.FromReal(result);
    }

    private static double AsDouble(in SqlValue v) => v.Type == SqlType.Integer ? v.AsInteger : v.AsReal;

    public static bool AddOverflows(long a, long b, out long sum)
    {
        sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0;
    }

    public static bool SubtractOverflows(long a, long b, out long difference)
    {
        difference = unchecked(a - b);
        return ((a ^ b) & (a ^ difference)) < 0;
    }

    public static bool MultiplyOverflows(long a, long b, out long product)
    {
        product = unchecked(a * b);
        var high = Math.BigMul(a, b, out var low);
        return !((high == 0 && low >= 0) || (high == -1 && low < 0));
    }

    /// <summary>Unary minus: -(-2^63) is REAL, text by its numeric prefix.</summary>
    public static SqlValue Negate(in SqlValue a)
    {
        if (a.IsNull)
        {
            return a;
        }

        var x = SqlConvert.ToNumeric(a);
        if (x.Type == SqlType.Integer)
        {
            return x.AsInteger == long.MinValue ? SqlValue.FromReal(9.2233720368547758e18) : SqlValue.FromInteger(-x.AsInteger);
        }

        return SqlValue.FromReal(-x.AsReal);
    }

    /// <summary>The integer an operand gives to a bitwise operator (text: its integer prefix).</summary>
    private static long BitOperand(in SqlValue v) => SqlConvert.ToInteger(v);

    public static SqlValue BitAnd(in SqlValue a, in SqlValue b) =>
        a.IsNull || b.IsNull ? SqlValue.Null : SqlValue.FromInteger(BitOperand(a) & BitOperand(b));

    public static SqlValue BitOr(in SqlValue a, in SqlValue b) =>
        a.IsNull || b.IsNull ? SqlValue.Null : SqlValue.FromInteger(BitOperand(a) | BitOperand(b));

    public static SqlValue BitNot(in SqlValue a) => a.IsNull ? a : SqlValue.FromInteger(~BitOperand(a));

    /// <summary>a &lt;&lt; b; a negative b shifts the other way; 64 or more clears (or fills with the sign on a right shift).</summary>
    public static SqlValue ShiftLeft(in SqlValue a, in SqlValue b) =>
        a.IsNull || b.IsNull ? SqlValue.Null : SqlValue.FromInteger(Shift(BitOperand(a), BitOperand(b)));

    public static SqlValue ShiftRight(in SqlValue a, in SqlValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqlValue.Null;
        }

        var n = BitOperand(b);
        return SqlValue.FromInteger(Shift(BitOperand(a), n == long.MinValue ? long.MaxValue : -n));
    }

    private static long Shift(long value, long leftBy)
    {
        if (leftBy >= 64)
        {
            return 0;
        }

        if (leftBy >= 0)
        {
            return value << (int)leftBy;
        }

        if (leftBy <= -64)
        {
            return value < 0 ? -1 : 0;
        }

        return value >> (int)-leftBy;
    }

    /// <summary>a || b: both as text; NULL if either is NULL.</summary>
    public static SqlValue Concat(in SqlValue a, in SqlValue b)
    {
        if (a.IsNull || b.IsNull)
        {
            return SqlValue.Null;
        }

        var left = TextBytes(a);
        var right = TextBytes(b);
        var result = new byte[left.Length + right.Length];
        left.CopyTo(result);
        right.CopyTo(result.AsSpan(left.Length));
        return SqlValue.FromText(result);
    }

    /// <summary>The UTF-8 text of a value (numbers rendered as SQLite renders them).</summary>
    public static ReadOnlySpan<byte> TextBytes(in SqlValue v) => v.Type is SqlType.Text or SqlType.Blob
        ? v.Bytes
        : Encoding.ASCII.GetBytes(SqlConvert.ToText(v));
}
