using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Parsing;

namespace Forge.Sql.Shell;

/// <summary>.import: CSV (or separator-delimited) rows into a table, created from the header row when missing.</summary>
internal sealed partial class SqlShell
{
    private int Import(List<string> args)
    {
        string? file = null;
        string? table = null;
        var skip = 0;
        var csv = false;
        for (var i = 1; i < args.Count; i++)
        {
            var a = args[i];
            if (a.StartsWith('-') && a.Length > 1)
            {
                var opt = a.TrimStart('-');
                if (opt == "skip" && i + 1 < args.Count)
                {
                    skip = (int)IntegerValue(args[++i]);
                }
                else if (opt == "csv")
                {
                    csv = true;
                }
                else if (opt is "v" or "ascii" or "schema")
                {
                    if (opt == "schema")
                    {
                        i++;
                    }
                }
                else
                {
                    return ImportUsage($"ERROR: unknown option: \"{(a.StartsWith("--", StringComparison.Ordinal) ? a[1..] : a)}\".  Usage:");
                }
            }
            else if (file is null)
            {
                file = a;
            }
            else if (table is null)
            {
                table = a;
            }
            else
            {
                return ImportUsage($"ERROR: extra argument: \"{a}\".  Usage:");
            }
        }

        if (file is null || table is null)
        {
            return ImportUsage(file is null ? "ERROR: missing FILE argument. Usage:" : "ERROR: missing TABLE argument. Usage:");
        }

        string colSep;
        string rowSep;
        if (csv)
        {
            colSep = ",";
            rowSep = "\n";
        }
        else
        {
            colSep = _printer.ColSeparator;
            rowSep = _printer.RowSeparator == "\r\n" ? "\n" : _printer.RowSeparator;
            if (colSep.Length == 0)
            {
                Error("Error: non-null column separator required for import");
                return 1;
            }

            if (colSep.Length > 1)
            {
                Error("Error: multi-character column separators not allowed for import");
                return 1;
            }

            if (rowSep.Length == 0)
            {
                Error("Error: non-null row separator required for import");
                return 1;
            }

            if (rowSep.Length > 1)
            {
                Error("Error: multi-character row separators not allowed for import");
                return 1;
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(file, new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Error($"Error: cannot open \"{file}\"");
            return 1;
        }

        var reader = new CsvReader(text, file, colSep[0], rowSep[0], this);
        while (skip-- > 0)
        {
            while (reader.ReadField() is not null && reader.Terminator == reader.ColSep)
            {
            }
        }

        var quotedTable = "\"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var info = Db.Catalog.FindTable(table);
        int nCol;
        if (info is null)
        {
            var cols = new List<string>();
            string? z;
            while ((z = reader.ReadField()) is not null)
            {
                cols.Add("\"" + z.Replace("\"", "\"\"", StringComparison.Ordinal) + "\" TEXT");
                if (reader.Terminator != reader.ColSep)
                {
                    break;
                }
            }

            if (cols.Count == 0)
            {
                Error($"{file}: empty file");
                return 1;
            }

            Db.Execute($"CREATE TABLE {quotedTable}(\n{string.Join(", ", cols)})");
            nCol = cols.Count;
        }
        else
        {
            nCol = info.Columns.Length;
        }

        var insertSql = $"INSERT INTO {quotedTable} VALUES({string.Join(",", Enumerable.Repeat("?", nCol))})";
        var insert = SqlParser.Parse(insertSql).Statement!;
        var began = false;
        try
        {
            Db.Execute("BEGIN");
            began = true;
        }
        catch (SqlRuntimeException)
        {
        }

        var errors = 0;
        try
        {
            do
            {
                var startLine = reader.Line;
                var values = new object?[nCol];
                var i = 0;
                var any = false;
                for (; i < nCol; i++)
                {
                    var z = reader.ReadField();
                    if (z is null && i == 0)
                    {
                        break;
                    }

                    any = true;
                    values[i] = z;
                    if (i < nCol - 1 && reader.Terminator != reader.ColSep)
                    {
                        Error($"{file}:{startLine}: expected {nCol} columns but found {i + 1} - filling the rest with NULL");
                        i = nCol + 1;
                        break;
                    }
                }

                if (!any)
                {
                    i = 0;
                }

                if (reader.Terminator == reader.ColSep)
                {
                    do
                    {
                        reader.ReadField();
                        i++;
                    }
                    while (reader.Terminator == reader.ColSep);
                    Error($"{file}:{startLine}: expected {nCol} columns but found {i} - extras ignored");
                }

                if (i >= nCol)
                {
                    Db.Parameters = values;
                    try
                    {
                        Db.Run(insert, insertSql);
                    }
                    catch (Exception ex) when (ex is SqlRuntimeException or Planning.SqlPrepareException)
                    {
                        Error($"{file}:{startLine}: INSERT failed: {ex.Message}");
                        errors++;
                    }
                }
            }
            while (reader.Terminator != CsvReader.Eof);
        }
        finally
        {
            Db.Parameters = [];
            if (began)
            {
                Db.Execute("COMMIT");
            }
        }

        return errors > 0 ? 1 : 0;
    }

    private const string ImportHelp = """
        .import FILE TABLE       Import data from FILE into TABLE
           Options:
             --ascii               Use \037 and \036 as column and row separators
             --csv                 Use , and \n as column and row separators
             --skip N              Skip the first N rows of input
             --schema S            Target table to be S.TABLE
             -v                    "Verbose" - increase auxiliary output
           Notes:
             *  If TABLE does not exist, it is created.  The first row of input
                determines the column names.
             *  If neither --csv or --ascii are used, the input mode is derived
                from the ".mode" output mode
             *  If FILE begins with "|" then it is a command that generates the
                input text.

        """;

    /// <summary>sqlite3 writes the .import usage to its output, not to stderr.</summary>
    private int ImportUsage(string message)
    {
        Out.Write(message + "\n" + ImportHelp);
        return 1;
    }

    /// <summary>sqlite3's csv_read_one_field over a whole file: quoted fields with doubled quotes, '\r\n' as '\n'.</summary>
    private sealed class CsvReader(string text, string file, char colSep, char rowSep, SqlShell shell)
    {
        public const int Eof = -1;

        private readonly string _text = text;
        private readonly string _file = file;
        private readonly SqlShell _shell = shell;
        private int _pos;

        public int ColSep { get; } = colSep;

        public int RowSep { get; } = rowSep;

        public int Line { get; private set; } = 1;

        public int Terminator { get; private set; }

        private int Next() => _pos < _text.Length ? _text[_pos++] : Eof;

        public string? ReadField()
        {
            var sb = new StringBuilder();
            var c = Next();
            if (c == Eof)
            {
                Terminator = Eof;
                return null;
            }

            if (c == '"')
            {
                var startLine = Line;
                int pc = 0, ppc = 0;
                while (true)
                {
                    c = Next();
                    if (c == RowSep)
                    {
                        Line++;
                    }

                    if (c == '"' && pc == '"')
                    {
                        pc = 0;
                        continue;
                    }

                    if ((c == ColSep && pc == '"') || (c == RowSep && pc == '"') || (c == RowSep && pc == '\r' && ppc == '"') || (c == Eof && pc == '"'))
                    {
                        var n = sb.Length;
                        do
                        {
                            n--;
                        }
                        while (n > 0 && sb[n] != '"');
                        sb.Length = Math.Max(n, 0);
                        Terminator = c;
                        break;
                    }

                    if (pc == '"' && c != '\r')
                    {
                        _shell.Error($"{_file}:{Line}: unescaped \" character");
                    }

                    if (c == Eof)
                    {
                        _shell.Error($"{_file}:{startLine}: unterminated \"-quoted field");
                        Terminator = c;
                        break;
                    }

                    sb.Append((char)c);
                    ppc = pc;
                    pc = c;
                }
            }
            else
            {
                if (_pos == 1 && c == '\uFEFF')
                {
                    c = Next();
                }

                while (c != Eof && c != ColSep && c != RowSep)
                {
                    sb.Append((char)c);
                    c = Next();
                }

                if (c == RowSep)
                {
                    Line++;
                    if (sb.Length > 0 && sb[^1] == '\r')
                    {
                        sb.Length--;
                    }
                }

                Terminator = c;
            }

            return sb.ToString();
        }
    }
}
