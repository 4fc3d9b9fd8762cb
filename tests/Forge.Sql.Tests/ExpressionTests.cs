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
    private const string Sqlite3 = "/usr/bin/sqlite3";

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
        Assert.True(File.Exists(Sqlite3), $"{Sqlite3} is missing: ./test.sh installs Debian's sqlite3, which these tests compare against");
        var random = new Random(seed);
        var expressions = Enumerable.Range(0, count).Select(_ => Gen(random, depth)).ToList();
        var expected = RunSqlite(expressions);
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
            return Render(v);
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

    private static string Render(SqlValue v) => v.Type == SqlType.Real
        ? "real " + (v.AsReal == 0 ? 0.0 : v.AsReal).ToString("R", CultureInfo.InvariantCulture)
        : Encoding.UTF8.GetString(CoreFunctions.Quote(v).Bytes);

    private static List<string> RunSqlite(List<string> expressions)
    {
        var psi = new ProcessStartInfo(Sqlite3)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add(":memory:");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.NewLine = "\n";
        foreach (var e in expressions)
        {
            p.StandardInput.WriteLine($"SELECT '<' || (SELECT CASE typeof(v) WHEN 'real' THEN 'R:' || printf('%!.17g', v) ELSE quote(v) END FROM (SELECT {e} AS v)) || '>';");
            p.StandardInput.WriteLine("SELECT '#';");
        }

        p.StandardInput.Close();
        Assert.True(p.WaitForExit(120_000), "sqlite3 did not finish");
        var errors = new Queue<string>(stderr.Result.Split('\n').Where(l => l.Contains(" error near line ", StringComparison.Ordinal)));
        var results = new List<string>();
        string? pending = null;
        foreach (var line in stdout.Result.Split('\n'))
        {
            if (line == "#")
            {
                results.Add(pending ?? "error: " + ErrorText(errors.Count > 0 ? errors.Dequeue() : "?"));
                pending = null;
            }
            else if (line.StartsWith('<') && line.EndsWith('>'))
            {
                var body = line[1..^1];
                if (body.StartsWith("R:", StringComparison.Ordinal))
                {
                    var d = double.Parse(body.AsSpan(2), CultureInfo.InvariantCulture);
                    body = "real " + (d == 0 ? 0.0 : d).ToString("R", CultureInfo.InvariantCulture);
                }

                pending = body;
            }
        }

        Assert.Equal(expressions.Count, results.Count);
        return results;
    }

    private static string ErrorText(string line)
    {
        // "Parse error near line 3: no such function: x" / "Runtime error near line 5: integer overflow"
        var marker = line.IndexOf(": ", StringComparison.Ordinal);
        return marker >= 0 ? line[(marker + 2)..] : line;
    }
}
