using System.Runtime.CompilerServices;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Operators;

/// <summary>
/// An iterator over result rows (the Volcano model): <see cref="Open"/> starts (again), each
/// <see cref="Next"/> fills <see cref="Current"/> (a reused buffer: its first <see cref="Width"/>
/// values are the row; text may point into pages until the next call), <see cref="Close"/>
/// releases cursors. A plan is built once and may be opened many times.
/// </summary>
internal abstract class RowOperator
{
    /// <summary>The number of visible columns.</summary>
    public int Width { get; protected init; }

    public SqlValue[] Current { get; protected set; } = [];

    public abstract void Open(EvalContext ctx);

    public abstract bool Next();

    public virtual void Close()
    {
    }

    /// <summary>Adds this operator's EXPLAIN QUERY PLAN lines under <paramref name="parent"/>.</summary>
    public abstract void Explain(QueryPlanWriter plan, int parent);
}

/// <summary>EXPLAIN QUERY PLAN rows: (id, parent, notused, detail), ids numbered in order.</summary>
internal sealed class QueryPlanWriter
{
    public List<(int Id, int Parent, string Detail)> Rows { get; } = [];

    public int Add(int parent, string detail)
    {
        var id = Rows.Count + 2;
        Rows.Add((id, parent, detail));
        return id;
    }
}

/// <summary>Checks a filter's truth: only a true value passes (NULL does not).</summary>
internal static class Filters
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Pass(CompiledExpr[] filters, EvalContext ctx)
    {
        for (var i = 0; i < filters.Length; i++)
        {
            if (CompiledExpr.Truth(filters[i].Eval(ctx)) != true)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One loop of a join: the access for its slot, the terms it must satisfy, LEFT JOIN's NULL row.</summary>
internal sealed class JoinLevel(int slot, Access access)
{
    public int Slot { get; } = slot;

    public Access Access { get; } = access;

    /// <summary>Terms a row must pass to count as a match (for LEFT JOIN: its ON terms).</summary>
    public CompiledExpr[] Match { get; set; } = [];

    /// <summary>Terms checked after a LEFT JOIN's match or NULL row (WHERE terms on its table).</summary>
    public CompiledExpr[] After { get; set; } = [];

    public bool LeftOuter { get; init; }

    internal bool Started;
    internal bool Matched;
    internal bool NullRow;
}

/// <summary>
/// Nested loops over the FROM items, outermost first: each combination that passes every level's
/// terms is one row (the rows sit in the context's slots, nothing is copied). A LEFT JOIN level
/// that matched nothing yields one NULL row.
/// </summary>
internal sealed class JoinLoop(JoinLevel[] levels, CompiledExpr[] constantFilters) : RowOperator
{
    private EvalContext _ctx = null!;
    private int _depth;
    private bool _empty;
    private JoinLevel? _single;
    private long _produced;

    /// <summary>Stops after this many rows (0: no limit); min/max over an index needs one.</summary>
    public long StopAfter { get; init; }

    public JoinLevel[] Levels => levels;

    /// <summary>Subqueries in this SELECT's expressions (explained after its loops).</summary>
    public List<SubqueryExprBase>? Subqueries { get; set; }

    public override void Open(EvalContext ctx)
    {
        _ctx = ctx;
        _depth = 0;
        _produced = 0;
        _empty = !Filters.Pass(constantFilters, ctx);
        if (levels.Length > 0)
        {
            levels[0].Started = false;
        }

        // One inner level (a scan or a lookup of one table): Next needs none of the nesting.
        _single = levels is [{ LeftOuter: false, After.Length: 0 } only] && StopAfter == 0 ? only : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Next()
    {
        if (_empty)
        {
            return false;
        }

        if (_single is { } single)
        {
            return NextSingle(single);
        }

        if (levels.Length == 0)
        {
            _empty = true;
            return true;
        }

        var ctx = _ctx;
        while (_depth >= 0)
        {
            var level = levels[_depth];
            bool got;
            if (!level.Started)
            {
                level.Started = true;
                level.Matched = false;
                level.NullRow = false;
                ctx.Rows[level.Slot] = level.Access.Row;
                got = level.Access.First(ctx);
            }
            else if (level.NullRow)
            {
                got = false;
            }
            else
            {
                got = level.Access.Next();
            }

            if (level.Match.Length != 0)
            {
                while (got && !Filters.Pass(level.Match, ctx))
                {
                    got = level.Access.Next();
                }
            }

            if (got)
            {
                level.Matched = true;
            }
            else if (level.LeftOuter && !level.Matched)
            {
                level.Matched = true;
                level.NullRow = true;
                ctx.Rows[level.Slot] = null;
            }
            else
            {
                ctx.Rows[level.Slot] = level.Access.Row;
                _depth--;
                continue;
            }

            if (level.After.Length != 0 && !Filters.Pass(level.After, ctx))
            {
                continue;
            }

            if (_depth == levels.Length - 1)
            {
                if (StopAfter > 0 && ++_produced >= StopAfter)
                {
                    _empty = true;
                }

                return true;
            }

            _depth++;
            levels[_depth].Started = false;
        }

        return false;
    }

    private bool NextSingle(JoinLevel level)
    {
        var ctx = _ctx;
        bool got;
        if (!level.Started)
        {
            level.Started = true;
            ctx.Rows[level.Slot] = level.Access.Row;
            got = level.Access.First(ctx);
        }
        else
        {
            got = level.Access.Next();
        }

        var match = level.Match;
        while (got && match.Length != 0 && !Filters.Pass(match, ctx))
        {
            got = level.Access.Next();
        }

        if (!got)
        {
            _empty = true;
        }

        return got;
    }

    public override void Close()
    {
        foreach (var level in levels)
        {
            level.Access.Close();
        }
    }

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        foreach (var level in levels)
        {
            var id = plan.Add(parent, level.Access.Detail + (level.LeftOuter ? " LEFT-JOIN" : ""));
            level.Access.Child?.Explain(plan, id);
        }

        foreach (var sub in Subqueries ?? [])
        {
            sub.Explain(plan, parent);
        }
    }
}

/// <summary>Evaluates the result expressions (and hidden sort keys) for each row of its input.</summary>
internal sealed class ProjectOp : RowOperator
{
    private readonly RowOperator _input;
    private readonly CompiledExpr[] _exprs;
    private EvalContext _ctx = null!;

    public ProjectOp(RowOperator input, CompiledExpr[] exprs, int width)
    {
        _input = input;
        _exprs = exprs;
        Width = width;
        Current = new SqlValue[exprs.Length];
    }

    public override void Open(EvalContext ctx)
    {
        _ctx = ctx;
        _input.Open(ctx);
    }

    public override bool Next()
    {
        if (!_input.Next())
        {
            return false;
        }

        var current = Current;
        for (var i = 0; i < _exprs.Length; i++)
        {
            current[i] = _exprs[i].Eval(_ctx);
        }

        return true;
    }

    /// <summary>Moves to the next input row without evaluating anything (a top-N sort evaluates its keys first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Advance() => _input.Next();

    /// <summary>Evaluates column <paramref name="i"/> of the current row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(int i) => Current[i] = _exprs[i].Eval(_ctx);

    public override void Close() => _input.Close();

    public override void Explain(QueryPlanWriter plan, int parent) => _input.Explain(plan, parent);
}

/// <summary>DISTINCT: the first row of each set of equal rows (NULLs equal here, 1 equals 1.0, by each column's collation).</summary>
internal sealed class DistinctOp : RowOperator
{
    private readonly RowOperator _input;
    private readonly RowKeySet _seen;

    public DistinctOp(RowOperator input, Collation[] collations, string? explain)
    {
        _input = input;
        Width = input.Width;
        _seen = new RowKeySet(collations);
        ExplainText = explain;
    }

    public string? ExplainText { get; }

    public override void Open(EvalContext ctx)
    {
        _seen.Clear();
        _input.Open(ctx);
    }

    public override bool Next()
    {
        while (_input.Next())
        {
            if (_seen.Add(_input.Current.AsSpan(0, Width)))
            {
                Current = _input.Current;
                return true;
            }
        }

        return false;
    }

    public override void Close() => _input.Close();

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        _input.Explain(plan, parent);
        if (ExplainText is not null)
        {
            plan.Add(parent, ExplainText);
        }
    }
}

/// <summary>One ORDER BY key: which column of the row, direction, NULLS placement, collation.</summary>
internal readonly record struct SortKey(int Column, bool Descending, bool NullsFirst, Collation Collation);

/// <summary>
/// ORDER BY: sorts its input's rows by the key columns (stable: ties keep input order). With a
/// LIMIT it keeps only the first limit+offset rows in a bounded heap (top-N, no full sort).
/// </summary>
internal sealed class SortOp : RowOperator
{
    private readonly RowOperator _input;
    private readonly SortKey[] _keys;
    private readonly Func<EvalContext, long> _bound;
    private readonly List<SqlValue[]> _rows = [];
    private readonly Comparison<SqlValue[]> _compare;
    private int _position;

    public SortOp(RowOperator input, SortKey[] keys, Func<EvalContext, long> bound, string? explain)
    {
        _input = input;
        _keys = keys;
        _bound = bound;
        Width = input.Width;
        ExplainText = explain;
        _compare = Compare;
    }

    public string? ExplainText { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Open(EvalContext ctx)
    {
        _rows.Clear();
        var bound = _bound(ctx);
        _input.Open(ctx);
        long sequence = 0;
        if (bound >= 0)
        {
            // Top-N: a max-heap of the best `bound` rows; the worst is replaced when a better row comes.
            if (bound == 0)
            {
                while (_input.Next())
                {
                }
            }

            var heap = new List<SqlValue[]>();
            var project = _input as ProjectOp;
            var keyColumns = _keys.Select(k => k.Column).Distinct().ToArray();
            var otherColumns = project is null ? [] : Enumerable.Range(0, project.Current.Length).Except(keyColumns).ToArray();
            while (bound > 0 && (project is null ? _input.Next() : project.Advance()))
            {
                var cur = _input.Current;
                if (project is not null)
                {
                    // Only the keys decide whether the row enters the heap, and once the heap is full
                    // a key is evaluated only while the keys before it tie with the worst row kept;
                    // the other columns are evaluated for the rows that enter.
                    if (heap.Count == bound)
                    {
                        var worse = false;
                        var decided = false;
                        foreach (var k in _keys)
                        {
                            project.Fill(k.Column);
                            var c = CompareKey(cur, heap[0], k);
                            if (c != 0)
                            {
                                worse = c > 0;
                                decided = true;
                                break;
                            }
                        }

                        if (worse || !decided)
                        {
                            continue;
                        }

                        foreach (var k in keyColumns)
                        {
                            project.Fill(k);
                        }
                    }
                    else
                    {
                        foreach (var k in keyColumns)
                        {
                            project.Fill(k);
                        }
                    }
                }
                else if (heap.Count == bound && CompareLive(cur, heap[0]) >= 0)
                {
                    continue;
                }

                if (project is not null)
                {
                    foreach (var k in otherColumns)
                    {
                        project.Fill(k);
                    }
                }

                if (heap.Count == bound)
                {
                    var row = Copy(cur, sequence++, heap[0]);
                    heap[0] = row;
                    SiftDown(heap, 0);
                }
                else
                {
                    heap.Add(Copy(cur, sequence++, null));
                    SiftUp(heap, heap.Count - 1);
                }
            }

            _rows.AddRange(heap);
        }
        else
        {
            while (_input.Next())
            {
                _rows.Add(Copy(_input.Current, sequence++, null));
            }
        }

        _input.Close();
        _rows.Sort(_compare);
        _position = -1;
    }

    private static SqlValue[] Copy(SqlValue[] source, long sequence, SqlValue[]? reuse)
    {
        var width = source.Length;
        var row = reuse is not null && reuse.Length == width + 1 ? reuse : new SqlValue[width + 1];
        for (var i = 0; i < width; i++)
        {
            row[i] = source[i].Detach();
        }

        row[width] = SqlValue.FromInteger(sequence);
        return row;
    }

    private void SiftUp(List<SqlValue[]> heap, int i)
    {
        while (i > 0)
        {
            var p = (i - 1) / 2;
            if (Compare(heap[i], heap[p]) <= 0)
            {
                break;
            }

            (heap[i], heap[p]) = (heap[p], heap[i]);
            i = p;
        }
    }

    private void SiftDown(List<SqlValue[]> heap, int i)
    {
        while (true)
        {
            var l = (2 * i) + 1;
            var r = l + 1;
            var m = i;
            if (l < heap.Count && Compare(heap[l], heap[m]) > 0)
            {
                m = l;
            }

            if (r < heap.Count && Compare(heap[r], heap[m]) > 0)
            {
                m = r;
            }

            if (m == i)
            {
                return;
            }

            (heap[i], heap[m]) = (heap[m], heap[i]);
            i = m;
        }
    }

    private int CompareLive(SqlValue[] a, SqlValue[] b) => CompareKeys(a, b);

    private int Compare(SqlValue[] a, SqlValue[] b)
    {
        var c = CompareKeys(a, b);
        return c != 0 ? c : a[^1].AsInteger.CompareTo(b[^1].AsInteger);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CompareKeys(SqlValue[] a, SqlValue[] b)
    {
        foreach (var k in _keys)
        {
            var c = CompareKey(a, b, k);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static int CompareKey(SqlValue[] a, SqlValue[] b, in SortKey k)
    {
        ref readonly var x = ref a[k.Column];
        ref readonly var y = ref b[k.Column];
        int c;
        if (x.Type == y.Type && x.Type is SqlType.Integer or SqlType.Real)
        {
            // The common case, without SqlComparer's storage-class dispatch.
            c = x.Type == SqlType.Integer ? x.AsInteger.CompareTo(y.AsInteger) : x.AsReal.CompareTo(y.AsReal);
        }
        else if (x.IsNull || y.IsNull)
        {
            if (x.IsNull && y.IsNull)
            {
                return 0;
            }

            return x.IsNull == k.NullsFirst ? -1 : 1;
        }
        else
        {
            c = SqlComparer.Compare(x, y, k.Collation);
        }

        return c == 0 ? 0 : k.Descending ? -c : c;
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

    public override void Close() => _rows.Clear();

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        _input.Explain(plan, parent);
        if (ExplainText is not null)
        {
            plan.Add(parent, ExplainText);
        }
    }
}

/// <summary>LIMIT/OFFSET, evaluated when opened (a negative limit is no limit).</summary>
internal sealed class LimitOp : RowOperator
{
    private readonly RowOperator _input;
    private readonly Func<EvalContext, (long Limit, long Offset)> _eval;
    private long _remaining;
    private long _skip;

    public LimitOp(RowOperator input, Func<EvalContext, (long Limit, long Offset)> eval)
    {
        _input = input;
        _eval = eval;
        Width = input.Width;
    }

    public override void Open(EvalContext ctx)
    {
        (_remaining, _skip) = _eval(ctx);
        if (_remaining < 0)
        {
            _remaining = long.MaxValue;
        }

        if (_remaining > 0)
        {
            _input.Open(ctx);
        }
    }

    public override bool Next()
    {
        if (_remaining <= 0)
        {
            return false;
        }

        while (_skip > 0)
        {
            if (!_input.Next())
            {
                _remaining = 0;
                return false;
            }

            _skip--;
        }

        if (!_input.Next())
        {
            _remaining = 0;
            return false;
        }

        _remaining--;
        Current = _input.Current;
        return true;
    }

    public override void Close() => _input.Close();

    public override void Explain(QueryPlanWriter plan, int parent) => _input.Explain(plan, parent);
}

/// <summary>VALUES rows (each row's expressions evaluated when reached).</summary>
internal sealed class ValuesOp : RowOperator
{
    private readonly CompiledExpr[][] _rows;
    private EvalContext _ctx = null!;
    private int _position;

    public ValuesOp(CompiledExpr[][] rows)
    {
        _rows = rows;
        Width = rows[0].Length;
        Current = new SqlValue[Width];
    }

    public override void Open(EvalContext ctx)
    {
        _ctx = ctx;
        _position = -1;
    }

    public override bool Next()
    {
        if (++_position >= _rows.Length)
        {
            return false;
        }

        var row = _rows[_position];
        for (var i = 0; i < row.Length; i++)
        {
            Current[i] = row[i].Eval(_ctx);
        }

        return true;
    }

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        if (_rows.Length > 1)
        {
            plan.Add(parent, $"SCAN {_rows.Length} CONSTANT ROWS");
        }
    }
}

/// <summary>
/// A set of rows keyed by their values as SQLite compares them for DISTINCT/UNION/GROUP BY: the
/// key is the record encoding after normalizing (integral reals as integers, text folded for NOCASE,
/// trailing spaces dropped for RTRIM).
/// </summary>
internal sealed class RowKeySet(Collation[] collations)
{
    private readonly HashSet<byte[]> _set = new(ByteArrayComparer.Instance);
    private readonly SqlValue[] _normalized = new SqlValue[collations.Length];
    private byte[] _buffer = new byte[64];

    public void Clear() => _set.Clear();

    public int Count => _set.Count;

    public bool Add(ReadOnlySpan<SqlValue> row) => _set.Add(Key(row));

    public bool Contains(ReadOnlySpan<SqlValue> row)
    {
        var n = Encode(row);
        return _set.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(_buffer.AsSpan(0, n));
    }

    public bool Remove(ReadOnlySpan<SqlValue> row)
    {
        var n = Encode(row);
        return _set.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(_buffer.AsSpan(0, n));
    }

    public byte[] Key(ReadOnlySpan<SqlValue> row)
    {
        var n = Encode(row);
        return _buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>Encodes the normalized row into the reused buffer; returns its length.</summary>
    public int Encode(ReadOnlySpan<SqlValue> row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            _normalized[i] = Normalize(row[i], i < collations.Length ? collations[i] : Collation.Binary);
        }

        var span = _normalized.AsSpan(0, row.Length);
        var length = RecordFormat.EncodedLength(span);
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        return RecordFormat.Encode(span, _buffer);
    }

    public ReadOnlySpan<byte> Buffer(int length) => _buffer.AsSpan(0, length);

    internal static SqlValue Normalize(SqlValue v, Collation collation)
    {
        switch (v.Type)
        {
            case SqlType.Real when Values.SqlConvert.RealIsExactInteger(v.AsReal, out var n):
                return SqlValue.FromInteger(n);
            case SqlType.Text when collation == Collation.NoCase:
                {
                    var bytes = v.Bytes;
                    if (bytes.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0)
                    {
                        return v;
                    }

                    var copy = bytes.ToArray();
                    for (var i = 0; i < copy.Length; i++)
                    {
                        if (copy[i] is >= (byte)'A' and <= (byte)'Z')
                        {
                            copy[i] += 32;
                        }
                    }

                    return SqlValue.FromText(copy);
                }

            case SqlType.Text when collation == Collation.RTrim:
                return SqlValue.FromText(v.Memory[..(v.Bytes.TrimEnd((byte)' ').Length)]);
            default:
                return v;
        }
    }
}

/// <summary>Byte-array equality by content, with span lookups (no key copy to probe).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var h = new HashCode();
        h.AddBytes(alternate);
        return h.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
