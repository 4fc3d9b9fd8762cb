using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;
using Forge.Sql.Shell;

namespace Forge.Sql.Slt;

/// <summary>One record of a sqllogictest file.</summary>
internal sealed record SltRecord(int Line, string Kind, string[] Tokens, string Sql, List<string> Expected, bool HasResultSection, bool Skip);

/// <summary>What an engine did with one record: an error message, or (for a query) its rows.</summary>
internal readonly record struct SltOutcome(string? Error, List<SqlValue[]>? Rows)
{
    /// <summary>A runtime error of a query whose rows so far are <see cref="Rows"/>: a failure for a statement.</summary>
    public string? RuntimeError { get; init; }
}

/// <summary>A database that runs records: forge's engine, or the real sqlite3 for comparison.</summary>
internal interface ISltEngine : IDisposable
{
    /// <summary>Runs the records (in order) and returns each one's outcome; null for a record not run.</summary>
    IEnumerable<SltOutcome?> Run(IReadOnlyList<SltRecord> records);
}

/// <summary>One file's counts and its failures.</summary>
internal sealed class SltFileResult(string file)
{
    public string File { get; } = file;

    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Skipped { get; set; }

    public List<string> Failures { get; } = [];

    public TimeSpan Elapsed { get; set; }

    public bool Halted { get; set; }
}

/// <summary>
/// A sqllogictest runner with the reference runner's rules (sqllogictest.c / slt_sqlite.c): records
/// separated by blank lines, "#" comment lines, <c>statement ok|error</c>, <c>query TYPES SORT
/// [LABEL]</c> with nosort/rowsort/valuesort, <c>hash-threshold N</c> (default 8), <c>skipif/onlyif
/// ENGINE</c> (this engine is "sqlite"), <c>halt</c>; values rendered per type (I: 32-bit integer,
/// R: "%.3f", T: text with "(empty)" and non-printing bytes as '@', NULL as "NULL"), compared line
/// by line, or as "N values hashing to MD5" above the threshold.
/// </summary>
internal static class SltRunner
{
    public const string EngineName = "sqlite";

    public static int RunCommandLine(IReadOnlyList<string> args, ShellOutput stdout, TextWriter stderr)
    {
        var files = new List<string>();
        var useSqlite3 = false;
        var verbose = false;
        var timeout = TimeSpan.FromSeconds(10);
        var showFailures = 5;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--slt" or "-slt":
                    break;
                case "--slt-sqlite3":
                    useSqlite3 = true;
                    break;
                case "--slt-verbose":
                    verbose = true;
                    showFailures = int.MaxValue;
                    break;
                case "--slt-timeout" when i + 1 < args.Count:
                    timeout = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                default:
                    files.Add(args[i]);
                    break;
            }
        }

        if (files.Count == 0)
        {
            stderr.Write("Usage: forge sql --slt [--slt-sqlite3] [--slt-verbose] [--slt-timeout SECONDS] FILE...\n");
            return 1;
        }

        var total = new SltFileResult("total");
        var totalTime = Stopwatch.StartNew();
        foreach (var file in files)
        {
            SltFileResult r;
            try
            {
                r = RunFile(file, useSqlite3, timeout);
            }
            catch (IOException ex)
            {
                stderr.Write($"{file}: {ex.Message}\n");
                total.Failed++;
                continue;
            }

            stdout.Write(string.Create(CultureInfo.InvariantCulture,
                $"{file}: {r.Passed} passed, {r.Failed} failed, {r.Skipped} skipped{(r.Halted ? " (halted)" : "")} in {r.Elapsed.TotalSeconds:F2} s\n"));
            foreach (var f in r.Failures.Take(showFailures))
            {
                stdout.Write("  " + f + "\n");
            }

            if (r.Failures.Count > showFailures)
            {
                stdout.Write($"  ... and {r.Failures.Count - showFailures} more\n");
            }

            stdout.Flush();
            total.Passed += r.Passed;
            total.Failed += r.Failed;
            total.Skipped += r.Skipped;
        }

        _ = verbose;
        stdout.Write(string.Create(CultureInfo.InvariantCulture,
            $"total: {total.Passed} passed, {total.Failed} failed, {total.Skipped} skipped in {totalTime.Elapsed.TotalSeconds:F2} s ({(useSqlite3 ? "sqlite3" : "forge")})\n"));
        return total.Failed > 0 ? 1 : 0;
    }

    public static SltFileResult RunFile(string file, bool useSqlite3, TimeSpan timeout)
    {
        var text = File.ReadAllText(file);
        using ISltEngine engine = useSqlite3 ? new Sqlite3Engine() : new ForgeEngine(timeout);
        return Run(Path.GetFileName(file), text, engine);
    }

    /// <summary>Parses and runs a script's text; <paramref name="name"/> labels the failures.</summary>
    public static SltFileResult Run(string name, string text, ISltEngine engine)
    {
        var clock = Stopwatch.StartNew();
        var result = new SltFileResult(name);
        var records = Parse(text, out var halted, out var parseErrors);
        result.Halted = halted;
        foreach (var e in parseErrors)
        {
            result.Failed++;
            result.Failures.Add($"{name}:{e}");
        }

        var hashThreshold = 8;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        using var outcomes = engine.Run(records).GetEnumerator();
        foreach (var record in records)
        {
            var outcome = outcomes.MoveNext() ? outcomes.Current : null;
            if (record.Kind == "hash-threshold")
            {
                hashThreshold = int.Parse(record.Tokens[1], CultureInfo.InvariantCulture);
                continue;
            }

            if (record.Skip)
            {
                result.Skipped++;
                continue;
            }

            string? failure = null;
            if (outcome is not { } o)
            {
                failure = "not run (an earlier record timed out)";
            }
            else if (record.Kind == "statement")
            {
                var expectOk = record.Tokens[1] == "ok";
                var error = o.Error ?? o.RuntimeError;
                if (expectOk && error is not null)
                {
                    failure = "statement error: " + error;
                }
                else if (!expectOk && error is null)
                {
                    failure = "statement succeeded, expected an error";
                }
            }
            else
            {
                failure = CheckQuery(record, o, hashThreshold, labels);
            }

            if (failure is null)
            {
                result.Passed++;
            }
            else
            {
                result.Failed++;
                result.Failures.Add($"{name}:{record.Line}: {failure}");
            }
        }

        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static string? CheckQuery(SltRecord record, SltOutcome o, int hashThreshold, Dictionary<string, string> labels)
    {
        var types = record.Tokens[1];
        if (o.Error is not null)
        {
            return "query failed: " + o.Error;
        }

        var rows = o.Rows!;
        if (rows.Count > 0 && rows[0].Length != types.Length)
        {
            return $"wrong number of result columns: expected {types.Length} but got {rows[0].Length}";
        }

        var values = new List<string>(rows.Count * types.Length);
        foreach (var row in rows)
        {
            for (var i = 0; i < types.Length; i++)
            {
                values.Add(Render(row[i], types[i]));
            }
        }

        var sort = record.Tokens.Length > 2 ? record.Tokens[2] : "";
        if (sort == "rowsort")
        {
            var n = types.Length;
            var grouped = new List<string[]>();
            for (var i = 0; i + n <= values.Count; i += n)
            {
                grouped.Add([.. values.GetRange(i, n)]);
            }

            grouped.Sort((a, b) =>
            {
                for (var i = 0; i < n; i++)
                {
                    var c = string.CompareOrdinal(a[i], b[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return 0;
            });
            values = [.. grouped.SelectMany(g => g)];
        }
        else if (sort == "valuesort")
        {
            values.Sort(string.CompareOrdinal);
        }
        else if (sort is not ("" or "nosort"))
        {
            return $"unknown sort method: '{sort}'";
        }

        var label = record.Tokens.Length > 3 ? record.Tokens[3] : "";
        string? hashLine = null;
        if (label.Length > 0 || (hashThreshold > 0 && values.Count > hashThreshold))
        {
            var md5 = Md5(values);
            hashLine = $"{values.Count} values hashing to {md5}";
            if (label.Length > 0)
            {
                if (labels.TryGetValue(label, out var previous))
                {
                    if (previous != md5)
                    {
                        return $"labeled result [{label}] does not agree with previous values";
                    }
                }
                else
                {
                    labels[label] = md5;
                }
            }
        }

        if (!record.HasResultSection)
        {
            return null;
        }

        var expected = record.Expected;
        if (hashThreshold == 0 || values.Count <= hashThreshold)
        {
            for (var i = 0; i < values.Count && i < expected.Count; i++)
            {
                if (expected[i] != values[i])
                {
                    return $"wrong result - expected [{expected[i]}] got [{values[i]}]";
                }
            }

            if (values.Count > expected.Count)
            {
                return $"too many result values - expected {expected.Count} got {values.Count}";
            }

            if (values.Count < expected.Count)
            {
                return $"too few result values - expected {expected.Count} got {values.Count}";
            }

            return null;
        }

        return expected.Count == 1 && expected[0] == hashLine ? null : $"wrong result hash: expected [{string.Join(" ", expected.Take(3))}] got [{hashLine}]";
    }

    /// <summary>A value as the reference's sqlite driver renders it for the column's type letter.</summary>
    internal static string Render(in SqlValue v, char type)
    {
        if (v.IsNull)
        {
            return "NULL";
        }

        switch (type)
        {
            case 'I':
                return ((int)SqlConvert.ToInteger(v)).ToString(CultureInfo.InvariantCulture);
            case 'R':
                {
                    var r = SqlConvert.ToReal(v);
                    if (double.IsInfinity(r))
                    {
                        return r > 0 ? "Inf" : "-Inf";
                    }

                    return SqlitePrintf.Fixed(r, 3);
                }

            default:
                {
                    var bytes = v.Type is SqlType.Text or SqlType.Blob ? v.Bytes.ToArray() : Encoding.UTF8.GetBytes(SqlConvert.ToText(v));
                    var len = Array.IndexOf(bytes, (byte)0);
                    if (len < 0)
                    {
                        len = bytes.Length;
                    }

                    if (len == 0)
                    {
                        return "(empty)";
                    }

                    var chars = new char[len];
                    for (var i = 0; i < len; i++)
                    {
                        chars[i] = bytes[i] is < (byte)' ' or > (byte)'~' ? '@' : (char)bytes[i];
                    }

                    return new string(chars);
                }
        }
    }

    internal static string Md5(IEnumerable<string> values)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var v in values)
        {
            md5.AppendData(Encoding.UTF8.GetBytes(v));
            md5.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>Splits a script into records (the reference's nextLine/findStartOfNextRecord rules).</summary>
    public static List<SltRecord> Parse(string text, out bool halted, out List<string> errors)
    {
        var raw = text.Split('\n');
        var lines = new string[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            var l = raw[i].EndsWith('\r') ? raw[i][..^1] : raw[i];
            lines[i] = l.Trim().Length == 0 ? "" : l;
        }

        // Without a trailing newline the last piece is still a line; with one, the empty tail is not.
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var records = new List<SltRecord>();
        errors = [];
        halted = false;
        var pos = 0;

        // The next non-comment line at or after pos (comments are invisible), or null at the end.
        int NextLine(int from)
        {
            while (from < count && lines[from].StartsWith('#'))
            {
                from++;
            }

            return from;
        }

        while (true)
        {
            pos = NextLine(pos);
            while (pos < count && lines[pos].Length == 0)
            {
                pos = NextLine(pos + 1);
            }

            if (pos >= count)
            {
                break;
            }

            var startLine = pos + 1;
            var tokens = Tokens(lines[pos]);
            var skip = false;
            while (tokens.Length > 0 && tokens[0] is "skipif" or "onlyif")
            {
                var match = tokens.Length > 1 && tokens[1].Equals(EngineName, StringComparison.OrdinalIgnoreCase);
                if (tokens[0] == "skipif" ? match : !match)
                {
                    skip = true;
                }

                pos = NextLine(pos + 1);
                tokens = pos < count ? Tokens(lines[pos]) : [];
            }

            var kind = tokens.Length > 0 ? tokens[0] : "";
            pos = NextLine(pos + 1);
            switch (kind)
            {
                case "statement":
                    {
                        var sql = new List<string>();
                        while (pos < count && lines[pos].Length > 0)
                        {
                            sql.Add(lines[pos]);
                            pos = NextLine(pos + 1);
                        }

                        records.Add(new SltRecord(startLine, kind, tokens, string.Join('\n', sql), [], false, skip));
                        break;
                    }

                case "query":
                    {
                        var sql = new List<string>();
                        while (pos < count && lines[pos].Length > 0 && lines[pos] != "----")
                        {
                            sql.Add(lines[pos]);
                            pos = NextLine(pos + 1);
                        }

                        var expected = new List<string>();
                        var hasResults = pos < count && lines[pos] == "----";
                        if (hasResults)
                        {
                            pos = NextLine(pos + 1);
                            while (pos < count && lines[pos].Length > 0)
                            {
                                expected.Add(lines[pos]);
                                pos = NextLine(pos + 1);
                            }
                        }

                        if (tokens.Length < 2 || tokens[1].Length == 0 || tokens[1].Any(c => c is not ('T' or 'I' or 'R')))
                        {
                            errors.Add($"{startLine}: bad type string in '{string.Join(' ', tokens)}'");
                            break;
                        }

                        records.Add(new SltRecord(startLine, kind, tokens, string.Join('\n', sql), expected, hasResults, skip));
                        break;
                    }

                case "hash-threshold":
                    if (!skip)
                    {
                        records.Add(new SltRecord(startLine, kind, tokens, "", [], false, false));
                    }

                    break;
                case "halt":
                    if (!skip)
                    {
                        halted = true;
                        return records;
                    }

                    break;
                default:
                    errors.Add($"{startLine}: unknown record type: '{kind}'");
                    return records;
            }

            // The rest of the record (anything before the next blank line) is ignored.
            while (pos < count && lines[pos].Length > 0)
            {
                pos = NextLine(pos + 1);
            }
        }

        return records;
    }

    private static string[] Tokens(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Forge's engine, each record on a worker thread with a time bound. A record that overruns fails;
    /// its thread is left behind (the engine has no cancellation) and the file goes on in a fresh
    /// database rebuilt from the statements run so far. After <see cref="MaxAbandoned"/> such records
    /// in a run, a timeout ends its file instead, so that left-behind threads cannot take every core.
    /// </summary>
    private sealed class ForgeEngine(TimeSpan timeout) : ISltEngine
    {
        private const int MaxAbandoned = 2;
        private static int s_abandoned;
        private readonly List<string> _statements = [];
        private Database _db = Database.Open(null);
        private bool _stopped;

        public IEnumerable<SltOutcome?> Run(IReadOnlyList<SltRecord> records)
        {
            foreach (var record in records)
            {
                if (record.Skip || record.Kind == "hash-threshold" || _stopped)
                {
                    yield return null;
                    continue;
                }

                SltOutcome? outcome = null;
                var db = _db;
                var worker = new Thread(() => outcome = Execute(db, record), 16 * 1024 * 1024) { IsBackground = true };
                worker.Start();
                if (record.Kind == "statement")
                {
                    _statements.Add(record.Sql);
                }

                if (!worker.Join(timeout))
                {
                    if (record.Kind == "statement")
                    {
                        _statements.RemoveAt(_statements.Count - 1); // never finished: as if not run
                    }

                    if (Interlocked.Increment(ref s_abandoned) > MaxAbandoned)
                    {
                        _stopped = true;
                        yield return new SltOutcome($"timed out after {timeout.TotalSeconds} s (the rest of the file is not run)", null);
                        continue;
                    }

                    _db = Database.Open(null);
                    foreach (var sql in _statements)
                    {
                        try
                        {
                            _db.Execute(sql);
                        }
                        catch (Exception ex) when (ex is SqlRuntimeException or Planning.SqlPrepareException or SqlParseException)
                        {
                        }
                    }

                    yield return new SltOutcome($"timed out after {timeout.TotalSeconds} s", null);
                    continue;
                }

                yield return outcome;
            }
        }

        private static SltOutcome Execute(Database db, SltRecord record)
        {
            try
            {
                if (record.Kind == "statement")
                {
                    db.Execute(record.Sql);
                    return new SltOutcome(null, null);
                }

                var parsed = SqlParser.Parse(record.Sql);
                if (parsed.Error is not null)
                {
                    return new SltOutcome(parsed.Error.Message, null);
                }

                if (parsed.Statement is null)
                {
                    return new SltOutcome(null, []);
                }

                try
                {
                    var result = db.Run(parsed.Statement, record.Sql);
                    return new SltOutcome(null, [.. result.Rows.Select(r => r.Values)]);
                }
                catch (SqlRuntimeException)
                {
                    // The reference driver stops stepping at a runtime error and keeps the rows so far
                    // (forge's result is all or nothing: none).
                    return new SltOutcome(null, []);
                }
            }
            catch (Exception ex)
            {
                return new SltOutcome(ex is SqlRuntimeException or Planning.SqlPrepareException or SqlParseException ? ex.Message : ex.GetType().Name + ": " + ex.Message, null);
            }
        }

        public void Dispose()
        {
            if (!_stopped)
            {
                _db.Dispose();
            }
        }
    }

    /// <summary>
    /// The real sqlite3 shell runs the whole file in one process (a temporary database, quote mode,
    /// a marker line after each record, stderr merged into stdout), so the runner can tell which
    /// records sqlite3 itself passes.
    /// </summary>
    private sealed class Sqlite3Engine : ISltEngine
    {
        private const string Marker = "#@slt-end@#";
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("forge-slt-");

        public IEnumerable<SltOutcome?> Run(IReadOnlyList<SltRecord> records)
        {
            var script = new StringBuilder();
            script.Append(".bail off\n.headers off\n.mode quote\n");
            foreach (var r in records)
            {
                if (!r.Skip && r.Kind != "hash-threshold")
                {
                    script.Append(r.Sql).Append("\n;\n");
                }

                script.Append(".print '").Append(Marker).Append("'\n");
            }

            var psi = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec /usr/bin/sqlite3 -batch \"$0\" 2>&1");
            psi.ArgumentList.Add(Path.Combine(_dir.FullName, "slt.db"));
            using var p = Process.Start(psi)!;
            var writer = Task.Run(() =>
            {
                p.StandardInput.Write(script.ToString());
                p.StandardInput.Close();
            });
            var output = p.StandardOutput.ReadToEnd();
            writer.Wait();
            p.WaitForExit();
            var chunks = output.Split(Marker + "\n");
            for (var i = 0; i < records.Count; i++)
            {
                var r = records[i];
                if (r.Skip || r.Kind == "hash-threshold" || i >= chunks.Length)
                {
                    yield return null;
                    continue;
                }

                yield return Outcome(chunks[i]);
            }
        }

        private static SltOutcome Outcome(string chunk)
        {
            var lines = chunk.Split('\n').ToList();
            foreach (var line in lines)
            {
                if ((line.StartsWith("Parse error near line ", StringComparison.Ordinal) || line.StartsWith("Error: near line ", StringComparison.Ordinal)) && line.Contains(": ", StringComparison.Ordinal))
                {
                    return new SltOutcome(line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..], null);
                }
            }

            // A runtime error: a statement failed; a query keeps the rows before it (as the reference driver).
            var runtime = lines.FindIndex(l => l.StartsWith("Runtime error near line ", StringComparison.Ordinal));
            if (runtime >= 0)
            {
                var message = lines[runtime][(lines[runtime].IndexOf(": ", StringComparison.Ordinal) + 2)..];
                lines.RemoveAt(runtime);
                return new SltOutcome(null, ParseQuoted(string.Join('\n', lines))) { RuntimeError = message };
            }

            return new SltOutcome(null, ParseQuoted(chunk));
        }

        /// <summary>Rows printed in quote mode: NULL, integers, reals, 'text' and X'blob' separated by ',' and '\n'.</summary>
        private static List<SqlValue[]> ParseQuoted(string s)
        {
            var rows = new List<SqlValue[]>();
            var row = new List<SqlValue>();
            var i = 0;
            while (i < s.Length)
            {
                var c = s[i];
                if (c == '\n')
                {
                    if (row.Count > 0)
                    {
                        rows.Add([.. row]);
                        row.Clear();
                    }

                    i++;
                }
                else if (c == ',')
                {
                    i++;
                }
                else if (c == '\'')
                {
                    var sb = new StringBuilder();
                    i++;
                    while (i < s.Length)
                    {
                        if (s[i] == '\'')
                        {
                            if (i + 1 < s.Length && s[i + 1] == '\'')
                            {
                                sb.Append('\'');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        sb.Append(s[i++]);
                    }

                    row.Add(SqlValue.FromText(sb.ToString()));
                }
                else if ((c == 'X' || c == 'x') && i + 1 < s.Length && s[i + 1] == '\'')
                {
                    var end = s.IndexOf('\'', i + 2);
                    row.Add(SqlValue.FromBlob(Convert.FromHexString(s.AsSpan(i + 2, end - i - 2))));
                    i = end + 1;
                }
                else
                {
                    var end = i;
                    while (end < s.Length && s[end] is not (',' or '\n'))
                    {
                        end++;
                    }

                    var token = s[i..end];
                    i = end;
                    if (token == "NULL")
                    {
                        row.Add(SqlValue.Null);
                    }
                    else if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    {
                        row.Add(SqlValue.FromInteger(l));
                    }
                    else
                    {
                        row.Add(SqlValue.FromReal(double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture)));
                    }
                }
            }

            if (row.Count > 0)
            {
                rows.Add([.. row]);
            }

            return rows;
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
