namespace Forge.Cache.Storage;

/// <summary>
/// One element of a sorted set: member, score, and its levels in the skiplist. The member array is
/// shared with the set's member table (it is never modified).
/// </summary>
internal sealed class SkipListNode
{
    public SkipListNode(int levels, double score, byte[] member)
    {
        Levels = new SkipListLevel[levels];
        Score = score;
        Member = member;
    }

    public byte[] Member { get; }

    public double Score { get; set; }

    /// <summary>The previous node on level 0 (null for the first node).</summary>
    public SkipListNode? Backward { get; set; }

    public SkipListLevel[] Levels { get; }

    /// <summary>The next node in order, or null after the last.</summary>
    public SkipListNode? Next => Levels[0].Forward;
}

/// <summary>A forward link and how many level-0 steps it jumps (the span, for ranks).</summary>
internal struct SkipListLevel
{
    public SkipListNode? Forward;
    public int Span;
}

/// <summary>
/// A skiplist with spans (as in Redis's zset): elements ordered by (score, member bytes), rank
/// and by-rank lookups in O(log n). Probability 1/4 per extra level, at most 32 levels.
/// </summary>
internal sealed class SkipList
{
    public const int MaxLevel = 32;

    [ThreadStatic]
    private static SkipListNode[]? s_update;

    [ThreadStatic]
    private static int[]? s_rank;

    private readonly SkipListNode _header = new(MaxLevel, 0, []);
    private int _level = 1;

    public int Length { get; private set; }

    public SkipListNode? First => _header.Levels[0].Forward;

    public SkipListNode? Last { get; private set; }

    /// <summary>Redis's order: by score, then by member bytes (memcmp, shorter first on a common prefix).</summary>
    public static int Compare(double score, ReadOnlySpan<byte> member, SkipListNode node)
    {
        if (score < node.Score)
        {
            return -1;
        }

        if (score > node.Score)
        {
            return 1;
        }

        return member.SequenceCompareTo(node.Member);
    }

    private static bool NodeLess(SkipListNode node, double score, ReadOnlySpan<byte> member) =>
        node.Score < score || (node.Score == score && node.Member.AsSpan().SequenceCompareTo(member) < 0);

    private static int RandomLevel()
    {
        var level = 1;
        while (level < MaxLevel && (Random.Shared.Next() & 0xFFFF) < 0xFFFF / 4)
        {
            level++;
        }

        return level;
    }

    private static SkipListNode[] UpdateArray() => s_update ??= new SkipListNode[MaxLevel];

    /// <summary>Inserts an element that is not present yet (the caller checks membership).</summary>
    public SkipListNode Insert(double score, byte[] member)
    {
        var update = UpdateArray();
        var rank = s_rank ??= new int[MaxLevel];
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.Levels[i].Forward is { } next && NodeLess(next, score, member))
            {
                rank[i] += x.Levels[i].Span;
                x = next;
            }

            update[i] = x;
        }

        var level = RandomLevel();
        if (level > _level)
        {
            for (var i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                _header.Levels[i].Span = Length;
            }

            _level = level;
        }

        var node = new SkipListNode(level, score, member);
        for (var i = 0; i < level; i++)
        {
            ref var prev = ref update[i].Levels[i];
            node.Levels[i].Forward = prev.Forward;
            prev.Forward = node;
            node.Levels[i].Span = prev.Span - (rank[0] - rank[i]);
            prev.Span = rank[0] - rank[i] + 1;
        }

        for (var i = level; i < _level; i++)
        {
            update[i].Levels[i].Span++;
        }

        node.Backward = update[0] == _header ? null : update[0];
        if (node.Levels[0].Forward is { } after)
        {
            after.Backward = node;
        }
        else
        {
            Last = node;
        }

        Length++;
        Array.Clear(update);
        return node;
    }

    private void Unlink(SkipListNode node, SkipListNode[] update)
    {
        for (var i = 0; i < _level; i++)
        {
            ref var prev = ref update[i].Levels[i];
            if (prev.Forward == node)
            {
                prev.Span += node.Levels[i].Span - 1;
                prev.Forward = node.Levels[i].Forward;
            }
            else
            {
                prev.Span--;
            }
        }

        if (node.Levels[0].Forward is { } after)
        {
            after.Backward = node.Backward;
        }
        else
        {
            Last = node.Backward;
        }

        while (_level > 1 && _header.Levels[_level - 1].Forward is null)
        {
            _level--;
        }

        Length--;
    }

    /// <summary>Fills the update path for (score, member): the last node before it on each level.</summary>
    private SkipListNode[] FindPath(double score, ReadOnlySpan<byte> member)
    {
        var update = UpdateArray();
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && NodeLess(next, score, member))
            {
                x = next;
            }

            update[i] = x;
        }

        return update;
    }

    /// <summary>Removes the element; false when it is not in the list.</summary>
    public bool Delete(double score, ReadOnlySpan<byte> member)
    {
        var update = FindPath(score, member);
        var x = update[0].Levels[0].Forward;
        var found = x is not null && x.Score == score && member.SequenceEqual(x.Member);
        if (found)
        {
            Unlink(x!, update);
        }

        Array.Clear(update);
        return found;
    }

    /// <summary>
    /// Changes an element's score, moving it only when its neighbours' scores require it. Returns
    /// the node now holding the element (a new one when it moved).
    /// </summary>
    public SkipListNode UpdateScore(SkipListNode node, double newScore)
    {
        var prev = node.Backward;
        var next = node.Levels[0].Forward;
        if ((prev is null || prev.Score < newScore) && (next is null || next.Score > newScore))
        {
            node.Score = newScore;
            return node;
        }

        var update = FindPath(node.Score, node.Member);
        Unlink(node, update);
        Array.Clear(update);
        return Insert(newScore, node.Member);
    }

    /// <summary>1-based rank of the element, or 0 when absent.</summary>
    public long GetRank(double score, ReadOnlySpan<byte> member)
    {
        long rank = 0;
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && Compare(score, member, next) >= 0)
            {
                rank += x.Levels[i].Span;
                x = next;
            }

            if (x != _header && x.Score == score && member.SequenceEqual(x.Member))
            {
                return rank;
            }
        }

        return 0;
    }

    /// <summary>The element at 1-based <paramref name="rank"/>, or null.</summary>
    public SkipListNode? GetByRank(long rank)
    {
        if (rank < 1 || rank > Length)
        {
            return null;
        }

        long traversed = 0;
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && traversed + x.Levels[i].Span <= rank)
            {
                traversed += x.Levels[i].Span;
                x = next;
            }

            if (traversed == rank)
            {
                return x;
            }
        }

        return null;
    }

    /// <summary>The first element with score in range, or null.</summary>
    public SkipListNode? FirstInRange(in ScoreRange range)
    {
        if (!IsInRange(range))
        {
            return null;
        }

        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && !range.GteMin(next.Score))
            {
                x = next;
            }
        }

        var first = x.Levels[0].Forward;
        return first is not null && range.LteMax(first.Score) ? first : null;
    }

    /// <summary>The last element with score in range, or null.</summary>
    public SkipListNode? LastInRange(in ScoreRange range)
    {
        if (!IsInRange(range))
        {
            return null;
        }

        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && range.LteMax(next.Score))
            {
                x = next;
            }
        }

        return x != _header && range.GteMin(x.Score) ? x : null;
    }

    private bool IsInRange(in ScoreRange range)
    {
        if (range.IsEmpty)
        {
            return false;
        }

        return Last is not null && range.GteMin(Last.Score) && First is { } first && range.LteMax(first.Score);
    }

    public SkipListNode? FirstInLexRange(in LexRange range)
    {
        if (!IsInLexRange(range))
        {
            return null;
        }

        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && !range.GteMin(next.Member))
            {
                x = next;
            }
        }

        var first = x.Levels[0].Forward;
        return first is not null && range.LteMax(first.Member) ? first : null;
    }

    public SkipListNode? LastInLexRange(in LexRange range)
    {
        if (!IsInLexRange(range))
        {
            return null;
        }

        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && range.LteMax(next.Member))
            {
                x = next;
            }
        }

        return x != _header && range.GteMin(x.Member) ? x : null;
    }

    private bool IsInLexRange(in LexRange range)
    {
        if (range.IsEmpty)
        {
            return false;
        }

        return Last is not null && range.GteMin(Last.Member) && First is { } first && range.LteMax(first.Member);
    }

    /// <summary>Removes the elements whose score is in range, calling <paramref name="removed"/> for each.</summary>
    public int DeleteRangeByScore(in ScoreRange range, Action<SkipListNode> removed)
    {
        var update = UpdateArray();
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && !range.GteMin(next.Score))
            {
                x = next;
            }

            update[i] = x;
        }

        var n = 0;
        var node = x.Levels[0].Forward;
        while (node is not null && range.LteMax(node.Score))
        {
            var after = node.Levels[0].Forward;
            Unlink(node, update);
            removed(node);
            n++;
            node = after;
        }

        Array.Clear(update);
        return n;
    }

    public int DeleteRangeByLex(in LexRange range, Action<SkipListNode> removed)
    {
        var update = UpdateArray();
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && !range.GteMin(next.Member))
            {
                x = next;
            }

            update[i] = x;
        }

        var n = 0;
        var node = x.Levels[0].Forward;
        while (node is not null && range.LteMax(node.Member))
        {
            var after = node.Levels[0].Forward;
            Unlink(node, update);
            removed(node);
            n++;
            node = after;
        }

        Array.Clear(update);
        return n;
    }

    /// <summary>Removes the elements of 1-based ranks <paramref name="start"/>..<paramref name="end"/> (inclusive).</summary>
    public int DeleteRangeByRank(long start, long end, Action<SkipListNode> removed)
    {
        var update = UpdateArray();
        long traversed = 0;
        var x = _header;
        for (var i = _level - 1; i >= 0; i--)
        {
            while (x.Levels[i].Forward is { } next && traversed + x.Levels[i].Span < start)
            {
                traversed += x.Levels[i].Span;
                x = next;
            }

            update[i] = x;
        }

        traversed++;
        var n = 0;
        var node = x.Levels[0].Forward;
        while (node is not null && traversed <= end)
        {
            var after = node.Levels[0].Forward;
            Unlink(node, update);
            removed(node);
            n++;
            traversed++;
            node = after;
        }

        Array.Clear(update);
        return n;
    }

    /// <summary>Checks every invariant (order, spans, back links, length); for tests.</summary>
    internal void Validate()
    {
        var count = 0;
        SkipListNode? prev = null;
        for (var x = First; x is not null; x = x.Next)
        {
            if (x.Backward != prev)
            {
                throw new InvalidOperationException("bad backward link");
            }

            if (prev is not null && Compare(x.Score, x.Member, prev) <= 0)
            {
                throw new InvalidOperationException("out of order");
            }

            prev = x;
            count++;
        }

        if (count != Length || Last != prev)
        {
            throw new InvalidOperationException("bad length or tail");
        }

        for (var i = 0; i < _level; i++)
        {
            long rank = 0;
            var x = _header;
            while (x.Levels[i].Forward is { } next)
            {
                rank += x.Levels[i].Span;
                if (GetRank(next.Score, next.Member) != rank)
                {
                    throw new InvalidOperationException($"bad span at level {i}");
                }

                x = next;
            }
        }
    }
}

/// <summary>A score interval as ZRANGEBYSCORE takes it: "(1.5" is exclusive, "-inf"/"+inf" allowed.</summary>
internal readonly struct ScoreRange
{
    public ScoreRange(double min, bool minEx, double max, bool maxEx)
    {
        Min = min;
        MinEx = minEx;
        Max = max;
        MaxEx = maxEx;
    }

    public double Min { get; }

    public bool MinEx { get; }

    public double Max { get; }

    public bool MaxEx { get; }

    public bool IsEmpty => Min > Max || (Min == Max && (MinEx || MaxEx));

    public bool GteMin(double value) => MinEx ? value > Min : value >= Min;

    public bool LteMax(double value) => MaxEx ? value < Max : value <= Max;
}

/// <summary>A lexicographic interval as ZRANGEBYLEX takes it: "[a", "(a", "-" (before all), "+" (after all).</summary>
internal readonly struct LexRange
{
    /// <summary>Bound kinds: -1 the "-" bound, +1 the "+" bound, 0 a string.</summary>
    public LexRange(int minKind, byte[] min, bool minEx, int maxKind, byte[] max, bool maxEx)
    {
        MinKind = minKind;
        Min = min;
        MinEx = minEx;
        MaxKind = maxKind;
        Max = max;
        MaxEx = maxEx;
    }

    public int MinKind { get; }

    public byte[] Min { get; }

    public bool MinEx { get; }

    public int MaxKind { get; }

    public byte[] Max { get; }

    public bool MaxEx { get; }

    /// <summary>Compares a bound (kind, value) with another as Redis's sdscmplex does.</summary>
    private static int CompareBounds(int kindA, byte[] a, int kindB, byte[] b)
    {
        if (kindA != 0 || kindB != 0)
        {
            return kindA == kindB ? 0 : kindA < kindB || kindB == 1 || kindA == -1 ? -1 : 1;
        }

        return a.AsSpan().SequenceCompareTo(b);
    }

    private static int CompareValue(ReadOnlySpan<byte> value, int kind, byte[] bound) =>
        kind == -1 ? 1 : kind == 1 ? -1 : value.SequenceCompareTo(bound);

    public bool IsEmpty
    {
        get
        {
            var cmp = CompareBounds(MinKind, Min, MaxKind, Max);
            return cmp > 0 || (cmp == 0 && (MinEx || MaxEx));
        }
    }

    public bool GteMin(ReadOnlySpan<byte> value)
    {
        var cmp = CompareValue(value, MinKind, Min);
        return MinEx ? cmp > 0 : cmp >= 0;
    }

    public bool LteMax(ReadOnlySpan<byte> value)
    {
        var cmp = CompareValue(value, MaxKind, Max);
        return MaxEx ? cmp < 0 : cmp <= 0;
    }
}
