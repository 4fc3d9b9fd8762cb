namespace Forge.Cache.Scripting.Lua;

/// <summary>Argument checks with lauxlib's error texts ("bad argument #1 to 'rep' (number expected, got nil)").</summary>
internal static class LibArgs
{
    public static object? Arg(object?[] a, int i) => i < a.Length ? a[i] : null;

    public static LuaException BadArg(LuaState l, int i, string fname, string msg) =>
        l.Error($"bad argument #{i + 1} to '{fname}' ({msg})");

    private static string Got(object?[] a, int i) => i < a.Length ? Lua.TypeName(a[i]) : "no value";

    public static LuaException TypeError(LuaState l, object?[] a, int i, string fname, string expected) =>
        BadArg(l, i, fname, $"{expected} expected, got {Got(a, i)}");

    public static double Number(LuaState l, object?[] a, int i, string fname)
    {
        if (Lua.TryToNumber(Arg(a, i), out var d))
        {
            return d;
        }

        throw TypeError(l, a, i, fname, "number");
    }

    public static double OptNumber(LuaState l, object?[] a, int i, string fname, double def) =>
        Arg(a, i) is null ? def : Number(l, a, i, fname);

    /// <summary>luaL_checkint: the number truncated toward zero (as a C cast).</summary>
    public static long Int(LuaState l, object?[] a, int i, string fname)
    {
        var d = Number(l, a, i, fname);
        return ToInt(d);
    }

    public static long ToInt(double d)
    {
        if (double.IsNaN(d))
        {
            return long.MinValue;
        }

        if (d >= 9.2e18)
        {
            return long.MaxValue;
        }

        if (d <= -9.2e18)
        {
            return long.MinValue;
        }

        return (long)d;
    }

    public static long OptInt(LuaState l, object?[] a, int i, string fname, long def) =>
        Arg(a, i) is null ? def : Int(l, a, i, fname);

    public static LuaString Str(LuaState l, object?[] a, int i, string fname)
    {
        var v = Arg(a, i);
        if (v is LuaString s)
        {
            return s;
        }

        if (v is double d)
        {
            return Lua.NumberToLuaString(d);
        }

        throw TypeError(l, a, i, fname, "string");
    }

    public static LuaString? OptStr(LuaState l, object?[] a, int i, string fname) =>
        Arg(a, i) is null ? null : Str(l, a, i, fname);

    public static LuaTable Table(LuaState l, object?[] a, int i, string fname)
    {
        if (Arg(a, i) is LuaTable t)
        {
            return t;
        }

        throw TypeError(l, a, i, fname, "table");
    }

    public static void Any(LuaState l, object?[] a, int i, string fname)
    {
        if (i >= a.Length)
        {
            throw BadArg(l, i, fname, "value expected");
        }
    }

    public static object?[] One(object? v) => [v];

    public static void Register(LuaTable t, string name, LuaBuiltinFn fn) => t.Set(name, new LuaBuiltin(name, fn));
}
