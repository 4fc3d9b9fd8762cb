using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forge.Sql.Records;

namespace Forge.Sql.Tests;

/// <summary>Runs Debian's sqlite3 shell on a file and returns its stdout.</summary>
internal static class Sqlite3
{
    public const string Path = "/usr/bin/sqlite3";

    public static bool Available => File.Exists(Path);

    public static string Run(string database, string sql)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add(database);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(sql);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("sqlite3 did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sqlite3 failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>A value as sqlite3's quote() prints it (reals here are always exact quarters).</summary>
    public static string Quote(SqlValue v)
    {
        if (v.Type == SqlType.Real)
        {
            var r = v.AsReal;
            return r == Math.Floor(r) && Math.Abs(r) < 1e15
                ? r.ToString("0.0", CultureInfo.InvariantCulture)
                : r.ToString("R", CultureInfo.InvariantCulture);
        }

        return v.ToString();
    }

    public static string Row(IEnumerable<string> fields) => string.Join("|", fields);

    /// <summary>
    /// Evaluates each expression with one sqlite3 run (against :memory:) and renders each answer as
    /// <see cref="Render"/> does, or "error: msg" when the statement failed (a marker row after each
    /// keeps answers and errors aligned).
    /// </summary>
    public static List<string> EvaluateEach(IReadOnlyList<string> expressions)
    {
        Assert.True(Available, $"{Path} is missing: ./test.sh installs Debian's sqlite3, which these tests compare against");
        var psi = new ProcessStartInfo(Path)
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

        // One line per failed statement ("Parse error near line 3: no such function: x", "Runtime error
        // near line 5: integer overflow", ...); the statement and caret lines after a syntax error are indented.
        var errors = new Queue<string>(stderr.Result.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')));
        var results = new List<string>(expressions.Count);
        string? pending = null;
        foreach (var line in stdout.Result.Split('\n'))
        {
            if (line == "#")
            {
                if (pending is null)
                {
                    var error = errors.Count > 0 ? errors.Dequeue() : "?";
                    var at = error.IndexOf(": ", StringComparison.Ordinal);
                    pending = "error: " + (at >= 0 ? error[(at + 2)..] : error);
                }

                results.Add(pending);
                pending = null;
            }
            else if (line.StartsWith('<') && line.EndsWith('>'))
            {
                var body = line[1..^1];
                pending = body.StartsWith("R:", StringComparison.Ordinal)
                    ? RealKey(double.Parse(body.AsSpan(2), CultureInfo.InvariantCulture))
                    : body;
            }
        }

        Assert.Equal(expressions.Count, results.Count);
        return results;
    }

    /// <summary>
    /// A value as <see cref="EvaluateEach"/> renders sqlite3's: a REAL as the double it names (sqlite3's
    /// own 17 digits are exact; -0.0 is 0.0, SQLite never shows the sign of a zero), anything else as quote().
    /// </summary>
    public static string Render(SqlValue v) => v.Type == SqlType.Real
        ? RealKey(v.AsReal)
        : Encoding.UTF8.GetString(Forge.Sql.Execution.Functions.CoreFunctions.Quote(v).Bytes);

    private static string RealKey(double r) => "real " + (r == 0 ? 0.0 : r).ToString("R", CultureInfo.InvariantCulture);

    public static string Lines(IEnumerable<string> rows)
    {
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            sb.Append(r).Append('\n');
        }

        return sb.ToString();
    }
}
