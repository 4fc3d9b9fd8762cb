using System.Globalization;
using System.Text;
using static Forge.Cache.Scripting.Lua.LibArgs;

namespace Forge.Cache.Scripting.Lua;

/// <summary>The cjson module Redis bundles (encode/decode with lua-cjson's defaults and error texts).</summary>
internal static class CjsonLib
{
    private const int MaxDepth = 1000;

    /// <summary>cjson.null: a light userdata in lua-cjson.</summary>
    public static readonly object Null = new CjsonNullValue();

    private sealed class CjsonNullValue
    {
    }

    /// <summary>The module's settings (cjson.encode_max_depth and friends), per Lua state.</summary>
    private sealed class Settings
    {
        public int EncodeMaxDepth { get; set; } = MaxDepth;

        public int DecodeMaxDepth { get; set; } = MaxDepth;

        public bool EncodeInvalidNumbers { get; set; }
    }

    private static int DepthArg(LuaState l, object?[] a, string name)
    {
        var n = OptInt(l, a, 0, name, MaxDepth);
        if (n is < 1 or > int.MaxValue)
        {
            throw BadArg(l, 0, name, "expected integer between 1 and 2147483647");
        }

        return (int)n;
    }

    public static void Open(LuaState l)
    {
        var t = new LuaTable();
        var settings = new Settings();
        Register(t, "encode", (l, a) =>
        {
            Any(l, a, 0, "encode");
            var sb = new List<byte>();
            Encode(l, a[0], sb, 0, settings);
            return One(new LuaString([.. sb]));
        });
        Register(t, "decode", (l, a) =>
        {
            var s = Str(l, a, 0, "decode").Bytes;
            var pos = 0;
            var v = Decode(l, s, ref pos, 0, settings.DecodeMaxDepth);
            SkipWs(s, ref pos);
            if (pos < s.Length)
            {
                throw l.Error($"Expected the end but found {TokenName(s, pos)} at character {pos + 1}");
            }

            return One(v);
        });
        t.Set("null", Null);
        Register(t, "encode_keep_buffer", (l, a) => Lua.None);
        Register(t, "encode_max_depth", (l, a) => One((double)(settings.EncodeMaxDepth = DepthArg(l, a, "encode_max_depth"))));
        Register(t, "decode_max_depth", (l, a) => One((double)(settings.DecodeMaxDepth = DepthArg(l, a, "decode_max_depth"))));
        Register(t, "encode_invalid_numbers", (l, a) =>
        {
            settings.EncodeInvalidNumbers = Arg(a, 0) is bool b ? b : Arg(a, 0) is LuaString s && s.ToString() is "on" or "true";
            return One(Lua.Bool(settings.EncodeInvalidNumbers));
        });
        Register(t, "decode_invalid_numbers", (l, a) => Lua.None);
        Register(t, "encode_sparse_array", (l, a) => Lua.None);
        l.Globals.Set("cjson", t);
    }

    private static void Encode(LuaState l, object? v, List<byte> sb, int depth, Settings settings)
    {
        switch (v)
        {
            case null:
                sb.AddRange("null"u8);
                break;
            case CjsonNullValue:
                sb.AddRange("null"u8);
                break;
            case bool b:
                sb.AddRange(b ? "true"u8 : "false"u8);
                break;
            case double d:
                if (!double.IsFinite(d))
                {
                    if (!settings.EncodeInvalidNumbers)
                    {
                        throw l.Error("Cannot serialise number: must not be NaN or Inf");
                    }

                    sb.AddRange(double.IsNaN(d) ? "nan"u8 : d > 0 ? "inf"u8 : "-inf"u8);
                    break;
                }

                sb.AddRange(Encoding.ASCII.GetBytes(Lua.FormatG(d, 14, false, false)));
                break;
            case LuaString s:
                EncodeString(s.Bytes, sb);
                break;
            case LuaTable t:
                if (depth + 1 > settings.EncodeMaxDepth)
                {
                    throw l.Error($"Cannot serialise, excessive nesting ({depth + 1})");
                }

                EncodeTable(l, t, sb, depth + 1, settings);
                break;
            default:
                throw l.Error($"Cannot serialise {Lua.TypeName(v)}: type not supported");
        }
    }

    private static void EncodeTable(LuaState l, LuaTable t, List<byte> sb, int depth, Settings settings)
    {
        // An array when every key is a positive integer (not too sparse), as lua-cjson decides.
        var max = 0.0;
        var items = 0;
        var isArray = true;
        object? k = null;
        while (t.Next(k, out var nk, out _))
        {
            k = nk;
            if (nk is double d && d >= 1 && d == Math.Floor(d))
            {
                max = Math.Max(max, d);
                items++;
            }
            else
            {
                isArray = false;
                break;
            }
        }

        if (isArray && items > 0 && max > items * 2 && max > 10)
        {
            throw l.Error("Cannot serialise table: excessively sparse array");
        }

        if (isArray && items > 0)
        {
            sb.Add((byte)'[');
            for (var i = 1; i <= max; i++)
            {
                if (i > 1)
                {
                    sb.Add((byte)',');
                }

                Encode(l, t.Get(i), sb, depth, settings);
            }

            sb.Add((byte)']');
            return;
        }

        sb.Add((byte)'{');
        var first = true;
        k = null;
        while (t.Next(k, out var nk, out var nv))
        {
            k = nk;
            if (!first)
            {
                sb.Add((byte)',');
            }

            first = false;
            if (nk is LuaString ks)
            {
                EncodeString(ks.Bytes, sb);
            }
            else if (nk is double kd)
            {
                sb.Add((byte)'"');
                sb.AddRange(Encoding.ASCII.GetBytes(Lua.FormatG(kd, 14, false, false)));
                sb.Add((byte)'"');
            }
            else
            {
                throw l.Error("Cannot serialise table: table key must be a number or string");
            }

            sb.Add((byte)':');
            Encode(l, nv, sb, depth, settings);
        }

        sb.Add((byte)'}');
    }

    private static void EncodeString(byte[] s, List<byte> sb)
    {
        sb.Add((byte)'"');
        foreach (var c in s)
        {
            switch (c)
            {
                case (byte)'"': sb.AddRange("\\\""u8); break;
                case (byte)'\\': sb.AddRange("\\\\"u8); break;
                case (byte)'/': sb.AddRange("\\/"u8); break;
                case (byte)'\n': sb.AddRange("\\n"u8); break;
                case (byte)'\r': sb.AddRange("\\r"u8); break;
                case (byte)'\t': sb.AddRange("\\t"u8); break;
                case (byte)'\b': sb.AddRange("\\b"u8); break;
                case (byte)'\f': sb.AddRange("\\f"u8); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.AddRange(Encoding.ASCII.GetBytes($"\\u{c:x4}"));
                    }
                    else
                    {
                        sb.Add(c);
                    }

                    break;
            }
        }

        sb.Add((byte)'"');
    }

    private static void SkipWs(byte[] s, ref int pos)
    {
        while (pos < s.Length && s[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            pos++;
        }
    }

    private static string TokenName(byte[] s, int pos)
    {
        if (pos >= s.Length)
        {
            return "T_END";
        }

        return s[pos] switch
        {
            (byte)'{' => "T_OBJ_BEGIN",
            (byte)'}' => "T_OBJ_END",
            (byte)'[' => "T_ARR_BEGIN",
            (byte)']' => "T_ARR_END",
            (byte)',' => "T_COMMA",
            (byte)':' => "T_COLON",
            _ => "invalid token",
        };
    }

    private static object? Decode(LuaState l, byte[] s, ref int pos, int depth, int maxDepth)
    {
        SkipWs(s, ref pos);
        if (pos >= s.Length)
        {
            throw l.Error($"Expected value but found T_END at character {pos + 1}");
        }

        if (--l.Budget <= 0)
        {
            l.Hook();
        }

        var c = s[pos];
        if (c is (byte)'{' or (byte)'[')
        {
            if (depth + 1 > maxDepth)
            {
                throw l.Error($"Found too many nested data structures ({depth + 1}) at character {pos + 1}");
            }

            var t = new LuaTable();
            pos++;
            var close = c == '{' ? (byte)'}' : (byte)']';
            SkipWs(s, ref pos);
            if (pos < s.Length && s[pos] == close)
            {
                pos++;
                return t;
            }

            var i = 1;
            while (true)
            {
                if (c == '{')
                {
                    SkipWs(s, ref pos);
                    if (pos >= s.Length || s[pos] != '"')
                    {
                        throw l.Error($"Expected object key string but found {TokenName(s, pos)} at character {pos + 1}");
                    }

                    var key = DecodeString(l, s, ref pos);
                    SkipWs(s, ref pos);
                    if (pos >= s.Length || s[pos] != ':')
                    {
                        throw l.Error($"Expected colon but found {TokenName(s, pos)} at character {pos + 1}");
                    }

                    pos++;
                    var v = Decode(l, s, ref pos, depth + 1, maxDepth);
                    t.Set(key, v);
                }
                else
                {
                    var v = Decode(l, s, ref pos, depth + 1, maxDepth);
                    t.Set((double)i++, v);
                }

                SkipWs(s, ref pos);
                if (pos < s.Length && s[pos] == ',')
                {
                    pos++;
                    continue;
                }

                if (pos < s.Length && s[pos] == close)
                {
                    pos++;
                    return t;
                }

                throw l.Error($"Expected comma or {(c == '{' ? "object" : "array")} end but found {TokenName(s, pos)} at character {pos + 1}");
            }
        }

        if (c == '"')
        {
            return DecodeString(l, s, ref pos);
        }

        if (Match(s, pos, "true"u8))
        {
            pos += 4;
            return Lua.True;
        }

        if (Match(s, pos, "false"u8))
        {
            pos += 5;
            return Lua.False;
        }

        if (Match(s, pos, "null"u8))
        {
            pos += 4;
            return Null;
        }

        var start = pos;
        while (pos < s.Length && s[pos] is (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E')
        {
            pos++;
        }

        if (pos > start && double.TryParse(Encoding.ASCII.GetString(s, start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        pos = start;
        throw l.Error($"Expected value but found invalid token at character {pos + 1}");
    }

    private static bool Match(byte[] s, int pos, ReadOnlySpan<byte> word) => s.AsSpan(pos).StartsWith(word);

    private static LuaString DecodeString(LuaState l, byte[] s, ref int pos)
    {
        var start = pos;
        pos++;
        var b = new List<byte>();
        while (true)
        {
            if (pos >= s.Length)
            {
                throw l.Error($"Expected value but found invalid token at character {start + 1}");
            }

            var c = s[pos++];
            if (c == '"')
            {
                return new LuaString([.. b]);
            }

            if (c != '\\')
            {
                b.Add(c);
                continue;
            }

            if (pos >= s.Length)
            {
                throw l.Error($"Expected value but found invalid token at character {start + 1}");
            }

            var e = s[pos++];
            switch (e)
            {
                case (byte)'b': b.Add(8); break;
                case (byte)'f': b.Add(12); break;
                case (byte)'n': b.Add(10); break;
                case (byte)'r': b.Add(13); break;
                case (byte)'t': b.Add(9); break;
                case (byte)'u':
                    {
                        if (pos + 4 > s.Length || !int.TryParse(Encoding.ASCII.GetString(s, pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var cp))
                        {
                            throw l.Error($"Expected value but found invalid unicode escape code at character {start + 1}");
                        }

                        pos += 4;
                        if (cp is >= 0xD800 and <= 0xDBFF && pos + 6 <= s.Length && s[pos] == '\\' && s[pos + 1] == 'u'
                            && int.TryParse(Encoding.ASCII.GetString(s, pos + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var lo) && lo is >= 0xDC00 and <= 0xDFFF)
                        {
                            pos += 6;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        }

                        b.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp is >= 0xD800 and <= 0xDFFF ? 0xFFFD : cp)));
                        break;
                    }

                default:
                    b.Add(e);
                    break;
            }
        }
    }
}
