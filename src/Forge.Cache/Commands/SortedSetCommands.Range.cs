using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>ZRANGE and its older forms, ZRANGESTORE, ZREMRANGEBY*.</summary>
internal static partial class SortedSetCommands
{
    private const string LimitNeedsBy = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    private const string WithScoresByLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

    private enum RangeType
    {
        Auto,
        Rank,
        Score,
        Lex,
    }

    private enum Direction
    {
        Auto,
        Forward,
        Reverse,
    }

    private static void RegisterRanges(CommandTable t, string g)
    {
        t.Add("zrange", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Auto, Direction.Auto), g);
        t.Add("zrangestore", -5, "write denyoom", 1, 2, 1, c => RangeGeneric(c, 2, true, RangeType.Auto, Direction.Auto), g);
        t.Add("zrevrange", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Rank, Direction.Reverse), g);
        t.Add("zrangebyscore", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Score, Direction.Forward), g);
        t.Add("zrevrangebyscore", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Score, Direction.Reverse), g);
        t.Add("zrangebylex", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Lex, Direction.Forward), g);
        t.Add("zrevrangebylex", -4, "readonly", 1, 1, 1, c => RangeGeneric(c, 1, false, RangeType.Lex, Direction.Reverse), g);
        t.Add("zremrangebyrank", 4, "write", 1, 1, 1, c => RemRangeGeneric(c, RangeType.Rank), g);
        t.Add("zremrangebyscore", 4, "write", 1, 1, 1, c => RemRangeGeneric(c, RangeType.Score), g);
        t.Add("zremrangebylex", 4, "write", 1, 1, 1, c => RemRangeGeneric(c, RangeType.Lex), g);
    }

    private static void RangeGeneric(CommandContext c, int argStart, bool store, RangeType type, Direction direction)
    {
        var minIdx = argStart + 1;
        var maxIdx = argStart + 2;
        var withScores = false;
        long offset = 0;
        long limit = -1;
        for (var j = argStart + 3; j < c.ArgCount; j++)
        {
            var left = c.ArgCount - j - 1;
            if (!store && c.ArgIs(j, "withscores"u8))
            {
                withScores = true;
            }
            else if (c.ArgIs(j, "limit"u8) && left >= 2)
            {
                if (!c.TryGetLong(j + 1, out offset) || !c.TryGetLong(j + 2, out limit))
                {
                    return;
                }

                j += 2;
            }
            else if (direction == Direction.Auto && c.ArgIs(j, "rev"u8))
            {
                direction = Direction.Reverse;
            }
            else if (type == RangeType.Auto && c.ArgIs(j, "bylex"u8))
            {
                type = RangeType.Lex;
            }
            else if (type == RangeType.Auto && c.ArgIs(j, "byscore"u8))
            {
                type = RangeType.Score;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (direction == Direction.Auto)
        {
            direction = Direction.Forward;
        }

        if (type == RangeType.Auto)
        {
            type = RangeType.Rank;
        }

        if (limit != -1 && type == RangeType.Rank)
        {
            c.Reply.Error(LimitNeedsBy);
            return;
        }

        if (withScores && type == RangeType.Lex)
        {
            c.Reply.Error(WithScoresByLex);
            return;
        }

        var reverse = direction == Direction.Reverse;
        if (reverse && type != RangeType.Rank)
        {
            (minIdx, maxIdx) = (maxIdx, minIdx);
        }

        long start = 0, end = 0;
        ScoreRange scoreRange = default;
        LexRange lexRange = default;
        switch (type)
        {
            case RangeType.Rank:
                if (!c.TryGetLong(minIdx, out start) || !c.TryGetLong(maxIdx, out end))
                {
                    return;
                }

                break;
            case RangeType.Score:
                if (!TryParseScoreRange(c, minIdx, maxIdx, out scoreRange))
                {
                    return;
                }

                break;
            default:
                if (!TryParseLexRange(c, minIdx, maxIdx, out lexRange))
                {
                    return;
                }

                break;
        }

        var key = c.Arg(argStart);
        if (!c.TryGet<RedisSortedSet>(key, out var zset))
        {
            return;
        }

        var result = new List<SkipListNode>();
        var knownLength = -1L;
        if (zset is not null)
        {
            if (type == RangeType.Rank)
            {
                knownLength = CollectByRank(zset, start, end, reverse, result);
            }
            else
            {
                CollectByRange(zset, type, scoreRange, lexRange, offset, limit, reverse, result);
            }
        }

        if (store)
        {
            StoreRange(c, c.Arg(1), result, knownLength);
            return;
        }

        WriteElementsHeader(c.Reply, result.Count, withScores);
        foreach (var node in result)
        {
            WriteElement(c.Reply, node, withScores);
        }
    }

    /// <summary>Z[REV]RANGE by index; returns the range length (as Redis knows it before emitting).</summary>
    private static long CollectByRank(RedisSortedSet zset, long start, long end, bool reverse, List<SkipListNode> result)
    {
        long length = zset.Count;
        if (start < 0)
        {
            start += length;
        }

        if (end < 0)
        {
            end += length;
        }

        if (start < 0)
        {
            start = 0;
        }

        if (start > end || start >= length)
        {
            return 0;
        }

        if (end >= length)
        {
            end = length - 1;
        }

        var count = end - start + 1;
        var node = reverse ? zset.ByIndex(length - 1 - start) : zset.ByIndex(start);
        for (var i = 0L; i < count && node is not null; i++)
        {
            result.Add(node);
            node = reverse ? node.Backward : node.Next;
        }

        return count;
    }

    private static void CollectByRange(RedisSortedSet zset, RangeType type, in ScoreRange scoreRange, in LexRange lexRange, long offset, long limit, bool reverse, List<SkipListNode> result)
    {
        if (offset < 0 || (offset > 0 && offset >= zset.Count))
        {
            return; // Redis walks a negative offset off the end of the set
        }

        var node = type == RangeType.Score
            ? (reverse ? zset.LastInRange(scoreRange) : zset.FirstInRange(scoreRange))
            : (reverse ? zset.LastInLexRange(lexRange) : zset.FirstInLexRange(lexRange));
        if (node is null)
        {
            return;
        }

        if (offset > 0)
        {
            var index = zset.IndexOf(node) + (reverse ? -offset : offset);
            node = index >= 0 && index < zset.Count ? zset.ByIndex(index) : null;
        }

        while (node is not null && limit-- != 0)
        {
            var inRange = type == RangeType.Score
                ? (reverse ? scoreRange.GteMin(node.Score) : scoreRange.LteMax(node.Score))
                : (reverse ? lexRange.GteMin(node.Member) : lexRange.LteMax(node.Member));
            if (!inRange)
            {
                break;
            }

            result.Add(node);
            node = reverse ? node.Backward : node.Next;
        }
    }

    /// <summary>ZRANGESTORE's destination: listpack unless the known length exceeds the limit, then converted as elements are added.</summary>
    private static void StoreRange(CommandContext c, ReadOnlySpan<byte> dstKey, List<SkipListNode> result, long knownLength)
    {
        if (result.Count == 0)
        {
            StoreEmpty(c, dstKey);
            return;
        }

        Limits(c, out var maxEntries, out var maxValue);
        var dst = new RedisSortedSet(listpack: knownLength <= maxEntries, result.Count);
        foreach (var node in result)
        {
            dst.AddNew(node.Member, node.Score, maxEntries, maxValue, node.Member);
        }

        c.Db.Set(dstKey, dst);
        c.SignalKeyReady(dstKey);
        c.Reply.Integer(result.Count);
        c.Notify(Notify.Zset, "zrangestore", dstKey);
    }

    /// <summary>An empty *STORE result: the destination is deleted (with a "del" event when it existed).</summary>
    private static void StoreEmpty(CommandContext c, ReadOnlySpan<byte> dstKey)
    {
        c.Reply.Integer(0);
        if (c.Db.Delete(dstKey))
        {
            c.Touch(dstKey);
            c.Notify(Notify.Generic, "del", dstKey);
        }
    }

    private static void RemRangeGeneric(CommandContext c, RangeType type)
    {
        long start = 0, end = 0;
        ScoreRange scoreRange = default;
        LexRange lexRange = default;
        switch (type)
        {
            case RangeType.Rank:
                if (!c.TryGetLong(2, out start) || !c.TryGetLong(3, out end))
                {
                    return;
                }

                break;
            case RangeType.Score:
                if (!TryParseScoreRange(c, 2, 3, out scoreRange))
                {
                    return;
                }

                break;
            default:
                if (!TryParseLexRange(c, 2, 3, out lexRange))
                {
                    return;
                }

                break;
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisSortedSet>(key, out var zset))
        {
            return;
        }

        if (zset is null)
        {
            c.Reply.Integer(0);
            return;
        }

        int deleted;
        string evt;
        if (type == RangeType.Rank)
        {
            long length = zset.Count;
            if (start < 0)
            {
                start += length;
            }

            if (end < 0)
            {
                end += length;
            }

            if (start < 0)
            {
                start = 0;
            }

            if (start > end || start >= length)
            {
                c.Reply.Integer(0);
                return;
            }

            if (end >= length)
            {
                end = length - 1;
            }

            deleted = zset.RemoveRangeByRank(start, end);
            evt = "zremrangebyrank";
        }
        else if (type == RangeType.Score)
        {
            deleted = zset.RemoveRangeByScore(scoreRange);
            evt = "zremrangebyscore";
        }
        else
        {
            deleted = zset.RemoveRangeByLex(lexRange);
            evt = "zremrangebylex";
        }

        AfterRemoval(c, key, zset, deleted, evt);
        c.Reply.Integer(deleted);
    }
}
