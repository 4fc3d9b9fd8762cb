using System.CommandLine;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;

namespace Forge.Sql;

/// <summary>
/// <c>forge sql [FILE] [SQL]</c>: the sqlite3 shell's batch use. SQL from the argument runs until
/// the first error ("Error: in prepare, ..." / "Error: stepping, ..."); SQL from stdin runs every
/// statement, reporting each failure as "Parse error near line N: ..." or "Runtime error near line
/// N: ..." and going on. Rows print in sqlite3's default list mode (values joined by '|', NULL as
/// nothing). The exit code is 1 when any statement failed. Dot-commands, output modes and the
/// interactive prompt come with the rest of the shell.
/// </summary>
public static class SqlCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE") { Description = "Database file (created if missing); in memory when absent", Arity = ArgumentArity.ZeroOrOne };
        var sqlArg = new Argument<string?>("SQL") { Description = "SQL to run; read from stdin when absent", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("sql", "An SQL engine whose database files are SQLite 3 files (work in progress: see docs/sql.md)") { file, sqlArg };
        command.SetAction(result =>
        {
            var path = result.GetValue(file);
            var sql = result.GetValue(sqlArg);
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
            try
            {
                using var db = Database.Open(path);
                return sql is not null ? RunArgument(db, sql, stdout) : RunScript(db, Console.In.ReadToEnd(), stdout);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Records.SqliteCorruptException)
            {
                stdout.Flush();
                Console.Error.WriteLine($"Error: {ex.Message}");
                return 1;
            }
            finally
            {
                stdout.Flush();
            }
        });
        return command;
    }

    private static int RunArgument(Database db, string sql, TextWriter output)
    {
        var offset = 0;
        while (offset < sql.Length)
        {
            var parsed = SqlParser.Parse(sql, offset);
            if (parsed.Error is { } error)
            {
                output.Flush();
                Console.Error.WriteLine($"Error: in prepare, {error.Message}");
                WriteCaret(sql, error.Offset);
                return 1;
            }

            offset = parsed.Tail;
            if (parsed.Statement is null)
            {
                continue;
            }

            try
            {
                Print(db.Run(parsed.Statement, sql), output);
            }
            catch (SqlPrepareException ex)
            {
                output.Flush();
                Console.Error.WriteLine($"Error: in prepare, {ex.Message}");
                WriteCaret(sql, ex.Offset);
                return 1;
            }
            catch (SqlRuntimeException ex)
            {
                output.Flush();
                Console.Error.WriteLine($"Error: stepping, {ex.ShellMessage}");
                return 1;
            }
        }

        return 0;
    }

    private static int RunScript(Database db, string sql, TextWriter output)
    {
        var failed = false;
        var offset = 0;
        while (offset < sql.Length)
        {
            var parsed = SqlParser.Parse(sql, offset);
            var start = parsed.Statement?.Start ?? FirstTokenOffset(sql, offset);
            var line = 1 + sql.AsSpan(0, Math.Min(start, sql.Length)).Count('\n');
            if (parsed.Error is { } error)
            {
                output.Flush();
                Console.Error.WriteLine($"Parse error near line {line}: {error.Message}");
                WriteCaret(sql, error.Offset);
                failed = true;
                offset = SkipStatement(sql, offset);
                continue;
            }

            offset = parsed.Tail;
            if (parsed.Statement is null)
            {
                continue;
            }

            try
            {
                Print(db.Run(parsed.Statement, sql), output);
            }
            catch (SqlPrepareException ex)
            {
                output.Flush();
                Console.Error.WriteLine($"Parse error near line {line}: {ex.Message}");
                WriteCaret(sql, ex.Offset);
                failed = true;
            }
            catch (SqlRuntimeException ex)
            {
                output.Flush();
                Console.Error.WriteLine($"Runtime error near line {line}: {ex.ShellMessage}");
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    /// <summary>After a syntax error the shell goes on after the statement's ';' (SQL statements end at a top-level ';').</summary>
    private static int SkipStatement(string sql, int offset)
    {
        while (offset < sql.Length)
        {
            var token = Tokenizer.SqlTokenizer.Next(sql, offset);
            if (token.Length == 0)
            {
                return sql.Length;
            }

            offset = token.End;
            if (token.Kind == Tokenizer.TokenKind.Semicolon)
            {
                return offset;
            }
        }

        return sql.Length;
    }

    private static int FirstTokenOffset(string sql, int offset)
    {
        while (offset < sql.Length && char.IsWhiteSpace(sql[offset]))
        {
            offset++;
        }

        return offset;
    }

    /// <summary>sqlite3's error context: the statement's line and a caret under the offending token.</summary>
    private static void WriteCaret(string sql, int offset)
    {
        if (offset < 0 || offset > sql.Length)
        {
            return;
        }

        var lineStart = sql.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        if (offset == 0)
        {
            lineStart = 0;
        }

        var lineEnd = sql.IndexOf('\n', offset);
        var text = sql[lineStart..(lineEnd < 0 ? sql.Length : lineEnd)];
        Console.Error.WriteLine("  " + text);
        Console.Error.WriteLine(new string(' ', 2 + offset - lineStart) + "^--- error here");
    }

    private static void Print(ResultSet result, TextWriter output)
    {
        foreach (var row in result.Rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                if (i > 0)
                {
                    output.Write('|');
                }

                var v = row.Values[i];
                if (!v.IsNull)
                {
                    output.Write(SqlConvert.ToText(v));
                }
            }

            output.Write('\n');
        }
    }
}
