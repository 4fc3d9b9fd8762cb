using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Shell;

/// <summary>A source of input lines: a pipe, a file (.read) or the interactive line editor.</summary>
internal interface ILineSource
{
    /// <summary>The next line without its "\n" / "\r\n"; null at the end.</summary>
    string? ReadLine(bool continuation);
}

/// <summary>Lines of a text reader, split at '\n' only (a lone '\r' stays in the line, as in sqlite3).</summary>
internal sealed class ReaderLineSource(TextReader reader) : ILineSource
{
    private readonly TextReader _reader = reader;
    private readonly StringBuilder _line = new();

    public string? ReadLine(bool continuation)
    {
        _line.Clear();
        while (true)
        {
            var c = _reader.Read();
            if (c < 0)
            {
                return _line.Length == 0 ? null : Trim();
            }

            if (c == '\n')
            {
                return Trim();
            }

            _line.Append((char)c);
        }
    }

    private string Trim()
    {
        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }

        return _line.ToString();
    }
}

/// <summary>
/// The sqlite3 shell (3.40) over a forge <see cref="Database"/>: process_input's line handling
/// (statements complete at a top-level ';', dot-commands at the start of a line), shell_exec's
/// statement loop (stop at the first error of an input chunk), its error messages and exit codes,
/// the output modes (<see cref="ResultPrinter"/>) and the dot-commands.
/// </summary>
internal sealed partial class SqlShell : IDisposable
{
    private readonly ShellOutput _stdout;
    private readonly TextWriter _stderr;
    private readonly ResultPrinter _printer = new();
    private ShellOutput? _redirect;
    private bool _onceActive;
    private bool _headerSet;
    private bool _timer;
    private int _inputNesting;

    public SqlShell(Database db, string? path, ShellOutput stdout, TextWriter stderr, bool interactive)
    {
        Db = db;
        DatabasePath = path;
        _stdout = stdout;
        _stderr = stderr;
        Interactive = interactive;
    }

    public Database Db { get; private set; }

    public string? DatabasePath { get; private set; }

    public bool Interactive { get; }

    public bool Bail { get; set; }

    /// <summary>Set by .exit N / .quit: the process should end with this code.</summary>
    public int? ExitCode { get; private set; }

    public ResultPrinter Printer => _printer;

    private ShellOutput Out => _redirect ?? _stdout;

    public void SetHeaders(bool on)
    {
        _printer.ShowHeader = on;
        _headerSet = true;
    }

    public void Dispose()
    {
        CloseRedirect();
        Db.Dispose();
    }

    private void Error(string text)
    {
        Out.Flush();
        _stdout.Flush();
        _stderr.Write(text + "\n");
        _stderr.Flush();
    }

    /// <summary>
    /// One SQL argument of the command line (sqlite3's azCmd): a dot-command or SQL run up to the
    /// first error, reported as "Error: in prepare, ..." / "Error: stepping, ...". Returns the
    /// exit code the shell should end with now, or 0 to go on.
    /// </summary>
    public int RunArgument(string text)
    {
        try
        {
            if (text.StartsWith('.'))
            {
                var rc = DoMetaCommand(text);
                return rc == 2 ? 0 : rc;
            }

            if (!Exec(text, out var error, out var code))
            {
                Error("Error: " + error);
                return code != 0 ? code : 1;
            }

            return 0;
        }
        finally
        {
            Out.Flush();
        }
    }

    /// <summary>
    /// process_input: reads lines, runs dot-commands and complete statements, reports each failure
    /// with its line number and goes on (unless .bail on). True when some statement failed.
    /// </summary>
    public bool ProcessInput(ILineSource input, bool fromFile)
    {
        _inputNesting++;
        try
        {
            return ProcessLines(input, fromFile);
        }
        finally
        {
            _inputNesting--;
            Out.Flush();
        }
    }

    private bool ProcessLines(ILineSource input, bool fromFile)
    {
        var interactiveHere = Interactive && !fromFile;
        var errors = 0;
        var lineNo = 0;
        var startLine = 0;
        var sql = new StringBuilder();
        var scan = default(QuickScan);
        while (errors == 0 || !Bail || interactiveHere)
        {
            Out.Flush();
            var line = input.ReadLine(sql.Length > 0);
            if (line is null)
            {
                if (interactiveHere)
                {
                    _stdout.Write("\n");
                    _stdout.Flush();
                }

                break;
            }

            lineNo++;
            if (scan.InPlain && IsCommandTerminator(line) && StatementCompleteness.IsComplete(sql.ToString() + ";"))
            {
                line = ";";
            }

            scan.Scan(line);
            if (scan.PlainWhite && sql.Length == 0)
            {
                scan = default;
                continue;
            }

            if (sql.Length == 0 && line.Length > 0 && (line[0] == '.' || line[0] == '#'))
            {
                if (line[0] == '.')
                {
                    var rc = DoMetaCommand(line);
                    if (rc == 2)
                    {
                        break;
                    }

                    if (rc != 0)
                    {
                        errors++;
                    }
                }

                scan = default;
                continue;
            }

            if (sql.Length == 0)
            {
                var i = 0;
                while (i < line.Length && IsSpace(line[i]))
                {
                    i++;
                }

                sql.Append(line, i, line.Length - i);
                startLine = lineNo;
            }
            else
            {
                sql.Append('\n').Append(line);
            }

            if (sql.Length > 0 && scan.SemiTerminated && StatementCompleteness.IsComplete(sql.ToString()))
            {
                errors += RunOneSqlLine(sql.ToString(), startLine, interactiveHere) ? 0 : 1;
                sql.Clear();
                EndOnce();
                scan = default;
            }
            else if (sql.Length > 0 && scan.PlainWhite)
            {
                sql.Clear();
                scan = default;
            }

            if (ExitCode is not null)
            {
                break;
            }
        }

        if (sql.Length > 0 && ExitCode is null)
        {
            errors += RunOneSqlLine(sql.ToString(), startLine, interactiveHere) ? 0 : 1;
        }

        return errors > 0;
    }

    private static bool IsCommandTerminator(string line)
    {
        var t = line.Trim();
        return t == "/" || t.Equals("go", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private bool RunOneSqlLine(string sql, int startLine, bool interactive)
    {
        var timer = _timer ? Stopwatch.StartNew() : null;
        var cpu = _timer ? Process.GetCurrentProcess() : null;
        var user0 = cpu?.UserProcessorTime ?? default;
        var sys0 = cpu?.PrivilegedProcessorTime ?? default;
        var ok = Exec(sql, out var error, out _);
        if (timer is not null)
        {
            cpu!.Refresh();
            var user = (cpu.UserProcessorTime - user0).TotalSeconds;
            var sys = (cpu.PrivilegedProcessorTime - sys0).TotalSeconds;
            Out.Write(string.Create(CultureInfo.InvariantCulture, $"Run Time: real {timer.Elapsed.TotalSeconds:F3} user {user:F6} sys {sys:F6}\n"));
        }

        if (ok)
        {
            return true;
        }

        string type;
        string tail;
        if (error!.StartsWith("in prepare, ", StringComparison.Ordinal))
        {
            type = "Parse error";
            tail = error[12..];
        }
        else if (error.StartsWith("stepping, ", StringComparison.Ordinal))
        {
            type = "Runtime error";
            tail = error[10..];
        }
        else
        {
            type = "Error";
            tail = error;
        }

        Error(interactive ? $"{type}: {tail}" : $"{type} near line {startLine}: {tail}");
        return false;
    }

    /// <summary>
    /// shell_exec: runs the statements of <paramref name="sql"/> in order, printing their rows; stops at
    /// the first failure ("in prepare, MSG[context]" or "stepping, MSG"), <paramref name="code"/> its result code.
    /// </summary>
    public bool Exec(string sql, out string? error, out int code)
    {
        var offset = 0;
        while (true)
        {
            while (offset < sql.Length && IsSpace(sql[offset]))
            {
                offset++;
            }

            if (offset >= sql.Length)
            {
                break;
            }

            var start = offset;
            var parsed = SqlParser.Parse(sql, start);
            if (parsed.Error is { } parseError)
            {
                error = "in prepare, " + parseError.Message + ErrorContext(sql, start, parseError.Offset);
                code = 1;
                return false;
            }

            if (parsed.Statement is null)
            {
                if (parsed.Tail <= offset)
                {
                    break;
                }

                offset = parsed.Tail;
                continue;
            }

            ResultSet result;
            try
            {
                if (parsed.Statement is SelectStmt select)
                {
                    // The rows stepped through before a runtime error are printed, then the error (sqlite3's shell_exec).
                    result = Db.RunSelectUntilError(select, sql, out var stepError);
                    if (stepError is not null)
                    {
                        _printer.Print(Out, result, queryPlan: false);
                        throw stepError;
                    }
                }
                else
                {
                    result = Db.Run(parsed.Statement, sql);
                }
            }
            catch (SqlPrepareException ex)
            {
                error = "in prepare, " + ex.Message + ErrorContext(sql, start, ex.Offset);
                code = 1;
                return false;
            }
            catch (SqlParseException ex)
            {
                error = "in prepare, " + ex.Message + ErrorContext(sql, start, ex.Error.Offset);
                code = 1;
                return false;
            }
            catch (SqlRuntimeException ex)
            {
                error = "stepping, " + ex.ShellMessage;
                code = ex.Code;
                return false;
            }
            catch (Exception ex) when (ex is Records.SqliteCorruptException or IOException or NotSupportedException or InvalidOperationException)
            {
                error = "stepping, " + ex.Message;
                code = 1;
                return false;
            }

            _printer.Print(Out, result, parsed.Statement is ExplainStmt { QueryPlan: true });
            offset = Math.Max(parsed.Tail, offset + 1);
        }

        error = null;
        code = 0;
        return true;
    }

    /// <summary>
    /// shell_error_context: the statement's text from (up to 50 bytes before) the error offset, 78
    /// bytes at most, whitespace shown as spaces, and a marker under the offending byte.
    /// </summary>
    internal static string ErrorContext(string sql, int statementStart, int errorOffset)
    {
        if (errorOffset < 0 || errorOffset < statementStart || errorOffset > sql.Length)
        {
            return "";
        }

        var bytes = Encoding.UTF8.GetBytes(sql[statementStart..]);
        var iOffset = Encoding.UTF8.GetByteCount(sql.AsSpan(statementStart, errorOffset - statementStart));
        var pos = 0;
        while (iOffset > 50)
        {
            iOffset--;
            pos++;
            while (pos < bytes.Length && (bytes[pos] & 0xc0) == 0x80)
            {
                pos++;
                iOffset--;
            }
        }

        var len = bytes.Length - pos;
        if (len > 78)
        {
            len = 78;
            while (pos + len < bytes.Length && (bytes[pos + len] & 0xc0) == 0x80)
            {
                len--;
            }
        }

        var code = bytes.AsSpan(pos, len).ToArray();
        for (var i = 0; i < code.Length; i++)
        {
            if (code[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
            {
                code[i] = (byte)' ';
            }
        }

        var text = Encoding.UTF8.GetString(code);
        return iOffset < 25
            ? $"\n  {text}\n  {new string(' ', iOffset)}^--- error here"
            : $"\n  {text}\n  {new string(' ', iOffset - 14)}error here ---^";
    }

    /// <summary>
    /// The shell's quick scan of an input line (quickscan): whether the text so far is only
    /// whitespace and comments, whether it ends with ';', and what carries over to the next line
    /// (an open string, identifier or block comment).
    /// </summary>
    private struct QuickScan
    {
        private char _quote;
        private bool _inComment;
        private bool _seen;
        private bool _semi;

        public readonly bool InPlain => _quote == '\0' && !_inComment;

        public readonly bool PlainWhite => InPlain && !_seen;

        public readonly bool SemiTerminated => InPlain && _semi;

        public void Scan(string line)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (_inComment)
                {
                    if (c == '*' && i + 1 < line.Length && line[i + 1] == '/')
                    {
                        _inComment = false;
                        i++;
                    }

                    continue;
                }

                if (_quote != '\0')
                {
                    if (c == _quote)
                    {
                        _quote = '\0';
                    }

                    continue;
                }

                switch (c)
                {
                    case ' ' or '\t' or '\n' or '\v' or '\f' or '\r':
                        continue;
                    case '-' when i + 1 < line.Length && line[i + 1] == '-':
                        return;
                    case '/' when i + 1 < line.Length && line[i + 1] == '*':
                        _inComment = true;
                        i++;
                        continue;
                    case ';':
                        _seen = true;
                        _semi = true;
                        continue;
                    case '\'' or '"' or '`':
                        _quote = c;
                        break;
                    case '[':
                        _quote = ']';
                        break;
                }

                _seen = true;
                _semi = false;
            }
        }
    }
}
