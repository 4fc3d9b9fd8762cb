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
