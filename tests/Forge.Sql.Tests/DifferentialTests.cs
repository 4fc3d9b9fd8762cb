using System.Text;
using Forge.Sql.Parsing;
using Forge.Sql.Tests.Support;

namespace Forge.Sql.Tests;

/// <summary>The parser against the real sqlite3 (Debian 3.40.1): same accepted statements, same error messages.</summary>
public class DifferentialTests
{
    [Fact]
    public void Valid_corpus_is_accepted_by_sqlite3_and_by_the_parser()
    {
        var lines = Corpus.Lines("valid.sql");
        Assert.True(lines.Length >= 150, $"corpus has {lines.Length} statements");
        var failures = new List<string>();
        if (Support.Sqlite3.Available)
        {
            // One sqlite3 run prepares them all (EXPLAIN, so nothing executes): statement k sits on
            // its own line, its ';' on the next, so an error's line number names the statement.
            var schema = Corpus.Schema;
            var schemaLines = schema.Count(c => c == '\n');
            var script = new StringBuilder(schema);
            foreach (var line in lines)
            {
                script.Append(line.StartsWith("EXPLAIN", StringComparison.OrdinalIgnoreCase) ? string.Empty : "EXPLAIN ")
                    .Append(line).Append("\n;\n");
            }

            foreach (var (lineNumber, message) in Support.Sqlite3.ParseErrors(script.ToString()))
            {
                var index = (lineNumber - schemaLines - 1) / 2;
                failures.Add($"sqlite3 rejects {(index >= 0 && index < lines.Length ? lines[index] : "?")}: {message}");
            }
        }

        foreach (var line in lines)
        {
            try
            {
                var statements = SqlParser.ParseScript(line);
                Assert.NotEmpty(statements);
                foreach (var s in statements)
                {
                    ParserTests.AssertRoundTrip(s);
                }
            }
            catch (Exception e)
            {
                failures.Add($"{line}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Invalid_corpus_gives_sqlite3s_messages()
    {
        Assert.True(Support.Sqlite3.Available, "this test needs /usr/bin/sqlite3 (apt-get install sqlite3)");
        var lines = Corpus.Lines("invalid.sql");
        Assert.True(lines.Length >= 150, $"corpus has {lines.Length} statements");
        Assert.Null(Support.Sqlite3.FirstParseError(Corpus.Schema));
        var failures = new List<string>();
        foreach (var line in lines)
        {
            var expected = Support.Sqlite3.FirstParseError(Corpus.Schema + line + "\n");
            var actual = FirstError(line);
            if (expected != actual)
            {
                failures.Add($"{line}\n    sqlite3: {expected}\n    forge:   {actual}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {lines.Length} differ:\n" + string.Join("\n", failures));
    }

    private static string? FirstError(string script)
    {
        var offset = 0;
        while (offset < script.Length)
        {
            var result = SqlParser.Parse(script, offset);
            if (result.Error is not null)
            {
                return result.Error.Message;
            }

            offset = result.Tail;
        }

        return null;
    }
}
