using System.Runtime.CompilerServices;

namespace Forge.Cache.Storage;

/// <summary>
/// The value of a Redis sorted set key: a skiplist ordered by (score, member) for ranges and ranks,
/// plus a member table pointing at the skiplist nodes for O(1) score lookups. One structure serves
/// both of Redis's encodings; <see cref="IsListpack"/> only tracks which encoding Redis would use
/// (it converts to skiplist when the set outgrows zset-max-listpack-entries/-value, and never back
/// except for *STORE results), so OBJECT ENCODING reports what Redis reports.
/// </summary>
internal sealed partial class RedisSortedSet : IMemoryEstimate
{
    private readonly SkipList _list = new();
    private readonly KeyTable<SkipListNode> _members;

    public RedisSortedSet(bool listpack = true, int capacity = 0)
    {
        IsListpack = listpack;
        _members = new KeyTable<SkipListNode>(capacity);
    }

    public int Count => _list.Length;

    /// <summary>True while Redis would keep this set as a listpack.</summary>
    public bool IsListpack { get; private set; }

    /// <summary>OBJECT ENCODING's answer.</summary>
    public string Encoding => IsListpack ? "listpack" : "skiplist";

    public SkipListNode? First => _list.First;

    public SkipListNode? Last => _list.Last;

    /// <summary>The member table (slot access for ZSCAN and ZRANDMEMBER).</summary>
    internal KeyTable<SkipListNode> Members => _members;

    internal SkipList List => _list;

    /// <summary>Creates a set for a first element, choosing the encoding as ZADD does.</summary>
    public static RedisSortedSet CreateFor(int firstMemberLength, long maxEntries, long maxValue) =>
        new(listpack: maxEntries != 0 && firstMemberLength <= maxValue);

    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        if (_members.TryGetValue(member, out var node))
        {
            score = node.Score;
            return true;
        }

        score = 0;
        return false;
    }

    public bool Contains(ReadOnlySpan<byte> member) => _members.ContainsKey(member);

    public SkipListNode? Find(ReadOnlySpan<byte> member) => _members.TryGetValue(member, out var node) ? node : null;

    /// <summary>
    /// Adds a member that is not present (the caller checked), converting the encoding first when
    /// Redis would (too many elements or too long a member for a listpack).
    /// </summary>
    public SkipListNode AddNew(ReadOnlySpan<byte> member, double score, long maxEntries, long maxValue, byte[]? owned = null)
    {
        if (IsListpack && (Count + 1 > maxEntries || member.Length > maxValue))
        {
            IsListpack = false;
        }

        if (IsListpack && score == 0)
        {
            score = 0; // a listpack stores integral scores as integers: -0 becomes 0
        }

        var key = owned ?? member.ToArray();
        var node = _list.Insert(score, key);
        _members.Set(key, node, key);
        return node;
    }

    /// <summary>Sets an existing member's score.</summary>
    public void UpdateScore(SkipListNode node, double score)
    {
        if (node.Score == score)
        {
            return;
        }

        if (IsListpack && score == 0)
        {
            score = 0;
        }

        var moved = _list.UpdateScore(node, score);
        if (moved != node)
        {
            ref var slot = ref _members.GetValueRefOrNullRef(node.Member);
            slot = moved;
        }
    }

    /// <summary>Adds or updates without any condition (for building results).</summary>
    public void Set(ReadOnlySpan<byte> member, double score, long maxEntries, long maxValue)
    {
        if (_members.TryGetValue(member, out var node))
        {
            UpdateScore(node, score);
        }
        else
        {
            AddNew(member, score, maxEntries, maxValue);
        }
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (!_members.Remove(member, out var node))
        {
            return false;
        }

        _list.Delete(node.Score, node.Member);
        return true;
    }

    /// <summary>0-based rank from the lowest (or from the highest when <paramref name="reverse"/>), or -1.</summary>
    public long Rank(ReadOnlySpan<byte> member, bool reverse)
    {
        if (!_members.TryGetValue(member, out var node))
        {
            return -1;
        }

        var rank = _list.GetRank(node.Score, node.Member);
        return reverse ? Count - rank : rank - 1;
    }

    /// <summary>The node at 0-based rank <paramref name="index"/> from the lowest.</summary>
    public SkipListNode? ByIndex(long index) => index == 0 ? _list.First : _list.GetByRank(index + 1);

    /// <summary>0-based rank of a node in the set.</summary>
    public long IndexOf(SkipListNode node) => _list.GetRank(node.Score, node.Member) - 1;

    public SkipListNode? FirstInRange(in ScoreRange range) => _list.FirstInRange(range);

    public SkipListNode? LastInRange(in ScoreRange range) => _list.LastInRange(range);

    public SkipListNode? FirstInLexRange(in LexRange range) => _list.FirstInLexRange(range);

    public SkipListNode? LastInLexRange(in LexRange range) => _list.LastInLexRange(range);

    /// <summary>How many elements have a score in range.</summary>
    public long CountInRange(in ScoreRange range)
    {
        var first = _list.FirstInRange(range);
        if (first is null)
        {
            return 0;
        }

        var last = _list.LastInRange(range)!;
        return _list.GetRank(last.Score, last.Member) - _list.GetRank(first.Score, first.Member) + 1;
    }

    public long CountInLexRange(in LexRange range)
    {
        var first = _list.FirstInLexRange(range);
        if (first is null)
        {
            return 0;
        }

        var last = _list.LastInLexRange(range)!;
        return _list.GetRank(last.Score, last.Member) - _list.GetRank(first.Score, first.Member) + 1;
    }

    public int RemoveRangeByScore(in ScoreRange range) => _list.DeleteRangeByScore(range, RemoveMember);

    public int RemoveRangeByLex(in LexRange range) => _list.DeleteRangeByLex(range, RemoveMember);

    /// <summary>Removes 0-based ranks <paramref name="start"/>..<paramref name="end"/> inclusive (already clamped).</summary>
    public int RemoveRangeByRank(long start, long end) => _list.DeleteRangeByRank(start + 1, end + 1, RemoveMember);

    private void RemoveMember(SkipListNode node) => _members.Remove(node.Member);

    /// <summary>Removes and returns the lowest (or highest) element.</summary>
    public SkipListNode? PopFirst(bool max)
    {
        var node = max ? _list.Last : _list.First;
        if (node is not null)
        {
            _members.Remove(node.Member);
            _list.Delete(node.Score, node.Member);
        }

        return node;
    }

    /// <summary>
    /// Turns a *STORE result back into a listpack when Redis would (zsetConvertToListpackIfNeeded):
    /// few enough elements, none longer than the value limit.
    /// </summary>
    public void ConvertToListpackIfNeeded(long maxEntries, long maxValue)
    {
        if (IsListpack || Count > maxEntries)
        {
            return;
        }

        for (var x = _list.First; x is not null; x = x.Next)
        {
            if (x.Member.Length > maxValue)
            {
                return;
            }
        }

        IsListpack = true;
        for (var x = _list.First; x is not null; x = x.Next)
        {
            if (x.Score == 0)
            {
                x.Score = 0; // -0 becomes 0, as in a listpack
            }
        }
    }

    /// <summary>Forces the encoding flag (RDB loading, DEBUG, tests).</summary>
    public void SetEncoding(bool listpack) => IsListpack = listpack;

    /// <summary>A copy with the same elements and encoding.</summary>
    public RedisSortedSet Clone()
    {
        var copy = new RedisSortedSet(IsListpack, Count);
        for (var x = _list.First; x is not null; x = x.Next)
        {
            var node = copy._list.Insert(x.Score, x.Member);
            copy._members.Set(x.Member, node, x.Member);
        }

        return copy;
    }

    /// <summary>Elements in order, lowest first.</summary>
    public IEnumerable<(byte[] Member, double Score)> Items()
    {
        for (var x = _list.First; x is not null; x = x.Next)
        {
            yield return (x.Member, x.Score);
        }
    }

    /// <summary>MEMORY USAGE: nodes with their level arrays, member arrays, the member table.</summary>
    public long EstimateBytes()
    {
        long bytes = 96 + ((long)_members.SlotCount * 40);
        for (var x = _list.First; x is not null; x = x.Next)
        {
            bytes += 48 + 24 + (x.Levels.Length * 16) + 24 + ((x.Member.Length + 7) & ~7);
        }

        return bytes;
    }

    internal void Validate()
    {
        _list.Validate();
        if (_members.Count != _list.Length)
        {
            throw new InvalidOperationException("member table and skiplist disagree");
        }

        for (var x = _list.First; x is not null; x = x.Next)
        {
            ref var slot = ref _members.GetValueRefOrNullRef(x.Member);
            if (Unsafe.IsNullRef(ref slot) || slot != x)
            {
                throw new InvalidOperationException("member table points elsewhere");
            }
        }
    }
}
