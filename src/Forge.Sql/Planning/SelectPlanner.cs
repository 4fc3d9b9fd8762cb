using Forge.Sql.BTree;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>A planned query: its operator tree and its result columns' names, affinities and collations.</summary>
internal sealed record PlannedQuery(RowOperator Root, string[] Names, Affinity[] Affinities, Collation?[] Collations, Expr?[] Exprs);

/// <summary>
/// Turns a SELECT into an operator tree: FROM items to slots and accesses (rowid lookups, index
/// seeks and ranges, scans), a join order by estimated cost, WHERE/ON terms placed at the
/// innermost loop they need, then projection or aggregation, DISTINCT, ORDER BY (skipped when the
/// access already delivers the order) and LIMIT. Subqueries are planned into the same slot space,
/// so a correlated one reads its outer rows directly.
/// </summary>
internal sealed partial class SelectPlanner(Catalog catalog, BTreeStore store, string sql) : ISubqueryPlanner
{
    private const double TableRows = 1_048_576;
    private const double LookupCost = 20;

    private readonly List<CteBinding> _ctes = [];
    private string _sql = sql;
    private int _slots;
    private int _subqueryNumber;
    private List<SubqueryExprBase>? _coreSubqueries;

    public int SlotCount => _slots;

    private sealed class CteBinding(CommonTableExpr cte, bool recursive)
    {
        public CommonTableExpr Cte { get; } = cte;

        public bool Recursive { get; } = recursive;

        /// <summary>Set while the recursive arm is planned: the self-reference reads this queue row.</summary>
        public QueueRowAccess? Queue { get; set; }

        public string[]? QueueNames { get; set; }

        public Affinity[]? QueueAffinities { get; set; }
    }

    /// <summary>
    /// The common table expressions of an INSERT, UPDATE or DELETE's WITH clause: visible to every
    /// query this planner plans for the statement (its subqueries, UPDATE ... FROM).
    /// </summary>
    public SelectPlanner WithCtes(WithClause? with)
    {
        if (with is not null)
        {
            foreach (var cte in with.Tables)
            {
                _ctes.Add(new CteBinding(cte, with.Recursive));
            }
        }

        return this;
    }

    public PlannedQuery Plan(SelectStmt select, FromScope? outer)
    {
        var mark = _ctes.Count;
        if (select.With is not null)
        {
            foreach (var cte in select.With.Tables)
            {
                _ctes.Add(new CteBinding(cte, select.With.Recursive));
            }
        }

        try
        {
            return select.Body switch
            {
                SelectCore core => PlanCore(core, select.OrderBy, select.Limit, outer),
                _ => FinishCompound(PlanBody(select.Body, outer), select.OrderBy, select.Limit),
            };
        }
        finally
        {
            _ctes.RemoveRange(mark, _ctes.Count - mark);
        }
    }

    private PlannedQuery PlanBody(SelectBody body, FromScope? outer)
    {
        switch (body)
        {
            case SelectCore core:
                return PlanCore(core, SyntaxList<OrderingTerm>.Empty, null, outer);
            case ValuesBody values:
                {
                    var compiler = NewCompiler(new FromScope([], outer));
                    var width = values.Rows[0].Count;
                    var rows = new CompiledExpr[values.Rows.Count][];
                    for (var r = 0; r < rows.Length; r++)
                    {
                        if (values.Rows[r].Count != width)
                        {
                            throw new SqlPrepareException("all VALUES must have the same number of terms");
                        }

                        rows[r] = [.. values.Rows[r].Select(compiler.Compile)];
                    }

                    var names = Enumerable.Range(1, width).Select(i => $"column{i}").ToArray();
                    return new PlannedQuery(new ValuesOp(rows), names, [.. rows[0].Select(e => e.Affinity)], new Collation?[width], new Expr?[width]);
                }

            case CompoundSelect compound:
                {
                    var arms = new List<PlannedQuery> { PlanBody(compound.First, outer) };
                    var ops = new List<CompoundOp>();
                    foreach (var term in compound.Terms)
                    {
                        var arm = PlanBody(term.Select, outer);
                        if (arm.Names.Length != arms[0].Names.Length)
                        {
                            var opName = term.Op switch
                            {
                                CompoundOp.UnionAll => "UNION ALL",
                                CompoundOp.Union => "UNION",
                                CompoundOp.Intersect => "INTERSECT",
                                _ => "EXCEPT",
                            };
                            throw new SqlPrepareException($"SELECTs to the left and right of {opName} do not have the same number of result columns");
                        }

                        arms.Add(arm);
                        ops.Add(term.Op);
                    }

                    var first = arms[0];
                    var collations = first.Collations.Select(c => c ?? Collation.Binary).ToArray();
                    var op = new CompoundSelectOp([.. arms.Select(a => a.Root)], [.. ops], collations);
                    return first with { Root = op };
                }

            default:
                throw new SqlPrepareException("not supported yet: this SELECT form");
        }
    }

    /// <summary>ORDER BY and LIMIT of a compound or VALUES: terms name result columns (number, name, or the first arm's expression).</summary>
    private PlannedQuery FinishCompound(PlannedQuery query, SyntaxList<OrderingTerm> orderBy, LimitClause? limit)
    {
        var root = query.Root;
        if (orderBy.Count > 0)
        {
            var keys = new SortKey[orderBy.Count];
            for (var i = 0; i < orderBy.Count; i++)
            {
                var t = orderBy[i];
                var e = t.Expr;
                Collation? explicitCollation = null;
                if (e is CollateExpr ce)
                {
                    explicitCollation = ExpressionCompiler.CollationByName(ce.Collation);
                    e = ce.Operand;
                }

                var column = -1;
                if (e is IntegerLiteral n)
                {
                    if (n.Value < 1 || n.Value > query.Names.Length)
                    {
                        throw new SqlPrepareException($"{Ordinal(i + 1)} ORDER BY term out of range - should be between 1 and {query.Names.Length}");
                    }

                    column = (int)n.Value - 1;
                }
                else if (e is ColumnRef { Table: null } cr)
                {
                    column = Array.FindIndex(query.Names, x => x.Equals(cr.Column, StringComparison.OrdinalIgnoreCase));
                }

                if (column < 0)
                {
                    column = Array.FindIndex(query.Exprs, x => x is not null && x.Equals(e));
                }

                if (column < 0)
                {
                    throw new SqlPrepareException($"{Ordinal(i + 1)} ORDER BY term does not match any column in the result set");
                }

                keys[i] = MakeKey(t, column, explicitCollation ?? query.Collations[column] ?? Collation.Binary);
            }

            root = new SortOp(root, keys, BoundOf(limit), "USE TEMP B-TREE FOR ORDER BY");
        }

        if (limit is not null)
        {
            root = new LimitOp(root, LimitOf(limit));
        }

        return query with { Root = root };
    }

    private static SortKey MakeKey(OrderingTerm t, int column, Collation collation)
    {
        var desc = t.Order == SortOrder.Desc;
        var nullsFirst = t.Nulls == NullsOrder.None ? !desc : t.Nulls == NullsOrder.First;
        return new SortKey(column, desc, nullsFirst, collation);
    }

    internal static string Ordinal(int n) => n switch
    {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        _ => $"{n}th",
    };

    private Func<EvalContext, (long Limit, long Offset)> LimitOf(LimitClause clause)
    {
        var compiler = NewCompiler(new FromScope([], null));
        var limit = compiler.Compile(clause.Limit);
        var offset = clause.Offset is null ? null : compiler.Compile(clause.Offset);
        return ctx =>
        {
            var l = EvalInteger(limit, ctx);
            var o = offset is null ? 0 : Math.Max(0, EvalInteger(offset, ctx));
            return (l, o);
        };
    }

    private Func<EvalContext, long> BoundOf(LimitClause? clause)
    {
        if (clause is null)
        {
            return static _ => -1;
        }

        var f = LimitOf(clause);
        return ctx =>
        {
            var (l, o) = f(ctx);
            return l < 0 ? -1 : l > long.MaxValue - o ? -1 : l + o;
        };
    }

    private static long EvalInteger(CompiledExpr e, EvalContext ctx)
    {
        var v = SqlConvert.ApplyAffinity(e.Eval(ctx), Affinity.Numeric);
        return v.Type == SqlType.Integer ? v.AsInteger : throw new SqlRuntimeException("datatype mismatch", SqlRuntimeException.Mismatch);
    }

    private ExpressionCompiler NewCompiler(FromScope scope, Func<Expr, CompiledExpr?>? substitute = null) =>
        new(scope) { Subqueries = this, Substitute = substitute };

    // ------------------------------------------------------------------ subqueries in expressions

    public CompiledExpr Compile(Expr subquery, ExpressionCompiler compiler)
    {
        var boundary = new FromScope([], compiler.Scope as FromScope);
        var saved = _coreSubqueries;
        SubqueryExprBase result;
        try
        {
            switch (subquery)
            {
                case SubqueryExpr s:
                    {
                        var q = Plan(s.Select, boundary);
                        if (q.Names.Length != 1)
                        {
                            throw new SqlPrepareException($"sub-select returns {q.Names.Length} columns - expected 1");
                        }

                        result = new ScalarSubqueryExpr(q.Root, boundary.Correlated) { Affinity = q.Affinities[0], Collation = q.Collations[0], ExplainLabel = $"SCALAR SUBQUERY {++_subqueryNumber}" };
                        break;
                    }

                case ExistsExpr x:
                    {
                        var q = Plan(x.Select, boundary);
                        result = new ExistsSubqueryExpr(q.Root, boundary.Correlated) { ExplainLabel = $"SCALAR SUBQUERY {++_subqueryNumber}" };
                        break;
                    }

                case InExpr i:
                    {
                        var operand = compiler.Compile(i.Operand);
                        var select = i.Subquery ?? new SelectStmt(null, new SelectCore(false, new([new StarColumn(null)]), new FromClause(new TableRef(i.Table!, null, null, false, null), SyntaxList<JoinClause>.Empty), null, SyntaxList<Expr>.Empty, null), SyntaxList<OrderingTerm>.Empty, null);
                        var q = Plan(select, boundary);
                        if (q.Names.Length != 1)
                        {
                            throw new SqlPrepareException($"sub-select returns {q.Names.Length} columns - expected 1");
                        }

                        var (la, ra) = CompareExpr.AffinitiesFor(operand.Affinity, q.Affinities[0]);
                        if (operand is ColumnExpr { BlobColumn: true } && q.Affinities[0] == Affinity.Text)
                        {
                            (la, ra) = (null, null);
                        }
                        var collation = operand is CollatedExpr { CollationIsExplicit: true } ? operand.Collation!.Value : operand.Collation ?? q.Collations[0] ?? Collation.Binary;
                        result = new InSubqueryExpr(operand, q.Root, boundary.Correlated, i.Not, la, ra, collation) { ExplainLabel = $"LIST SUBQUERY {++_subqueryNumber}" };
                        break;
                    }

                default:
                    throw new SqlPrepareException("not supported yet: this subquery form");
            }
        }
        finally
        {
            _coreSubqueries = saved;
        }

        _coreSubqueries?.Add(result);
        return result;
    }
}
