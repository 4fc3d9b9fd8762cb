using System.Globalization;
using System.Text;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// printf(FORMAT, ...) and its alias format() as SQLite 3.40 evaluates them
/// (https://www.sqlite.org/printf.html): sqlite3_str_vappendf over the SQL arguments. Everything is
/// bytes of UTF-8, as in C: widths and precisions count bytes unless the '!' flag asks for
/// characters; arguments are taken in order and a missing one reads as 0, 0.0 or a NULL string;
/// integers read as sqlite3_value_int64 does (a text's leading integer, a real truncated and
/// saturated), reals as sqlite3_value_double, strings as sqlite3_value_text (a REAL is "%!.15g", text
/// stops at a NUL). An unknown conversion ends the output there. A result (or one of SQLite's work
/// buffers) of SQLITE_LIMIT_LENGTH bytes or more makes the whole result NULL, as in sqlite3.
/// </summary>
internal static class Printf
{
    private const int BufSize = 70; // SQLITE_PRINT_BUF_SIZE: conversions that fit need no work buffer

    private static readonly string[] s_ordinalSuffixes = ["th", "st", "nd", "rd"];

    public static SqlValue Evaluate(ReadOnlySpan<SqlValue> args)
    {
        if (args.Length == 0 || args[0].IsNull)
        {
            return SqlValue.Null;
        }

        var format = TextArg(args[0])!;
        var arguments = new Arguments(args[1..]);
        var output = new Output();
        // Like sqlite3StrAccumFinish, nothing ever appended (not even an empty conversion) is NULL.
        return Run(format, ref arguments, output) && !output.TooBig && output.Touched ? SqlValue.FromText(output.ToArray()) : SqlValue.Null;
    }

    /// <summary>Appends the formatted text; false when SQLite would fail with SQLITE_TOOBIG.</summary>
    private static bool Run(byte[] fmt, ref Arguments args, Output output)
    {
        var i = 0;
        int At(int k) => k < fmt.Length ? fmt[k] : 0;

        while (i < fmt.Length)
        {
            if (fmt[i] != '%')
            {
                var start = i;
                while (i < fmt.Length && fmt[i] != '%')
                {
                    i++;
                }

                output.Append(fmt.AsSpan(start, i - start));
                if (i >= fmt.Length)
                {
                    break;
                }
            }

            var c = At(++i);
            if (c == 0)
            {
                output.Append("%"u8);
                break;
            }

            var leftJustify = false;
            var alternate = false;
            var altForm2 = false;
            var zeroPad = false;
            var thousands = false;
            var flagPrefix = '\0';
            var width = 0;
            var precision = -1;
            var done = false;
            do
            {
                switch (c)
                {
                    case '-':
                        leftJustify = true;
                        break;
                    case '+':
                        flagPrefix = '+';
                        break;
                    case ' ':
                        flagPrefix = ' ';
                        break;
                    case '#':
                        alternate = true;
                        break;
                    case '!':
                        altForm2 = true;
                        break;
                    case '0':
                        zeroPad = true;
                        break;
                    case ',':
                        thousands = true;
                        break;
                    case 'l':
                        c = At(++i);
                        if (c == 'l')
                        {
                            c = At(++i);
                        }

                        done = true;
                        break;
                    case >= '1' and <= '9':
                        {
                            var wx = (uint)(c - '0');
                            while ((c = At(++i)) is >= '0' and <= '9')
                            {
                                wx = unchecked((wx * 10) + (uint)(c - '0'));
                            }

                            width = (int)(wx & 0x7fffffff);
                            if (c != '.' && c != 'l')
                            {
                                done = true;
                            }
                            else
                            {
                                i--;
                            }

                            break;
                        }

                    case '*':
                        width = unchecked((int)args.NextInteger());
                        if (width < 0)
                        {
                            leftJustify = true;
                            width = width >= -int.MaxValue ? -width : 0;
                        }

                        if ((c = At(i + 1)) != '.' && c != 'l')
                        {
                            c = At(++i);
                            done = true;
                        }

                        break;
                    case '.':
                        c = At(++i);
                        if (c == '*')
                        {
                            precision = unchecked((int)args.NextInteger());
                            if (precision < 0)
                            {
                                precision = precision >= -int.MaxValue ? -precision : -1;
                            }

                            c = At(++i);
                        }
                        else
                        {
                            var px = 0u;
                            while (c is >= '0' and <= '9')
                            {
                                px = unchecked((px * 10) + (uint)(c - '0'));
                                c = At(++i);
                            }

                            precision = (int)(px & 0x7fffffff);
                        }

                        if (c == 'l')
                        {
                            i--;
                        }
                        else
                        {
                            done = true;
                        }

                        break;
                    default:
                        done = true;
                        break;
                }
            }
            while (!done && (c = At(++i)) != 0);

            // The conversion: its text (bytes) and length, then the width padding common to all.
            byte[] text;
            int length;
            switch (c)
            {
                case 'd' or 'i' or 'u' or 'x' or 'X' or 'o' or 'p' or 'r':
                    {
                        var digits = Integer((char)c, args.NextInteger(), flagPrefix, alternate, zeroPad, thousands, width, precision);
                        if (digits is null)
                        {
                            return false;
                        }

                        text = digits;
                        length = text.Length;
                        break;
                    }

                case 'f' or 'e' or 'E' or 'g' or 'G':
                    {
                        var s = SqlitePrintf.FormatFloat(args.NextReal(), precision, (char)c, flagPrefix, alternate, altForm2, zeroPad, leftJustify, width);
                        if (s is null)
                        {
                            return false;
                        }

                        text = Encoding.ASCII.GetBytes(s);
                        length = text.Length;
                        break;
                    }

                case 'n':
                    text = [];
                    length = width = 0;
                    break;
                case '%':
                    text = "%"u8.ToArray();
                    length = 1;
                    break;
                case 'c':
                    {
                        var arg = args.NextText();
                        var buf = new byte[4];
                        length = 1;
                        if (arg is { Length: > 0 })
                        {
                            var b = arg[0];
                            buf[0] = b;
                            var k = 1;
                            if ((b & 0xc0) == 0xc0)
                            {
                                while (length < 4 && k < arg.Length && (arg[k] & 0xc0) == 0x80)
                                {
                                    buf[length++] = arg[k++];
                                }
                            }
                        }

                        text = buf[..length];
                        if (precision > 1)
                        {
                            width -= precision - 1;
                            if (width > 1 && !leftJustify)
                            {
                                output.AppendRepeated((byte)' ', width - 1);
                                width = 0;
                            }

                            output.AppendRepeated(text, precision - 1);
                        }

                        width = AdjustWidth(text, length, width);
                        break;
                    }

                case 's' or 'z':
                    {
                        text = args.NextText() ?? [];
                        if (precision >= 0)
                        {
                            if (altForm2)
                            {
                                var z = 0;
                                while (precision-- > 0 && z < text.Length)
                                {
                                    z = SkipUtf8(text, z);
                                }

                                length = z;
                            }
                            else
                            {
                                length = Math.Min(precision, text.Length);
                            }
                        }
                        else
                        {
                            length = text.Length;
                        }

                        if (altForm2)
                        {
                            width = AdjustWidth(text, length, width);
                        }

                        break;
                    }

                case 'q' or 'Q' or 'w':
                    {
                        var quote = (byte)(c == 'w' ? '"' : '\'');
                        var arg = args.NextText();
                        var isNull = arg is null;
                        var esc = arg ?? (c == 'Q' ? "NULL"u8.ToArray() : "(NULL)"u8.ToArray());
                        long k = precision;
                        long n = 0;
                        var end = 0;
                        for (; k != 0 && end < esc.Length; end++, k--)
                        {
                            var ch = esc[end];
                            if (ch == quote)
                            {
                                n++;
                            }

                            if (altForm2 && (ch & 0xc0) == 0xc0)
                            {
                                while (end + 1 < esc.Length && (esc[end + 1] & 0xc0) == 0x80)
                                {
                                    end++;
                                }
                            }
                        }

                        var needQuote = !isNull && c == 'Q';
                        n += end + 3;
                        if (n > BufSize && n > SqlitePrintf.MaxLength)
                        {
                            return false;
                        }

                        var result = new List<byte>((int)n);
                        if (needQuote)
                        {
                            result.Add(quote);
                        }

                        for (var j = 0; j < end; j++)
                        {
                            result.Add(esc[j]);
                            if (esc[j] == quote)
                            {
                                result.Add(quote);
                            }
                        }

                        if (needQuote)
                        {
                            result.Add(quote);
                        }

                        text = [.. result];
                        length = text.Length;
                        if (altForm2)
                        {
                            width = AdjustWidth(text, length, width);
                        }

                        break;
                    }

                default:
                    // Unknown conversions (and the internal %T and %S) end the output here.
                    return true;
            }

            width -= length;
            if (width > 0)
            {
                if (!leftJustify)
                {
                    output.AppendRepeated((byte)' ', width);
                }

                output.Append(text.AsSpan(0, length));
                if (leftJustify)
                {
                    output.AppendRepeated((byte)' ', width);
                }
            }
            else
            {
                output.Append(text.AsSpan(0, length));
            }

            if (output.TooBig)
            {
                return false;
            }

            i++;
        }

        return true;
    }

    /// <summary>With '!', a width in characters: one more byte of width per UTF-8 continuation byte shown.</summary>
    private static int AdjustWidth(byte[] text, int length, int width)
    {
        if (width > 0)
        {
            for (var ii = length - 1; ii >= 0; ii--)
            {
                if ((text[ii] & 0xc0) == 0x80)
                {
                    width++;
                }
            }
        }

        return width;
    }

    /// <summary>SQLITE_SKIP_UTF8: past a lead byte and its continuation bytes.</summary>
    private static int SkipUtf8(byte[] s, int z)
    {
        if (s[z++] >= 0xc0)
        {
            while (z < s.Length && (s[z] & 0xc0) == 0x80)
            {
                z++;
            }
        }

        return z;
    }

    /// <summary>%d %i %u %x %X %o %p %r: digits built from the right as SQLite does; null when the work buffer would be too big.</summary>
    private static byte[]? Integer(char type, long v, char flagPrefix, bool alternate, bool zeroPad, bool thousands, int width, int precision)
    {
        var signed = type is 'd' or 'i' or 'r';
        if (type is 'x' or 'X' or 'o' or 'p' or 'r')
        {
            thousands = false;
        }

        ulong value;
        char prefix;
        if (signed)
        {
            if (v < 0)
            {
                value = unchecked(0UL - (ulong)v);
                prefix = '-';
            }
            else
            {
                value = (ulong)v;
                prefix = flagPrefix;
            }
        }
        else
        {
            value = unchecked((ulong)v);
            prefix = '\0';
        }

        if (value == 0)
        {
            alternate = false;
        }

        var hasPrefix = prefix != '\0' ? 1 : 0;
        if (zeroPad && precision < width - hasPrefix)
        {
            precision = width - hasPrefix;
        }

        if (precision >= BufSize - 10 - (BufSize / 3))
        {
            var n = (long)precision + 10 + (thousands ? precision / 3 : 0);
            if (n > SqlitePrintf.MaxLength)
            {
                return null;
            }
        }

        var (numberBase, digits) = type switch
        {
            'x' => (16UL, "0123456789abcdef"),
            'X' or 'p' => (16UL, "0123456789ABCDEF"),
            'o' => (8UL, "01234567"),
            _ => (10UL, "0123456789"),
        };

        var sb = new StringBuilder();
        if (type == 'r')
        {
            var x = (int)(value % 10);
            if (x >= 4 || (value / 10 % 10) == 1)
            {
                x = 0;
            }

            sb.Append(s_ordinalSuffixes[x]);
        }

        // Digits of the number, least significant first, then zero padding to the precision.
        var number = new StringBuilder();
        do
        {
            number.Append(digits[(int)(value % numberBase)]);
            value /= numberBase;
        }
        while (value > 0);

        // The precision counts %r's suffix too.
        if (precision > number.Length + sb.Length)
        {
            number.Append('0', precision - number.Length - sb.Length);
        }

        var body = new StringBuilder(number.Length + (number.Length / 3) + 4);
        if (prefix != '\0')
        {
            body.Append(prefix);
        }

        if (alternate)
        {
            body.Append(type switch
            {
                'o' => "0",
                'x' or 'p' => "0x",
                'X' => "0X",
                _ => "",
            });
        }

        for (var k = number.Length - 1; k >= 0; k--)
        {
            body.Append(number[k]);
            if (thousands && k > 0 && k % 3 == 0)
            {
                body.Append(',');
            }
        }

        return Encoding.ASCII.GetBytes(body.Append(sb).ToString());
    }

    /// <summary>The value as sqlite3_value_text gives it to C: null for NULL, text and blobs up to a NUL.</summary>
    private static byte[]? TextArg(in SqlValue v)
    {
        switch (v.Type)
        {
            case SqlType.Null:
                return null;
            case SqlType.Integer:
                return Encoding.ASCII.GetBytes(v.AsInteger.ToString(CultureInfo.InvariantCulture));
            case SqlType.Real:
                return Encoding.ASCII.GetBytes(SqlitePrintf.GenericAlt(v.AsReal, 15));
            default:
                {
                    var bytes = v.Bytes;
                    var nul = bytes.IndexOf((byte)0);
                    return (nul >= 0 ? bytes[..nul] : bytes).ToArray();
                }
        }
    }

    /// <summary>The SQL arguments after the format, consumed in order (PrintfArguments).</summary>
    private ref struct Arguments(ReadOnlySpan<SqlValue> values)
    {
        private readonly ReadOnlySpan<SqlValue> _values = values;
        private int _used;

        public long NextInteger() => _used < _values.Length ? SqlConvert.ToInteger(_values[_used++]) : 0;

        public double NextReal() => _used < _values.Length ? SqlConvert.ToReal(_values[_used++]) : 0.0;

        public byte[]? NextText() => _used < _values.Length ? TextArg(_values[_used++]) : null;
    }

    /// <summary>The result being built; TooBig once it would reach SQLITE_LIMIT_LENGTH.</summary>
    private sealed class Output
    {
        private byte[] _buffer = new byte[64];
        private int _length;

        public bool TooBig { get; private set; }

        public bool Touched { get; private set; }

        private bool Reserve(long n)
        {
            Touched = true;
            if (TooBig || _length + n >= SqlitePrintf.MaxLength)
            {
                TooBig = true;
                return false;
            }

            if (_length + n > _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Min(Math.Max(_buffer.Length * 2L, _length + n), SqlitePrintf.MaxLength));
            }

            return true;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (Reserve(bytes.Length))
            {
                bytes.CopyTo(_buffer.AsSpan(_length));
                _length += bytes.Length;
            }
        }

        public void AppendRepeated(byte b, long count)
        {
            if (count > 0 && Reserve(count))
            {
                _buffer.AsSpan(_length, (int)count).Fill(b);
                _length += (int)count;
            }
        }

        public void AppendRepeated(byte[] bytes, long count)
        {
            if (count > 0 && Reserve(count * bytes.Length))
            {
                for (var k = 0; k < count; k++)
                {
                    bytes.CopyTo(_buffer.AsSpan(_length));
                    _length += bytes.Length;
                }
            }
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
    }
}
