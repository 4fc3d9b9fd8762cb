using System.Runtime.CompilerServices;
using System.Text;

namespace Forge.Cache.Scripting.Lua;

/// <summary>
/// The interpreter: globals, calls (depth-limited: "stack overflow"), metatables, arithmetic,
/// comparison and concatenation with Lua 5.1's coercions and error texts, and the hook that runs
/// every <see cref="HookInterval"/> steps (time limit, kill, instruction budget).
/// </summary>
internal sealed class LuaState
{
    public const int HookInterval = 1000;
    public const int MaxCallDepth = 200;
    public const int MaxStringLength = 512 * 1024 * 1024;

    private int _depth;
    private readonly int[] _callLines = new int[MaxCallDepth + 2];

    public LuaState(string chunkName = "user_script")
    {
        ChunkName = chunkName;
        Globals = new LuaTable();
        Budget = HookInterval;
    }

    public string ChunkName { get; }

    public LuaTable Globals { get; }

    /// <summary>math.random's generator (Redis reseeds it with 0 before every script).</summary>
    public Libraries.RedisRandom Random { get; } = new();

    public LuaTable? StringMeta { get; set; }

    /// <summary>The builtin 'next' (pairs loops over it are run directly).</summary>
    public LuaFunction? NextFunction { get; set; }

    /// <summary>Steps left before the next hook call.</summary>
    public int Budget;

    /// <summary>Line where the last error was raised (Redis reports it as "on @user_script:LINE").</summary>
    public int ErrorLine;

    /// <summary>Line of the call being made (for error positions of builtins); 0 when called from C#.</summary>
    public int CallLine;

    /// <summary>Called every <see cref="HookInterval"/> steps; may throw an uncatchable error to stop the script.</summary>
    public Action<LuaState>? OnHook { get; set; }

    /// <summary>Total hook calls (x HookInterval = steps), for tests' instruction budgets.</summary>
    public long HookCalls { get; private set; }

    public void Hook()
    {
        Budget = HookInterval;
        HookCalls++;
        OnHook?.Invoke(this);
    }

    /// <summary>"user_script:LINE: " for an error raised by a builtin at <paramref name="level"/> (1 = its caller).</summary>
    public string Where(int level = 1)
    {
        int line;
        if (level == 1)
        {
            line = CallLine;
        }
        else
        {
            var i = _depth - (level - 2);
            line = i >= 1 && i <= _depth ? _callLines[i] : 0;
        }

        return line > 0 ? $"{ChunkName}:{line}: " : "";
    }

    /// <summary>An error from a builtin, positioned at its caller's line as luaL_error does.</summary>
    public LuaException Error(string message)
    {
        ErrorLine = CallLine;
        return new(LuaString.From(Where() + message));
    }

    /// <summary>An error without position (rawset on a read-only table, redis.* API errors), still located for the reply.</summary>
    public LuaException PlainError(object? value)
    {
        ErrorLine = CallLine;
        return new(value);
    }

    public LuaException RuntimeError(int line, string message)
    {
        ErrorLine = line;
        return new(LuaString.From($"{ChunkName}:{line}: {message}"));
    }

    public static string Blame(Expr? e, object? v)
    {
        var d = e?.Describe;
        return d is null ? $"a {Lua.TypeName(v)} value" : $"{d} (a {Lua.TypeName(v)} value)";
    }

    // ---- calls

    public object?[] Call(object? fn, object?[] args, Expr? site = null, int line = 0)
    {
        if (fn is LuaClosure c)
        {
            return CallClosure(c, args, line);
        }

        if (fn is LuaBuiltin b)
        {
            return b.Fn(this, args);
        }

        var mm = GetMetamethod(fn, "__call");
        if (mm is not null)
        {
            var a = new object?[args.Length + 1];
            a[0] = fn;
            args.CopyTo(a, 1);
            return Call(mm, a, site, line);
        }

        var msg = $"attempt to call {Blame(site, fn)}";
        throw line > 0 ? RuntimeError(line, msg) : Error(msg);
    }

    public object? Call1(object? fn, params object?[] args)
    {
        var r = Call(fn, args);
        return r.Length > 0 ? r[0] : null;
    }

    private object?[] CallClosure(LuaClosure c, object?[] args, int line)
    {
        if (_depth >= MaxCallDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw line > 0 ? RuntimeError(line, "stack overflow") : Error("stack overflow");
        }

        var p = c.Proto;
        var np = p.NumParams;
        object?[] varargs = Lua.None;
        if (p.IsVararg && args.Length > np)
        {
            varargs = args.AsSpan(np).ToArray();
        }

        var f = new Frame(p.NumSlots, varargs, c.Upvals);
        for (var i = 0; i < np; i++)
        {
            var v = i < args.Length ? args[i] : null;
            var info = p.Params[i];
            f.Slots[info.Slot] = info.Captured ? new Cell(v) : v;
        }

        _depth++;
        _callLines[_depth] = line;
        try
        {
            p.Body.Exec(this, f);
        }
        finally
        {
            _depth--;
        }

        return f.Ret ?? Lua.None;
    }

    /// <summary>Runs a compiled chunk (the main function) with no arguments.</summary>
    public object?[] Run(FunctionProto main) => CallClosure(new LuaClosure(main, []), Lua.None, 0);

    /// <summary>Compiles a chunk; syntax errors are Lua errors.</summary>
    public FunctionProto Compile(byte[] source, string? chunkName = null) => Parser.Parse(source, chunkName ?? ChunkName);

    // ---- metatables and indexing

    public LuaTable? GetMetatable(object? v) => v switch
    {
        LuaTable t => t.Metatable,
        LuaString => StringMeta,
        _ => null,
    };

    public object? GetMetamethod(object? v, string name)
    {
        var mt = GetMetatable(v);
        return mt?.Get(LuaString.From(name));
    }

    public object? Index(object? obj, object? key, Expr? site = null, int line = 0)
    {
        for (var loop = 0; loop < 100; loop++)
        {
            object? handler;
            if (obj is LuaTable t)
            {
                var v = t.Get(key);
                if (v is not null)
                {
                    return v;
                }

                handler = t.Metatable?.Get(s_index);
                if (handler is null)
                {
                    return null;
                }
            }
            else
            {
                handler = GetMetatable(obj)?.Get(s_index);
                if (handler is null)
                {
                    var msg = $"attempt to index {Blame(loop == 0 ? site : null, obj)}";
                    throw line > 0 ? RuntimeError(line, msg) : Error(msg);
                }
            }

            if (handler is LuaFunction)
            {
                if (line > 0)
                {
                    CallLine = line;
                }

                return Call1(handler, obj, key);
            }

            obj = handler;
        }

        throw line > 0 ? RuntimeError(line, "loop in gettable") : Error("loop in gettable");
    }

    private static readonly LuaString s_index = LuaString.From("__index");
    private static readonly LuaString s_newindex = LuaString.From("__newindex");

    public void CheckKey(object? key, int line)
    {
        if (key is null)
        {
            throw line > 0 ? RuntimeError(line, "table index is nil") : Error("table index is nil");
        }

        if (key is double d && double.IsNaN(d))
        {
            throw line > 0 ? RuntimeError(line, "table index is NaN") : Error("table index is NaN");
        }
    }

    public void SetIndex(object? obj, object? key, object? value, Expr? site = null, int line = 0)
    {
        for (var loop = 0; loop < 100; loop++)
        {
            object? handler;
            if (obj is LuaTable t)
            {
                if (t.ReadOnly)
                {
                    throw line > 0 ? RuntimeError(line, "Attempt to modify a readonly table") : Error("Attempt to modify a readonly table");
                }

                var mt = t.Metatable;
                if (mt is null || t.Get(key) is not null || (handler = mt.Get(s_newindex)) is null)
                {
                    CheckKey(key, line);
                    t.Set(key!, value);
                    return;
                }
            }
            else
            {
                handler = GetMetatable(obj)?.Get(s_newindex);
                if (handler is null)
                {
                    var msg = $"attempt to index {Blame(loop == 0 ? site : null, obj)}";
                    throw line > 0 ? RuntimeError(line, msg) : Error(msg);
                }
            }

            if (handler is LuaFunction)
            {
                if (line > 0)
                {
                    CallLine = line;
                }

                Call(handler, [obj, key, value]);
                return;
            }

            obj = handler;
        }

        throw line > 0 ? RuntimeError(line, "loop in settable") : Error("loop in settable");
    }

    // ---- arithmetic

    public static double ArithRaw(ArithOp op, double a, double b) => op switch
    {
        ArithOp.Add => a + b,
        ArithOp.Sub => a - b,
        ArithOp.Mul => a * b,
        ArithOp.Div => a / b,
        ArithOp.Mod => a - (Math.Floor(a / b) * b),
        ArithOp.Pow => Math.Pow(a, b),
        _ => -a,
    };

    private static string EventName(ArithOp op) => op switch
    {
        ArithOp.Add => "__add",
        ArithOp.Sub => "__sub",
        ArithOp.Mul => "__mul",
        ArithOp.Div => "__div",
        ArithOp.Mod => "__mod",
        ArithOp.Pow => "__pow",
        _ => "__unm",
    };

    public object? Arith(ArithOp op, object? a, object? b, Expr? ea, Expr? eb, int line)
    {
        if (Lua.TryToNumber(a, out var x) && Lua.TryToNumber(b, out var y))
        {
            return ArithRaw(op, x, y);
        }

        var mm = GetMetamethod(a, EventName(op)) ?? GetMetamethod(b, EventName(op));
        if (mm is not null)
        {
            CallLine = line;
            return Call1(mm, a, b);
        }

        var (bad, badExpr) = Lua.TryToNumber(a, out _) ? (b, eb) : (a, ea);
        var msg = $"attempt to perform arithmetic on {Blame(badExpr, bad)}";
        throw line > 0 ? RuntimeError(line, msg) : Error(msg);
    }

    // ---- comparison

    public bool ValuesEqual(object? a, object? b)
    {
        if (Lua.RawEquals(a, b))
        {
            return true;
        }

        if (a is LuaTable ta && b is LuaTable tb)
        {
            var m1 = ta.Metatable?.Get("__eq");
            if (m1 is null)
            {
                return false;
            }

            var m2 = tb.Metatable?.Get("__eq");
            if (!Lua.RawEquals(m1, m2))
            {
                return false;
            }

            return Lua.IsTruthy(Call1(m1, a, b));
        }

        return false;
    }

    public bool LessThan(object? a, object? b, int line)
    {
        if (a is double x && b is double y)
        {
            return x < y;
        }

        if (a is LuaString s && b is LuaString t)
        {
            return s.CompareTo(t) < 0;
        }

        return OrderMeta(a, b, "__lt", line);
    }

    public bool LessEqual(object? a, object? b, int line)
    {
        if (a is double x && b is double y)
        {
            return x <= y;
        }

        if (a is LuaString s && b is LuaString t)
        {
            return s.CompareTo(t) <= 0;
        }

        if (Lua.TypeName(a) == Lua.TypeName(b) && GetMetamethod(a, "__le") is null && GetMetamethod(a, "__lt") is { } lt && Lua.RawEquals(lt, GetMetamethod(b, "__lt")))
        {
            return !Lua.IsTruthy(Call1(lt, b, a));
        }

        return OrderMeta(a, b, "__le", line);
    }

    private bool OrderMeta(object? a, object? b, string ev, int line)
    {
        var ta = Lua.TypeName(a);
        var tb = Lua.TypeName(b);
        if (ta == tb)
        {
            var m1 = GetMetamethod(a, ev);
            if (m1 is not null && Lua.RawEquals(m1, GetMetamethod(b, ev)))
            {
                return Lua.IsTruthy(Call1(m1, a, b));
            }
        }

        var msg = ta == tb ? $"attempt to compare two {ta} values" : $"attempt to compare {ta} with {tb}";
        throw line > 0 ? RuntimeError(line, msg) : Error(msg);
    }

    // ---- concatenation

    public object? Concat(object?[] values, Expr[]? exprs, int line)
    {
        var total = 0L;
        var simple = true;
        foreach (var v in values)
        {
            if (v is LuaString s)
            {
                total += s.Length;
            }
            else if (v is double)
            {
                total += 24;
            }
            else
            {
                simple = false;
                break;
            }
        }

        if (simple)
        {
            if (total > MaxStringLength)
            {
                throw RuntimeError(line, "string length overflow");
            }

            var buf = new List<byte>((int)total);
            foreach (var v in values)
            {
                buf.AddRange(Lua.ToLuaString(v)!.Bytes);
            }

            return new LuaString([.. buf]);
        }

        // Right to left, pairwise, with __concat.
        var acc = values[^1];
        Expr? accExpr = exprs?[^1];
        for (var i = values.Length - 2; i >= 0; i--)
        {
            var left = values[i];
            if (left is LuaString or double && acc is LuaString or double)
            {
                var l1 = Lua.ToLuaString(left)!.Bytes;
                var r1 = Lua.ToLuaString(acc)!.Bytes;
                if ((long)l1.Length + r1.Length > MaxStringLength)
                {
                    throw RuntimeError(line, "string length overflow");
                }

                acc = new LuaString([.. l1, .. r1]);
                accExpr = null;
                continue;
            }

            var mm = GetMetamethod(left, "__concat") ?? GetMetamethod(acc, "__concat");
            if (mm is null)
            {
                var (bad, be) = left is LuaString or double ? (acc, accExpr) : (left, exprs?[i]);
                throw RuntimeError(line, $"attempt to concatenate {Blame(be, bad)}");
            }

            CallLine = line;
            acc = Call1(mm, left, acc);
            accExpr = null;
        }

        return acc;
    }

    // ---- tostring

    public LuaString ToStringMeta(object? v)
    {
        var mm = GetMetamethod(v, "__tostring");
        if (mm is not null)
        {
            var r = Call1(mm, v);
            return r as LuaString ?? (r is double d ? Lua.NumberToLuaString(d) : throw Error("'__tostring' must return a string"));
        }

        return v switch
        {
            LuaString s => s,
            double d => Lua.NumberToLuaString(d),
            null => LuaString.From("nil"),
            bool b => LuaString.From(b ? "true" : "false"),
            LuaBuiltin fb => LuaString.From($"function: builtin: 0x{RuntimeHelpers.GetHashCode(fb):x8}"),
            _ => new LuaString(Encoding.ASCII.GetBytes(Lua.Describe(v))),
        };
    }
}
