using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// SQLite's math functions (SQLITE_ENABLE_MATH_FUNCTIONS, on in Debian's sqlite3) and sign():
/// an argument that is not a number after numeric affinity (text that does not look like one, a
/// BLOB, NULL) gives NULL, results are REAL, a NaN result (sqrt(-1), mod(x, 0)) is NULL; ceil,
/// floor and trunc keep an INTEGER argument as it is.
/// </summary>
internal static class MathFunctions
{
    public static void Register(Dictionary<string, FunctionRegistry.Entry> functions)
    {
        void One(string name, Func<double, double> f) => functions[name] = new(1, 1, (a, _) => Unary(a[0], f));
        void Two(string name, Func<double, double, double> f) => functions[name] = new(2, 2, (a, _) => Binary(a[0], a[1], f));

        One("acos", Math.Acos);
        One("acosh", Math.Acosh);
        One("asin", Math.Asin);
        One("asinh", Math.Asinh);
        One("atan", Math.Atan);
        One("atanh", Math.Atanh);
        One("cos", Math.Cos);
        One("cosh", Math.Cosh);
        One("sin", Math.Sin);
        One("sinh", Math.Sinh);
        One("tan", Math.Tan);
        One("tanh", Math.Tanh);
        One("exp", Math.Exp);
        One("sqrt", Math.Sqrt);
        One("degrees", x => x * (180.0 / Math.PI));
        One("radians", x => x * (Math.PI / 180.0));
        One("ln", x => x <= 0 ? double.NaN : Math.Log(x));
        One("log10", x => x <= 0 ? double.NaN : Math.Log10(x));
        One("log2", x => x <= 0 ? double.NaN : Math.Log2(x));
        Two("atan2", Math.Atan2);
        Two("pow", Math.Pow);
        Two("power", Math.Pow);
        Two("mod", (x, y) => x % y);
        functions["log"] = new(1, 2, (a, _) => a.Length == 1
            ? Unary(a[0], x => x <= 0 ? double.NaN : Math.Log10(x))
            : Binary(a[0], a[1], (b, x) => b <= 1 || x <= 0 ? double.NaN : Math.Log(x) / Math.Log(b)));
        functions["pi"] = new(0, 0, (_, _) => SqlValue.FromReal(Math.PI));
        functions["ceil"] = new(1, 1, (a, _) => Rounding(a[0], Math.Ceiling));
        functions["ceiling"] = new(1, 1, (a, _) => Rounding(a[0], Math.Ceiling));
        functions["floor"] = new(1, 1, (a, _) => Rounding(a[0], Math.Floor));
        functions["trunc"] = new(1, 1, (a, _) => Rounding(a[0], Math.Truncate));
        functions["sign"] = new(1, 1, (a, _) => Number(a[0], out var n)
            ? SqlValue.FromInteger(ToDouble(n) is var x && x < 0 ? -1 : x > 0 ? 1 : 0)
            : SqlValue.Null);
    }


    private static bool Number(in SqlValue v, out SqlValue number)
    {
        // sqlite3_value_numeric_type: a text that is wholly a number becomes one (INTEGER only
        // when written as an integer: '1e2' is REAL), anything else is not a number.
        if (v.Type == SqlType.Text)
        {
            return SqlConvert.TryTextToNumber(v.Bytes, out number, wholeTextOnly: true) && number.Type is SqlType.Integer or SqlType.Real;
        }

        number = v;
        return number.Type is SqlType.Integer or SqlType.Real;
    }

    private static double ToDouble(in SqlValue n) => n.Type == SqlType.Integer ? n.AsInteger : n.AsReal;

    private static SqlValue Real(double x) => double.IsNaN(x) ? SqlValue.Null : SqlValue.FromReal(x);

    private static SqlValue Unary(in SqlValue v, Func<double, double> f) => Number(v, out var n) ? Real(f(ToDouble(n))) : SqlValue.Null;

    private static SqlValue Binary(in SqlValue a, in SqlValue b, Func<double, double, double> f) =>
        Number(a, out var x) && Number(b, out var y) ? Real(f(ToDouble(x), ToDouble(y))) : SqlValue.Null;

    private static SqlValue Rounding(in SqlValue v, Func<double, double> f)
    {
        if (!Number(v, out var n))
        {
            return SqlValue.Null;
        }

        return n.Type == SqlType.Integer ? n : Real(f(n.AsReal));
    }
}
