using System.Runtime.CompilerServices;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Expressions;

/// <summary>
/// What an expression evaluates against: the current row of each table in scope (slot by slot,
/// as the planner numbered them), bound parameters and the statement's clock (every 'now' in one
/// statement is the same instant, as in SQLite).
/// </summary>
internal sealed class EvalContext
{
    public EvalContext(int slots = 0)
    {
        Rows = new IRowSource?[slots];
    }

    /// <summary>The current row of each FROM item, by slot.</summary>
    public IRowSource?[] Rows { get; }

    /// <summary>Bound parameters by 1-based index (index 0 unused).</summary>
    public SqlValue[] Parameters { get; set; } = [];

    /// <summary>The database the statement runs on (changes(), total_changes(), last_insert_rowid() read it); null where no statement runs.</summary>
    public Database? Connection { get; set; }

    /// <summary>Unix milliseconds, fixed for the statement.</summary>
    public long NowUnixMs { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}

/// <summary>A row a cursor is positioned on: its columns by index, and its rowid.</summary>
internal interface IRowSource
{
    SqlValue Column(int index);

    long RowId { get; }
}

/// <summary>
/// An expression compiled for evaluation: a tree of small nodes, each knowing its result's
/// affinity and collation (SQLite's expression affinity rules decide comparisons).
/// </summary>
internal abstract class CompiledExpr
{
    /// <summary>The expression's affinity: a column's, a CAST's, otherwise none (<see cref="Affinity.Blob"/>).</summary>
    public Affinity Affinity { get; init; } = Affinity.Blob;

    /// <summary>The collation it carries (an explicit COLLATE or a column's), or null.</summary>
    public Collation? Collation { get; init; }

    /// <summary>True when the value does not depend on the row (folded by the compiler).</summary>
    public virtual bool IsConstant => false;

    public abstract SqlValue Eval(EvalContext ctx);

    /// <summary>SQLite's truth of a value: NULL is null, numbers by != 0, text by its numeric prefix.</summary>
    public static bool? Truth(in SqlValue v) => v.Type switch
    {
        SqlType.Null => null,
        SqlType.Integer => v.AsInteger != 0,
        SqlType.Real => v.AsReal != 0,
        _ => SqlConvert.ToReal(v) != 0,
    };

    protected static SqlValue Bool(bool? b) => b is null ? SqlValue.Null : SqlValue.FromInteger(b.Value ? 1 : 0);
}

internal sealed class ConstantExpr(SqlValue value) : CompiledExpr
{
    public SqlValue Value { get; } = value;

    public override bool IsConstant => true;

    public override SqlValue Eval(EvalContext ctx) => Value;
}

internal sealed class ParameterExpr(int index) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx) => index < ctx.Parameters.Length ? ctx.Parameters[index] : SqlValue.Null;
}

/// <summary>A column of the row in a slot; column -1 is the rowid.</summary>
internal sealed class ColumnExpr(int slot, int column) : CompiledExpr
{
    public int Slot { get; } = slot;

    public int ColumnIndex { get; } = column;

    /// <summary>A table column with BLOB affinity (see ExpressionCompiler.AffinitiesFor).</summary>
    public bool BlobColumn { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override SqlValue Eval(EvalContext ctx)
    {
        var row = ctx.Rows[Slot];
        if (row is null)
        {
            return SqlValue.Null; // the NULL row of an outer join
        }

        return ColumnIndex < 0 ? SqlValue.FromInteger(row.RowId) : row.Column(ColumnIndex);
    }
}

internal enum ArithOp : byte
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Concat,
    BitAnd,
    BitOr,
    ShiftLeft,
    ShiftRight,
}

internal sealed class ArithExpr(ArithOp op, CompiledExpr left, CompiledExpr right) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var a = left.Eval(ctx);
        var b = right.Eval(ctx);
        return op switch
        {
            ArithOp.Add => SqlArithmetic.Add(a, b),
            ArithOp.Subtract => SqlArithmetic.Subtract(a, b),
            ArithOp.Multiply => SqlArithmetic.Multiply(a, b),
            ArithOp.Divide => SqlArithmetic.Divide(a, b),
            ArithOp.Remainder => SqlArithmetic.Remainder(a, b),
            ArithOp.Concat => SqlArithmetic.Concat(a, b),
            ArithOp.BitAnd => SqlArithmetic.BitAnd(a, b),
            ArithOp.BitOr => SqlArithmetic.BitOr(a, b),
            ArithOp.ShiftLeft => SqlArithmetic.ShiftLeft(a, b),
            _ => SqlArithmetic.ShiftRight(a, b),
        };
    }
}

internal enum UnaryKind : byte
{
    Negate,
    Plus,
    BitNot,
    Not,
}

internal sealed class UnaryExprNode(UnaryKind kind, CompiledExpr operand) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var v = operand.Eval(ctx);
        return kind switch
        {
            UnaryKind.Negate => SqlArithmetic.Negate(v),
            UnaryKind.Plus => v,
            UnaryKind.BitNot => SqlArithmetic.BitNot(v),
            _ => Truth(v) is { } t ? SqlValue.FromInteger(t ? 0 : 1) : SqlValue.Null,
        };
    }
}

internal sealed class AndExpr(CompiledExpr left, CompiledExpr right) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var a = Truth(left.Eval(ctx));
        if (a == false)
        {
            return SqlValue.FromInteger(0);
        }

        var b = Truth(right.Eval(ctx));
        if (b == false)
        {
            return SqlValue.FromInteger(0);
        }

        return a is null || b is null ? SqlValue.Null : SqlValue.FromInteger(1);
    }
}

internal sealed class OrExpr(CompiledExpr left, CompiledExpr right) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var a = Truth(left.Eval(ctx));
        if (a == true)
        {
            return SqlValue.FromInteger(1);
        }

        var b = Truth(right.Eval(ctx));
        if (b == true)
        {
            return SqlValue.FromInteger(1);
        }

        return a is null || b is null ? SqlValue.Null : SqlValue.FromInteger(0);
    }
}

internal enum CompareOp : byte
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
}

/// <summary>
/// A comparison with SQLite's rules: the affinity to apply to each operand and the collation were
/// decided at compile time from the operands' affinities (datatype3.html, 4.2 and 7.1).
/// </summary>
internal sealed class CompareExpr(CompareOp op, CompiledExpr left, CompiledExpr right, Affinity? leftApply, Affinity? rightApply, Collation collation) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx) => Compare(op, left.Eval(ctx), right.Eval(ctx), leftApply, rightApply, collation);

    public static SqlValue Compare(CompareOp op, SqlValue a, SqlValue b, Affinity? leftApply, Affinity? rightApply, Collation collation)
    {
        if (a.IsNull || b.IsNull)
        {
            return op switch
            {
                CompareOp.Is => SqlValue.FromInteger(a.IsNull && b.IsNull ? 1 : 0),
                CompareOp.IsNot => SqlValue.FromInteger(a.IsNull && b.IsNull ? 0 : 1),
                _ => SqlValue.Null,
            };
        }

        if (leftApply is { } la)
        {
            a = SqlConvert.ApplyAffinity(a, la);
        }

        if (rightApply is { } ra)
        {
            b = SqlConvert.ApplyAffinity(b, ra);
        }

        var c = SqlComparer.Compare(a, b, collation);
        var result = op switch
        {
            CompareOp.Eq or CompareOp.Is => c == 0,
            CompareOp.Ne or CompareOp.IsNot => c != 0,
            CompareOp.Lt => c < 0,
            CompareOp.Le => c <= 0,
            CompareOp.Gt => c > 0,
            _ => c >= 0,
        };
        return SqlValue.FromInteger(result ? 1 : 0);
    }

    /// <summary>
    /// Which affinity each operand gets before a comparison: if one side is numeric (INTEGER, REAL,
    /// NUMERIC) and the other TEXT or none, the other gets NUMERIC; if one is TEXT and the other
    /// none, the other gets TEXT; otherwise nothing changes.
    /// </summary>
    public static (Affinity? Left, Affinity? Right) AffinitiesFor(Affinity left, Affinity right)
    {
        static bool IsNumeric(Affinity a) => a is Affinity.Integer or Affinity.Real or Affinity.Numeric;
        if (IsNumeric(left) && !IsNumeric(right))
        {
            return (null, Affinity.Numeric);
        }

        if (IsNumeric(right) && !IsNumeric(left))
        {
            return (Affinity.Numeric, null);
        }

        if (left == Affinity.Text && right == Affinity.Blob)
        {
            return (null, Affinity.Text);
        }

        if (right == Affinity.Text && left == Affinity.Blob)
        {
            return (Affinity.Text, null);
        }

        return (null, null);
    }
}

internal sealed class BetweenExpr(CompiledExpr operand, CompiledExpr low, CompiledExpr high, bool not, Collation collation) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var x = operand.Eval(ctx);
        var (la, ra) = CompareExpr.AffinitiesFor(operand.Affinity, low.Affinity);
        var ge = Truth(CompareExpr.Compare(CompareOp.Ge, x, low.Eval(ctx), la, ra, collation));
        (la, ra) = CompareExpr.AffinitiesFor(operand.Affinity, high.Affinity);
        var le = ge == false ? false : Truth(CompareExpr.Compare(CompareOp.Le, x, high.Eval(ctx), la, ra, collation));
        bool? inside = ge == false || le == false ? false : ge is null || le is null ? null : true;
        return Bool(not ? !inside : inside);
    }
}

/// <summary>x [NOT] IN (list): 1 on a match, else NULL if x or any item is NULL, else 0.</summary>
internal sealed class InListExpr(CompiledExpr operand, CompiledExpr[] items, bool not, Collation collation) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var x = operand.Eval(ctx);
        if (x.IsNull)
        {
            return items.Length == 0 ? SqlValue.FromInteger(not ? 1 : 0) : SqlValue.Null;
        }

        var sawNull = false;
        foreach (var item in items)
        {
            var v = item.Eval(ctx);
            if (v.IsNull)
            {
                sawNull = true;
                continue;
            }

            // The left operand's affinity (if it has one) is applied to the list's values.
            var b = operand.Affinity == Affinity.Blob ? v : SqlConvert.ApplyAffinity(v, operand.Affinity);
            if (SqlComparer.Compare(x, b, collation) == 0)
            {
                return SqlValue.FromInteger(not ? 0 : 1);
            }
        }

        return sawNull ? SqlValue.Null : SqlValue.FromInteger(not ? 1 : 0);
    }
}

/// <summary>x IS [NOT] TRUE / FALSE: a truth test where NULL is neither true nor false.</summary>
internal sealed class TruthTestExpr(CompiledExpr operand, bool expected, bool not) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var matches = Truth(operand.Eval(ctx)) == expected;
        return SqlValue.FromInteger(matches != not ? 1 : 0);
    }
}

internal sealed class NullTestExpr(CompiledExpr operand, bool not) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx) => SqlValue.FromInteger(operand.Eval(ctx).IsNull != not ? 1 : 0);
}

internal sealed class LikeExpr(CompiledExpr operand, CompiledExpr pattern, CompiledExpr? escape, bool glob, bool not) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var esc = -1;
        if (escape is not null)
        {
            var e = escape.Eval(ctx);
            if (e.IsNull)
            {
                return SqlValue.Null;
            }

            esc = PatternMatch.EscapeChar(SqlArithmetic.TextBytes(e));
        }

        var r = PatternMatch.Evaluate(operand.Eval(ctx), pattern.Eval(ctx), like: !glob, esc);
        return not && !r.IsNull ? SqlValue.FromInteger(r.AsInteger == 0 ? 1 : 0) : r;
    }
}

/// <summary>CASE [base] WHEN .. THEN .. [ELSE ..] END.</summary>
internal sealed class CaseExpr(CompiledExpr? operand, (CompiledExpr When, CompiledExpr Then)[] arms, CompiledExpr? otherwise, Collation collation) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        if (operand is null)
        {
            foreach (var (when, then) in arms)
            {
                if (Truth(when.Eval(ctx)) == true)
                {
                    return then.Eval(ctx);
                }
            }
        }
        else
        {
            var x = operand.Eval(ctx);
            foreach (var (when, then) in arms)
            {
                var (la, ra) = CompareExpr.AffinitiesFor(operand.Affinity, when.Affinity);
                if (Truth(CompareExpr.Compare(CompareOp.Eq, x, when.Eval(ctx), la, ra, collation)) == true)
                {
                    return then.Eval(ctx);
                }
            }
        }

        return otherwise?.Eval(ctx) ?? SqlValue.Null;
    }
}

internal sealed class CastExpr(CompiledExpr operand, Affinity target) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        var v = operand.Eval(ctx);
        if (v.IsNull)
        {
            return v;
        }

        return target switch
        {
            Affinity.Integer => SqlValue.FromInteger(SqlConvert.ToInteger(v)),
            Affinity.Real => SqlValue.FromReal(SqlConvert.ToReal(v)),
            Affinity.Text => v.Type == SqlType.Text ? v : SqlValue.FromText(SqlArithmetic.TextBytes(v).ToArray()),
            Affinity.Numeric => SqlConvert.ToNumericCast(v),
            _ => v.Type == SqlType.Blob ? v : SqlValue.FromBlob(SqlArithmetic.TextBytes(v).ToArray()),
        };
    }
}

/// <summary>A scalar function call; the implementation gets the evaluated arguments.</summary>
internal sealed class FunctionExpr(ScalarFunction function, CompiledExpr[] args) : CompiledExpr
{
    private readonly SqlValue[] _values = new SqlValue[args.Length];

    public override SqlValue Eval(EvalContext ctx)
    {
        for (var i = 0; i < args.Length; i++)
        {
            _values[i] = args[i].Eval(ctx);
        }

        return function(_values, ctx);
    }
}

/// <summary>coalesce / ifnull: the first non-NULL argument, later ones not evaluated.</summary>
internal sealed class CoalesceExpr(CompiledExpr[] args) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx)
    {
        foreach (var a in args)
        {
            var v = a.Eval(ctx);
            if (!v.IsNull)
            {
                return v;
            }
        }

        return SqlValue.Null;
    }
}

/// <summary>iif(c, a, b): only the chosen branch is evaluated.</summary>
internal sealed class IifExpr(CompiledExpr condition, CompiledExpr then, CompiledExpr otherwise) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx) => Truth(condition.Eval(ctx)) == true ? then.Eval(ctx) : otherwise.Eval(ctx);
}

/// <summary>A scalar function's implementation.</summary>
internal delegate SqlValue ScalarFunction(ReadOnlySpan<SqlValue> args, EvalContext ctx);
