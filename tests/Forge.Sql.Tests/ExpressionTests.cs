using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Tests;

/// <summary>
/// Whole expressions — parsed, compiled and evaluated — against sqlite3: a fixed-seed generator
/// builds random expressions over literals, operators, CASE, CAST, IN, BETWEEN, LIKE, COLLATE and
/// functions; each is evaluated by both and the typed results (or the error messages) compared.
/// </summary>
public sealed class ExpressionTests
{
    private static readonly string[] s_literals =
    [
        "NULL", "0", "1", "-1", "2", "7", "42", "9223372036854775807", "2.5", "-0.5", "1e3", "0.1", "'abc'", "'ABC'", "''", "'12'",
        "' 3 '", "'1.5e1x'", "x'41'", "x''", "TRUE", "FALSE", "'a b '", "'é'",
    ];

    private static readonly string[] s_binary = ["+", "-", "*", "/", "%", "||", "&", "|", "<<", ">>", "=", "==", "!=", "<>", "<", "<=", ">", ">=", "IS", "IS NOT", "AND", "OR"];

    private static readonly string[] s_functions = ["abs", "length", "lower", "upper", "typeof", "hex", "quote", "round", "trim", "unicode", "coalesce", "ifnull", "nullif", "max", "min", "instr", "substr", "replace", "iif"];

    private static string Gen(Random r, int depth)
    {
        if (depth <= 0 || r.Next(4) == 0)
        {
            return s_literals[r.Next(s_literals.Length)];
        }

        switch (r.Next(12))
        {
            case 0 or 1 or 2:
                return $"({Gen(r, depth - 1)} {s_binary[r.Next(s_binary.Length)]} {Gen(r, depth - 1)})";
            case 3:
                return $"({(r.Next(2) == 0 ? "NOT" : "-")} {Gen(r, depth - 1)})";
            case 4:
                return r.Next(2) == 0
                    ? $"CASE WHEN {Gen(r, depth - 1)} THEN {Gen(r, depth - 1)} ELSE {Gen(r, depth - 1)} END"
                    : $"CASE {Gen(r, depth - 1)} WHEN {Gen(r, depth - 1)} THEN {Gen(r, depth - 1)} END";
            case 5:
                return $"CAST({Gen(r, depth - 1)} AS {new[] { "INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "VARCHAR(5)" }[r.Next(6)]})";
            case 6:
                return $"({Gen(r, depth - 1)} {(r.Next(2) == 0 ? "" : "NOT ")}IN ({Gen(r, depth - 1)}, {Gen(r, depth - 1)}))";
            case 7:
                return $"({Gen(r, depth - 1)} {(r.Next(2) == 0 ? "" : "NOT ")}BETWEEN {Gen(r, depth - 1)} AND {Gen(r, depth - 1)})";
            case 8:
                return $"({Gen(r, depth - 1)} {(r.Next(2) == 0 ? "LIKE" : "GLOB")} {Gen(r, depth - 1)})";
            case 9:
                return $"({Gen(r, depth - 1)} COLLATE {(r.Next(2) == 0 ? "NOCASE" : "RTRIM")} = {Gen(r, depth - 1)})";
            case 10:
                return $"({Gen(r, depth - 1)} IS{(r.Next(2) == 0 ? "" : " NOT")} NULL)";
            default:
                {
                    var f = s_functions[r.Next(s_functions.Length)];
                    var n = f switch
                    {
                        "coalesce" or "ifnull" or "nullif" or "max" or "min" or "instr" => 2,
                        "substr" or "replace" or "iif" => 3,
                        "round" or "trim" => 1 + r.Next(2),
                        _ => 1,
                    };
                    return $"{f}({string.Join(", ", Enumerable.Range(0, n).Select(_ => Gen(r, depth - 1)))})";
                }
        }
    }

    [Theory]
    [InlineData(42, 4, 3000)]
    [InlineData(7, 3, 3000)]
    [InlineData(99, 2, 3000)]
    public void Random_expressions_evaluate_as_in_sqlite3(int seed, int depth, int count)
    {
        var random = new Random(seed);
        var expressions = Enumerable.Range(0, count).Select(_ => Gen(random, depth)).ToList();
        var expected = Sqlite3.EvaluateEach(expressions);
        var failures = new List<string>();
        for (var i = 0; i < expressions.Count; i++)
        {
            var got = Evaluate(expressions[i]);
            if (got != expected[i])
            {
                failures.Add($"{expressions[i]}\n    sqlite3 {expected[i]}\n    forge   {got}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {expressions.Count} differ:\n" + string.Join('\n', failures.Take(25)));
    }

    private static string Evaluate(string sql)
    {
        try
        {
            var compiled = new ExpressionCompiler(null).Compile(SqlParser.ParseExpression(sql));
            var v = compiled.Eval(new EvalContext());
            return Sqlite3.Render(v);
        }
        catch (SqlRuntimeException ex)
        {
            return "error: " + ex.Message;
        }
        catch (SqlPrepareException ex)
        {
            return "error: " + ex.Message;
        }
    }
}
