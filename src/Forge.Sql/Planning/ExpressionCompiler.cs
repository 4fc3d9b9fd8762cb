using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Functions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>An error found while preparing a statement (SQLite reports these at prepare time: "no such column: x").</summary>
public sealed class SqlPrepareException : Exception
{
    public SqlPrepareException()
        : base("SQL logic error")
    {
    }

    public SqlPrepareException(string message)
        : base(message)
    {
    }

    public SqlPrepareException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SqlPrepareException(string message, int offset)
        : base(message)
    {
        Offset = offset;
    }

    /// <summary>Where in the SQL text the error is (sqlite3_error_offset), or -1.</summary>
    public int Offset { get; } = -1;
}

/// <summary>A column a name resolved to: which row slot, which column (-1: the rowid), its affinity and collation.</summary>
internal readonly record struct ColumnBinding(int Slot, int Column, Affinity Affinity, Collation Collation)
{
    /// <summary>A table column declared with BLOB affinity (it has an affinity, unlike an expression without one).</summary>
    public bool BlobColumn { get; init; }
}

/// <summary>Name resolution for column references (the FROM clause's tables, outer scopes for correlated subqueries).</summary>
internal interface IColumnScope
{
    /// <summary>Resolves <c>[table.]column</c>; false when no table in scope has it. Throws for an ambiguous name.</summary>
    bool TryResolve(string? table, string column, out ColumnBinding binding);
}

/// <summary>
/// Compiles parsed expressions into <see cref="CompiledExpr"/> trees: resolves names, decides the
/// affinity and collation of every comparison once (SQLite's rules), and picks the function
/// implementations.
/// </summary>
internal sealed class ExpressionCompiler(IColumnScope? scope)
{
    /// <summary>
    /// Replaces a subexpression before it is compiled (aggregate calls, GROUP BY terms and bare
    /// columns of an aggregate query); null when it does not apply.
    /// </summary>
    public Func<Expr, CompiledExpr?>? Substitute { get; init; }

    /// <summary>Plans subqueries (scalar, EXISTS, IN) in this compiler's scope.</summary>
    public ISubqueryPlanner? Subqueries { get; init; }

    public IColumnScope? Scope => scope;

    public CompiledExpr Compile(Expr e) => CompileCore(e);

    private CompiledExpr CompileCore(Expr e)
    {
        if (Substitute?.Invoke(e) is { } substituted)
        {
            return substituted;
        }

        switch (e)
        {
            case NullLiteral:
                return new ConstantExpr(SqlValue.Null);
            case IntegerLiteral i:
                return new ConstantExpr(SqlValue.FromInteger(i.Value));
            case RealLiteral r:
                return new ConstantExpr(SqlValue.FromReal(r.Value));
            case StringLiteral s:
                return new ConstantExpr(SqlValue.FromText(s.Value));
            case BlobLiteral b:
                return new ConstantExpr(SqlValue.FromBlob(b.ToBytes()));
            case CurrentTimeLiteral t:
                {
                    var name = t.Kind switch
                    {
                        CurrentTimeKind.Time => "time",
                        CurrentTimeKind.Date => "date",
                        _ => "datetime",
                    };
                    return new FunctionExpr(FunctionRegistry.Find(name)!.Function, []);
                }

            case BindParameter p:
                return new ParameterExpr(p.Index);
            case ColumnRef c:
                return CompileColumn(c);
            case UnaryExpr u:
                {
                    var operand = CompileCore(u.Operand);
                    var kind = u.Op switch
                    {
                        UnaryOp.Negate => UnaryKind.Negate,
                        UnaryOp.Plus => UnaryKind.Plus,
                        UnaryOp.BitNot => UnaryKind.BitNot,
                        _ => UnaryKind.Not,
                    };
                    return new UnaryExprNode(kind, operand) { Collation = kind == UnaryKind.Plus ? operand.Collation : null };
                }

            case BinaryExpr b:
                return CompileBinary(b);
            case Parsing.LikeExpr l:
                {
                    if (l.Op is LikeOp.Regexp or LikeOp.Match)
                    {
                        throw new SqlPrepareException($"no such function: {(l.Op == LikeOp.Regexp ? "REGEXP" : "MATCH")}");
                    }

                    var escape = l.Escape is null ? null : CompileCore(l.Escape);
                    return new Execution.Expressions.LikeExpr(CompileCore(l.Operand), CompileCore(l.Pattern), escape, l.Op == LikeOp.Glob, l.Not);
                }

            case Parsing.BetweenExpr b:
                {
                    var x = CompileCore(b.Operand);
                    var low = CompileCore(b.Low);
                    var high = CompileCore(b.High);
                    return new Execution.Expressions.BetweenExpr(x, low, high, b.Not, CollationFor(x, low));
                }

            case InExpr i when i.List is not null:
                {
                    var x = CompileCore(i.Operand);
                    var items = i.List.Select(CompileCore).ToArray();
                    return new InListExpr(x, items, i.Not, x.Collation ?? Collation.Binary);
                }

            case Parsing.NullTestExpr n:
                return new Execution.Expressions.NullTestExpr(CompileCore(n.Operand), n.Not);
            case Parsing.CaseExpr c:
                {
                    var operand = c.Operand is null ? null : CompileCore(c.Operand);
                    var arms = c.Whens.Select(w => (CompileCore(w.When), CompileCore(w.Then))).ToArray();
                    var otherwise = c.Else is null ? null : CompileCore(c.Else);
                    return new Execution.Expressions.CaseExpr(operand, arms, otherwise, operand?.Collation ?? Collation.Binary);
                }

            case Parsing.CastExpr c:
                {
                    var target = SqlConvert.AffinityOf(c.Type.Name);
                    return new Execution.Expressions.CastExpr(CompileCore(c.Operand), target) { Affinity = target };
                }

            case CollateExpr c:
                {
                    var inner = CompileCore(c.Operand);
                    return new CollatedExpr(inner) { Affinity = inner.Affinity, Collation = CollationByName(c.Collation), CollationIsExplicit = true };
                }

            case FunctionCall f:
                return CompileFunction(f);
            case RaiseExpr r:
                return Execution.TriggerRaise.Compile(r);
            case SubqueryExpr or ExistsExpr or InExpr { Subquery: not null } or InExpr { Table: not null } when Subqueries is not null:
                return Subqueries.Compile(e, this);
            default:
                throw new SqlPrepareException($"not supported yet: {e.GetType().Name} ({e.ToSql()})");
        }
    }

    private CompiledExpr CompileColumn(ColumnRef c)
    {
        if (scope is not null && c.Schema is null && scope.TryResolve(c.Table, c.Column, out var binding))
        {
            return new ColumnExpr(binding.Slot, binding.Column) { Affinity = binding.Affinity, Collation = binding.Collation, BlobColumn = binding.BlobColumn };
        }

        if (c.Table is null && c.Schema is null)
        {
            // Unresolved bare names: TRUE and FALSE are keywords-that-are-not, and a "double-quoted"
            // name that names no column is a string literal (SQLite's compatibility rule).
            if (c.Column.Equals("true", StringComparison.OrdinalIgnoreCase) && !c.DoubleQuoted)
            {
                return new ConstantExpr(SqlValue.FromInteger(1));
            }

            if (c.Column.Equals("false", StringComparison.OrdinalIgnoreCase) && !c.DoubleQuoted)
            {
                return new ConstantExpr(SqlValue.FromInteger(0));
            }

            if (c.DoubleQuoted)
            {
                return new ConstantExpr(SqlValue.FromText(c.Column));
            }
        }

        var name = c.Schema is not null ? $"{c.Schema}.{c.Table}.{c.Column}" : c.Table is not null ? $"{c.Table}.{c.Column}" : c.Column;
        throw new SqlPrepareException($"no such column: {name}", c.Start);
    }

    private CompiledExpr CompileBinary(BinaryExpr b)
    {
        if (b.Op is BinaryOp.Is or BinaryOp.IsNot && TruthKeyword(b.Right) is { } truth)
        {
            // "x IS [NOT] TRUE|FALSE" tests x's truth (NULL is neither), not equality with 1 or 0.
            return new TruthTestExpr(CompileCore(b.Left), truth, b.Op == BinaryOp.IsNot);
        }

        var left = CompileCore(b.Left);
        var right = CompileCore(b.Right);
        switch (b.Op)
        {
            case BinaryOp.And:
                return new AndExpr(left, right);
            case BinaryOp.Or:
                return new OrExpr(left, right);
            case BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Is or BinaryOp.IsNot:
                {
                    var op = b.Op switch
                    {
                        BinaryOp.Eq => CompareOp.Eq,
                        BinaryOp.Ne => CompareOp.Ne,
                        BinaryOp.Lt => CompareOp.Lt,
                        BinaryOp.Le => CompareOp.Le,
                        BinaryOp.Gt => CompareOp.Gt,
                        BinaryOp.Ge => CompareOp.Ge,
                        BinaryOp.Is => CompareOp.Is,
                        _ => CompareOp.IsNot,
                    };
                    var (la, ra) = AffinitiesFor(left, right);
                    return new CompareExpr(op, left, right, la, ra, CollationFor(left, right));
                }

            case BinaryOp.Extract or BinaryOp.ExtractValue:
                throw new SqlPrepareException("not supported yet: the -> and ->> JSON operators");
            default:
                {
                    var op = b.Op switch
                    {
                        BinaryOp.Add => ArithOp.Add,
                        BinaryOp.Subtract => ArithOp.Subtract,
                        BinaryOp.Multiply => ArithOp.Multiply,
                        BinaryOp.Divide => ArithOp.Divide,
                        BinaryOp.Modulo => ArithOp.Remainder,
                        BinaryOp.Concat => ArithOp.Concat,
                        BinaryOp.BitAnd => ArithOp.BitAnd,
                        BinaryOp.BitOr => ArithOp.BitOr,
                        BinaryOp.LShift => ArithOp.ShiftLeft,
                        _ => ArithOp.ShiftRight,
                    };
                    return new ArithExpr(op, left, right);
                }
        }
    }

    private CompiledExpr CompileFunction(FunctionCall f)
    {
        var name = f.Name.ToLowerInvariant();
        if (f.Filter is not null || f.Distinct || f.Star || name is "count" or "sum" or "avg" or "total" or "group_concat" or "string_agg" || (name is "min" or "max" && f.Args.Count == 1))
        {
            throw new SqlPrepareException($"misuse of aggregate function {f.Name}()");
        }

        var args = f.Args.Select(CompileCore).ToArray();
        switch (name)
        {
            case "coalesce" when args.Length >= 2:
                return new CoalesceExpr(args);
            case "ifnull" when args.Length == 2:
                return new CoalesceExpr(args);
            case "iif" when args.Length == 3:
                return new IifExpr(args[0], args[1], args[2]);
            case "coalesce" or "ifnull" or "iif":
                throw new SqlPrepareException($"wrong number of arguments to function {f.Name}()", f.Start);
        }

        var entry = FunctionRegistry.Find(name) ?? throw new SqlPrepareException($"no such function: {f.Name}", f.Start);
        if (args.Length < entry.MinArgs || args.Length > entry.MaxArgs)
        {
            throw new SqlPrepareException($"wrong number of arguments to function {f.Name}()", f.Start);
        }

        return new FunctionExpr(entry.Function, args);
    }

    /// <summary>
    /// A comparison's conversions (<see cref="CompareExpr.AffinitiesFor"/>), except that a BLOB
    /// column has an affinity: against a TEXT operand neither side is converted (SQLite's
    /// sqlite3CompareAffinity gives BLOB when both sides have a non-numeric affinity).
    /// </summary>
    public static (Affinity? Left, Affinity? Right) AffinitiesFor(CompiledExpr left, CompiledExpr right)
    {
        if ((left is ColumnExpr { BlobColumn: true } && right.Affinity == Affinity.Text) || (right is ColumnExpr { BlobColumn: true } && left.Affinity == Affinity.Text))
        {
            return (null, null);
        }

        return CompareExpr.AffinitiesFor(left.Affinity, right.Affinity);
    }

    /// <summary>true/false when <paramref name="e"/> is the TRUE or FALSE keyword (a bare name that names no column).</summary>
    private bool? TruthKeyword(Expr e)
    {
        if (e is not ColumnRef { Table: null, Schema: null, DoubleQuoted: false } c)
        {
            return null;
        }

        var isTrue = c.Column.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (!isTrue && !c.Column.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return scope is not null && scope.TryResolve(null, c.Column, out _) ? null : isTrue;
    }

    /// <summary>The collation of a comparison: an explicit COLLATE (left first), else a column's (left first), else BINARY.</summary>
    private static Collation CollationFor(CompiledExpr left, CompiledExpr right)
    {
        if (left is CollatedExpr { CollationIsExplicit: true } && left.Collation is { } l)
        {
            return l;
        }

        if (right is CollatedExpr { CollationIsExplicit: true } && right.Collation is { } r)
        {
            return r;
        }

        return left.Collation ?? right.Collation ?? Collation.Binary;
    }

    public static Collation CollationByName(string name) => name.ToUpperInvariant() switch
    {
        "BINARY" => Collation.Binary,
        "NOCASE" => Collation.NoCase,
        "RTRIM" => Collation.RTrim,
        _ => throw new SqlPrepareException($"no such collation sequence: {name}"),
    };
}

/// <summary>Compiles subquery expressions (the planner, which knows the FROM scopes).</summary>
internal interface ISubqueryPlanner
{
    CompiledExpr Compile(Expr subquery, ExpressionCompiler compiler);
}

/// <summary>x COLLATE name: the value of x, carrying an explicit collation.</summary>
internal sealed class CollatedExpr(CompiledExpr inner) : CompiledExpr
{
    public bool CollationIsExplicit { get; init; }

    public override bool IsConstant => inner.IsConstant;

    public override SqlValue Eval(EvalContext ctx) => inner.Eval(ctx);
}
