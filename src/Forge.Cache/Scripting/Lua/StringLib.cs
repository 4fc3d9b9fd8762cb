using System.Globalization;
using System.Text;
using static Forge.Cache.Scripting.Lua.LibArgs;

namespace Forge.Cache.Scripting.Lua;

/// <summary>Lua 5.1's string library over byte strings.</summary>
internal static class StringLib
{
    public static LuaTable Open(LuaState l)
    {
        var t = new LuaTable();
        Register(t, "len", (l, a) => One((double)Str(l, a, 0, "len").Length));
        Register(t, "sub", Sub);
        Register(t, "upper", (l, a) => One(Map(Str(l, a, 0, "upper"), c => c is >= (byte)'a' and <= (byte)'z' ? (byte)(c - 32) : c)));
        Register(t, "lower", (l, a) => One(Map(Str(l, a, 0, "lower"), c => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c)));
        Register(t, "rep", Rep);
        Register(t, "reverse", (l, a) =>
        {
            var b = Str(l, a, 0, "reverse").Bytes.ToArray();
            Array.Reverse(b);
            return One(new LuaString(b));
        });
        Register(t, "byte", Byte);
        Register(t, "char", (l, a) =>
        {
            var b = new byte[a.Length];
            for (var i = 0; i < a.Length; i++)
            {
                var c = Int(l, a, i, "char");
                if (c is < 0 or > 255)
                {
                    throw BadArg(l, i, "char", "invalid value");
                }

                b[i] = (byte)c;
            }

            return One(new LuaString(b));
        });
        Register(t, "format", Format);
        Register(t, "find", (l, a) => Find(l, a, true));
        Register(t, "match", (l, a) => Find(l, a, false));
        Register(t, "gmatch", GMatch);
        Register(t, "gsub", GSub);
        l.Globals.Set("string", t);
        var meta = new LuaTable();
        meta.Set("__index", t);
        l.StringMeta = meta;
        return t;
    }

    private static LuaString Map(LuaString s, Func<byte, byte> f)
    {
        var b = new byte[s.Length];
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = f(s.Bytes[i]);
        }

        return new LuaString(b);
    }

    private static long PosRelat(long pos, int len) => pos < 0 ? len + pos + 1 : pos;

    private static object?[] Sub(LuaState l, object?[] a)
    {
        var s = Str(l, a, 0, "sub");
        var len = s.Length;
        var i = PosRelat(OptInt(l, a, 1, "sub", 1), len);
        var j = PosRelat(OptInt(l, a, 2, "sub", -1), len);
        if (i < 1)
        {
            i = 1;
        }

        if (j > len)
        {
            j = len;
        }

        return One(i > j ? LuaString.Empty : new LuaString(s.Bytes.AsSpan((int)i - 1, (int)(j - i + 1)).ToArray()));
    }

    private static object?[] Rep(LuaState l, object?[] a)
    {
        var s = Str(l, a, 0, "rep");
        var n = Int(l, a, 1, "rep");
        if (n <= 0 || s.Length == 0)
        {
            return One(LuaString.Empty);
        }

        if ((double)s.Length * n > LuaState.MaxStringLength)
        {
            throw l.Error("string length overflow");
        }

        var b = new byte[s.Length * (int)n];
        for (var i = 0; i < n; i++)
        {
            s.Bytes.CopyTo(b, i * s.Length);
        }

        return One(new LuaString(b));
    }

    private static object?[] Byte(LuaState l, object?[] a)
    {
        var s = Str(l, a, 0, "byte");
        var i = PosRelat(OptInt(l, a, 1, "byte", 1), s.Length);
        var j = PosRelat(OptInt(l, a, 2, "byte", i), s.Length);
        if (i <= 0)
        {
            i = 1;
        }

        if (j > s.Length)
        {
            j = s.Length;
        }

        if (i > j)
        {
            return Lua.None;
        }

        var r = new object?[j - i + 1];
        for (var k = 0; k < r.Length; k++)
        {
            r[k] = (double)s.Bytes[i - 1 + k];
        }

        return r;
    }

    private static bool HasSpecials(byte[] p)
    {
        foreach (var c in p)
        {
            if ("^$*+?.([%-"u8.Contains(c))
            {
                return true;
            }
        }

        return false;
    }

    private static object?[] Find(LuaState l, object?[] a, bool find)
    {
        var fname = find ? "find" : "match";
        var s = Str(l, a, 0, fname);
        var p = Str(l, a, 1, fname);
        var init = PosRelat(OptInt(l, a, 2, fname, 1), s.Length) - 1;
        if (init < 0)
        {
            init = 0;
        }
        else if (init > s.Length)
        {
            init = s.Length;
        }

        if (find && (Lua.IsTruthy(Arg(a, 3)) || !HasSpecials(p.Bytes)))
        {
            var idx = s.Bytes.AsSpan((int)init).IndexOf(p.Bytes);
            return idx < 0 ? One(null) : [(double)(init + idx + 1), (double)(init + idx + p.Length)];
        }

        var m = new LuaPattern(l, s.Bytes, p.Bytes);
        var anchor = p.Length > 0 && p.Bytes[0] == '^';
        var pi = anchor ? 1 : 0;
        var si = (int)init;
        do
        {
            var e = m.Match(si, pi);
            if (e != -1)
            {
                if (find)
                {
                    var caps = m.Captures(si, e, false);
                    var r = new object?[2 + caps.Length];
                    r[0] = (double)(si + 1);
                    r[1] = (double)e;
                    caps.CopyTo(r, 2);
                    return r;
                }

                return m.Captures(si, e, true);
            }

            si++;
        }
        while (si <= s.Length && !anchor);

        return One(null);
    }

    private static object?[] GMatch(LuaState l, object?[] a)
    {
        var s = Str(l, a, 0, "gmatch");
        var p = Str(l, a, 1, "gmatch");
        var pos = 0;
        var iter = new LuaBuiltin("gmatch_iter", (l2, _) =>
        {
            var m = new LuaPattern(l2, s.Bytes, p.Bytes);
            for (var si = pos; si <= s.Length; si++)
            {
                var e = m.Match(si, 0);
                if (e != -1)
                {
                    pos = e == si ? e + 1 : e;
                    return m.Captures(si, e, true);
                }
            }

            pos = s.Length + 1;
            return One(null);
        });
        return One(iter);
    }

    private static object?[] GSub(LuaState l, object?[] a)
    {
        var s = Str(l, a, 0, "gsub");
        var p = Str(l, a, 1, "gsub");
        var repl = Arg(a, 2);
        if (repl is not (double or LuaString or LuaTable or LuaFunction))
        {
            throw TypeError(l, a, 2, "gsub", "string/function/table");
        }

        var maxN = Arg(a, 3) is null ? long.MaxValue : Int(l, a, 3, "gsub");
        var anchor = p.Length > 0 && p.Bytes[0] == '^';
        var pi = anchor ? 1 : 0;
        var m = new LuaPattern(l, s.Bytes, p.Bytes);
        var b = new List<byte>();
        var si = 0;
        var n = 0L;
        while (n < maxN)
        {
            var e = m.Match(si, pi);
            if (e != -1)
            {
                n++;
                AddValue(l, m, b, si, e, repl, s.Bytes);
            }

            if (e != -1 && e > si)
            {
                si = e;
            }
            else if (si < s.Length)
            {
                b.Add(s.Bytes[si++]);
            }
            else
            {
                break;
            }

            if (b.Count > LuaState.MaxStringLength)
            {
                throw l.Error("string length overflow");
            }

            if (anchor)
            {
                break;
            }
        }

        b.AddRange(s.Bytes.AsSpan(si));
        return [new LuaString([.. b]), (double)n];
    }

    private static void AddValue(LuaState l, LuaPattern m, List<byte> b, int s, int e, object? repl, byte[] src)
    {
        object? value;
        switch (repl)
        {
            case LuaString or double:
                {
                    var r = Lua.ToLuaString(repl)!.Bytes;
                    for (var i = 0; i < r.Length; i++)
                    {
                        if (r[i] != '%')
                        {
                            b.Add(r[i]);
                            continue;
                        }

                        i++;
                        if (i >= r.Length)
                        {
                            break;
                        }

                        if (r[i] is < (byte)'0' or > (byte)'9')
                        {
                            b.Add(r[i]);
                        }
                        else if (r[i] == '0')
                        {
                            b.AddRange(src.AsSpan(s, e - s));
                        }
                        else
                        {
                            var cap = m.GetCapture(r[i] - '1', s, e);
                            b.AddRange(Lua.ToLuaString(cap)!.Bytes);
                        }
                    }

                    return;
                }

            case LuaTable t:
                value = l.Index(t, m.GetCapture(0, s, e));
                break;
            default:
                value = l.Call1(repl, m.Captures(s, e, true));
                break;
        }

        if (!Lua.IsTruthy(value))
        {
            b.AddRange(src.AsSpan(s, e - s));
        }
        else if (value is LuaString or double)
        {
            b.AddRange(Lua.ToLuaString(value)!.Bytes);
        }
        else
        {
            throw l.Error($"invalid replacement value (a {Lua.TypeName(value)})");
        }
    }

    private static object?[] Format(LuaState l, object?[] a)
    {
        var fmt = Str(l, a, 0, "format").Bytes;
        var b = new List<byte>();
        var arg = 0;
        for (var i = 0; i < fmt.Length; i++)
        {
            if (fmt[i] != '%')
            {
                b.Add(fmt[i]);
                continue;
            }

            if (++i >= fmt.Length)
            {
                throw l.Error("invalid option '%' to 'format'");
            }

            if (fmt[i] == '%')
            {
                b.Add((byte)'%');
                continue;
            }

            var start = i;
            while (i < fmt.Length && "-+ #0"u8.Contains(fmt[i]))
            {
                i++;
            }

            if (i - start > 5)
            {
                throw l.Error("invalid format (repeated flags)");
            }

            var flags = Encoding.ASCII.GetString(fmt, start, i - start);
            var width = 0;
            var digits = 0;
            while (i < fmt.Length && fmt[i] is >= (byte)'0' and <= (byte)'9')
            {
                width = (width * 10) + (fmt[i++] - '0');
                if (++digits > 2)
                {
                    throw l.Error("invalid format (width or precision too long)");
                }
            }

            var precision = -1;
            if (i < fmt.Length && fmt[i] == '.')
            {
                i++;
                precision = 0;
                digits = 0;
                while (i < fmt.Length && fmt[i] is >= (byte)'0' and <= (byte)'9')
                {
                    precision = (precision * 10) + (fmt[i++] - '0');
                    if (++digits > 2)
                    {
                        throw l.Error("invalid format (width or precision too long)");
                    }
                }
            }

            if (i >= fmt.Length)
            {
                throw l.Error("invalid option '%' to 'format'");
            }

            var conv = (char)fmt[i];
            arg++;
            string text;
            switch (conv)
            {
                case 'c':
                    b.Add((byte)Int(l, a, arg, "format"));
                    continue;
                case 'd':
                case 'i':
                    {
                        var v = Number(l, a, arg, "format");
                        var n = ToInt(v);
                        text = Math.Abs((decimal)n).ToString(CultureInfo.InvariantCulture);
                        if (precision >= 0)
                        {
                            text = text.PadLeft(precision, '0');
                        }

                        text = Sign(n < 0, flags) + text;
                        break;
                    }

                case 'u':
                    text = unchecked((ulong)ToInt(Number(l, a, arg, "format"))).ToString(CultureInfo.InvariantCulture);
                    break;
                case 'o':
                    text = Convert.ToString(ToInt(Number(l, a, arg, "format")), 8);
                    break;
                case 'x':
                case 'X':
                    {
                        text = ToInt(Number(l, a, arg, "format")).ToString(conv == 'x' ? "x" : "X", CultureInfo.InvariantCulture);
                        if (precision >= 0)
                        {
                            text = text.PadLeft(precision, '0');
                        }

                        if (flags.Contains('#', StringComparison.Ordinal) && text != "0")
                        {
                            text = (conv == 'x' ? "0x" : "0X") + text;
                        }

                        break;
                    }

                case 'e':
                case 'E':
                    {
                        var v = Number(l, a, arg, "format");
                        text = FormatE(v, precision < 0 ? 6 : precision, conv == 'E');
                        text = NumSign(v, flags) + text;
                        break;
                    }

                case 'f':
                case 'F':
                    {
                        var v = Number(l, a, arg, "format");
                        text = double.IsFinite(v) ? Math.Abs(v).ToString("F" + (precision < 0 ? 6 : precision).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : (double.IsNaN(v) ? "nan" : "inf");
                        text = NumSign(v, flags) + text;
                        break;
                    }

                case 'g':
                case 'G':
                    {
                        var v = Number(l, a, arg, "format");
                        text = Lua.FormatG(Math.Abs(v), precision < 0 ? 6 : precision, conv == 'G', flags.Contains('#', StringComparison.Ordinal));
                        text = NumSign(v, flags) + text;
                        break;
                    }

                case 'q':
                    {
                        var s = Str(l, a, arg, "format").Bytes;
                        b.Add((byte)'"');
                        foreach (var c in s)
                        {
                            switch (c)
                            {
                                case (byte)'"':
                                case (byte)'\\':
                                case (byte)'\n':
                                    b.Add((byte)'\\');
                                    b.Add(c);
                                    break;
                                case (byte)'\r':
                                    b.AddRange("\\r"u8);
                                    break;
                                case 0:
                                    b.AddRange("\\000"u8);
                                    break;
                                default:
                                    b.Add(c);
                                    break;
                            }
                        }

                        b.Add((byte)'"');
                        continue;
                    }

                case 's':
                    {
                        var s = l.ToStringMeta(Arg(a, arg));
                        if (arg >= a.Length)
                        {
                            throw TypeError(l, a, arg, "format", "string");
                        }

                        var bytes = precision >= 0 && precision < s.Length ? s.Bytes.AsSpan(0, precision).ToArray() : s.Bytes;
                        Pad(b, bytes, width, flags.Contains('-', StringComparison.Ordinal), ' ');
                        continue;
                    }

                default:
                    throw l.Error($"invalid option '%{conv}' to 'format'");
            }

            var zero = flags.Contains('0', StringComparison.Ordinal) && !flags.Contains('-', StringComparison.Ordinal) && conv is not ('s' or 'c');
            if (zero && text.Length < width && (text.StartsWith('-') || text.StartsWith('+') || text.StartsWith(' ')))
            {
                text = text[0] + text[1..].PadLeft(width - 1, '0');
            }

            Pad(b, Encoding.ASCII.GetBytes(text), width, flags.Contains('-', StringComparison.Ordinal), zero ? '0' : ' ');
        }

        return One(new LuaString([.. b]));
    }

    private static string Sign(bool negative, string flags) =>
        negative ? "-" : flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : "";

    private static string NumSign(double v, string flags) => Sign(v < 0 || (v == 0 && double.IsNegative(v)), flags);

    private static string FormatE(double v, int precision, bool upper)
    {
        v = Math.Abs(v);
        if (!double.IsFinite(v))
        {
            return double.IsNaN(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        }

        var s = v.ToString((upper ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var ePos = s.IndexOfAny(['e', 'E']);
        var exp = int.Parse(s.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..ePos] + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }

    private static void Pad(List<byte> b, byte[] text, int width, bool left, char pad)
    {
        var fill = Math.Max(0, width - text.Length);
        if (!left)
        {
            for (var k = 0; k < fill; k++)
            {
                b.Add((byte)pad);
            }
        }

        b.AddRange(text);
        if (left)
        {
            for (var k = 0; k < fill; k++)
            {
                b.Add((byte)' ');
            }
        }
    }
}
