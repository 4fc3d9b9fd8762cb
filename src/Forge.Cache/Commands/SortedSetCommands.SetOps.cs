using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>ZUNION, ZINTER, ZDIFF (and their *STORE forms), ZINTERCARD. Plain sets take part with score 1.</summary>
internal static partial class SortedSetCommands
{
    private const string WeightNotFloat = "ERR weight value is not a float";
    private const string LimitNegative = "ERR LIMIT can't be negative";

    private enum SetOp
    {
        Union,
        Inter,
        Diff,
    }

    private enum Aggregate
    {
        Sum,
        Min,
        Max,
    }

    private static void RegisterSetOps(CommandTable t, string g)
    {
        t.AddMovable("zunionstore", -4, "write denyoom", StoreKeys, c => SetOpGeneric(c, true, 2, SetOp.Union, false), g);
        t.AddMovable("zinterstore", -4, "write denyoom", StoreKeys, c => SetOpGeneric(c, true, 2, SetOp.Inter, false), g);
        t.AddMovable("zdiffstore", -4, "write denyoom", StoreKeys, c => SetOpGeneric(c, true, 2, SetOp.Diff, false), g);
        t.AddMovable("zunion", -3, "readonly", NumKeysAt1, c => SetOpGeneric(c, false, 1, SetOp.Union, false), g);
        t.AddMovable("zinter", -3, "readonly", NumKeysAt1, c => SetOpGeneric(c, false, 1, SetOp.Inter, false), g);
        t.AddMovable("zdiff", -3, "readonly", NumKeysAt1, c => SetOpGeneric(c, false, 1, SetOp.Diff, false), g);
        t.AddMovable("zintercard", -3, "readonly", NumKeysAt1, c => SetOpGeneric(c, false, 1, SetOp.Inter, true), g);
    }

    /// <summary>The keys of "numkeys key [key ...]" starting at <paramref name="numKeysIdx"/> (none when numkeys is malformed).</summary>
    private static List<int> NumKeys(CommandContext c, int numKeysIdx, List<int> result)
    {
        if (numKeysIdx < c.ArgCount && Protocol.NumberFormat.TryParseLong(c.Arg(numKeysIdx), out var n) && n > 0)
        {
            for (var i = 0L; i < n && numKeysIdx + 1 + i < c.ArgCount; i++)
            {
                result.Add(numKeysIdx + 1 + (int)i);
            }
        }

        return result;
    }

    private static List<int> NumKeysAt1(CommandContext c) => NumKeys(c, 1, []);

    private static List<int> StoreKeys(CommandContext c) => NumKeys(c, 2, [1]);

    /// <summary>One input of a set operation: a sorted set, a plain set (score 1), or a missing key.</summary>
    private sealed class OpSource
    {
        public object? Subject { get; init; }

        public double Weight { get; set; } = 1;

        public int Count => Subject switch
        {
            RedisSortedSet z => z.Count,
            RedisSet s => SetCount(s),
            _ => 0,
        };

        public IEnumerable<(byte[] Member, double Score)> Items() => Subject switch
        {
            RedisSortedSet z => z.Items(),
            RedisSet s => SetItems(s),
            _ => [],
        };

        public bool TryFind(ReadOnlySpan<byte> member, out double score)
        {
            switch (Subject)
            {
                case RedisSortedSet z:
                    return z.TryGetScore(member, out score);
                case RedisSet s:
                    score = 1;
                    return SetContains(s, member);
                default:
                    score = 0;
                    return false;
            }
        }

        private static IEnumerable<(byte[] Member, double Score)> SetItems(RedisSet s)
        {
            foreach (var member in SetMembers(s))
            {
                yield return (member, 1.0);
            }
        }
    }

    // The plain-set side of the set operations, in one place (RedisSet belongs to the sets family).
    private static int SetCount(RedisSet s) => s.Count;

    private static IEnumerable<byte[]> SetMembers(RedisSet s)
    {
        for (var slot = s.NextLive(0); slot >= 0; slot = s.NextLive(slot + 1))
        {
            yield return s.MemberBytesAt(slot);
        }
    }

    private static bool SetContains(RedisSet s, ReadOnlySpan<byte> member) => s.Contains(member);

    private static void SetOpGeneric(CommandContext c, bool store, int numKeysIdx, SetOp op, bool cardinalityOnly)
    {
        if (!c.TryGetLong(numKeysIdx, out var setNum))
        {
            return;
        }

        if (setNum < 1)
        {
            c.Reply.Error($"ERR at least 1 input key is needed for '{c.Command.FullName}' command");
            return;
        }

        if (setNum > c.ArgCount - (numKeysIdx + 1))
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var sources = new OpSource[setNum];
        var j = numKeysIdx + 1;
        for (var i = 0; i < setNum; i++, j++)
        {
            var o = c.Db.Get(c.Arg(j));
            if (o is not null and not RedisSortedSet and not RedisSet)
            {
                c.Reply.Error(Errors.WrongType);
                return;
            }

            sources[i] = new OpSource { Subject = o };
        }

        var aggregate = Aggregate.Sum;
        var withScores = false;
        long limit = 0;
        while (j < c.ArgCount)
        {
            var remaining = c.ArgCount - j;
            if (op != SetOp.Diff && !cardinalityOnly && remaining >= setNum + 1 && c.ArgIs(j, "weights"u8))
            {
                j++;
                for (var i = 0; i < setNum; i++, j++)
                {
                    if (!c.TryGetDouble(j, out var weight, WeightNotFloat))
                    {
                        return;
                    }

                    sources[i].Weight = weight;
                }
            }
            else if (op != SetOp.Diff && !cardinalityOnly && remaining >= 2 && c.ArgIs(j, "aggregate"u8))
            {
                if (c.ArgIs(j + 1, "sum"u8))
                {
                    aggregate = Aggregate.Sum;
                }
                else if (c.ArgIs(j + 1, "min"u8))
                {
                    aggregate = Aggregate.Min;
                }
                else if (c.ArgIs(j + 1, "max"u8))
                {
                    aggregate = Aggregate.Max;
                }
                else
                {
                    c.Reply.Error(Errors.Syntax);
                    return;
                }

                j += 2;
            }
            else if (!store && !cardinalityOnly && c.ArgIs(j, "withscores"u8))
            {
                withScores = true;
                j++;
            }
            else if (cardinalityOnly && remaining >= 2 && c.ArgIs(j, "limit"u8))
            {
                if (!c.TryGetLong(j + 1, out limit, LimitNegative) || limit < 0)
                {
                    if (limit < 0)
                    {
                        c.Reply.Error(LimitNegative);
                    }

                    return;
                }

                j += 2;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (op != SetOp.Diff)
        {
            SortByCardinality(sources);
        }

        Limits(c, out var maxEntries, out var maxValue);
        var dst = new RedisSortedSet(listpack: false);
        long cardinality = 0;
        switch (op)
        {
            case SetOp.Inter:
                cardinality = Intersect(sources, aggregate, cardinalityOnly ? null : dst, limit, maxEntries, maxValue);
                break;
            case SetOp.Union:
                Union(sources, aggregate, dst, maxEntries, maxValue);
                break;
            default:
                Difference(sources, dst, maxEntries, maxValue);
                break;
        }

        if (store)
        {
            var dstKey = c.Arg(1);
            if (dst.Count > 0)
            {
                dst.ConvertToListpackIfNeeded(maxEntries, maxValue);
                c.Db.Set(dstKey, dst);
                c.SignalKeyReady(dstKey);
                c.Reply.Integer(dst.Count);
                c.Notify(Notify.Zset, op == SetOp.Union ? "zunionstore" : op == SetOp.Inter ? "zinterstore" : "zdiffstore", dstKey);
            }
            else
            {
                StoreEmpty(c, dstKey);
            }
        }
        else if (cardinalityOnly)
        {
            c.Reply.Integer(cardinality);
        }
        else
        {
            WriteElementsHeader(c.Reply, dst.Count, withScores);
            for (var node = dst.First; node is not null; node = node.Next)
            {
                WriteElement(c.Reply, node, withScores);
            }
        }
    }

    /// <summary>Stable sort by size, smallest first (glibc's qsort is a merge sort: equal sizes keep their order).</summary>
    private static void SortByCardinality(OpSource[] sources)
    {
        for (var i = 1; i < sources.Length; i++)
        {
            var item = sources[i];
            var j = i - 1;
            while (j >= 0 && sources[j].Count > item.Count)
            {
                sources[j + 1] = sources[j];
                j--;
            }

            sources[j + 1] = item;
        }
    }

    private static double AggregateScores(double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Sum:
                var sum = target + value;
                return double.IsNaN(sum) ? 0 : sum; // +inf + -inf is taken as 0
            case Aggregate.Min:
                return value < target ? value : target;
            default:
                return value > target ? value : target;
        }
    }

    private static long Intersect(OpSource[] sources, Aggregate aggregate, RedisSortedSet? dst, long limit, long maxEntries, long maxValue)
    {
        long cardinality = 0;
        if (sources[0].Count == 0)
        {
            return 0;
        }

        foreach (var (member, itemScore) in sources[0].Items())
        {
            var score = sources[0].Weight * itemScore;
            if (double.IsNaN(score))
            {
                score = 0;
            }

            var j = 1;
            for (; j < sources.Length; j++)
            {
                double value;
                if (sources[j].Subject == sources[0].Subject)
                {
                    value = itemScore * sources[j].Weight;
                }
                else if (sources[j].TryFind(member, out value))
                {
                    value *= sources[j].Weight;
                }
                else
                {
                    break;
                }

                score = AggregateScores(score, value, aggregate);
            }

            if (j != sources.Length)
            {
                continue;
            }

            if (dst is null)
            {
                cardinality++;
                if (limit > 0 && cardinality >= limit)
                {
                    break;
                }
            }
            else
            {
                dst.AddNew(member, score, maxEntries, maxValue, member);
            }
        }

        return cardinality;
    }

    private static void Union(OpSource[] sources, Aggregate aggregate, RedisSortedSet dst, long maxEntries, long maxValue)
    {
        var accumulator = new KeyTable<double>(sources.Length > 0 ? sources[^1].Count : 0);
        foreach (var source in sources)
        {
            if (source.Count == 0)
            {
                continue;
            }

            foreach (var (member, itemScore) in source.Items())
            {
                var score = source.Weight * itemScore;
                if (double.IsNaN(score))
                {
                    score = 0;
                }

                ref var slot = ref accumulator.GetValueRefOrAddDefault(member, out var exists, member);
                slot = exists ? AggregateScores(slot, score, aggregate) : score;
            }
        }

        foreach (var slot in accumulator)
        {
            var member = accumulator.KeyAt(slot);
            dst.AddNew(member, accumulator.ValueAt(slot), maxEntries, maxValue, member);
        }
    }

    private static void Difference(OpSource[] sources, RedisSortedSet dst, long maxEntries, long maxValue)
    {
        if (sources[0].Count == 0)
        {
            return;
        }

        for (var j = 1; j < sources.Length; j++)
        {
            if (sources[j].Subject == sources[0].Subject)
            {
                return; // subtracting the set from itself
            }
        }

        foreach (var (member, score) in sources[0].Items())
        {
            var found = false;
            for (var j = 1; j < sources.Length && !found; j++)
            {
                found = sources[j].TryFind(member, out _);
            }

            if (!found)
            {
                dst.AddNew(member, score, maxEntries, maxValue, member);
            }
        }
    }
}
