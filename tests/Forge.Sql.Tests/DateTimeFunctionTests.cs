using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forge.Sql.Execution.Functions;

namespace Forge.Sql.Tests;

/// <summary>
/// The date and time functions against the real sqlite3 (Debian's 3.40.1): a fixed-seed corpus of
/// time values × modifiers × functions, evaluated by both, every answer compared. Local time is the
/// same zone on both sides (TZ for sqlite3), and 'now' is left out (the clocks differ).
/// </summary>
public sealed class DateTimeFunctionTests
{
    private const string Sqlite3 = "/usr/bin/sqlite3";

    private static readonly string[] s_values =
    [
        "2024-02-29", "2024-02-30", "2024-02-32", "2023-12-31 23:59:59", "2000-01-01 12:00", "2000-01-01T12:00:00.5",
        "2024-01-01 10:00:00.123456", "2024-01-01 10:00+02:00", "2024-01-01 10:00:00Z", "2024-01-01 10:00 -05:30",
        "2024-01-01  ", "2024-01-01T", " 2024-01-01", "24-01-01", "12:00", "24:00:00", "25:00", "23:59:60",
        "-0010-01-01", "0000-01-01", "9999-12-31 23:59:59", "1970-01-01", "1582-10-10", "2024-13-01", "2024-00-10",
        "2451545", "2451545.5", "0", "-1", "5373484.4", "5373484.5", "1700000000", "abc", "", "12:34:56.789+14:00",
        "12:34:56.789+15:00", "2024-06-15 08:09:10.999", "2024-03-10 02:30", "2024-11-03 01:30", "2024-07-01 12:00", "1900-07-01 12:00",
    ];

    private static readonly object[] s_numbers = [0L, 1L, -1L, 2451545L, 2460000.5, 1700000000L, 1.5e9, 5373484.5, 86399.999];

    private static readonly string[] s_modifiers =
    [
        "+1 day", "-1 day", "+1.5 days", "+36 hours", "-90 minutes", "+3600 seconds", "+1 month", "-1 month", "+13 months",
        "+1.5 months", "-13 months", "+1 year", "-2000 years", "+0.5 year", "1 day", "+1 Day", "+1 fortnights", "+1 dayss",
        "start of month", "start of year", "start of day", "start of week", "weekday 0", "weekday 3", "weekday 6", "weekday 7",
        "weekday 1.5", "unixepoch", "julianday", "auto", "-01:30", "+25:00", "+12:30:15.5", "-00:00:01", "utc", "localtime",
        "+10000000 days", "+0000 days", "nonsense", "", "+", "+5", "localtime", "utc",
    ];

    private static readonly string[] s_formats = ["%Y-%m-%d %H:%M:%S", "%j|%W|%w|%s", "%f|%J", "%%|%d", "%x", "trailing %"];

    private sealed record Case(string Sql, Func<string?> Forge);

    [Theory]
    [InlineData("UTC", 20261126, 3000)]
    [InlineData("America/New_York", 7, 1500)]
    [InlineData("Asia/Kolkata", 11, 500)]
    public void Every_function_answers_as_sqlite3_does(string zone, int seed, int count)
    {
        Assert.True(File.Exists(Sqlite3), $"{Sqlite3} is missing: ./test.sh installs Debian's sqlite3, which these tests compare against");
        var random = new Random(seed);
        var cases = new List<Case>();
        var utc = TimeZoneInfo.FindSystemTimeZoneById(zone);
        const long Now = 1_764_115_200_000; // unused: no case says 'now'
        for (var n = 0; n < count; n++)
        {
            var args = new List<DateArg>();
            var sqlArgs = new List<string>();
            if (random.Next(4) == 0)
            {
                var num = s_numbers[random.Next(s_numbers.Length)];
                args.Add(DateArg.Of(Convert.ToDouble(num, CultureInfo.InvariantCulture)));
                sqlArgs.Add(Convert.ToString(num, CultureInfo.InvariantCulture)!);
            }
            else
            {
                var v = s_values[random.Next(s_values.Length)];
                args.Add(DateArg.Of(v));
                sqlArgs.Add(Quote(v));
            }

            var modifiers = random.Next(4);
            for (var i = 0; i < modifiers; i++)
            {
                var m = s_modifiers[random.Next(s_modifiers.Length)];
                args.Add(DateArg.Of(m));
                sqlArgs.Add(Quote(m));
            }

            var a = args.ToArray();
            if (ZoneChangeOfInvalidMoment(a, utc))
            {
                continue;
            }

            var list = string.Join(", ", sqlArgs);
            switch (random.Next(6))
            {
                case 0:
                    cases.Add(new($"date({list})", () => DateTimeFunctions.Date(a, Now, utc)));
                    break;
                case 1:
                    cases.Add(new($"time({list})", () => DateTimeFunctions.Time(a, Now, utc)));
                    break;
                case 2:
                    cases.Add(new($"datetime({list})", () => DateTimeFunctions.DateTime(a, Now, utc)));
                    break;
                case 3:
                    cases.Add(new($"(SELECT CASE WHEN j IS NULL THEN NULL ELSE printf('%.6f', j) END FROM (SELECT julianday({list}) AS j))", () => DateTimeFunctions.JulianDay(a, Now, utc) is { } jd ? jd.ToString("F6", CultureInfo.InvariantCulture) : null));
                    break;
                case 4:
                    cases.Add(new($"unixepoch({list})", () => DateTimeFunctions.UnixEpoch(a, Now, utc)?.ToString(CultureInfo.InvariantCulture)));
                    break;
                default:
                    var f = s_formats[random.Next(s_formats.Length)];
                    cases.Add(new($"strftime({Quote(f)}, {list})", () => DateTimeFunctions.StrFTime(DateArg.Of(f), a, Now, utc)));
                    break;
            }
        }

        var expected = RunSqlite(cases.Select(c => c.Sql), zone);
        Assert.Equal(cases.Count, expected.Count);
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var got = cases[i].Forge() ?? "NULL";
            var want = expected[i];
            if (got != want)
            {
                failures.Add($"{cases[i].Sql}: sqlite3 {want}, forge {got}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} differ:\n" + string.Join('\n', failures.Distinct().Take(40)));
    }

    /// <summary>
    /// 'utc' or 'localtime' applied to a moment that is already outside 0000–9999 (a Julian day
    /// below 0): what comes out depends on the sqlite3 version's internals (3.40 converts the
    /// garbage date; later versions refuse it), so such sequences are not compared.
    /// </summary>
    private static bool ZoneChangeOfInvalidMoment(DateArg[] args, TimeZoneInfo zone)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].Text is "utc" or "localtime" && DateTimeFunctions.JulianDay(args.AsSpan(0, i), 0, zone) is null)
            {
                return true;
            }
        }

        return false;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static List<string> RunSqlite(IEnumerable<string> expressions, string zone)
    {
        var psi = new ProcessStartInfo(Sqlite3)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add("-nullvalue");
        psi.ArgumentList.Add("NULL");
        psi.ArgumentList.Add(":memory:");
        psi.Environment["TZ"] = zone;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        foreach (var e in expressions)
        {
            p.StandardInput.WriteLine($"SELECT {e};");
        }

        p.StandardInput.Close();
        Assert.True(p.WaitForExit(60_000), "sqlite3 did not finish");
        Assert.Equal(string.Empty, stderr.Result);
        return [.. stdout.Result.Split('\n')[..^1]];
    }
}
