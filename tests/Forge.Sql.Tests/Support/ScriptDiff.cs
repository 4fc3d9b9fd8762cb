using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Forge.Sql.Execution;
using Forge.Sql.Shell;

namespace Forge.Sql.Tests;

/// <summary>
/// Runs statements one by one in forge (in process) and in sqlite3 (one process, a marker after
/// each statement), each statement's output in list mode ("a|b" rows, NULL as "NULL") or
/// "error: message"; and the whole-shell comparison (stdout, stderr, exit code).
/// </summary>
internal static partial class ScriptDiff
{
    public static List<string> RunForge(Database db, IReadOnlyList<string> statements)
    {
        var results = new List<string>();
        foreach (var s in statements)
        {
            try
            {
                var sb = new StringBuilder();
                foreach (var r in db.Execute(s))
                {
                    foreach (var row in r.Rows)
                    {
                        sb.Append(string.Join('|', Enumerable.Range(0, row.Count).Select(i => row.GetText(i) ?? "NULL"))).Append('\n');
                    }
                }

                results.Add(sb.ToString());
            }
            catch (Exception e) when (e is SqlRuntimeException or Planning.SqlPrepareException or Parsing.SqlParseException)
            {
                results.Add("error: " + e.Message);
            }
        }

        return results;
    }

    /// <summary>
    /// Each statement through one sqlite3 process: a marker after each keeps outputs and errors
    /// aligned. <paramref name="afterEach"/> (one or more lines of SQL) runs after every statement
    /// and its output counts as the statement's.
    /// </summary>
    public static List<string> RunSqlite(string file, IReadOnlyList<string> statements, string? afterEach = null)
    {
        Assert.True(Sqlite3.Available, $"{Sqlite3.Path} is missing: ./test.sh installs Debian's sqlite3");
        var psi = new ProcessStartInfo(Sqlite3.Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.NewLine = "\n";
        p.StandardInput.WriteLine(".nullvalue NULL");
        var n = 0;
        foreach (var s in statements)
        {
            var line = s.Replace('\n', ' ').TrimEnd();
            p.StandardInput.WriteLine(line.EndsWith(';') ? line : line + ";");
            if (afterEach is not null)
            {
                p.StandardInput.WriteLine(afterEach);
            }

            p.StandardInput.WriteLine($"SELECT '#{n++}#';");
        }

        p.StandardInput.Close();
        Assert.True(p.WaitForExit(120_000), "sqlite3 did not finish");
        var errors = new Dictionary<int, string>();
        foreach (var line in stderr.Result.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')))
        {
            var m = ErrorLine().Match(line);
            Assert.True(m.Success, line);
            var linesPerStatement = 2 + (afterEach?.Split('\n').Length ?? 0);
            errors[(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 2) / linesPerStatement] = m.Groups[2].Value;
        }

        var results = new List<string>();
        var sb = new StringBuilder();
        foreach (var line in stdout.Result.Split('\n'))
        {
            if (line.StartsWith('#') && line.EndsWith('#') && line.Length > 2 && int.TryParse(line.AsSpan(1, line.Length - 2), out var k) && k == results.Count)
            {
                results.Add(errors.TryGetValue(k, out var error) ? "error: " + error : sb.ToString());
                sb.Clear();
            }
            else if (line.Length > 0 || sb.Length > 0)
            {
                sb.Append(line).Append('\n');
            }
        }

        Assert.Equal(statements.Count, results.Count);
        return results;
    }

    [GeneratedRegex(@"^(?:Parse|Runtime) error near line (\d+): (.*?)(?: \(\d+\))?$")]
    private static partial Regex ErrorLine();

    /// <summary>
    /// The statements through forge and sqlite3 on new files in <paramref name="dir"/>: every output
    /// must match; forge's file must pass sqlite3's integrity check and dump as sqlite3's does.
    /// Returns forge's file.
    /// </summary>
    public static string Compare(string dir, IReadOnlyList<string> statements)
    {
        var forgeFile = Path.Combine(dir, $"forge-{Guid.NewGuid():N}.db");
        var sqliteFile = Path.Combine(dir, $"sqlite-{Guid.NewGuid():N}.db");
        List<string> mine;
        using (var db = Database.Open(forgeFile))
        {
            mine = RunForge(db, statements);
        }

        var theirs = RunSqlite(sqliteFile, statements);
        for (var i = 0; i < statements.Count; i++)
        {
            if (theirs[i] != mine[i])
            {
                Assert.Fail($"statement {i}: {statements[i]}\nsqlite3: {theirs[i]}\nforge:   {mine[i]}");
            }
        }

        Assert.Equal("ok\n", Sqlite3.Run(forgeFile, "PRAGMA integrity_check;"));
        Assert.Equal(Sqlite3.Run(sqliteFile, ".dump"), Sqlite3.Run(forgeFile, ".dump"));
        return forgeFile;
    }

    /// <summary>One statement per non-empty line.</summary>
    public static string[] Lines(string script) => [.. script.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The sqlite3 shell on a script (stdin): stdout, stderr, exit code.</summary>
    public static (string Stdout, string Stderr, int Code) Sqlite3Shell(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Sqlite3.Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var stdin = new StreamWriter(p.StandardInput.BaseStream, new UTF8Encoding(false)))
        {
            stdin.Write(script);
        }

        Assert.True(p.WaitForExit(60_000), "sqlite3 did not finish");
        return (stdout.Result, stderr.Result, p.ExitCode);
    }

    /// <summary>forge's shell in this process on a script (stdin).</summary>
    public static (string Stdout, string Stderr, int Code) ForgeShell(string script, params string[] args)
    {
        using var stdoutBytes = new MemoryStream();
        using var stderr = new StringWriter { NewLine = "\n" };
        int code;
        using (var stdout = new ShellOutput(stdoutBytes, ownsStream: false))
        {
            using var stdin = new StreamReader(new MemoryStream(Encoding.UTF8.GetBytes(script)), new UTF8Encoding(false));
            code = SqlCommand.RunShell(args, stdout, stderr, stdin, stdinRedirected: true);
        }

        return (Encoding.UTF8.GetString(stdoutBytes.ToArray()), stderr.ToString(), code);
    }
}
