using System.Diagnostics;
using System.Globalization;
using Forge.Sql.Execution;
using Microsoft.Data.Sqlite;

namespace Forge.Bench.Sql;

/// <summary>
/// The workloads of issue #5's benchmark, run against forge sql and against SQLite through
/// Microsoft.Data.Sqlite in the same process, on database files in the same temp directory,
/// interleaved round by round (the engine order alternates). Prints one Markdown table of median
/// seconds per workload and the ratio forge/sqlite (lower is better; the target is ≤ 2).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var rows = Arg(args, "--rows", 1_000_000);
        var lookups = Arg(args, "--lookups", 100_000);
        var joinRows = Arg(args, "--join-rows", 100_000);
        var rounds = Arg(args, "--rounds", 3);
        var repeat = Arg(args, "--repeat", 5);
        var only = ArgText(args, "--only");
        var dir = Directory.CreateTempSubdirectory("forge-sql-bench-").FullName;
        try
        {
            var engines = new List<IEngine>();
            if (only is null or "forge" or "both")
            {
                engines.Add(new ForgeEngine());
            }

            if (only is null or "sqlite" or "both")
            {
                engines.Add(new SqliteEngine());
            }

            var results = new Dictionary<(string Engine, string Workload), List<double>>();
            var order = new List<string>();
            for (var round = 0; round < rounds; round++)
            {
                var roundEngines = round % 2 == 0 ? engines : Enumerable.Reverse(engines).ToList();
                foreach (var engine in roundEngines)
                {
                    var path = Path.Combine(dir, $"{engine.Name}-{round}.db");
                    Console.Error.WriteLine($"round {round + 1}/{rounds}: {engine.Name}");
                    foreach (var (workload, seconds) in Workloads.Run(engine, path, rows, lookups, joinRows, repeat))
                    {
                        if (!order.Contains(workload))
                        {
                            order.Add(workload);
                        }

                        var key = (engine.Name, workload);
                        if (!results.TryGetValue(key, out var list))
                        {
                            results[key] = list = [];
                        }

                        list.Add(seconds);
                        Console.Error.WriteLine($"  {workload,-52} {seconds,8:F3} s");
                    }

                    File.Delete(path);
                }
            }

            var shell = only is null && File.Exists(ShellRunner.Path) ? ShellRunner.Run(dir, rows, joinRows) : [];
            Console.WriteLine($"rows={rows} lookups={lookups} join={joinRows}x{rows} rounds={rounds} repeat={repeat}; seconds, median of the rounds (the four read-only queries run {repeat} times a round, the first run in each round included); ratio = forge/sqlite (lower is better); sqlite3 shell: one run, `.timer on`, the same statements (inserts as one INSERT ... SELECT)");
            Console.WriteLine();
            Console.WriteLine("| workload | forge (s) | sqlite (s) | forge/sqlite | sqlite3 shell (s) |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var workload in order)
            {
                var f = Median(results, "forge", workload);
                var s = Median(results, "sqlite", workload);
                var ratio = f is { } a && s is { } b && b > 0 ? (a / b).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
                var sh = shell.TryGetValue(workload, out var t) ? Format(t) : "n/a";
                Console.WriteLine($"| {workload} | {Format(f)} | {Format(s)} | {ratio} | {sh} |");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double? Median(Dictionary<(string, string), List<double>> results, string engine, string workload)
    {
        if (!results.TryGetValue((engine, workload), out var list) || list.Count == 0 || list.Any(double.IsNaN))
        {
            return null;
        }

        var sorted = list.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Format(double? seconds) => seconds is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    private static int Arg(string[] args, string name, int fallback)
    {
        var text = ArgText(args, name);
        return text is null ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
    }

    private static string? ArgText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>What a workload needs from an engine: statements, prepared and run with parameters.</summary>
internal interface IEngine : IDisposable
{
    string Name { get; }

    void Open(string path);

    void Close();

    void Execute(string sql);

    IPrepared Prepare(string sql);

    /// <summary>Runs a query and returns the first column of its first row (forcing every row to be read).</summary>
    object? Scalar(string sql);
}

internal interface IPrepared : IDisposable
{
    /// <summary>Runs with the parameters; returns the number of rows the statement produced.</summary>
    int Run(params object?[] parameters);
}

/// <summary>The statement workloads through Debian's sqlite3 shell, timed by its own `.timer on`.</summary>
internal static class ShellRunner
{
    public const string Path = "/usr/bin/sqlite3";

    public static Dictionary<string, double> Run(string dir, int rows, int joinRows)
    {
        var file = System.IO.Path.Combine(dir, "shell.db");
        var n = rows.ToString(CultureInfo.InvariantCulture);
        var j = joinRows.ToString(CultureInfo.InvariantCulture);
        var steps = new (string Workload, string Sql)[]
        {
            ($"insert {rows:N0} rows, one transaction, prepared", $"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) INSERT INTO t SELECT i, 'name-' || ((i * 7919) % 1000003) || '-' || i, (i % 1000) * 0.5 FROM s;"),
            ("full-scan SUM", "SELECT sum(score) FROM t;"),
            ("GROUP BY over all rows (1000 groups)", "SELECT id % 1000 AS g, count(*), sum(score) FROM t GROUP BY g;"),
            ("CREATE INDEX on all rows (text)", "CREATE INDEX t_name ON t(name);"),
            ($"indexed join {joinRows:N0} x {rows:N0}", "SELECT count(*) FROM u JOIN t ON t.id = u.tid WHERE t.score >= 0;"),
            ("ORDER BY non-indexed column LIMIT 10", "SELECT id, name FROM t ORDER BY score DESC, id LIMIT 10;"),
        };
        var script = new System.Text.StringBuilder();
        script.AppendLine("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL);");
        script.AppendLine("CREATE TABLE u(id INTEGER PRIMARY KEY, tid INTEGER, note TEXT);");
        script.AppendLine($"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {j}) INSERT INTO u SELECT i, abs(random()) % {n} + 1, 'n' || i FROM s;");
        script.AppendLine(".output /dev/null");
        script.AppendLine(".timer on");
        foreach (var (_, sql) in steps)
        {
            script.AppendLine(sql);
        }

        var psi = new ProcessStartInfo(Path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-batch");
        psi.ArgumentList.Add(file);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script.ToString());
        process.StandardInput.Close();
        process.WaitForExit();
        var times = new List<double>();
        foreach (var line in (stdout.Result + stderr.Result).Split('\n'))
        {
            // "Run Time: real 0.123 user 0.100000 sys 0.020000"
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 4 && parts[0] == "Run" && parts[2] == "real")
            {
                times.Add(double.Parse(parts[3], CultureInfo.InvariantCulture));
            }
        }

        File.Delete(file);
        var result = new Dictionary<string, double>();
        for (var i = 0; i < steps.Length && i < times.Count; i++)
        {
            result[steps[i].Workload] = times[i];
        }

        return result;
    }
}

internal static class Workloads
{
    /// <summary>
    /// The workloads in order. The read-only queries (SUM, GROUP BY, the join, ORDER BY LIMIT) take
    /// 0.05–0.5 s, short enough that one timing is mostly this machine's noise (hypervisor steal,
    /// a neighbour's cache traffic): each runs <paramref name="repeat"/> times and every timing is
    /// reported, so the median is over rounds × repeat. The first run of each round is the cold one
    /// (for forge it includes compiling the query's code paths); it stays in the sample.
    /// </summary>
    public static IEnumerable<(string, double)> Run(IEngine engine, string path, int rows, int lookups, int joinRows, int repeat)
    {
        var random = new Random(42);
        engine.Open(path);
        try
        {
            engine.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL)");
            engine.Execute("CREATE TABLE u(id INTEGER PRIMARY KEY, tid INTEGER, note TEXT)");

            yield return ($"insert {rows:N0} rows, one transaction, prepared", Time(() =>
            {
                engine.Execute("BEGIN");
                using var insert = engine.Prepare("INSERT INTO t(id, name, score) VALUES (?1, ?2, ?3)");
                for (var i = 1; i <= rows; i++)
                {
                    insert.Run(i, NameOf(i), (i % 1000) * 0.5);
                }

                engine.Execute("COMMIT");
            }));

            yield return ($"{lookups:N0} point lookups by rowid", Time(() =>
            {
                using var lookup = engine.Prepare("SELECT name, score FROM t WHERE id = ?1");
                var found = 0;
                for (var i = 0; i < lookups; i++)
                {
                    found += lookup.Run(random.Next(1, rows + 1));
                }

                Check(found == lookups, "rowid lookups found " + found);
            }));

            for (var k = 0; k < repeat; k++)
            {
                yield return ("full-scan SUM", Time(() => Check(engine.Scalar("SELECT sum(score) FROM t") is not null, "SUM gave NULL")));
            }

            for (var k = 0; k < repeat; k++)
            {
                yield return ("GROUP BY over all rows (1000 groups)", Time(() => engine.Scalar("SELECT id % 1000 AS g, count(*), sum(score) FROM t GROUP BY g")));
            }

            yield return ("CREATE INDEX on all rows (text)", Time(() => engine.Execute("CREATE INDEX t_name ON t(name)")));

            yield return ($"{lookups:N0} point lookups by secondary index", Time(() =>
            {
                using var lookup = engine.Prepare("SELECT id FROM t WHERE name = ?1");
                var found = 0;
                for (var i = 0; i < lookups; i++)
                {
                    found += lookup.Run(NameOf(random.Next(1, rows + 1)));
                }

                Check(found == lookups, "index lookups found " + found);
            }));

            engine.Execute("BEGIN");
            using (var insert = engine.Prepare("INSERT INTO u(id, tid, note) VALUES (?1, ?2, ?3)"))
            {
                for (var i = 1; i <= joinRows; i++)
                {
                    insert.Run(i, random.Next(1, rows + 1), "n" + i.ToString(CultureInfo.InvariantCulture));
                }
            }

            engine.Execute("COMMIT");
            for (var k = 0; k < repeat; k++)
            {
                yield return ($"indexed join {joinRows:N0} x {rows:N0}", Time(() => Check(engine.Scalar("SELECT count(*) FROM u JOIN t ON t.id = u.tid WHERE t.score >= 0") is not null, "join gave nothing")));
            }

            for (var k = 0; k < repeat; k++)
            {
                yield return ("ORDER BY non-indexed column LIMIT 10", Time(() => engine.Scalar("SELECT id, name FROM t ORDER BY score DESC, id LIMIT 10")));
            }
        }
        finally
        {
            engine.Close();
        }
    }

    private static string NameOf(int i) => "name-" + ((i * 7919L) % 1_000_003).ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds the action took; NaN (printed n/a) when it failed, with the error on stderr.</summary>
    private static double Time(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"  failed: {e.GetType().Name}: {e.Message}");
            return double.NaN;
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("benchmark check failed: " + what);
        }
    }
}

internal sealed class ForgeEngine : IEngine
{
    private Database? _db;

    public string Name => "forge";

    public void Open(string path) => _db = Database.Open(path);

    public void Dispose() => Close();

    public void Close()
    {
        _db?.Dispose();
        _db = null;
    }

    public void Execute(string sql) => _db!.Execute(sql);

    public IPrepared Prepare(string sql) => new Prepared(_db!.Prepare(sql));

    public object? Scalar(string sql)
    {
        var result = _db!.ExecuteOne(sql);
        return result.Rows.Count == 0 ? null : result.Rows[0].GetText(0);
    }

    private sealed class Prepared(PreparedStatement statement) : IPrepared
    {
        public int Run(params object?[] parameters) => statement.Execute(parameters).Rows.Count;

        public void Dispose()
        {
        }
    }
}

internal sealed class SqliteEngine : IEngine
{
    private SqliteConnection? _connection;

    public string Name => "sqlite";

    public void Open(string path)
    {
        // Default pooling would keep the file open after Close; the bench deletes it.
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
    }

    public void Dispose() => Close();

    public void Close()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public void Execute(string sql)
    {
        using var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public IPrepared Prepare(string sql)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        var count = sql.Count(c => c == '?');
        for (var i = 1; i <= count; i++)
        {
            command.Parameters.Add(new SqliteParameter("?" + i.ToString(CultureInfo.InvariantCulture), null));
        }

        command.Prepare();
        return new Prepared(command);
    }

    public object? Scalar(string sql)
    {
        using var command = _connection!.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        object? first = null;
        var any = false;
        while (reader.Read())
        {
            if (!any)
            {
                first = reader.GetValue(0);
                any = true;
            }
        }

        return first;
    }

    private sealed class Prepared(SqliteCommand command) : IPrepared
    {
        public int Run(params object?[] parameters)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                command.Parameters[i].Value = parameters[i] ?? DBNull.Value;
            }

            using var reader = command.ExecuteReader();
            var n = 0;
            while (reader.Read())
            {
                n++;
            }

            return n;
        }

        public void Dispose() => command.Dispose();
    }
}
