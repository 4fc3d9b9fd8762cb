using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Records;

namespace Forge.Sql.Shell;

/// <summary>The shell's output modes (sqlite3's .mode).</summary>
internal enum OutputMode
{
    Line,
    Column,
    List,
    Insert,
    Quote,
    Csv,
    Json,
    Markdown,
    Table,
    Box,
}

/// <summary>Prints result rows in sqlite3 3.40's output modes, byte for byte.</summary>
internal sealed class ResultPrinter
{
    private const string Box13 = "\u2502";
    private const char Box24 = '\u2500';

    public OutputMode Mode { get; set; } = OutputMode.List;

    public bool ShowHeader { get; set; }

    public string ColSeparator { get; set; } = "|";

    public string RowSeparator { get; set; } = "\n";

    public string NullValue { get; set; } = "";

    public string InsertTable { get; set; } = "table";

    public int[] Widths { get; set; } = [];

    /// <summary>Prints one statement's rows; EXPLAIN QUERY PLAN rows as sqlite3's tree.</summary>
    public void Print(ShellOutput o, ResultSet result, bool queryPlan)
    {
        if (queryPlan && result.Columns.Count == 4)
        {
            PrintQueryPlan(o, result);
            return;
        }

        if (result.Rows.Count == 0)
        {
            return;
        }

        switch (Mode)
        {
            case OutputMode.Column or OutputMode.Table or OutputMode.Markdown or OutputMode.Box:
                PrintColumnar(o, result);
                return;
        }

        var cnt = 0;
        var columns = result.Columns;
        foreach (var row in result.Rows)
        {
            PrintRow(o, columns, row.Values, cnt++);
        }

        if (Mode == OutputMode.Json)
        {
            o.Write("]\n");
        }
    }

    private void PrintRow(ShellOutput o, IReadOnlyList<string> columns, SqlValue[] values, int cnt)
    {
        var n = values.Length;
        switch (Mode)
        {
            case OutputMode.Line:
                {
                    var w = 5;
                    foreach (var c in columns)
                    {
                        w = Math.Max(w, Encoding.UTF8.GetByteCount(c));
                    }

                    if (cnt > 0)
                    {
                        o.Write(RowSeparator);
                    }

                    for (var i = 0; i < n; i++)
                    {
                        o.Spaces(w - Encoding.UTF8.GetByteCount(columns[i]));
                        o.Write(columns[i]);
                        o.Write(" = ");
                        WriteText(o, values[i]);
                        o.Write(RowSeparator);
                    }

                    break;
                }

            case OutputMode.List:
                if (cnt == 0 && ShowHeader)
                {
                    for (var i = 0; i < n; i++)
                    {
                        o.Write(columns[i]);
                        o.Write(i == n - 1 ? RowSeparator : ColSeparator);
                    }
                }

                for (var i = 0; i < n; i++)
                {
                    WriteText(o, values[i]);
                    o.Write(i == n - 1 ? RowSeparator : ColSeparator);
                }

                break;
            case OutputMode.Csv:
                if (cnt == 0 && ShowHeader)
                {
                    for (var i = 0; i < n; i++)
                    {
                        Csv(o, Encoding.UTF8.GetBytes(columns[i]), i < n - 1);
                    }

                    o.Write(RowSeparator);
                }

                for (var i = 0; i < n; i++)
                {
                    Csv(o, ValueFormat.Text(values[i]), i < n - 1);
                }

                o.Write(RowSeparator);
                break;
            case OutputMode.Quote:
            case OutputMode.Insert:
                if (Mode == OutputMode.Insert)
                {
                    o.Write("INSERT INTO ");
                    o.Write(ValueFormat.Identifier(InsertTable));
                    if (ShowHeader)
                    {
                        o.Write("(");
                        for (var i = 0; i < n; i++)
                        {
                            if (i > 0)
                            {
                                o.Write(",");
                            }

                            o.Write(ValueFormat.Identifier(columns[i]));
                        }

                        o.Write(")");
                    }

                    o.Write(" VALUES(");
                }
                else if (cnt == 0 && ShowHeader)
                {
                    for (var i = 0; i < n; i++)
                    {
                        if (i > 0)
                        {
                            o.Write(ColSeparator);
                        }

                        ValueFormat.QuotedString(o, Encoding.UTF8.GetBytes(columns[i]));
                    }

                    o.Write(RowSeparator);
                }

                for (var i = 0; i < n; i++)
                {
                    if (i > 0)
                    {
                        o.Write(Mode == OutputMode.Insert ? "," : ColSeparator);
                    }

                    WriteLiteral(o, values[i], Mode == OutputMode.Insert);
                }

                o.Write(Mode == OutputMode.Insert ? ");\n" : RowSeparator);
                break;
            case OutputMode.Json:
                o.Write(cnt == 0 ? "[{" : ",\n{");
                for (var i = 0; i < n; i++)
                {
                    ValueFormat.JsonString(o, Encoding.UTF8.GetBytes(columns[i]));
                    o.Write((byte)':');
                    var v = values[i];
                    switch (v.Type)
                    {
                        case SqlType.Null:
                            o.Write("null");
                            break;
                        case SqlType.Real:
                            o.Write(ValueFormat.Real(v.AsReal, "9.0e+999", "-9.0e+999"));
                            break;
                        case SqlType.Text:
                            ValueFormat.JsonString(o, ValueFormat.CString(v.Bytes));
                            break;
                        case SqlType.Blob:
                            ValueFormat.JsonString(o, v.Bytes);
                            break;
                        default:
                            o.Write(ValueFormat.Text(v));
                            break;
                    }

                    if (i < n - 1)
                    {
                        o.Write((byte)',');
                    }
                }

                o.Write((byte)'}');
                break;
        }
    }

    /// <summary>A value as an SQL literal (quote and insert modes, .dump).</summary>
    public static void WriteLiteral(ShellOutput o, in SqlValue v, bool escapeNewlines)
    {
        switch (v.Type)
        {
            case SqlType.Null:
                o.Write("NULL");
                break;
            case SqlType.Text:
                if (escapeNewlines)
                {
                    ValueFormat.QuotedEscapedString(o, ValueFormat.CString(v.Bytes));
                }
                else
                {
                    ValueFormat.QuotedString(o, ValueFormat.CString(v.Bytes));
                }

                break;
            case SqlType.Real:
                o.Write(ValueFormat.Real(v.AsReal, "1e999", "-1e999"));
                break;
            case SqlType.Blob:
                ValueFormat.HexBlob(o, v.Bytes);
                break;
            default:
                o.Write(ValueFormat.Text(v));
                break;
        }
    }

    private void WriteText(ShellOutput o, in SqlValue v)
    {
        if (v.IsNull)
        {
            o.Write(NullValue);
        }
        else
        {
            o.Write(ValueFormat.Text(v));
        }
    }

    private static bool NeedsCsvQuote(byte b) => b < 0x20 || b == ' ' || b == '"' || b == '\'' || b >= 0x7f;

    private void Csv(ShellOutput o, byte[]? z, bool separator)
    {
        if (z is null)
        {
            o.Write(NullValue);
        }
        else
        {
            var quote = z.Length == 0 || Array.Exists(z, NeedsCsvQuote) || z.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ColSeparator)) >= 0;
            if (quote)
            {
                o.Write((byte)'"');
                foreach (var b in z)
                {
                    o.Write(b);
                    if (b == '"')
                    {
                        o.Write((byte)'"');
                    }
                }

                o.Write((byte)'"');
            }
            else
            {
                o.Write(z);
            }
        }

        if (separator)
        {
            o.Write(ColSeparator);
        }
    }

    /// <summary>
    /// One physical line of a cell (translateForDisplayAndDup): tabs expand to the next multiple
    /// of 8, the line ends at a control character or at <paramref name="maxWidth"/> characters.
    /// </summary>
    private static byte[] DisplayLine(byte[] z, ref int pos, int maxWidth, out bool more)
    {
        if (maxWidth <= 0)
        {
            maxWidth = 1_000_000;
        }

        var outBytes = new List<byte>();
        var n = 0;
        var i = pos;
        while (n < maxWidth && i < z.Length)
        {
            var c = z[i];
            if (c >= ' ')
            {
                n++;
                do
                {
                    outBytes.Add(z[i++]);
                }
                while (i < z.Length && (z[i] & 0xc0) == 0x80);
                continue;
            }

            if (c == '\t')
            {
                do
                {
                    n++;
                    outBytes.Add((byte)' ');
                }
                while ((n & 7) != 0 && n < maxWidth);
                i++;
                continue;
            }

            break;
        }

        if (i < z.Length && z[i] == '\r' && i + 1 < z.Length && z[i + 1] == '\n')
        {
            i++;
        }

        if (i < z.Length && z[i] < ' ' && z[i] != '\t')
        {
            i++;
        }

        more = i < z.Length;
        pos = i;
        return [.. outBytes];
    }

    private void PrintColumnar(ShellOutput o, ResultSet result)
    {
        var nColumn = result.Columns.Count;
        var colWidth = new int[nColumn];
        for (var i = 0; i < nColumn && i < Widths.Length; i++)
        {
            colWidth[i] = Widths[i];
        }

        // Physical lines: the header, then each row's lines; rowEnds marks the last line of a row.
        var data = new List<byte[]?>();
        var rowEnds = new List<bool>();
        for (var i = 0; i < nColumn; i++)
        {
            var pos = 0;
            data.Add(DisplayLine(Encoding.UTF8.GetBytes(result.Columns[i]), ref pos, WrapWidth(colWidth[i]), out _));
        }

        var multiLine = false;
        foreach (var row in result.Rows)
        {
            var texts = new byte[]?[nColumn];
            var positions = new int[nColumn];
            for (var i = 0; i < nColumn; i++)
            {
                texts[i] = ValueFormat.Text(row.Values[i]);
            }

            var first = true;
            var nextLine = true;
            while (nextLine)
            {
                nextLine = false;
                for (var i = 0; i < nColumn; i++)
                {
                    var z = texts[i];
                    if (z is null)
                    {
                        data.Add(first ? null : []);
                        continue;
                    }

                    if (!first && positions[i] >= z.Length)
                    {
                        data.Add([]);
                        continue;
                    }

                    data.Add(DisplayLine(z, ref positions[i], WrapWidth(colWidth[i]), out var more));
                    if (more)
                    {
                        nextLine = true;
                        multiLine = true;
                    }
                }

                rowEnds.Add(!nextLine);
                first = false;
            }
        }

        var nullBytes = Encoding.UTF8.GetBytes(NullValue);
        var actual = new int[nColumn];
        for (var i = 0; i < nColumn; i++)
        {
            actual[i] = Math.Abs(colWidth[i]);
        }

        for (var i = 0; i < data.Count; i++)
        {
            var n = ValueFormat.CharCount(data[i] ?? nullBytes);
            actual[i % nColumn] = Math.Max(actual[i % nColumn], n);
        }

        string colSep;
        string rowSep;
        switch (Mode)
        {
            case OutputMode.Column:
                colSep = "  ";
                rowSep = "\n";
                if (ShowHeader)
                {
                    for (var i = 0; i < nColumn; i++)
                    {
                        WidthPrint(o, colWidth[i] < 0 ? -actual[i] : actual[i], data[i]!);
                        o.Write(i == nColumn - 1 ? "\n" : "  ");
                    }

                    for (var i = 0; i < nColumn; i++)
                    {
                        o.Write(new string('-', actual[i]));
                        o.Write(i == nColumn - 1 ? "\n" : "  ");
                    }
                }

                break;
            case OutputMode.Table:
                colSep = " | ";
                rowSep = " |\n";
                RowSeparatorLine(o, actual, "+");
                o.Write("| ");
                for (var i = 0; i < nColumn; i++)
                {
                    Centered(o, actual[i], data[i]!);
                    o.Write(i == nColumn - 1 ? " |\n" : " | ");
                }

                RowSeparatorLine(o, actual, "+");
                break;
            case OutputMode.Markdown:
                colSep = " | ";
                rowSep = " |\n";
                o.Write("| ");
                for (var i = 0; i < nColumn; i++)
                {
                    Centered(o, actual[i], data[i]!);
                    o.Write(i == nColumn - 1 ? " |\n" : " | ");
                }

                RowSeparatorLine(o, actual, "|");
                break;
            default:
                colSep = " " + Box13 + " ";
                rowSep = " " + Box13 + "\n";
                BoxSeparator(o, actual, "\u250c", "\u252c", "\u2510");
                o.Write(Box13 + " ");
                for (var i = 0; i < nColumn; i++)
                {
                    Centered(o, actual[i], data[i]!);
                    o.Write(i == nColumn - 1 ? " " + Box13 + "\n" : " " + Box13 + " ");
                }

                BoxSeparator(o, actual, "\u251c", "\u253c", "\u2524");
                break;
        }

        var total = data.Count;
        for (int i = nColumn, j = 0; i < total; i++, j++)
        {
            if (j == 0 && Mode != OutputMode.Column)
            {
                o.Write(Mode == OutputMode.Box ? Box13 + " " : "| ");
            }

            var w = colWidth[j] < 0 ? -actual[j] : actual[j];
            WidthPrint(o, w, data[i] ?? nullBytes);
            if (j == nColumn - 1)
            {
                o.Write(rowSep);
                var line = (i / nColumn) - 1;
                if (multiLine && rowEnds[line] && i + 1 < total)
                {
                    switch (Mode)
                    {
                        case OutputMode.Table:
                            RowSeparatorLine(o, actual, "+");
                            break;
                        case OutputMode.Box:
                            BoxSeparator(o, actual, "\u251c", "\u253c", "\u2524");
                            break;
                        case OutputMode.Column:
                            o.Write("\n");
                            break;
                    }
                }

                j = -1;
            }
            else
            {
                o.Write(colSep);
            }
        }

        if (Mode == OutputMode.Table)
        {
            RowSeparatorLine(o, actual, "+");
        }
        else if (Mode == OutputMode.Box)
        {
            BoxSeparator(o, actual, "\u2514", "\u2534", "\u2518");
        }
    }

    /// <summary>The columnar modes wrap at the .width given, else at 60 characters (sqlite3's --wrap default).</summary>
    private static int WrapWidth(int width) => width != 0 ? Math.Abs(width) : 60;

    private static void WidthPrint(ShellOutput o, int w, byte[] z)
    {
        var aw = Math.Abs(w);
        var n = 0;
        var i = 0;
        for (; i < z.Length; i++)
        {
            if ((z[i] & 0xc0) != 0x80)
            {
                n++;
                if (n == aw)
                {
                    do
                    {
                        i++;
                    }
                    while (i < z.Length && (z[i] & 0xc0) == 0x80);
                    break;
                }
            }
        }

        if (n >= aw)
        {
            o.Write(z.AsSpan(0, i));
        }
        else if (w < 0)
        {
            o.Spaces(aw - n);
            o.Write(z);
        }
        else
        {
            o.Write(z);
            o.Spaces(aw - n);
        }
    }

    private static void Centered(ShellOutput o, int w, byte[] z)
    {
        var n = ValueFormat.CharCount(z);
        o.Spaces((w - n) / 2);
        o.Write(z);
        o.Spaces((w - n + 1) / 2);
    }

    private static void RowSeparatorLine(ShellOutput o, int[] widths, string sep)
    {
        o.Write(sep);
        for (var i = 0; i < widths.Length; i++)
        {
            o.Write(new string('-', widths[i] + 2));
            o.Write(sep);
        }

        o.Write("\n");
    }

    private static void BoxSeparator(ShellOutput o, int[] widths, string left, string mid, string right)
    {
        o.Write(left);
        for (var i = 0; i < widths.Length; i++)
        {
            if (i > 0)
            {
                o.Write(mid);
            }

            var sb = new StringBuilder();
            for (var k = 0; k < widths[i] + 2; k++)
            {
                sb.Append(Box24);
            }

            o.Write(sb.ToString());
        }

        o.Write(right);
        o.Write("\n");
    }

    /// <summary>EXPLAIN QUERY PLAN's rows (id, parent, notused, detail) as the shell's tree (eqp_render).</summary>
    private static void PrintQueryPlan(ShellOutput o, ResultSet result)
    {
        var rows = new List<(long Id, long Parent, string Text)>();
        foreach (var r in result.Rows)
        {
            rows.Add((r.Values[0].AsInteger, r.Values[1].AsInteger, r.GetText(3) ?? ""));
        }

        if (rows.Count == 0)
        {
            return;
        }

        if (rows[0].Text.StartsWith('-'))
        {
            if (rows.Count == 1)
            {
                return;
            }

            o.Write(rows[0].Text[Math.Min(3, rows[0].Text.Length)..]);
            o.Write("\n");
            rows.RemoveAt(0);
        }
        else
        {
            o.Write("QUERY PLAN\n");
        }

        RenderLevel(o, rows, 0, "");
    }

    private static void RenderLevel(ShellOutput o, List<(long Id, long Parent, string Text)> rows, long parent, string prefix)
    {
        var children = rows.FindAll(r => r.Parent == parent);
        for (var i = 0; i < children.Count; i++)
        {
            var last = i == children.Count - 1;
            o.Write(prefix);
            o.Write(last ? "`--" : "|--");
            o.Write(children[i].Text);
            o.Write("\n");
            if (children[i].Id != parent && prefix.Length < 93)
            {
                RenderLevel(o, rows, children[i].Id, prefix + (last ? "   " : "|  "));
            }
        }
    }
}
