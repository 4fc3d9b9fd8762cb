using System.Runtime.CompilerServices;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Operators;

internal enum AggKind : byte
{
    CountStar,
    Count,
    Sum,
    Total,
    Avg,
    Min,
    Max,
    GroupConcat,
}

/// <summary>One aggregate call of a query: its function, arguments, DISTINCT and FILTER.</summary>
internal sealed class AggSpec(AggKind kind, CompiledExpr[] args, bool distinct, CompiledExpr? filter, Collation collation)
{
    public AggKind Kind { get; } = kind;

    public CompiledExpr[] Args { get; } = args;

    public bool Distinct { get; } = distinct;

    public CompiledExpr? Filter { get; } = filter;

    public Collation Collation { get; } = collation;

    /// <summary>One argument, no FILTER, no DISTINCT: each row steps the state with that argument alone.</summary>
    public bool Plain { get; } = args.Length == 1 && !distinct && filter is null;

    public AggState NewState() => Kind switch
    {
        AggKind.CountStar or AggKind.Count => new CountState(),
        AggKind.Sum or AggKind.Total or AggKind.Avg => new SumState(Kind),
        AggKind.Min or AggKind.Max => new MinMaxState(Kind == AggKind.Max, Collation),
        _ => new GroupConcatState(),
    };
}

/// <summary>One group's running state of one aggregate (SQLite's sqlite3_aggregate_context).</summary>
internal abstract class AggState
{
    public RowKeySet? Seen { get; set; }

    /// <summary>Adds a row's arguments; true when it became the row min()/max() reports (bare columns follow it).</summary>
    public abstract bool Step(ReadOnlySpan<SqlValue> args);

    /// <summary><see cref="Step(ReadOnlySpan{SqlValue})"/> for one argument, without a buffer (the common case of a scan).</summary>
    public virtual bool Step(in SqlValue arg) => Step(new ReadOnlySpan<SqlValue>(in arg));

    public abstract SqlValue Final();
}

internal sealed class CountState : AggState
{
    private long _count;

    public override bool Step(ReadOnlySpan<SqlValue> args)
    {
        if (args.Length == 0 || !args[0].IsNull)
        {
            _count++;
        }

        return false;
    }

    public override bool Step(in SqlValue arg)
    {
        if (!arg.IsNull)
        {
            _count++;
        }

        return false;
    }

    public override SqlValue Final() => SqlValue.FromInteger(_count);
}

/// <summary>
/// sum/total/avg as SQLite 3.40: integers add exactly until one overflows (then sum() fails with
/// "integer overflow"); any non-integer makes the result REAL (a plain double sum of every value).
/// </summary>
internal sealed class SumState(AggKind kind) : AggState
{
    private long _count;
    private long _integer;
    private double _real;
    private bool _approx;
    private bool _overflow;

    public override bool Step(ReadOnlySpan<SqlValue> args) => Step(in args[0]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Step(in SqlValue arg)
    {
        var v = arg;
        if (v.Type is SqlType.Text or SqlType.Blob)
        {
            v = SqlConvert.ApplyAffinity(v, Affinity.Numeric);
            if (v.Type is SqlType.Text or SqlType.Blob)
            {
                v = SqlValue.FromReal(SqlConvert.ToReal(arg));
            }
        }

        switch (v.Type)
        {
            case SqlType.Null:
                return false;
            case SqlType.Integer:
                _count++;
                _real += v.AsInteger;
                if (!_approx && !_overflow)
                {
                    var sum = unchecked(_integer + v.AsInteger);
                    if (((_integer ^ sum) & (v.AsInteger ^ sum)) < 0)
                    {
                        _approx = _overflow = true;
                    }
                    else
                    {
                        _integer = sum;
                    }
                }

                return false;
            default:
                _count++;
                _real += v.AsReal;
                _approx = true;
                return false;
        }
    }

    public override SqlValue Final()
    {
        switch (kind)
        {
            case AggKind.Total:
                return SqlValue.FromReal(_real);
            case AggKind.Avg:
                return _count == 0 ? SqlValue.Null : SqlValue.FromReal(_real / _count);
            default:
                if (_count == 0)
                {
                    return SqlValue.Null;
                }

                if (_overflow)
                {
                    throw new SqlRuntimeException("integer overflow");
                }

                return _approx ? SqlValue.FromReal(_real) : SqlValue.FromInteger(_integer);
        }
    }
}

internal sealed class MinMaxState(bool max, Collation collation) : AggState
{
    private SqlValue _value;

    public override bool Step(ReadOnlySpan<SqlValue> args)
    {
        var v = args[0];
        if (v.IsNull)
        {
            return false;
        }

        if (!_value.IsNull)
        {
            var c = SqlComparer.Compare(v, _value, collation);
            if (max ? c <= 0 : c >= 0)
            {
                return false;
            }
        }

        _value = v.Detach();
        return true;
    }

    public override SqlValue Final() => _value;
}

/// <summary>group_concat(x [, sep]) / string_agg(x, sep): non-NULL values as text, joined by sep ("," by default).</summary>
internal sealed class GroupConcatState : AggState
{
    private byte[]? _utf8;
    private int _length;

    public override bool Step(ReadOnlySpan<SqlValue> args)
    {
        var v = args[0];
        if (v.IsNull)
        {
            return false;
        }

        if (_utf8 is null)
        {
            _utf8 = new byte[64];
        }
        else
        {
            if (args.Length < 2)
            {
                Append(","u8);
            }
            else if (!args[1].IsNull)
            {
                Append(SqlArithmetic.TextBytes(args[1]));
            }
        }

        Append(SqlArithmetic.TextBytes(v));
        return false;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _utf8!.Length)
        {
            Array.Resize(ref _utf8, Math.Max(_utf8.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_utf8.AsSpan(_length));
        _length += bytes.Length;
    }

    public override SqlValue Final() => _utf8 is null ? SqlValue.Null : SqlValue.FromText(_utf8.AsMemory(0, _length).ToArray());
}

/// <summary>What an aggregate query's output expressions read: the current group's keys, aggregate results and bare columns.</summary>
internal sealed class GroupOutput
{
    public SqlValue[] Keys { get; set; } = [];

    public SqlValue[] Aggregates { get; set; } = [];

    public SqlValue[] Bare { get; set; } = [];
}

internal enum GroupPart : byte
{
    Key,
    Aggregate,
    Bare,
}

/// <summary>A value of the current group (a GROUP BY term, an aggregate's result, a bare column).</summary>
internal sealed class GroupValueExpr(GroupOutput output, GroupPart part, int index) : CompiledExpr
{
    public override SqlValue Eval(EvalContext ctx) => part switch
    {
        GroupPart.Key => output.Keys[index],
        GroupPart.Aggregate => output.Aggregates[index],
        _ => output.Bare[index],
    };
}

/// <summary>
/// GROUP BY and aggregates: groups are found by hashing their keys (SQLite's comparison: 1 = 1.0,
/// by each term's collation), each aggregate stepped per row; groups come out in key order, as
/// SQLite's sorter gives them. Bare columns take the group's first row, or the row min()/max()
/// picked when the query has exactly one of them. Without GROUP BY there is one group, even for
/// no rows.
/// </summary>
internal sealed class AggregateOp : RowOperator
{
    private readonly RowOperator _input;
    private readonly CompiledExpr[] _keys;
    private readonly Collation[] _keyCollations;
    private readonly AggSpec[] _aggs;
    private readonly CompiledExpr[] _bare;
    private readonly CompiledExpr? _having;
    private readonly CompiledExpr[] _outputs;
    private readonly GroupOutput _output;
    private readonly int _minMax;
    private readonly Dictionary<byte[], Group> _groups = new(ByteArrayComparer.Instance);
    private readonly List<Group> _ordered = [];
    private readonly RowKeySet _encoder;
    private readonly SqlValue[] _keyBuffer;
    private readonly SqlValue[] _argBuffer = new SqlValue[2];
    private EvalContext _ctx = null!;
    private int _position;

    public AggregateOp(RowOperator input, CompiledExpr[] keys, Collation[] keyCollations, AggSpec[] aggs, CompiledExpr[] bare, CompiledExpr? having, CompiledExpr[] outputs, GroupOutput output, int width)
    {
        _input = input;
        _keys = keys;
        _keyCollations = keyCollations;
        _aggs = aggs;
        _bare = bare;
        _having = having;
        _outputs = outputs;
        _output = output;
        Width = width;
        Current = new SqlValue[outputs.Length];
        _encoder = new RowKeySet(keyCollations);
        _keyBuffer = new SqlValue[keys.Length];
        _minMax = -1;
        for (var i = 0; i < aggs.Length; i++)
        {
            if (aggs[i].Kind is AggKind.Min or AggKind.Max)
            {
                _minMax = _minMax == -1 ? i : -2;
            }
        }
    }

    public string? ExplainText { get; set; }

    /// <summary>
    /// FROM slots (and their widths) whose whole row each group keeps from its first row: set when
    /// subqueries in the output read the query's tables (they see the group's row, as in SQLite).
    /// </summary>
    public (int Slot, int Width)[] Snapshots { get; init; } = [];

    private sealed class Group(SqlValue[] keys, AggState[] states, SqlValue[] bare)
    {
        public ArrayRow?[]? Rows { get; set; }

        public SqlValue[] Keys { get; } = keys;

        public AggState[] States { get; } = states;

        public SqlValue[] Bare { get; } = bare;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Open(EvalContext ctx)
    {
        _ctx = ctx;
        _groups.Clear();
        _ordered.Clear();
        _input.Open(ctx);
        Group? single = null;
        var lookup = _groups.GetAlternateLookup<ReadOnlySpan<byte>>();
        while (_input.Next())
        {
            Group group;
            if (_keys.Length == 0)
            {
                group = single ??= NewGroup([]);
            }
            else
            {
                for (var i = 0; i < _keys.Length; i++)
                {
                    _keyBuffer[i] = _keys[i].Eval(ctx);
                }

                var n = _encoder.Encode(_keyBuffer);
                if (!lookup.TryGetValue(_encoder.Buffer(n), out group!))
                {
                    var keys = new SqlValue[_keys.Length];
                    for (var i = 0; i < keys.Length; i++)
                    {
                        keys[i] = _keyBuffer[i].Detach();
                    }

                    group = NewGroup(keys);
                    _groups.Add(_encoder.Buffer(n).ToArray(), group);
                }
            }

            Step(group, ctx);
        }

        _input.Close();
        if (_keys.Length == 0)
        {
            if (single is null)
            {
                _ordered.Add(new Group([], NewStates(), new SqlValue[_bare.Length]));
            }
        }
        else
        {
            _ordered.Sort(CompareGroups);
        }

        _position = -1;
    }

    private AggState[] NewStates()
    {
        var states = new AggState[_aggs.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = _aggs[i].NewState();
            if (_aggs[i].Distinct)
            {
                states[i].Seen = new RowKeySet([_aggs[i].Collation]);
            }
        }

        return states;
    }

    private Group NewGroup(SqlValue[] keys)
    {
        var bare = new SqlValue[_bare.Length];
        for (var i = 0; i < bare.Length; i++)
        {
            bare[i] = _bare[i].Eval(_ctx).Detach();
        }

        var group = new Group(keys, NewStates(), bare);
        if (Snapshots.Length > 0)
        {
            group.Rows = new ArrayRow?[Snapshots.Length];
            for (var k = 0; k < Snapshots.Length; k++)
            {
                var (slot, width) = Snapshots[k];
                if (_ctx.Rows[slot] is { } source)
                {
                    var values = new SqlValue[width];
                    for (var i = 0; i < width; i++)
                    {
                        values[i] = source.Column(i).Detach();
                    }

                    group.Rows[k] = new ArrayRow { Values = values, RowId = source.RowId };
                }
            }
        }

        _ordered.Add(group);
        return group;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(Group group, EvalContext ctx)
    {
        for (var a = 0; a < _aggs.Length; a++)
        {
            var spec = _aggs[a];
            if (spec.Plain && a != _minMax)
            {
                var arg = spec.Args[0].Eval(ctx);
                group.States[a].Step(in arg);
                continue;
            }

            if (spec.Filter is not null && CompiledExpr.Truth(spec.Filter.Eval(ctx)) != true)
            {
                continue;
            }

            var args = spec.Args;
            var buffer = args.Length <= 2 ? _argBuffer : new SqlValue[args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                buffer[i] = args[i].Eval(ctx);
            }

            var span = buffer.AsSpan(0, args.Length);
            var state = group.States[a];
            if (state.Seen is { } seen)
            {
                if (span.Length == 0 || span[0].IsNull || !seen.Add(span[..1]))
                {
                    continue;
                }
            }

            if (state.Step(span) && a == _minMax)
            {
                for (var i = 0; i < _bare.Length; i++)
                {
                    group.Bare[i] = _bare[i].Eval(ctx).Detach();
                }
            }
        }
    }

    private int CompareGroups(Group x, Group y)
    {
        for (var i = 0; i < _keyCollations.Length; i++)
        {
            var c = SqlComparer.Compare(x.Keys[i], y.Keys[i], _keyCollations[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    public override bool Next()
    {
        while (++_position < _ordered.Count)
        {
            var group = _ordered[_position];
            var results = new SqlValue[group.States.Length];
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = group.States[i].Final();
            }

            _output.Keys = group.Keys;
            _output.Aggregates = results;
            _output.Bare = group.Bare;
            for (var k = 0; k < Snapshots.Length; k++)
            {
                _ctx.Rows[Snapshots[k].Slot] = group.Rows?[k];
            }
            if (_having is not null && CompiledExpr.Truth(_having.Eval(_ctx)) != true)
            {
                continue;
            }

            for (var i = 0; i < _outputs.Length; i++)
            {
                Current[i] = _outputs[i].Eval(_ctx);
            }

            return true;
        }

        return false;
    }

    public override void Close()
    {
        _groups.Clear();
        _ordered.Clear();
    }

    public override void Explain(QueryPlanWriter plan, int parent)
    {
        _input.Explain(plan, parent);
        if (ExplainText is not null)
        {
            plan.Add(parent, ExplainText);
        }
    }
}
