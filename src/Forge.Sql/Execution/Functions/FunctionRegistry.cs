using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// The scalar functions by name (case-insensitive) with their argument counts. coalesce, ifnull,
/// iif and nullif's siblings that must not evaluate every argument are compiled specially by the
/// expression compiler; everything else is a <see cref="ScalarFunction"/> here.
/// </summary>
internal static class FunctionRegistry
{
    public sealed record Entry(int MinArgs, int MaxArgs, ScalarFunction Function);

    private static readonly Dictionary<string, Entry> s_functions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["abs"] = new(1, 1, (a, _) => CoreFunctions.Abs(a[0])),
        ["typeof"] = new(1, 1, (a, _) => CoreFunctions.TypeOf(a[0])),
        ["length"] = new(1, 1, (a, _) => CoreFunctions.Length(a[0])),
        ["octet_length"] = new(1, 1, (a, _) => a[0].IsNull ? a[0] : SqlValue.FromInteger(SqlArithmetic.TextBytes(a[0]).Length)),
        ["lower"] = new(1, 1, (a, _) => CoreFunctions.Lower(a[0])),
        ["upper"] = new(1, 1, (a, _) => CoreFunctions.Upper(a[0])),
        ["substr"] = new(2, 3, (a, _) => CoreFunctions.Substr(a[0], a[1], a.Length > 2 ? a[2] : default, a.Length > 2)),
        ["substring"] = new(2, 3, (a, _) => CoreFunctions.Substr(a[0], a[1], a.Length > 2 ? a[2] : default, a.Length > 2)),
        ["trim"] = new(1, 2, (a, _) => CoreFunctions.Trim(a[0], a.Length > 1 ? a[1] : default, a.Length > 1, true, true)),
        ["ltrim"] = new(1, 2, (a, _) => CoreFunctions.Trim(a[0], a.Length > 1 ? a[1] : default, a.Length > 1, true, false)),
        ["rtrim"] = new(1, 2, (a, _) => CoreFunctions.Trim(a[0], a.Length > 1 ? a[1] : default, a.Length > 1, false, true)),
        ["replace"] = new(3, 3, (a, _) => CoreFunctions.Replace(a[0], a[1], a[2])),
        ["instr"] = new(2, 2, (a, _) => CoreFunctions.Instr(a[0], a[1])),
        ["round"] = new(1, 2, (a, _) => CoreFunctions.Round(a[0], a.Length > 1 ? a[1] : default, a.Length > 1)),
        ["hex"] = new(1, 1, (a, _) => CoreFunctions.Hex(a[0])),
        ["quote"] = new(1, 1, (a, _) => CoreFunctions.Quote(a[0])),
        ["min"] = new(2, int.MaxValue, (a, _) => CoreFunctions.MinMax(a, max: false)),
        ["max"] = new(2, int.MaxValue, (a, _) => CoreFunctions.MinMax(a, max: true)),
        ["nullif"] = new(2, 2, (a, _) => CoreFunctions.NullIf(a[0], a[1])),
        ["unicode"] = new(1, 1, (a, _) => CoreFunctions.Unicode(a[0])),
        ["char"] = new(0, int.MaxValue, (a, _) => CoreFunctions.Char(a)),
        ["zeroblob"] = new(1, 1, (a, _) => CoreFunctions.ZeroBlob(a[0])),
        ["random"] = new(0, 0, (_, _) => CoreFunctions.Random()),
        ["randomblob"] = new(1, 1, (a, _) => CoreFunctions.RandomBlob(a[0])),
        ["likely"] = new(1, 1, (a, _) => a[0]),
        ["unlikely"] = new(1, 1, (a, _) => a[0]),
        ["likelihood"] = new(2, 2, (a, _) => a[0]),
        ["printf"] = new(0, int.MaxValue, (a, _) => Printf.Evaluate(a)),
        ["format"] = new(0, int.MaxValue, (a, _) => Printf.Evaluate(a)),
        ["sqlite_version"] = new(0, 0, (_, _) => SqlValue.FromText("3.40.1")),
        ["changes"] = new(0, 0, (_, c) => SqlValue.FromInteger(c.Connection?.Changes ?? 0)),
        ["total_changes"] = new(0, 0, (_, c) => SqlValue.FromInteger(c.Connection?.TotalChanges ?? 0)),
        ["last_insert_rowid"] = new(0, 0, (_, c) => SqlValue.FromInteger(c.Connection?.LastInsertRowid ?? 0)),
        ["like"] = new(2, 3, (a, _) => PatternMatch.Evaluate(a[1], a[0], like: true, a.Length > 2 && !a[2].IsNull ? PatternMatch.EscapeChar(SqlArithmetic.TextBytes(a[2])) : -1)),
        ["glob"] = new(2, 2, (a, _) => PatternMatch.Evaluate(a[1], a[0], like: false)),
        ["date"] = new(0, int.MaxValue, (a, c) => Text(DateTimeFunctions.Date(DateArgs(a), c.NowUnixMs))),
        ["time"] = new(0, int.MaxValue, (a, c) => Text(DateTimeFunctions.Time(DateArgs(a), c.NowUnixMs))),
        ["datetime"] = new(0, int.MaxValue, (a, c) => Text(DateTimeFunctions.DateTime(DateArgs(a), c.NowUnixMs))),
        ["julianday"] = new(0, int.MaxValue, (a, c) => DateTimeFunctions.JulianDay(DateArgs(a), c.NowUnixMs) is { } r ? SqlValue.FromReal(r) : SqlValue.Null),
        ["unixepoch"] = new(0, int.MaxValue, (a, c) => DateTimeFunctions.UnixEpoch(DateArgs(a), c.NowUnixMs) is { } i ? SqlValue.FromInteger(i) : SqlValue.Null),
        ["strftime"] = new(1, int.MaxValue, (a, c) => Text(DateTimeFunctions.StrFTime(DateArg(a[0]), DateArgs(a[1..]), c.NowUnixMs))),
    };

    static FunctionRegistry() => MathFunctions.Register(s_functions);

    public static Entry? Find(string name) => s_functions.GetValueOrDefault(name);

    private static SqlValue Text(string? s) => s is null ? SqlValue.Null : SqlValue.FromText(s);

    private static DateArg DateArg(in SqlValue v) => v.Type switch
    {
        SqlType.Null => Functions.DateArg.Null,
        SqlType.Integer => Functions.DateArg.Of(v.AsInteger),
        SqlType.Real => Functions.DateArg.Of(v.AsReal),
        _ => Functions.DateArg.Of(SqlConvert.ToText(v)),
    };

    private static DateArg[] DateArgs(ReadOnlySpan<SqlValue> values)
    {
        var result = new DateArg[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = DateArg(values[i]);
        }

        return result;
    }
}
