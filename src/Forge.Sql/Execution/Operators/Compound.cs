using Forge.Sql.Execution.Expressions;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Operators;

/// <summary>
/// A compound SELECT, left to right: UNION ALL appends; UNION, INTERSECT and EXCEPT work on
/// distinct rows and, like SQLite's temp b-tree, leave them in ascending order of all columns.
/// </summary>
internal sealed class CompoundSelectOp : RowOperator
{
    private readonly RowOperator[] _arms;
    private readonly CompoundOp[] _ops;
    private readonly Collation[] _collations;
    private List<SqlValue[]> _rows = [];
    private int _position;

    public CompoundSelectOp(RowOperator[] arms, CompoundOp[] ops, Collation[] collations)
    {
        _arms = arms;
        _ops = ops;
        _collations = collations;
        Width = arms[0].Width;
    }

    public override void Open(EvalContext ctx)
    {
        _rows = Collect(_arms[0], ctx);
        for (var i = 0; i < _ops.Length; i++)
        {
            var next = Collect(_arms[i + 1], ctx);
            switch (_ops[i])
            {
                case CompoundOp.UnionAll:
                    _rows.AddRange(next);
                    break;
                case CompoundOp.Union:
                    _rows.AddRange(next);
                    _rows = SortedDistinct(_rows);
                    break;
                case CompoundOp.Intersect:
                    {
                        var set = new RowKeySet(_collations);
                        foreach (var r in next)
                        {
                            set.Add(r);
                        }

                        _rows = SortedDistinct(_rows.FindAll(r => set.Contains(r)));
                        break;
                    }

                default:
                    {
                        var set = new RowKeySet(_collations);
                        foreach (var r in next)
                        {
                            set.Add(r);
                        }

                        _rows = SortedDistinct(_rows.FindAll(r => !set.Contains(r)));
                        break;
                    }
            }
        }

        _position = -1;
    }

    private List<SqlValue[]> Collect(RowOperator arm, EvalContext ctx)
    {
        var rows = new List<SqlValue[]>();
        arm.Open(ctx);
        while (arm.Next())
        {
            rows.Add(SubqueryAccess.Detached(arm.Current, Width));
        }

        arm.Close();
        return rows;
    }

    private List<SqlValue[]> SortedDistinct(List<SqlValue[]> rows)
    {
        var set = new RowKeySet(_collations);
        var result = new List<SqlValue[]>(rows.Count);
        foreach (var r in rows)
        {
            if (set.Add(r))
            {
                result.Add(r);
            }
        }

        result.Sort((a, b) =>
        {
            for (var i = 0; i < Width; i++)
            {
                var c = SqlComparer.Compare(a[i], b[i], _collations[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        });
        return result;
    }

    public override bool Next()
    {
        if (++_position >= _rows.Count)
        {
            return false;
        }

        Current = _rows[_position];
        return true;
    }

    public override void Close() => _rows = [];

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        var id = plan.Add(parent, "COMPOUND QUERY");
        var first = plan.Add(id, "LEFT-MOST SUBQUERY");
        _arms[0].Explain(plan, first);
        for (var i = 0; i < _ops.Length; i++)
        {
            var text = _ops[i] switch
            {
                CompoundOp.UnionAll => "UNION ALL",
                CompoundOp.Union => "UNION USING TEMP B-TREE",
                CompoundOp.Intersect => "INTERSECT USING TEMP B-TREE",
                _ => "EXCEPT USING TEMP B-TREE",
            };
            _arms[i + 1].Explain(plan, plan.Add(id, text));
        }
    }
}

/// <summary>
/// WITH RECURSIVE: the initial rows go to a queue; each row taken from the queue is returned and
/// the recursive arm runs with it as the CTE's only row, its results joining the queue (UNION
/// skips rows already seen). Rows are produced as they are taken, so an outer LIMIT stops an
/// endless recursion.
/// </summary>
internal sealed class RecursiveCteOp : RowOperator
{
    private readonly RowOperator _initial;
    private readonly RowOperator _recursive;
    private readonly QueueRowAccess _queueRow;
    private readonly bool _distinct;
    private readonly Queue<SqlValue[]> _queue = new();
    private readonly RowKeySet _seen;
    private EvalContext _ctx = null!;

    public RecursiveCteOp(RowOperator initial, RowOperator recursive, QueueRowAccess queueRow, bool distinct, Collation[] collations)
    {
        _initial = initial;
        _recursive = recursive;
        _queueRow = queueRow;
        _distinct = distinct;
        _seen = new RowKeySet(collations);
        Width = initial.Width;
    }

    public override void Open(EvalContext ctx)
    {
        _ctx = ctx;
        _queue.Clear();
        _seen.Clear();
        _initial.Open(ctx);
        while (_initial.Next())
        {
            Enqueue(_initial.Current);
        }

        _initial.Close();
    }

    private void Enqueue(SqlValue[] row)
    {
        var copy = SubqueryAccess.Detached(row, Width);
        if (_distinct && !_seen.Add(copy))
        {
            return;
        }

        _queue.Enqueue(copy);
    }

    public override bool Next()
    {
        if (!_queue.TryDequeue(out var row))
        {
            return false;
        }

        Current = row;
        _queueRow.Current = row;
        _recursive.Open(_ctx);
        while (_recursive.Next())
        {
            Enqueue(_recursive.Current);
        }

        _recursive.Close();
        return true;
    }

    public override void Close() => _queue.Clear();

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        _initial.Explain(plan, plan.Add(parent, "SETUP"));
        _recursive.Explain(plan, plan.Add(parent, "RECURSIVE STEP"));
    }
}
