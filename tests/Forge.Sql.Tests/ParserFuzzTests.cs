using System.Diagnostics;
using System.Text;
using Forge.Sql.Parsing;
using Forge.Sql.Tests.Support;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Tests;

/// <summary>Random token soup and mutated valid statements: the parser returns a tree or an error, never throws, never hangs.</summary>
public class ParserFuzzTests
{
    private static readonly string[] s_fragments =
    [
        "SELECT", "FROM", "WHERE", "(", ")", ",", ";", "a", "t.b", "*", "+", "-", "NOT", "AND", "OR", "IN", "BETWEEN",
        "LIKE", "ESCAPE", "IS", "NULL", "DISTINCT", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "INT", "1",
        "2.5", "'s'", "x'00'", "?", ":p", "JOIN", "LEFT", "ON", "USING", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET",
        "UNION", "ALL", "VALUES", "WITH", "RECURSIVE", "INSERT", "INTO", "UPDATE", "SET", "DELETE", "CREATE", "TABLE",
        "INDEX", "VIEW", "DROP", "ALTER", "PRIMARY", "KEY", "DEFAULT", "CHECK", "COLLATE", "EXISTS", "||", "->", "=",
        "<", ">=", "!=", "~", "key", "\"q\"", "[b]", "/*c*/", "--c\n", "'", "X'1'", "0x", "RAISE", "FILTER", "OVER",
        "CONFLICT", "DO", "NOTHING", "RETURNING", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK", "TO", "SAVEPOINT",
    ];

    private static void ParseMustNotThrow(string sql)
    {
        ParseResult result;
        try
        {
            result = SqlParser.Parse(sql);
        }
        catch (Exception e)
        {
            Assert.Fail($"Parse threw {e.GetType().Name}: {e.Message}\nfor: {sql}");
            return;
        }

        if (result.Statement is not null)
        {
            // Whatever parses must also render and re-parse to the same tree.
            var text = result.Statement.ToSql();
            var again = SqlParser.Parse(text);
            Assert.True(again.Error is null, $"re-parse failed: {again.Error?.Message}\n{sql}\n{text}");
            Assert.Equal(result.Statement, again.Statement);
        }

        _ = StatementCompleteness.IsComplete(sql);
    }

    [Fact]
    public void Random_token_soup()
    {
        var random = new Random(12345);
        var clock = Stopwatch.StartNew();
        var sb = new StringBuilder();
        for (var n = 0; n < 20000 && clock.Elapsed < TimeSpan.FromSeconds(3); n++)
        {
            sb.Clear();
            var count = random.Next(1, 30);
            for (var i = 0; i < count; i++)
            {
                sb.Append(s_fragments[random.Next(s_fragments.Length)]).Append(' ');
            }

            ParseMustNotThrow(sb.ToString());
        }
    }

    [Fact]
    public void Mutated_valid_statements()
    {
        var corpus = Corpus.Lines("valid.sql");
        var random = new Random(67890);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < 50000 && clock.Elapsed < TimeSpan.FromSeconds(3); n++)
        {
            var sql = corpus[random.Next(corpus.Length)];
            var mutated = random.Next(5) switch
            {
                0 => sql[..random.Next(sql.Length + 1)],
                1 => sql.Remove(random.Next(sql.Length), 1),
                2 => sql.Insert(random.Next(sql.Length + 1), s_fragments[random.Next(s_fragments.Length)]),
                3 => sql.Insert(random.Next(sql.Length + 1), ((char)random.Next(32, 127)).ToString()),
                _ => Swap(sql, random),
            };
            ParseMustNotThrow(mutated);
        }
    }

    [Fact]
    public void Every_prefix_of_every_valid_statement()
    {
        foreach (var sql in Corpus.Lines("valid.sql"))
        {
            for (var i = 0; i <= sql.Length; i++)
            {
                var result = SqlParser.Parse(sql[..i]);
                Assert.True(result.Statement is not null || result.Error is not null || sql[..i].Trim().Length == 0 || sql[..i].TrimStart().StartsWith("--", StringComparison.Ordinal) || sql[..i].TrimStart().StartsWith("/*", StringComparison.Ordinal),
                    $"no statement and no error for prefix {sql[..i]}");
            }
        }
    }

    private static string Swap(string sql, Random random)
    {
        var words = sql.Split(' ');
        if (words.Length < 2)
        {
            return sql;
        }

        var i = random.Next(words.Length);
        var j = random.Next(words.Length);
        (words[i], words[j]) = (words[j], words[i]);
        return string.Join(' ', words);
    }
}
