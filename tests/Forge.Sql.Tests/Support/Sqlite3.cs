using System.Diagnostics;

namespace Forge.Sql.Tests.Support;

/// <summary>Runs the real sqlite3 shell (/usr/bin/sqlite3) on a script over stdin, against :memory:.</summary>
internal static class Sqlite3
{
    public const string Path = "/usr/bin/sqlite3";

    public static bool Available => File.Exists(Path);

    /// <summary>
    /// Runs <paramref name="script"/> and returns the message of the first "Parse error near line N: msg"
    /// the shell prints, or null when every statement prepared.
    /// </summary>
    public static string? FirstParseError(string script) => ParseErrors(script).FirstOrDefault().Message;

    /// <summary>Every "Parse error near line N: msg" (or other error line) the shell prints, with N.</summary>
    public static List<(int Line, string Message)> ParseErrors(string script)
    {
        var psi = new ProcessStartInfo(Path, ":memory:")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("sqlite3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException("sqlite3 did not finish");
        }

        _ = stdout.Result;
        var errors = new List<(int, string)>();
        foreach (var line in stderr.Result.Split('\n'))
        {
            const string prefix = "Parse error near line ";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var colon = line.IndexOf(": ", prefix.Length, StringComparison.Ordinal);
                errors.Add((int.Parse(line.AsSpan(prefix.Length, colon - prefix.Length), System.Globalization.CultureInfo.InvariantCulture), line[(colon + 2)..]));
            }
            else if (line.StartsWith("Error:", StringComparison.Ordinal) || line.StartsWith("Runtime error", StringComparison.Ordinal))
            {
                errors.Add((0, line));
            }
        }

        return errors;
    }
}

/// <summary>The statement corpora under Corpus/, one statement per line.</summary>
internal static class Corpus
{
    public static string Schema => File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "Corpus", "schema.sql"));

    public static string[] Lines(string name) =>
        File.ReadAllLines(System.IO.Path.Combine(AppContext.BaseDirectory, "Corpus", name))
            .Where(l => l.Trim().Length > 0)
            .ToArray();
}
