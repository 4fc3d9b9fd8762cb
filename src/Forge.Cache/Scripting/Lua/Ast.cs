namespace Forge.Cache.Scripting.Lua;

// The parser resolves every name to a local slot, an upvalue index or a global, so evaluation
// never looks a name up by string. Each node evaluates itself (a closure-like tree: no
// per-node dispatch beyond one virtual call). A captured local lives in a Cell in its slot; a
// slot holds a Cell only for captured locals (Cells are never Lua values), so access checks
// the slot's type instead of a flag.

internal enum Signal
{
    Normal,
    Break,
    Return,
}

/// <summary>One activation of a Lua function.</summary>
internal sealed class Frame
{
    public Frame(int slots, object?[] varargs, Cell[] upvals)
    {
        Slots = slots == 0 ? Lua.None : new object?[slots];
        Varargs = varargs;
        Upvals = upvals;
    }

    public object?[] Slots;
    public object?[] Varargs;
    public Cell[] Upvals;
    public object?[]? Ret;
}

internal sealed class LocalInfo
{
    public LocalInfo(string name, int slot)
    {
        Name = name;
        Slot = slot;
    }

    public string Name { get; }

    public int Slot { get; }

    public bool Captured { get; set; }
}

internal readonly record struct UpvalDesc(string Name, bool FromParentLocal, int Index);

internal sealed class FunctionProto
{
    public string Name { get; set; } = "?";

    public int Line { get; set; }

    public int NumParams { get; set; }

    public bool IsVararg { get; set; }

    public int NumSlots { get; set; }

    public LocalInfo[] Params { get; set; } = [];

    public Block Body { get; set; } = null!;

    public List<UpvalDesc> Upvals { get; } = [];
}

internal abstract class Expr
{
    public int Line { get; init; }

    public abstract object? Eval(LuaState l, Frame f);

    public virtual object?[] EvalMulti(LuaState l, Frame f) => [Eval(l, f)];

    public virtual bool IsMulti => false;

    /// <summary>How Lua names this expression in errors: "local 'x'", "global 'x'", "field 'x'".</summary>
    public virtual string? Describe => null;

    public static object?[] EvalList(LuaState l, Frame f, Expr[] exprs)
    {
        var n = exprs.Length;
        if (n == 0)
        {
            return Lua.None;
        }

        if (!exprs[n - 1].IsMulti)
        {
            var r = new object?[n];
            for (var i = 0; i < n; i++)
            {
                r[i] = exprs[i].Eval(l, f);
            }

            return r;
        }

        if (n == 1)
        {
            return exprs[0].EvalMulti(l, f);
        }

        var first = new object?[n - 1];
        for (var i = 0; i < n - 1; i++)
        {
            first[i] = exprs[i].Eval(l, f);
        }

        var rest = exprs[n - 1].EvalMulti(l, f);
        var all = new object?[n - 1 + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, n - 1);
        return all;
    }
}

internal sealed class ConstExpr(object? value) : Expr
{
    public object? Value { get; } = value;

    public override object? Eval(LuaState l, Frame f) => Value;
}

internal sealed class VarargExpr : Expr
{
    public override object? Eval(LuaState l, Frame f) => f.Varargs.Length > 0 ? f.Varargs[0] : null;

    public override object?[] EvalMulti(LuaState l, Frame f) => f.Varargs.Length == 0 ? Lua.None : (object?[])f.Varargs.Clone();

    public override bool IsMulti => true;
}

internal sealed class LocalExpr(LocalInfo info) : Expr
{
    public LocalInfo Info { get; } = info;

    public override object? Eval(LuaState l, Frame f)
    {
        var v = f.Slots[Info.Slot];
        return v is Cell c ? c.Value : v;
    }

    public void Assign(Frame f, object? value)
    {
        if (f.Slots[Info.Slot] is Cell c)
        {
            c.Value = value;
        }
        else
        {
            f.Slots[Info.Slot] = value;
        }
    }

    public override string Describe => $"local '{Info.Name}'";
}

internal sealed class UpvalExpr(int index, string name) : Expr
{
    public int Index { get; } = index;

    public override object? Eval(LuaState l, Frame f) => f.Upvals[Index].Value;

    public override string Describe => $"upvalue '{name}'";
}

internal sealed class GlobalExpr(LuaString name) : Expr
{
    public LuaString Name { get; } = name;

    public override object? Eval(LuaState l, Frame f) => l.Globals.Get(Name) ?? l.Index(l.Globals, Name, this, Line);

    public override string Describe => $"global '{Name}'";
}

internal sealed class IndexExpr(Expr obj, Expr key) : Expr
{
    public Expr Obj { get; } = obj;

    public Expr Key { get; } = key;

    public override object? Eval(LuaState l, Frame f)
    {
        var o = Obj.Eval(l, f);
        var k = Key.Eval(l, f);
        if (o is LuaTable t)
        {
            var v = t.Get(k);
            if (v is not null || t.Metatable is null)
            {
                return v;
            }
        }

        return l.Index(o, k, Obj, Line);
    }

    public override string? Describe => Key is ConstExpr { Value: LuaString s } ? $"field '{s}'" : null;
}

internal sealed class CallExpr(Expr fn, Expr[] args) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var r = EvalMulti(l, f);
        return r.Length > 0 ? r[0] : null;
    }

    public override object?[] EvalMulti(LuaState l, Frame f)
    {
        var fv = fn.Eval(l, f);
        var a = EvalList(l, f, args);
        l.CallLine = Line;
        return l.Call(fv, a, fn, Line);
    }

    public override bool IsMulti => true;
}

internal sealed class MethodCallExpr(Expr obj, LuaString name, Expr[] args) : Expr
{
    private readonly MethodName _describe = new(name);

    public override object? Eval(LuaState l, Frame f)
    {
        var r = EvalMulti(l, f);
        return r.Length > 0 ? r[0] : null;
    }

    public override object?[] EvalMulti(LuaState l, Frame f)
    {
        var o = obj.Eval(l, f);
        var fv = o is LuaTable t && t.Get(name) is { } direct ? direct : l.Index(o, name, obj, Line);
        var rest = EvalList(l, f, args);
        var a = new object?[rest.Length + 1];
        a[0] = o;
        rest.CopyTo(a, 1);
        l.CallLine = Line;
        return l.Call(fv, a, _describe, Line);
    }

    public override bool IsMulti => true;

    private sealed class MethodName(LuaString name) : Expr
    {
        public override object? Eval(LuaState l, Frame f) => null;

        public override string Describe => $"method '{name}'";
    }
}

internal sealed class FunctionExpr(FunctionProto proto) : Expr
{
    public FunctionProto Proto { get; } = proto;

    public override object? Eval(LuaState l, Frame f)
    {
        var descs = Proto.Upvals;
        var cells = descs.Count == 0 ? [] : new Cell[descs.Count];
        for (var i = 0; i < cells.Length; i++)
        {
            var d = descs[i];
            cells[i] = d.FromParentLocal ? (Cell)f.Slots[d.Index]! : f.Upvals[d.Index];
        }

        return new LuaClosure(Proto, cells);
    }
}

internal sealed class AndExpr(Expr a, Expr b) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var v = a.Eval(l, f);
        return Lua.IsTruthy(v) ? b.Eval(l, f) : v;
    }
}

internal sealed class OrExpr(Expr a, Expr b) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var v = a.Eval(l, f);
        return Lua.IsTruthy(v) ? v : b.Eval(l, f);
    }
}

internal sealed class NotExpr(Expr a) : Expr
{
    public override object? Eval(LuaState l, Frame f) => Lua.IsTruthy(a.Eval(l, f)) ? Lua.False : Lua.True;
}

internal sealed class NegExpr(Expr a) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var v = a.Eval(l, f);
        if (v is double d)
        {
            return -d;
        }

        return l.Arith(ArithOp.Unm, v, v, a, a, Line);
    }
}

internal sealed class LenExpr(Expr a) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var v = a.Eval(l, f);
        return v switch
        {
            LuaString s => (double)s.Length,
            LuaTable t => (double)t.Length(),
            _ => throw l.RuntimeError(Line, $"attempt to get length of {LuaState.Blame(a, v)}"),
        };
    }
}

internal enum ArithOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
}

internal sealed class ArithExpr(ArithOp op, Expr a, Expr b) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var x = a.Eval(l, f);
        var y = b.Eval(l, f);
        if (x is double p && y is double q)
        {
            return LuaState.ArithRaw(op, p, q);
        }

        return l.Arith(op, x, y, a, b, Line);
    }
}

internal enum CompareOp
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

internal sealed class CompareExpr(CompareOp op, Expr a, Expr b) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var x = a.Eval(l, f);
        var y = b.Eval(l, f);
        return op switch
        {
            CompareOp.Eq => Lua.Bool(l.ValuesEqual(x, y)),
            CompareOp.Ne => Lua.Bool(!l.ValuesEqual(x, y)),
            CompareOp.Lt => Lua.Bool(l.LessThan(x, y, Line)),
            CompareOp.Le => Lua.Bool(l.LessEqual(x, y, Line)),
            CompareOp.Gt => Lua.Bool(l.LessThan(y, x, Line)),
            _ => Lua.Bool(l.LessEqual(y, x, Line)),
        };
    }
}

/// <summary>a .. b .. c flattened (right associative in Lua; same result for strings and numbers).</summary>
internal sealed class ConcatExpr(Expr[] parts) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var values = new object?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            values[i] = parts[i].Eval(l, f);
        }

        return l.Concat(values, parts, Line);
    }
}

internal sealed class TableExpr(Expr[] positional, (Expr Key, Expr Value)[] named) : Expr
{
    public override object? Eval(LuaState l, Frame f)
    {
        var t = new LuaTable(positional.Length, named.Length);
        foreach (var (k, v) in named)
        {
            var key = k.Eval(l, f);
            var value = v.Eval(l, f);
            l.CheckKey(key, Line);
            t.Set(key!, value);
        }

        if (positional.Length > 0)
        {
            var values = EvalList(l, f, positional);
            for (var i = 0; i < values.Length; i++)
            {
                t.Set((double)(i + 1), values[i]);
            }
        }

        return t;
    }
}

internal sealed class ParenExpr(Expr inner) : Expr
{
    public override object? Eval(LuaState l, Frame f) => inner.Eval(l, f);
}

// ---- statements

internal abstract class Stmt
{
    public int Line { get; init; }

    public abstract Signal Exec(LuaState l, Frame f);
}

internal sealed class Block(Stmt[] stmts) : Stmt
{
    public Stmt[] Stmts { get; } = stmts;

    public override Signal Exec(LuaState l, Frame f)
    {
        var s = Stmts;
        for (var i = 0; i < s.Length; i++)
        {
            if (--l.Budget <= 0)
            {
                l.Hook();
            }

            var r = s[i].Exec(l, f);
            if (r != Signal.Normal)
            {
                return r;
            }
        }

        return Signal.Normal;
    }
}

internal sealed class LocalStmt(LocalInfo[] targets, Expr[] values) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        if (targets.Length == 1 && values.Length == 1)
        {
            Declare(f, targets[0], values[0].Eval(l, f));
            return Signal.Normal;
        }

        var v = Expr.EvalList(l, f, values);
        for (var i = 0; i < targets.Length; i++)
        {
            Declare(f, targets[i], i < v.Length ? v[i] : null);
        }

        return Signal.Normal;
    }

    public static void Declare(Frame f, LocalInfo info, object? value) =>
        f.Slots[info.Slot] = info.Captured ? new Cell(value) : value;
}

internal sealed class LocalFunctionStmt(LocalInfo target, FunctionExpr fn) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        LocalStmt.Declare(f, target, null);
        var c = fn.Eval(l, f);
        if (f.Slots[target.Slot] is Cell cell)
        {
            cell.Value = c;
        }
        else
        {
            f.Slots[target.Slot] = c;
        }

        return Signal.Normal;
    }
}

internal sealed class AssignStmt(Expr[] targets, Expr[] values) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        if (targets.Length == 1 && values.Length == 1)
        {
            var t = targets[0];
            if (t is IndexExpr ix)
            {
                var o = ix.Obj.Eval(l, f);
                var k = ix.Key.Eval(l, f);
                l.SetIndex(o, k, values[0].Eval(l, f), ix.Obj, Line);
            }
            else
            {
                Store(l, f, t, values[0].Eval(l, f));
            }

            return Signal.Normal;
        }

        // Evaluate the targets' tables and keys, then the values, then assign.
        var objs = new object?[targets.Length];
        var keys = new object?[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            if (targets[i] is IndexExpr ix)
            {
                objs[i] = ix.Obj.Eval(l, f);
                keys[i] = ix.Key.Eval(l, f);
            }
        }

        var v = Expr.EvalList(l, f, values);
        for (var i = targets.Length - 1; i >= 0; i--)
        {
            var value = i < v.Length ? v[i] : null;
            if (targets[i] is IndexExpr ix)
            {
                l.SetIndex(objs[i], keys[i], value, ix.Obj, Line);
            }
            else
            {
                Store(l, f, targets[i], value);
            }
        }

        return Signal.Normal;
    }

    private void Store(LuaState l, Frame f, Expr target, object? value)
    {
        switch (target)
        {
            case LocalExpr le:
                le.Assign(f, value);
                break;
            case UpvalExpr ue:
                f.Upvals[ue.Index].Value = value;
                break;
            case GlobalExpr ge:
                l.SetIndex(l.Globals, ge.Name, value, null, Line);
                break;
        }
    }
}

internal sealed class CallStmt(Expr call) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        call.EvalMulti(l, f);
        return Signal.Normal;
    }
}

internal sealed class DoStmt(Block body) : Stmt
{
    public override Signal Exec(LuaState l, Frame f) => body.Exec(l, f);
}

internal sealed class WhileStmt(Expr cond, Block body) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        while (Lua.IsTruthy(cond.Eval(l, f)))
        {
            if (--l.Budget <= 0)
            {
                l.Hook();
            }

            var r = body.Exec(l, f);
            if (r == Signal.Break)
            {
                break;
            }

            if (r == Signal.Return)
            {
                return r;
            }
        }

        return Signal.Normal;
    }
}

internal sealed class RepeatStmt(Block body, Expr cond) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        while (true)
        {
            if (--l.Budget <= 0)
            {
                l.Hook();
            }

            var r = body.Exec(l, f);
            if (r == Signal.Break)
            {
                break;
            }

            if (r == Signal.Return)
            {
                return r;
            }

            if (Lua.IsTruthy(cond.Eval(l, f)))
            {
                break;
            }
        }

        return Signal.Normal;
    }
}

internal sealed class IfStmt(Expr[] conds, Block[] blocks, Block? otherwise) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        for (var i = 0; i < conds.Length; i++)
        {
            if (Lua.IsTruthy(conds[i].Eval(l, f)))
            {
                return blocks[i].Exec(l, f);
            }
        }

        return otherwise?.Exec(l, f) ?? Signal.Normal;
    }
}

internal sealed class NumericForStmt(LocalInfo var, Expr start, Expr limit, Expr? step, Block body) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        if (!Lua.TryToNumber(start.Eval(l, f), out var i))
        {
            throw l.RuntimeError(Line, "'for' initial value must be a number");
        }

        if (!Lua.TryToNumber(limit.Eval(l, f), out var lim))
        {
            throw l.RuntimeError(Line, "'for' limit must be a number");
        }

        var st = 1.0;
        if (step is not null && !Lua.TryToNumber(step.Eval(l, f), out st))
        {
            throw l.RuntimeError(Line, "'for' step must be a number");
        }

        for (; st > 0 ? i <= lim : i >= lim; i += st)
        {
            if (--l.Budget <= 0)
            {
                l.Hook();
            }

            LocalStmt.Declare(f, var, i);
            var r = body.Exec(l, f);
            if (r == Signal.Break)
            {
                break;
            }

            if (r == Signal.Return)
            {
                return r;
            }
        }

        return Signal.Normal;
    }
}

internal sealed class GenericForStmt(LocalInfo[] vars, Expr[] exprs, Block body) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        var init = Expr.EvalList(l, f, exprs);
        var fn = init.Length > 0 ? init[0] : null;
        var state = init.Length > 1 ? init[1] : null;
        var control = init.Length > 2 ? init[2] : null;

        // pairs()/next: walk the table directly.
        if (fn == l.NextFunction && state is LuaTable table)
        {
            var key = control;
            while (table.Next(key, out var k, out var v))
            {
                if (--l.Budget <= 0)
                {
                    l.Hook();
                }

                key = k;
                LocalStmt.Declare(f, vars[0], k);
                if (vars.Length > 1)
                {
                    LocalStmt.Declare(f, vars[1], v);
                    for (var j = 2; j < vars.Length; j++)
                    {
                        LocalStmt.Declare(f, vars[j], null);
                    }
                }

                var r = body.Exec(l, f);
                if (r == Signal.Break)
                {
                    break;
                }

                if (r == Signal.Return)
                {
                    return r;
                }
            }

            return Signal.Normal;
        }

        while (true)
        {
            if (--l.Budget <= 0)
            {
                l.Hook();
            }

            l.CallLine = Line;
            var results = l.Call(fn, [state, control], null, Line);
            var first = results.Length > 0 ? results[0] : null;
            if (first is null)
            {
                break;
            }

            control = first;
            for (var j = 0; j < vars.Length; j++)
            {
                LocalStmt.Declare(f, vars[j], j < results.Length ? results[j] : null);
            }

            var r = body.Exec(l, f);
            if (r == Signal.Break)
            {
                break;
            }

            if (r == Signal.Return)
            {
                return r;
            }
        }

        return Signal.Normal;
    }
}

internal sealed class ReturnStmt(Expr[] values) : Stmt
{
    public override Signal Exec(LuaState l, Frame f)
    {
        f.Ret = values.Length == 1 && !values[0].IsMulti ? [values[0].Eval(l, f)] : Expr.EvalList(l, f, values);
        return Signal.Return;
    }
}

internal sealed class BreakStmt : Stmt
{
    public override Signal Exec(LuaState l, Frame f) => Signal.Break;
}
