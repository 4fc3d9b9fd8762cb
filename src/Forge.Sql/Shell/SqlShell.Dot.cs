using System.Globalization;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Schema;

namespace Forge.Sql.Shell;

/// <summary>The dot-commands, with sqlite3 3.40's arguments, messages and result codes (0 ok, 1 error, 2 quit).</summary>
internal sealed partial class SqlShell
{
    private static readonly string[] s_help =
    [
        ".bail on|off             Stop after hitting an error.  Default OFF",
        ".dump ?OBJECTS?          Render database content as SQL",
        ".echo on|off             Turn command echo on or off",
        ".exit ?CODE?             Exit this program with return-code CODE",
        ".headers on|off          Turn display of headers on or off",
        ".help ?-all? ?PATTERN?   Show help text for PATTERN",
        ".import FILE TABLE       Import data from FILE into TABLE",
        ".indexes ?TABLE?         Show names of indexes",
        ".mode MODE ?OPTIONS?     Set output mode",
        ".nullvalue STRING        Use STRING in place of NULL values",
        ".once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE",
        ".open ?OPTIONS? ?FILE?   Close existing database and reopen FILE",
        ".output ?FILE?           Send output to FILE or stdout if FILE is omitted",
        ".print STRING...         Print literal STRING",
        ".quit                    Exit this program",
        ".read FILE               Read input from FILE or command output",
        ".schema ?PATTERN?        Show the CREATE statements matching PATTERN",
        ".separator COL ?ROW?     Change the column and row separators",
        ".show                    Show the current values for various settings",
        ".tables ?TABLE?          List names of tables matching LIKE pattern TABLE",
        ".timer on|off            Turn SQL timer on or off",
        ".width NUM1 NUM2 ...     Set minimum column widths for columnar output",
    ];

    private bool _echo;
    private bool _quoteOption;

    /// <summary>do_meta_command: 0 done, 1 error, 2 exit requested.</summary>
    public int DoMetaCommand(string line)
    {
        var args = SplitArguments(line);
        if (args.Count == 0)
        {
            return 0;
        }

        var cmd = args[0];
        var n = cmd.Length;
        bool Is(string name, int minLength) => n >= minLength && n <= name.Length && string.CompareOrdinal(name, 0, cmd, 0, n) == 0;

        try
        {
            if (Is("bail", 3))
            {
                return Switch(args, "Usage: .bail on|off", v => Bail = v);
            }

            if (Is("echo", 1))
            {
                return Switch(args, "Usage: .echo on|off", v => _echo = v);
            }

            if (Is("headers", 1))
            {
                return Switch(args, "Usage: .headers on|off", SetHeaders);
            }

            if (Is("timer", 5))
            {
                return Switch(args, "Usage: .timer on|off", v => _timer = v);
            }

            if (Is("exit", 2) || Is("quit", 1))
            {
                if (cmd[0] == 'e' && args.Count > 1)
                {
                    ExitCode = (int)IntegerValue(args[1]);
                }
                else
                {
                    ExitCode ??= 0;
                }

                return 2;
            }

            if (Is("mode", 1))
            {
                return Mode(args);
            }

            if (Is("separator", 2))
            {
                if (args.Count < 2 || args.Count > 3)
                {
                    Error("Usage: .separator COL ?ROW?");
                    return 1;
                }

                _printer.ColSeparator = args[1];
                if (args.Count > 2)
                {
                    _printer.RowSeparator = args[2];
                }

                return 0;
            }

            if (Is("nullvalue", 1))
            {
                if (args.Count != 2)
                {
                    Error("Usage: .nullvalue STRING");
                    return 1;
                }

                _printer.NullValue = args[1];
                return 0;
            }

            if (Is("print", 3))
            {
                Out.Write(string.Join(' ', args.Skip(1)) + "\n");
                return 0;
            }

            if (Is("width", 1))
            {
                _printer.Widths = [.. args.Skip(1).Select(a => (int)IntegerValue(a))];
                return 0;
            }

            if (Is("tables", 1) || Is("indexes", 2) || Is("indices", 2))
            {
                return ListNames(args, cmd[0] == 'i');
            }

            if (Is("schema", 3))
            {
                return Schema(args);
            }

            if (Is("dump", 1))
            {
                return Dump(args);
            }

            if (Is("import", 1))
            {
                return Import(args);
            }

            if (Is("read", 3))
            {
                return Read(args);
            }

            if (Is("output", 2) || Is("once", 2))
            {
                return Output(args, cmd[1] == 'n');
            }

            if (Is("open", 2))
            {
                return Open(args);
            }

            if (Is("show", 3))
            {
                return Show();
            }

            if (Is("help", 3))
            {
                var pattern = args.Count > 1 ? args[1] : null;
                foreach (var h in s_help)
                {
                    if (pattern is null || h.StartsWith("." + pattern, StringComparison.Ordinal))
                    {
                        Out.Write(h + "\n");
                    }
                }

                return 0;
            }
        }
        catch (Exception ex) when (ex is SqlRuntimeException or Planning.SqlPrepareException or Parsing.SqlParseException or IOException or UnauthorizedAccessException)
        {
            Error("Error: " + ex.Message);
            return 1;
        }

        Error($"Error: unknown command or invalid arguments:  \"{cmd}\". Enter \".help\" for help");
        return 1;
    }

    /// <summary>A dot-command line's arguments: words, 'literal' or "escaped" strings; backslash escapes resolved outside single quotes.</summary>
    internal static List<string> SplitArguments(string line)
    {
        var args = new List<string>();
        var h = 1;
        while (h < line.Length)
        {
            while (h < line.Length && IsSpace(line[h]))
            {
                h++;
            }

            if (h >= line.Length)
            {
                break;
            }

            if (line[h] is '\'' or '"')
            {
                var delim = line[h++];
                var start = h;
                while (h < line.Length && line[h] != delim)
                {
                    if (line[h] == '\\' && delim == '"' && h + 1 < line.Length)
                    {
                        h++;
                    }

                    h++;
                }

                var arg = line[start..Math.Min(h, line.Length)];
                if (h < line.Length)
                {
                    h++;
                }

                args.Add(delim == '"' ? ResolveBackslashes(arg) : arg);
            }
            else
            {
                var start = h;
                while (h < line.Length && !IsSpace(line[h]))
                {
                    h++;
                }

                args.Add(ResolveBackslashes(line[start..h]));
            }
        }

        return args;
    }

    private static string ResolveBackslashes(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                c = s[++i];
                switch (c)
                {
                    case 'a': c = '\a'; break;
                    case 'b': c = '\b'; break;
                    case 't': c = '\t'; break;
                    case 'n': c = '\n'; break;
                    case 'v': c = '\v'; break;
                    case 'f': c = '\f'; break;
                    case 'r': c = '\r'; break;
                    case '"' or '\'' or '\\': break;
                    case >= '0' and <= '7':
                        {
                            var v = c - '0';
                            if (i + 1 < s.Length && s[i + 1] is >= '0' and <= '7')
                            {
                                v = (v << 3) + s[++i] - '0';
                                if (i + 1 < s.Length && s[i + 1] is >= '0' and <= '7')
                                {
                                    v = (v << 3) + s[++i] - '0';
                                }
                            }

                            c = (char)v;
                            break;
                        }

                    default:
                        break; // an unknown escape is the character itself
                }
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static long IntegerValue(string s)
    {
        s = s.Trim();
        var neg = s.StartsWith('-');
        var body = neg || s.StartsWith('+') ? s[1..] : s;
        long v = 0;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            _ = long.TryParse(body.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out v);
        }
        else
        {
            foreach (var c in body)
            {
                if (!char.IsAsciiDigit(c))
                {
                    break;
                }

                v = (v * 10) + (c - '0');
            }
        }

        return neg ? -v : v;
    }

    private bool BooleanValue(string s)
    {
        if (s.Length > 0 && (char.IsAsciiDigit(s[0]) || (s[0] == '-' && s.Length > 1)))
        {
            return IntegerValue(s) != 0;
        }

        if (s.Equals("on", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (s.Equals("off", StringComparison.OrdinalIgnoreCase) || s.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Error($"ERROR: Not a boolean value: \"{s}\". Assuming \"no\".");
        return false;
    }

    private int Switch(List<string> args, string usage, Action<bool> set)
    {
        if (args.Count != 2)
        {
            Error(usage);
            return 1;
        }

        set(BooleanValue(args[1]));
        return 0;
    }

    private static readonly string[] s_modeNames = ["line", "column", "list", "insert", "quote", "csv", "json", "markdown", "table", "box"];

    private int Mode(List<string> args)
    {
        if (args.Count == 1)
        {
            var name = s_modeNames[(int)_printer.Mode];
            if (_printer.Mode is OutputMode.Column or OutputMode.Table or OutputMode.Box or OutputMode.Markdown)
            {
                Out.Write($"current output mode: {name} --wrap 60 --wordwrap off --{(_quoteOption ? "" : "no")}quote\n");
            }
            else
            {
                Out.Write($"current output mode: {name}\n");
            }

            return 0;
        }

        // Column-mode options are accepted (sqlite3 3.40.1 shows them in ".mode" but its output
        // does not follow them consistently); "qbox" is box with --quote.
        string? mode = null;
        string? table = null;
        var args1 = args.Skip(1).ToList();
        for (var i = 0; i < args1.Count; i++)
        {
            var a = args1[i];
            var opt = a.TrimStart('-');
            if (a.StartsWith('-') && (opt is "wrap" or "wordwrap") && i + 1 < args1.Count)
            {
                i++;
                continue;
            }

            if (a.StartsWith('-') && opt is "ww" or "quote" or "noquote")
            {
                _quoteOption = opt == "quote" || (opt != "noquote" && _quoteOption);
                continue;
            }

            if (mode is null)
            {
                mode = a;
                if (a == "qbox")
                {
                    mode = "box";
                    _quoteOption = true;
                }
            }
            else if (table is null)
            {
                table = a;
            }
            else
            {
                Error(a.StartsWith('-') ? $"unknown option: {a}\noptions:\n  --noquote\n  --quote\n  --wordwrap on/off\n  --wrap N\n  --ww" : $"extra argument: \"{a}\"");
                return 1;
            }
        }

        if (mode is null)
        {
            return Mode([args[0]]);
        }

        if (mode != "box" || !_quoteOption)
        {
            _quoteOption = args1.Exists(a => a.TrimStart('-') == "quote" && a.StartsWith('-'));
        }

        bool M(string name) => mode.Length <= name.Length && string.CompareOrdinal(name, 0, mode, 0, mode.Length) == 0;
        void Columnar(OutputMode m)
        {
            _printer.Mode = m;
            if (!_headerSet)
            {
                _printer.ShowHeader = true;
            }
        }

        if (M("lines"))
        {
            _printer.Mode = OutputMode.Line;
            _printer.RowSeparator = "\n";
        }
        else if (M("columns"))
        {
            Columnar(OutputMode.Column);
        }
        else if (M("list"))
        {
            _printer.Mode = OutputMode.List;
            _printer.ColSeparator = "|";
            _printer.RowSeparator = "\n";
        }
        else if (M("csv"))
        {
            _printer.Mode = OutputMode.Csv;
            _printer.ColSeparator = ",";
            _printer.RowSeparator = "\r\n";
        }
        else if (M("tabs"))
        {
            _printer.Mode = OutputMode.List;
            _printer.ColSeparator = "\t";
        }
        else if (M("insert"))
        {
            _printer.Mode = OutputMode.Insert;
            _printer.InsertTable = table ?? "table";
        }
        else if (M("quote"))
        {
            _printer.Mode = OutputMode.Quote;
            _printer.ColSeparator = ",";
            _printer.RowSeparator = "\n";
        }
        else if (M("markdown"))
        {
            Columnar(OutputMode.Markdown);
        }
        else if (M("table"))
        {
            Columnar(OutputMode.Table);
        }
        else if (M("box"))
        {
            Columnar(OutputMode.Box);
        }
        else if (M("json"))
        {
            _printer.Mode = OutputMode.Json;
        }
        else
        {
            Error("Error: mode should be one of: ascii box column csv html insert json line list markdown qbox quote table tabs tcl");
            return 1;
        }

        return 0;
    }

    private List<SchemaRow> SchemaRows() => SchemaTable.ReadAll(Db.Store);

    private int ListNames(List<string> args, bool indexes)
    {
        if (indexes && args.Count > 2)
        {
            Error("Usage: .indexes ?LIKE-PATTERN?");
            return 1;
        }

        var pattern = args.Count > 1 ? args[1] : null;
        var names = SchemaRows()
            .Where(r => indexes
                ? r.Type == "index" && (pattern is null || Like(pattern, r.TableName))
                : r.Type is "table" or "view" && !Like("sqlite_%", r.Name) && (pattern is null || Like(pattern, r.Name)))
            .Select(r => r.Name)
            .ToList();
        names.Sort(StringComparer.Ordinal);
        PrintNameColumns(names);
        return 0;
    }

    private void PrintNameColumns(List<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        var maxLen = names.Max(Encoding.UTF8.GetByteCount);
        var printCols = Math.Max(1, 80 / (maxLen + 2));
        var printRows = (names.Count + printCols - 1) / printCols;
        for (var i = 0; i < printRows; i++)
        {
            for (var j = i; j < names.Count; j += printRows)
            {
                if (j >= printRows)
                {
                    Out.Write("  ");
                }

                Out.Write(names[j]);
                Out.Spaces(maxLen - Encoding.UTF8.GetByteCount(names[j]));
            }

            Out.Write("\n");
        }
    }

    private int Schema(List<string> args)
    {
        string? pattern = null;
        foreach (var a in args.Skip(1))
        {
            if (a.StartsWith('-'))
            {
                continue; // --indent / --nosys
            }

            pattern = a;
        }

        var glob = pattern is not null && pattern.IndexOfAny(['*', '?', '[']) >= 0;
        foreach (var r in SchemaRows())
        {
            if (r.Sql is null)
            {
                continue;
            }

            if (pattern is not null && !(glob ? Glob(pattern, r.TableName.ToLowerInvariant()) : Like(pattern, r.TableName)))
            {
                continue;
            }

            PrintSchemaLine(r.Type == "view" ? r.Sql + ViewColumnsComment(r.Name) : r.Sql, ";\n");
        }

        // The temp schema's objects follow, their names qualified as sqlite3's shell_add_schema() does.
        foreach (var (table, sql) in Db.TempTriggers)
        {
            if (pattern is not null && !(glob ? Glob(pattern, table.ToLowerInvariant()) : Like(pattern, table)))
            {
                continue;
            }

            PrintSchemaLine("CREATE TRIGGER temp." + sql["CREATE TRIGGER ".Length..], ";\n");
        }

        return 0;
    }

    /// <summary>A view's columns as sqlite3's .schema appends them (shellFakeSchema): "\n/* v(a,b) */"; nothing when the view cannot be read.</summary>
    private string ViewColumnsComment(string view)
    {
        try
        {
            var columns = Db.ExecuteOne("SELECT * FROM \"" + view.Replace("\"", "\"\"", StringComparison.Ordinal) + "\" LIMIT 0").Columns;
            return "\n/* " + ValueFormat.Identifier(view) + "(" + string.Join(",", columns.Select(ValueFormat.Identifier)) + ") */";
        }
        catch (Exception e) when (e is Execution.SqlRuntimeException or Planning.SqlPrepareException or Parsing.SqlParseException)
        {
            return "";
        }
    }

    /// <summary>printSchemaLine: a CREATE TABLE of a quoted name gets IF NOT EXISTS; a comment at the end is closed before the ';'.</summary>
    private void PrintSchemaLine(string sql, string tail)
    {
        if (tail.StartsWith(';') && (sql.Contains("/*", StringComparison.Ordinal) || sql.Contains("--", StringComparison.Ordinal)))
        {
            foreach (var term in new[] { "", "*/", "\n" })
            {
                if (Tokenizer.StatementCompleteness.IsComplete(sql + term + ";"))
                {
                    sql += term;
                    break;
                }
            }
        }

        if (sql.StartsWith("CREATE TABLE ", StringComparison.Ordinal) && sql.Length > 13 && sql[13] is '\'' or '"')
        {
            Out.Write("CREATE TABLE IF NOT EXISTS " + sql[13..] + tail);
        }
        else
        {
            Out.Write(sql + tail);
        }
    }

    private int Dump(List<string> args)
    {
        var patterns = args.Skip(1).Where(a => !a.StartsWith('-')).ToList();
        bool Matches(string name) => patterns.Count == 0 || patterns.Exists(p => Like(p, name));
        var rows = SchemaRows();
        Out.Write("PRAGMA foreign_keys=OFF;\n");
        Out.Write("BEGIN TRANSACTION;\n");
        foreach (var r in rows.Where(r => r.Type == "table" && r.Sql is not null && r.Name != "sqlite_sequence").OrderBy(r => r.TableName == "sqlite_sequence"))
        {
            if (!Matches(r.Name))
            {
                continue;
            }

            if (r.Name == "sqlite_stat1")
            {
                Out.Write("ANALYZE sqlite_schema;\n");
            }
            else if (r.Name.StartsWith("sqlite_", StringComparison.Ordinal))
            {
                continue;
            }
            else
            {
                PrintSchemaLine(r.Sql!, ";\n");
            }

            var quoted = "\"" + r.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            var insertName = ValueFormat.Identifier(r.Name);
            var result = Db.ExecuteOne("SELECT * FROM " + quoted);
            foreach (var row in result.Rows)
            {
                Out.Write("INSERT INTO " + insertName + " VALUES(");
                for (var i = 0; i < row.Count; i++)
                {
                    if (i > 0)
                    {
                        Out.Write(",");
                    }

                    ResultPrinter.WriteLiteral(Out, row.Values[i], escapeNewlines: true);
                }

                Out.Write(");\n");
            }
        }

        foreach (var r in rows.Where(r => r.Type is "index" or "trigger" or "view" && r.Sql is not null))
        {
            if (Matches(r.Name))
            {
                Out.Write(r.Sql + ";\n");
            }
        }

        Out.Write("COMMIT;\n");
        return 0;
    }

    private int Read(List<string> args)
    {
        if (args.Count != 2)
        {
            Error("Usage: .read FILE");
            return 1;
        }

        if (_inputNesting > 25)
        {
            Error($"Input nesting limit (25) reached at line 0. Check recursion.");
            return 1;
        }

        StreamReader reader;
        try
        {
            reader = new StreamReader(args[1], new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error($"Error: cannot open \"{args[1]}\"");
            return 1;
        }

        using (reader)
        {
            return ProcessInput(new ReaderLineSource(reader), fromFile: true) ? 1 : 0;
        }
    }

    private int Output(List<string> args, bool once)
    {
        string? file = null;
        foreach (var a in args.Skip(1))
        {
            if (a.StartsWith('-') && a.Length > 1)
            {
                continue; // -x/-e/--bom are not supported: taken as no option
            }

            if (file is not null)
            {
                Error($"ERROR: extra parameter: \"{a}\".  Usage:");
                return 1;
            }

            file = a;
        }

        CloseRedirect();
        if (file is null || file == "stdout")
        {
            return 0;
        }

        try
        {
            _redirect = new ShellOutput(new FileStream(file, FileMode.Create, FileAccess.Write), ownsStream: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error($"Error: cannot write to \"{file}\"");
            return 1;
        }

        _onceActive = once;
        return 0;
    }

    private void CloseRedirect()
    {
        _redirect?.Dispose();
        _redirect = null;
        _onceActive = false;
    }

    /// <summary>After the statement that followed .once, output goes back to stdout.</summary>
    private void EndOnce()
    {
        if (_onceActive)
        {
            CloseRedirect();
        }
    }

    private int Open(List<string> args)
    {
        var file = args.Skip(1).LastOrDefault(a => !a.StartsWith('-'));
        Database db;
        try
        {
            db = Database.Open(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Records.SqliteCorruptException)
        {
            Error($"Error: unable to open database \"{file}\": {ex.Message}");
            return 1;
        }

        Db.Dispose();
        Db = db;
        DatabasePath = file;
        return 0;
    }

    private int Show()
    {
        string Quoted(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
        Out.Write($"        echo: {(_echo ? "on" : "off")}\n");
        Out.Write("         eqp: off\n");
        Out.Write("     explain: auto\n");
        Out.Write($"     headers: {(_printer.ShowHeader ? "on" : "off")}\n");
        Out.Write($"        mode: {s_modeNames[(int)_printer.Mode]}\n");
        Out.Write($"   nullvalue: {Quoted(_printer.NullValue)}\n");
        Out.Write($"      output: {(_redirect is null ? "stdout" : "file")}\n");
        Out.Write($"colseparator: {Quoted(_printer.ColSeparator)}\n");
        Out.Write($"rowseparator: {Quoted(_printer.RowSeparator)}\n");
        Out.Write("       stats: off\n");
        Out.Write("       width: " + string.Concat(_printer.Widths.Select(w => w.ToString(CultureInfo.InvariantCulture) + " ")) + "\n");
        Out.Write($"    filename: {DatabasePath ?? ":memory:"}\n");
        return 0;
    }

    /// <summary>SQL's LIKE with '\' as escape, case-insensitive for ASCII.</summary>
    internal static bool Like(string pattern, string text) => LikeAt(pattern, 0, text, 0);

    private static bool LikeAt(string p, int pi, string t, int ti)
    {
        while (pi < p.Length)
        {
            var c = p[pi];
            if (c == '%')
            {
                while (pi < p.Length && p[pi] == '%')
                {
                    pi++;
                }

                if (pi == p.Length)
                {
                    return true;
                }

                for (var k = ti; k <= t.Length; k++)
                {
                    if (LikeAt(p, pi, t, k))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (ti >= t.Length)
            {
                return false;
            }

            if (c == '_')
            {
                pi++;
                ti++;
                continue;
            }

            if (c == '\\' && pi + 1 < p.Length)
            {
                c = p[++pi];
            }

            if (char.ToLowerInvariant(c) != char.ToLowerInvariant(t[ti]))
            {
                return false;
            }

            pi++;
            ti++;
        }

        return ti == t.Length;
    }

    private static bool Glob(string pattern, string text) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, text, ignoreCase: false);
}
