using System.Runtime.CompilerServices;
using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Operators;

/// <summary>
/// How one FROM item's rows are reached (one loop of the join): a table scan, a rowid lookup or
/// range, an index seek or range, a subquery's rows. <see cref="First"/> starts again (evaluating
/// its keys against the outer loops' current rows), <see cref="Next"/> moves on. An access may
/// return more rows than its constraints select: every WHERE term is still checked above it.
/// </summary>
internal abstract class Access
{
    /// <summary>The row source the slot shows while positioned.</summary>
    public abstract IRowSource Row { get; }

    /// <summary>The EXPLAIN QUERY PLAN line ("SCAN t", "SEARCH t USING INDEX i (a=?)").</summary>
    public string Detail { get; init; } = "";

    public abstract bool First(EvalContext ctx);

    public abstract bool Next();

    public virtual void Close()
    {
    }

    /// <summary>Subqueries this access runs (explained as children).</summary>
    public virtual RowOperator? Child => null;
}

/// <summary>A table in rowid order (or reverse).</summary>
internal sealed class TableScanAccess(BTreeStore store, TableInfo table, bool reverse) : Access
{
    private readonly CursorRow _row = new(table);
    private BTreeCursor? _cursor;

    public override IRowSource Row => _row;

    public override bool First(EvalContext ctx)
    {
        _cursor ??= _row.Cursor = store.OpenTable(table.Root);
        return reverse ? _cursor.Last() : _cursor.First();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Next() => reverse ? _cursor!.Prev() : _cursor!.Next();

    public override void Close()
    {
        _cursor?.Dispose();
        _cursor = null;
    }
}

/// <summary>
/// Rowid lookups: <c>rowid = x</c>, <c>rowid IN (...)</c>, or a range <c>rowid &gt; x AND rowid &lt;= y</c>.
/// Keys get NUMERIC affinity first, as the comparison would give them; a key that is not a
/// number selects no rows (text sorts after every number).
/// </summary>
internal sealed class RowidAccess(BTreeStore store, TableInfo table) : Access
{
    private readonly CursorRow _row = new(table);
    private BTreeCursor? _cursor;
    private long[] _keys = [];
    private int _keyCount;
    private int _keyIndex;
    private long _high;

    public CompiledExpr? Equal { get; init; }

    public CompiledExpr[]? InList { get; init; }

    public CompiledExpr? Low { get; init; }

    public bool LowInclusive { get; init; }

    public CompiledExpr? High { get; init; }

    public bool HighInclusive { get; init; }

    public override IRowSource Row => _row;

    public override bool First(EvalContext ctx)
    {
        _cursor ??= _row.Cursor = store.OpenTable(table.Root);
        if (Equal is not null || InList is not null)
        {
            var items = InList ?? [Equal!];
            if (_keys.Length < items.Length)
            {
                _keys = new long[items.Length];
            }

            _keyCount = 0;
            foreach (var item in items)
            {
                if (ExactKey(item.Eval(ctx), out var k))
                {
                    _keys[_keyCount++] = k;
                }
            }

            if (InList is not null)
            {
                Array.Sort(_keys, 0, _keyCount);
            }

            _keyIndex = -1;
            return NextKey();
        }

        long start = long.MinValue;
        if (Low is not null)
        {
            var v = SqlConvert.ApplyAffinity(Low.Eval(ctx), Affinity.Numeric);
            switch (v.Type)
            {
                case SqlType.Integer:
                    if (!LowInclusive && v.AsInteger == long.MaxValue)
                    {
                        return false;
                    }

                    start = LowInclusive ? v.AsInteger : v.AsInteger + 1;
                    break;
                case SqlType.Real:
                    var r = v.AsReal;
                    if (double.IsNaN(r))
                    {
                        return false;
                    }

                    var f = LowInclusive ? Math.Ceiling(r) : Math.Floor(r) + 1;
                    if (f > 9.2e18)
                    {
                        return false;
                    }

                    start = f < -9.2e18 ? long.MinValue : (long)f;
                    break;
                default:
                    return false; // NULL, or text/blob: greater than every rowid
            }
        }

        _high = long.MaxValue;
        if (High is not null)
        {
            var v = SqlConvert.ApplyAffinity(High.Eval(ctx), Affinity.Numeric);
            switch (v.Type)
            {
                case SqlType.Null:
                    return false;
                case SqlType.Integer:
                    if (!HighInclusive && v.AsInteger == long.MinValue)
                    {
                        return false;
                    }

                    _high = HighInclusive ? v.AsInteger : v.AsInteger - 1;
                    break;
                case SqlType.Real:
                    var r = v.AsReal;
                    if (double.IsNaN(r))
                    {
                        return false;
                    }

                    var f = HighInclusive ? Math.Floor(r) : Math.Ceiling(r) - 1;
                    if (f < -9.2e18)
                    {
                        return false;
                    }

                    _high = f > 9.2e18 ? long.MaxValue : (long)f;
                    break;
                default:
                    break; // text/blob: every rowid is below
            }
        }

        var ok = start == long.MinValue ? _cursor.First() : _cursor.SeekRowid(start, out _);
        return ok && _cursor.Rowid <= _high;
    }

    public override bool Next()
    {
        if (Equal is not null || InList is not null)
        {
            return NextKey();
        }

        return _cursor!.Next() && _cursor.Rowid <= _high;
    }

    private bool NextKey()
    {
        while (++_keyIndex < _keyCount)
        {
            if (_keyIndex > 0 && _keys[_keyIndex] == _keys[_keyIndex - 1])
            {
                continue;
            }

            if (_cursor!.SeekRowid(_keys[_keyIndex], out var exact) && exact)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ExactKey(SqlValue v, out long key)
    {
        v = SqlConvert.ApplyAffinity(v, Affinity.Numeric);
        key = 0;
        if (v.Type == SqlType.Integer)
        {
            key = v.AsInteger;
            return true;
        }

        return v.Type == SqlType.Real && SqlConvert.RealIsExactInteger(v.AsReal, out key);
    }

    public override void Close()
    {
        _cursor?.Dispose();
        _cursor = null;
    }
}

/// <summary>One key column's value as the index holds it: the comparison's affinity applied first.</summary>
internal readonly record struct IndexKeyTerm(CompiledExpr Expr, Affinity? Apply, bool MatchesNull = false);

/// <summary>
/// An index walk: equality on a prefix of the index columns (the last one may be an IN list),
/// then an optional range on the next column, or a full walk in index order. Rows are read from
/// the index alone when it covers every column the query uses, else looked up by rowid.
/// </summary>
internal sealed class IndexAccess : Access
{
    private readonly BTreeStore _store;
    private readonly TableInfo _table;
    private readonly IndexInfo _index;
    private readonly KeyInfo _keyInfo;
    private readonly CursorRow? _tableRow;
    private readonly IndexEntryRow? _indexRow;
    private readonly SqlValue[] _key;
    private readonly SqlValue[] _highKey;
    private readonly SqlValue[] _lowKey;
    private bool _hasLow;
    private BTreeCursor? _cursor;
    private BTreeCursor? _tableCursor;
    private SqlValue[] _inValues = [];
    private int _inCount;
    private int _inIndex;
    private bool _hasHigh;
    private EvalContext? _ctx;

    private readonly int _inPosition;

    public IndexAccess(BTreeStore store, TableInfo table, IndexInfo index, bool covering, IndexKeyTerm[] equal, CompiledExpr[]? inList, int inPosition = -1)
    {
        _inPosition = inList is null ? -1 : inPosition < 0 ? equal.Length - 1 : inPosition;
        _store = store;
        _table = table;
        _index = index;
        _keyInfo = Database.KeyInfoOf(index);
        Equal = equal;
        InList = inList;
        Covering = covering;
        if (covering)
        {
            var map = new int[table.Columns.Length];
            Array.Fill(map, -1);
            for (var i = index.Columns.Length - 1; i >= 0; i--)
            {
                if (index.Columns[i].Column >= 0)
                {
                    map[index.Columns[i].Column] = i;
                }
            }

            _indexRow = new IndexEntryRow(table, map);
        }
        else
        {
            _tableRow = new CursorRow(table);
        }

        _key = new SqlValue[equal.Length + 1];
        _highKey = new SqlValue[equal.Length + 1];
        _lowKey = new SqlValue[equal.Length + 1];
    }

    /// <summary>Equality terms on the first columns; with <see cref="InList"/> the last one's values come from the list.</summary>
    public IndexKeyTerm[] Equal { get; }

    public CompiledExpr[]? InList { get; }

    public bool Covering { get; }

    public IndexKeyTerm? Low { get; init; }

    public bool LowInclusive { get; init; }

    public IndexKeyTerm? High { get; init; }

    public bool HighInclusive { get; init; }

    /// <summary>Walks the entries backwards (ORDER BY against the index's direction; no range).</summary>
    public bool Reverse { get; init; }

    public override IRowSource Row => Covering ? _indexRow! : _tableRow!;

    public override bool First(EvalContext ctx)
    {
        _ctx = ctx;
        if (_cursor is null)
        {
            _cursor = _store.OpenIndex(_index.Root, _keyInfo);
            if (Covering)
            {
                _indexRow!.Cursor = _cursor;
            }
            else
            {
                _tableCursor = _tableRow!.Cursor = _store.OpenTable(_table.Root);
            }
        }

        for (var i = 0; i < Equal.Length; i++)
        {
            if (i == _inPosition)
            {
                continue;
            }

            var v = KeyValue(Equal[i], ctx);
            if (v.IsNull && !Equal[i].MatchesNull)
            {
                return false;
            }

            _key[i] = v;
        }

        if (InList is not null)
        {
            var last = Equal[_inPosition];
            if (_inValues.Length < InList.Length)
            {
                _inValues = new SqlValue[InList.Length];
            }

            _inCount = 0;
            foreach (var item in InList)
            {
                var v = item.Eval(ctx);
                if (!v.IsNull)
                {
                    _inValues[_inCount++] = last.Apply is { } a ? SqlConvert.ApplyAffinity(v, a) : v;
                }
            }

            var collation = _keyInfo.CollationOf(_inPosition);
            var desc = _keyInfo.IsDescending(_inPosition);
            Array.Sort(_inValues, 0, _inCount, Comparer<SqlValue>.Create((x, y) => desc ? -SqlComparer.Compare(x, y, collation) : SqlComparer.Compare(x, y, collation)));
            _inIndex = -1;
            return NextInValue();
        }

        return Start();
    }

    private bool NextInValue()
    {
        while (++_inIndex < _inCount)
        {
            if (_inIndex > 0 && SqlComparer.Compare(_inValues[_inIndex], _inValues[_inIndex - 1], _keyInfo.CollationOf(_inPosition)) == 0)
            {
                continue;
            }

            _key[_inPosition] = _inValues[_inIndex];
            if (Start())
            {
                return true;
            }
        }

        return false;
    }

    private static SqlValue KeyValue(IndexKeyTerm term, EvalContext ctx)
    {
        var v = term.Expr.Eval(ctx);
        return term.Apply is { } a && !v.IsNull ? SqlConvert.ApplyAffinity(v, a) : v;
    }

    private bool Start()
    {
        var n = Equal.Length;
        var ctx = _ctx!;
        _hasHigh = false;
        if (High is { } high)
        {
            var hv = KeyValue(high, ctx);
            if (hv.IsNull)
            {
                return false;
            }

            Array.Copy(_key, _highKey, n);
            _highKey[n] = hv;
            _hasHigh = true;
        }

        bool ok;
        _hasLow = false;
        if (Reverse)
        {
            // Backwards: start at the high end (or the prefix's last entry), stop below the low bound.
            if (Low is { } low)
            {
                var lv = KeyValue(low, ctx);
                if (lv.IsNull)
                {
                    return false;
                }

                Array.Copy(_key, _lowKey, n);
                _lowKey[n] = lv;
                _hasLow = true;
            }

            if (_hasHigh)
            {
                ok = _cursor!.Seek(_highKey.AsSpan(0, n + 1), HighInclusive ? SeekOp.LE : SeekOp.LT);
            }
            else
            {
                ok = n > 0 ? _cursor!.Seek(_key.AsSpan(0, n), SeekOp.LE) : _cursor!.Last();
            }
        }
        else if (Low is { } low)
        {
            var lv = KeyValue(low, ctx);
            if (lv.IsNull)
            {
                return false;
            }

            _key[n] = lv;
            ok = _cursor!.Seek(_key.AsSpan(0, n + 1), LowInclusive ? SeekOp.GE : SeekOp.GT);
        }
        else if (n > 0)
        {
            ok = _cursor!.Seek(_key.AsSpan(0, n), SeekOp.GE);
        }
        else
        {
            ok = _cursor!.First();
        }

        return ok && InRange();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool InRange()
    {
        var n = Equal.Length;
        if (n > 0 && _cursor!.CompareCurrent(_key.AsSpan(0, n)) != 0)
        {
            return false;
        }

        if (_hasHigh && !Reverse)
        {
            var c = _cursor!.CompareCurrent(_highKey.AsSpan(0, n + 1));
            if (HighInclusive ? c > 0 : c >= 0)
            {
                return false;
            }
        }

        if (_hasLow)
        {
            var c = _cursor!.CompareCurrent(_lowKey.AsSpan(0, n + 1));
            if (LowInclusive ? c < 0 : c <= 0)
            {
                return false;
            }
        }

        if (!Covering)
        {
            var rowid = _cursor!.IndexRowid();
            if (!_tableCursor!.SeekRowid(rowid, out var exact) || !exact)
            {
                throw new SqliteCorruptException($"index {_index.Name} points to a missing row");
            }
        }

        return true;
    }

    public override bool Next()
    {
        if ((Reverse ? _cursor!.Prev() : _cursor!.Next()) && InRange())
        {
            return true;
        }

        return InList is not null && NextInValue();
    }

    public override void Close()
    {
        _cursor?.Dispose();
        _tableCursor?.Dispose();
        _cursor = _tableCursor = null;
    }
}

/// <summary>
/// A subquery, view or CTE in FROM: its rows streamed from its operator when it is the outermost
/// loop, or computed once per execution and replayed when it is an inner loop.
/// </summary>
internal sealed class SubqueryAccess(RowOperator query, bool materialize) : Access
{
    private readonly ArrayRow _row = new();
    private List<SqlValue[]>? _rows;
    private EvalContext? _for;
    private int _position;
    private EvalContext? _ctx;

    public override IRowSource Row => _row;

    public override RowOperator? Child => query;

    public override bool First(EvalContext ctx)
    {
        _ctx = ctx;
        if (!materialize)
        {
            query.Open(ctx);
            _row.RowId = 0;
            return Advance();
        }

        if (_rows is null || !ReferenceEquals(_for, ctx))
        {
            _rows = [];
            query.Open(ctx);
            while (query.Next())
            {
                _rows.Add(Detached(query.Current, query.Width));
            }

            query.Close();
            _for = ctx;
        }

        _position = -1;
        return Next();
    }

    public override bool Next()
    {
        if (!materialize)
        {
            return Advance();
        }

        if (++_position >= _rows!.Count)
        {
            return false;
        }

        _row.Values = _rows[_position];
        _row.RowId = _position + 1;
        return true;
    }

    private bool Advance()
    {
        _ = _ctx;
        if (!query.Next())
        {
            return false;
        }

        _row.Values = query.Current;
        _row.RowId++;
        return true;
    }

    public override void Close() => query.Close();

    internal static SqlValue[] Detached(SqlValue[] values, int width)
    {
        var copy = new SqlValue[width];
        for (var i = 0; i < width; i++)
        {
            copy[i] = values[i].Detach();
        }

        return copy;
    }
}

/// <summary>The rows a recursive CTE's recursive arm reads: the one row taken from the queue.</summary>
internal sealed class QueueRowAccess : Access
{
    private readonly ArrayRow _row = new();
    private bool _done;

    public SqlValue[] Current { get; set; } = [];

    public override IRowSource Row => _row;

    public override bool First(EvalContext ctx)
    {
        _row.Values = Current;
        _done = false;
        return true;
    }

    public override bool Next()
    {
        if (_done)
        {
            return false;
        }

        _done = true;
        return false;
    }
}
