using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Expressions;

/// <summary>
/// Base of the subquery expressions: the subquery's plan, run against the same context (its FROM
/// items have their own slots; a correlated one reads the outer rows' slots). An uncorrelated
/// subquery runs once per statement execution and its answer is kept.
/// </summary>
internal abstract class SubqueryExprBase(RowOperator query, bool correlated) : CompiledExpr
{
    private EvalContext? _cachedFor;

    protected RowOperator Query { get; } = query;

    public bool Correlated { get; } = correlated;

    public string ExplainLabel { get; init; } = "SCALAR SUBQUERY";

    /// <summary>True when the answer cached for this execution may be used.</summary>
    protected bool Cached(EvalContext ctx) => !Correlated && ReferenceEquals(_cachedFor, ctx);

    protected void MarkCached(EvalContext ctx) => _cachedFor = ctx;

    public void Explain(QueryPlanWriter plan, int parent) => Query.Explain(plan, plan.Add(parent, (Correlated ? "CORRELATED " : "") + ExplainLabel));
}

/// <summary>(SELECT ...): the first column of the first row, or NULL.</summary>
internal sealed class ScalarSubqueryExpr(RowOperator query, bool correlated) : SubqueryExprBase(query, correlated)
{
    private SqlValue _value;

    public override SqlValue Eval(EvalContext ctx)
    {
        if (Cached(ctx))
        {
            return _value;
        }

        Query.Open(ctx);
        _value = Query.Next() ? Query.Current[0].Detach() : SqlValue.Null;
        Query.Close();
        MarkCached(ctx);
        return _value;
    }
}

/// <summary>EXISTS (SELECT ...).</summary>
internal sealed class ExistsSubqueryExpr(RowOperator query, bool correlated) : SubqueryExprBase(query, correlated)
{
    private bool _value;

    public override SqlValue Eval(EvalContext ctx)
    {
        if (!Cached(ctx))
        {
            Query.Open(ctx);
            _value = Query.Next();
            Query.Close();
            MarkCached(ctx);
        }

        return SqlValue.FromInteger(_value ? 1 : 0);
    }
}

/// <summary>x [NOT] IN (SELECT ...): 1 on a match; else NULL when x is NULL or the set holds a NULL; else 0.</summary>
internal sealed class InSubqueryExpr(CompiledExpr operand, RowOperator query, bool correlated, bool not, Affinity? leftApply, Affinity? rightApply, Collation collation)
    : SubqueryExprBase(query, correlated)
{
    private readonly List<SqlValue> _values = [];
    private bool _sawNull;

    public override SqlValue Eval(EvalContext ctx)
    {
        var x = operand.Eval(ctx);
        if (!Cached(ctx))
        {
            _values.Clear();
            _sawNull = false;
            Query.Open(ctx);
            while (Query.Next())
            {
                var v = Query.Current[0];
                if (v.IsNull)
                {
                    _sawNull = true;
                }
                else
                {
                    _values.Add((rightApply is { } ra ? SqlConvert.ApplyAffinity(v, ra) : v).Detach());
                }
            }

            Query.Close();
            MarkCached(ctx);
        }

        if (_values.Count == 0 && !_sawNull)
        {
            return SqlValue.FromInteger(not ? 1 : 0);
        }

        if (x.IsNull)
        {
            return SqlValue.Null;
        }

        if (leftApply is { } la)
        {
            x = SqlConvert.ApplyAffinity(x, la);
        }

        foreach (var v in _values)
        {
            if (SqlComparer.Compare(x, v, collation) == 0)
            {
                return SqlValue.FromInteger(not ? 0 : 1);
            }
        }

        return _sawNull ? SqlValue.Null : SqlValue.FromInteger(not ? 1 : 0);
    }
}
