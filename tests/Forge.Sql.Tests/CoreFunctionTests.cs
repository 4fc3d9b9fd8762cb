using System.Diagnostics;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Tests;

/// <summary>
/// Value semantics (conversions, arithmetic) and the core scalar functions against the real sqlite3:
/// each case is an SQL expression over literals and the same computation through our functions;
/// sqlite3 prints quote() of its answer and we compare with quote() of ours, so the storage class
/// (1 vs 1.0 vs '1') is compared too.
/// </summary>
public sealed class CoreFunctionTests
{
    private static SqlValue I(long v) => SqlValue.FromInteger(v);

    private static SqlValue R(double v) => SqlValue.FromReal(v);

    private static SqlValue T(string v) => SqlValue.FromText(v);

    private static SqlValue B(params byte[] v) => SqlValue.FromBlob(v);

    private static SqlValue N => SqlValue.Null;

    /// <summary>Literals as SQL and as values, combined pairwise by the cases below.</summary>
    private static readonly (string Sql, SqlValue Value)[] s_values =
    [
        ("NULL", N), ("0", I(0)), ("1", I(1)), ("-7", I(-7)), ("3", I(3)), ("9223372036854775807", I(long.MaxValue)),
        ("(-9223372036854775807-1)", I(long.MinValue)), ("2.5", R(2.5)), ("-2.5", R(-2.5)), ("0.1", R(0.1)), ("1e20", R(1e20)),
        ("1.0", R(1.0)), ("'12'", T("12")), ("'3abc'", T("3abc")), ("' 4 '", T(" 4 ")), ("'1e3'", T("1e3")), ("'.5'", T(".5")),
        ("'abc'", T("abc")), ("''", T("")), ("'héllo wörld'", T("héllo wörld")), ("x'313233'", B(0x31, 0x32, 0x33)), ("x''", B()),
        ("'-0'", T("-0")), ("'0x10'", T("0x10")), ("2.675", R(2.675)), ("1234.5", R(1234.5)), ("-0.5", R(-0.5)),
    ];

    private sealed record Case(string Sql, Func<SqlValue> Forge);

    private static IEnumerable<Case> Cases()
    {
        foreach (var (a, x) in s_values)
        {
            yield return new($"abs({a})", () => CoreFunctions.Abs(x));
            yield return new($"typeof({a})", () => CoreFunctions.TypeOf(x));
            yield return new($"length({a})", () => CoreFunctions.Length(x));
            yield return new($"lower({a})", () => CoreFunctions.Lower(x));
            yield return new($"upper({a})", () => CoreFunctions.Upper(x));
            yield return new($"hex({a})", () => CoreFunctions.Hex(x));
            yield return new($"quote({a})", () => CoreFunctions.Quote(x));
            yield return new($"round({a})", () => CoreFunctions.Round(x, N, false));
            yield return new($"round({a}, 2)", () => CoreFunctions.Round(x, I(2), true));
            yield return new($"round({a}, -1)", () => CoreFunctions.Round(x, I(-1), true));
            yield return new($"-({a})", () => SqlArithmetic.Negate(x));
            yield return new($"~({a})", () => SqlArithmetic.BitNot(x));
            yield return new($"cast({a} AS INTEGER)", () => x.IsNull ? N : I(SqlConvert.ToInteger(x)));
            yield return new($"cast({a} AS REAL)", () => x.IsNull ? N : R(SqlConvert.ToReal(x)));
            yield return new($"cast({a} AS NUMERIC)", () => SqlConvert.ToNumericCast(x));
            yield return new($"cast({a} AS TEXT)", () => x.IsNull ? N : x.Type == SqlType.Blob ? SqlValue.FromText(x.Bytes.ToArray()) : T(SqlConvert.ToText(x)));
            yield return new($"trim({a})", () => CoreFunctions.Trim(x, N, false, true, true));
            yield return new($"unicode({a})", () => CoreFunctions.Unicode(x));
            yield return new($"substr({a}, 2)", () => CoreFunctions.Substr(x, I(2), N, false));
            yield return new($"substr({a}, -3, 2)", () => CoreFunctions.Substr(x, I(-3), I(2), true));
            yield return new($"substr({a}, 0, 2)", () => CoreFunctions.Substr(x, I(0), I(2), true));
            yield return new($"substr({a}, 3, -2)", () => CoreFunctions.Substr(x, I(3), I(-2), true));
            foreach (var (b, y) in s_values)
            {
                yield return new($"({a}) + ({b})", () => SqlArithmetic.Add(x, y));
                yield return new($"({a}) - ({b})", () => SqlArithmetic.Subtract(x, y));
                yield return new($"({a}) * ({b})", () => SqlArithmetic.Multiply(x, y));
                yield return new($"({a}) / ({b})", () => SqlArithmetic.Divide(x, y));
                yield return new($"({a}) % ({b})", () => SqlArithmetic.Remainder(x, y));
                yield return new($"({a}) || ({b})", () => SqlArithmetic.Concat(x, y));
                yield return new($"({a}) & ({b})", () => SqlArithmetic.BitAnd(x, y));
                yield return new($"({a}) << ({b})", () => SqlArithmetic.ShiftLeft(x, y));
                yield return new($"({a}) >> ({b})", () => SqlArithmetic.ShiftRight(x, y));
                yield return new($"instr({a}, {b})", () => CoreFunctions.Instr(x, y));
                yield return new($"max({a}, {b})", () => CoreFunctions.MinMax([x, y], max: true));
                yield return new($"min({a}, {b})", () => CoreFunctions.MinMax([x, y], max: false));
                yield return new($"nullif({a}, {b})", () => CoreFunctions.NullIf(x, y));
                yield return new($"replace({a}, {b}, 'Z')", () => CoreFunctions.Replace(x, y, T("Z")));
                yield return new($"trim({a}, {b})", () => CoreFunctions.Trim(x, y, true, true, true));
                yield return new($"ltrim({a}, {b})", () => CoreFunctions.Trim(x, y, true, true, false));
                yield return new($"({a}) LIKE ({b})", () => PatternMatch.Evaluate(x, y, like: true));
                yield return new($"({a}) GLOB ({b})", () => PatternMatch.Evaluate(x, y, like: false));
            }
        }

        string[] patterns = ["a%", "%b%", "_b_", "A_C", "%", "", "a\\%c", "[a-c]*", "*[^x]", "[]]", "?*?", "*.txt", "h*o", "H%", "%ö%"];
        string[] subjects = ["abc", "ABC", "a%c", "abx", "]", "readme.txt", "héllo", "hello", "", "aXc", "wörld"];
        foreach (var p in patterns)
        {
            foreach (var s in subjects)
            {
                yield return new($"'{s}' LIKE '{p}'", () => PatternMatch.Evaluate(T(s), T(p), like: true));
                yield return new($"'{s}' LIKE '{p}' ESCAPE '\\'", () => PatternMatch.Evaluate(T(s), T(p), like: true, '\\'));
                yield return new($"'{s}' GLOB '{p}'", () => PatternMatch.Evaluate(T(s), T(p), like: false));
            }
        }
    }

    [Fact]
    public void Values_and_functions_answer_as_sqlite3_does()
    {
        var cases = Cases().ToList();
        var expected = Sqlite3.EvaluateEach([.. cases.Select(c => c.Sql)]);
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            string got;
            try
            {
                got = Sqlite3.Render(cases[i].Forge());
            }
            catch (SqlRuntimeException ex)
            {
                got = "error: " + ex.Message;
            }

            var want = expected[i];
            if (got != want)
            {
                failures.Add($"{cases[i].Sql}: sqlite3 {expected[i]}, forge {got}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} differ:\n" + string.Join('\n', failures.Take(60)));
    }
}
