using System.Globalization;
using System.Text;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Shell;

/// <summary>How the sqlite3 shell spells values and names in its quote, insert, json and .dump output.</summary>
internal static class ValueFormat
{
    /// <summary>A value's text as sqlite3_column_text gives it (UTF-8 bytes; a BLOB's own bytes); null for NULL.</summary>
    /// <remarks>The shell prints C strings: text (and a BLOB shown as text) ends at its first NUL byte.</remarks>
    public static byte[]? Text(in SqlValue v) => v.Type switch
    {
        SqlType.Null => null,
        SqlType.Text or SqlType.Blob => CString(v.Bytes).ToArray(),
        _ => Encoding.UTF8.GetBytes(SqlConvert.ToText(v)),
    };

    /// <summary>The bytes up to the first NUL.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        return nul < 0 ? bytes : bytes[..nul];
    }

    /// <summary>
    /// A REAL as the shell's quote/insert/json modes and .dump print it: SQLite's "%!.20g".
    /// </summary>
    public static string Real(double r, string positiveInfinity, string negativeInfinity)
    {
        if (double.IsPositiveInfinity(r))
        {
            return positiveInfinity;
        }

        if (double.IsNegativeInfinity(r))
        {
            return negativeInfinity;
        }

        return SqlitePrintf.GenericAlt(r, 20);
    }

    /// <summary>'text' with quotes doubled (output_quoted_string).</summary>
    public static void QuotedString(ShellOutput o, ReadOnlySpan<byte> z)
    {
        o.Write((byte)'\'');
        foreach (var b in z)
        {
            o.Write(b);
            if (b == '\'')
            {
                o.Write((byte)'\'');
            }
        }

        o.Write((byte)'\'');
    }

    /// <summary>
    /// 'text' for the insert mode and .dump: newlines and carriage returns become replace(..., '\n',
    /// char(10)) so the statement stays on one line (output_quoted_escaped_string).
    /// </summary>
    public static void QuotedEscapedString(ShellOutput o, ReadOnlySpan<byte> z)
    {
        var nl = z.Count((byte)'\n');
        var cr = z.Count((byte)'\r');
        if (nl == 0 && cr == 0)
        {
            QuotedString(o, z);
            return;
        }

        string? zNl = null;
        string? zCr = null;
        if (nl > 0)
        {
            o.Write("replace(");
            zNl = UnusedString(z, "\\n", "\\012");
        }

        if (cr > 0)
        {
            o.Write("replace(");
            zCr = UnusedString(z, "\\r", "\\015");
        }

        o.Write((byte)'\'');
        foreach (var b in z)
        {
            switch (b)
            {
                case (byte)'\'':
                    o.Write("''");
                    break;
                case (byte)'\n':
                    o.Write(zNl!);
                    break;
                case (byte)'\r':
                    o.Write(zCr!);
                    break;
                default:
                    o.Write(b);
                    break;
            }
        }

        o.Write((byte)'\'');
        if (cr > 0)
        {
            o.Write($",'{zCr}',char(13))");
        }

        if (nl > 0)
        {
            o.Write($",'{zNl}',char(10))");
        }
    }

    private static string UnusedString(ReadOnlySpan<byte> z, string a, string b)
    {
        if (z.IndexOf(Encoding.ASCII.GetBytes(a)) < 0)
        {
            return a;
        }

        if (z.IndexOf(Encoding.ASCII.GetBytes(b)) < 0)
        {
            return b;
        }

        for (var i = 0; ; i++)
        {
            var s = $"({i})";
            if (z.IndexOf(Encoding.ASCII.GetBytes(s)) < 0)
            {
                return s;
            }
        }
    }

    /// <summary>X'0aff' (output_hex_blob).</summary>
    public static void HexBlob(ShellOutput o, ReadOnlySpan<byte> blob)
    {
        o.Write("X'");
        o.Write(Convert.ToHexStringLower(blob));
        o.Write((byte)'\'');
    }

    /// <summary>A JSON string of raw bytes (output_json_string).</summary>
    public static void JsonString(ShellOutput o, ReadOnlySpan<byte> z)
    {
        o.Write((byte)'"');
        foreach (var c in z)
        {
            if (c is (byte)'\\' or (byte)'"')
            {
                o.Write((byte)'\\');
                o.Write(c);
            }
            else if (c <= 0x1f)
            {
                o.Write(c switch
                {
                    (byte)'\b' => "\\b",
                    (byte)'\f' => "\\f",
                    (byte)'\n' => "\\n",
                    (byte)'\r' => "\\r",
                    (byte)'\t' => "\\t",
                    _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                });
            }
            else
            {
                o.Write(c);
            }
        }

        o.Write((byte)'"');
    }

    /// <summary>An identifier as the shell writes it in INSERT statements: bare when it can be, else "double-quoted".</summary>
    public static string Identifier(string name)
    {
        var plain = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_');
        for (var i = 0; plain && i < name.Length; i++)
        {
            plain = char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_';
        }

        if (plain && Keywords.Lookup(name) != TokenKind.Identifier)
        {
            plain = false;
        }

        return plain ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Number of characters (UTF-8 lead bytes) of a text, as the shell's strlenChar counts them.</summary>
    public static int CharCount(ReadOnlySpan<byte> z)
    {
        var n = 0;
        foreach (var b in z)
        {
            if ((b & 0xc0) != 0x80)
            {
                n++;
            }
        }

        return n;
    }
}
