using System.Globalization;
using System.Text;
using static Forge.Cache.Scripting.Lua.LibArgs;

namespace Forge.Cache.Scripting.Lua;

/// <summary>Lua 5.1's base library as Redis loads it (no print/dofile/loadfile/require).</summary>
internal static class BaseLib
{
    public static void Open(LuaState l)
    {
        var g = l.Globals;
        g.Set("_G", g);
        g.Set("_VERSION", LuaString.From("Lua 5.1"));
        Register(g, "assert", Assert);
        Register(g, "error", Error);
        Register(g, "pcall", PCall);
        Register(g, "xpcall", XPCall);
        Register(g, "type", (l, a) =>
        {
            Any(l, a, 0, "type");
            return One(LuaString.From(Lua.TypeName(a[0])));
        });
        Register(g, "tostring", (l, a) =>
        {
            Any(l, a, 0, "tostring");
            return One(l.ToStringMeta(a[0]));
        });
        Register(g, "tonumber", ToNumber);
        var next = new LuaBuiltin("next", Next);
        g.Set("next", next);
        l.NextFunction = next;
        Register(g, "pairs", (l, a) =>
        {
            var t = Table(l, a, 0, "pairs");
            return [next, t, null];
        });
        var ipairsIter = new LuaBuiltin("ipairs_iter", (l, a) =>
        {
            var t = (LuaTable)a[0]!;
            var i = (double)a[1]! + 1;
            var v = t.Get(i);
            return v is null ? One(null) : [i, v];
        });
        Register(g, "ipairs", (l, a) =>
        {
            var t = Table(l, a, 0, "ipairs");
            return [ipairsIter, t, 0.0];
        });
        Register(g, "select", Select);
        Register(g, "unpack", Unpack);
        Register(g, "rawget", (l, a) => One(Table(l, a, 0, "rawget").Get(Arg(a, 1))));
        Register(g, "rawset", (l, a) =>
        {
            var t = Table(l, a, 0, "rawset");
            Any(l, a, 1, "rawset");
            Any(l, a, 2, "rawset");
            if (t.ReadOnly)
            {
                throw l.PlainError(LuaString.From("Attempt to modify a readonly table"));
            }

            l.CheckKey(a[1], 0);
            t.Set(a[1]!, a[2]);
            return One(t);
        });
        Register(g, "rawequal", (l, a) =>
        {
            Any(l, a, 0, "rawequal");
            Any(l, a, 1, "rawequal");
            return One(Lua.Bool(Lua.RawEquals(a[0], a[1])));
        });
        Register(g, "setmetatable", (l, a) =>
        {
            var t = Table(l, a, 0, "setmetatable");
            var mt = Arg(a, 1);
            if (mt is not null and not LuaTable)
            {
                throw TypeError(l, a, 1, "setmetatable", "nil or table");
            }

            if (t.ReadOnly)
            {
                throw l.PlainError(LuaString.From("Attempt to modify a readonly table"));
            }

            if (t.Metatable?.Get("__metatable") is not null)
            {
                throw l.Error("cannot change a protected metatable");
            }

            t.Metatable = (LuaTable?)mt;
            return One(t);
        });
        Register(g, "getmetatable", (l, a) =>
        {
            Any(l, a, 0, "getmetatable");
            var mt = l.GetMetatable(a[0]);
            if (mt is null)
            {
                return One(null);
            }

            return One(mt.Get("__metatable") ?? mt);
        });
        Register(g, "loadstring", (l, a) =>
        {
            var s = Str(l, a, 0, "loadstring");
            var name = OptStr(l, a, 1, "loadstring");
            try
            {
                var chunk = name is null ? Encoding.UTF8.GetString(s.Bytes.AsSpan(0, Math.Min(s.Length, 60))).Split('\n')[0] : name.ToString();
                var proto = Parser.Parse(s.Bytes, name is null ? $"[string \"{chunk}{(s.Length > 60 || s.Bytes.Contains((byte)'\n') ? "..." : "")}\"]" : name.ToString());
                return One(new LuaClosure(proto, []));
            }
            catch (LuaException e)
            {
                return [null, e.Value];
            }
        });
        Register(g, "gcinfo", (l, a) => One(0.0));
        Register(g, "collectgarbage", (l, a) => One(0.0));
    }

    private static object?[] Assert(LuaState l, object?[] a)
    {
        Any(l, a, 0, "assert");
        if (!Lua.IsTruthy(a[0]))
        {
            var msg = Arg(a, 1) is null ? "assertion failed!" : Str(l, a, 1, "assert").ToString();
            throw l.Error(msg);
        }

        return a;
    }

    private static object?[] Error(LuaState l, object?[] a)
    {
        var v = Arg(a, 0);
        var level = OptInt(l, a, 1, "error", 1);
        if (v is LuaString s && level > 0)
        {
            v = new LuaString([.. Encoding.UTF8.GetBytes(l.Where((int)level)), .. s.Bytes]);
        }

        l.ErrorLine = l.CallLine;
        throw new LuaException(v);
    }

    private static object?[] PCall(LuaState l, object?[] a)
    {
        Any(l, a, 0, "pcall");
        try
        {
            l.CallLine = 0;
            var r = l.Call(a[0], a.AsSpan(1).ToArray());
            var res = new object?[r.Length + 1];
            res[0] = Lua.True;
            r.CopyTo(res, 1);
            return res;
        }
        catch (LuaException e) when (!e.Uncatchable)
        {
            return [Lua.False, Caught(e)];
        }
    }

    private static object?[] XPCall(LuaState l, object?[] a)
    {
        Any(l, a, 1, "xpcall");
        try
        {
            l.CallLine = 0;
            var r = l.Call(a[0], Lua.None);
            var res = new object?[r.Length + 1];
            res[0] = Lua.True;
            r.CopyTo(res, 1);
            return res;
        }
        catch (LuaException e) when (!e.Uncatchable)
        {
            var h = l.Call(a[1], [Caught(e)]);
            return [Lua.False, h.Length > 0 ? h[0] : null];
        }
    }

    /// <summary>The error value pcall returns: Redis 7.0 hands error tables ({err=...}) over as their message.</summary>
    private static object? Caught(LuaException e) => e.Value is LuaTable t && t.Get("err") is LuaString s ? s : e.Value;

    private static object?[] ToNumber(LuaState l, object?[] a)
    {
        Any(l, a, 0, "tonumber");
        var b = OptInt(l, a, 1, "tonumber", 10);
        var v = a[0];
        if (b == 10)
        {
            return One(Lua.TryToNumber(v, out var d) ? d : null);
        }

        if (b < 2 || b > 36)
        {
            throw BadArg(l, 1, "tonumber", "base out of range");
        }

        var s = Str(l, a, 0, "tonumber").ToString().Trim().ToLowerInvariant();
        var neg = s.StartsWith('-');
        if (neg)
        {
            s = s[1..];
        }

        if (s.Length == 0)
        {
            return One(null);
        }

        double acc = 0;
        foreach (var ch in s)
        {
            var digit = ch is >= '0' and <= '9' ? ch - '0' : ch is >= 'a' and <= 'z' ? ch - 'a' + 10 : 99;
            if (digit >= b)
            {
                return One(null);
            }

            acc = (acc * b) + digit;
        }

        return One(neg ? -acc : acc);
    }

    private static object?[] Next(LuaState l, object?[] a)
    {
        var t = Table(l, a, 0, "next");
        try
        {
            return t.Next(Arg(a, 1), out var k, out var v) ? [k, v] : One(null);
        }
        catch (LuaException e)
        {
            throw l.Error(e.Message);
        }
    }

    private static object?[] Select(LuaState l, object?[] a)
    {
        var n = a.Length - 1;
        if (Arg(a, 0) is LuaString s && s.Length == 1 && s.Bytes[0] == '#')
        {
            return One((double)n);
        }

        var i = Int(l, a, 0, "select");
        if (i < 0)
        {
            i = n + i + 1;
        }
        else if (i == 0)
        {
            throw BadArg(l, 0, "select", "index out of range");
        }

        if (i < 1)
        {
            throw BadArg(l, 0, "select", "index out of range");
        }

        return i >= a.Length ? Lua.None : a.AsSpan((int)i).ToArray();
    }

    public static object?[] Unpack(LuaState l, object?[] a)
    {
        var t = Table(l, a, 0, "unpack");
        var i = OptInt(l, a, 1, "unpack", 1);
        var e = Arg(a, 2) is null ? t.Length() : Int(l, a, 2, "unpack");
        if (i > e)
        {
            return Lua.None;
        }

        var n = e - i + 1;
        if (n >= 8000 || n <= 0)
        {
            throw l.Error("too many results to unpack");
        }

        var r = new object?[n];
        for (var k = 0; k < n; k++)
        {
            r[k] = t.Get((double)(i + k));
        }

        return r;
    }

    public static string Fmt(double d) => d.ToString(CultureInfo.InvariantCulture);
}
