using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// Set commands, with Redis 7.0's replies and error texts (t_set.c). A set emptied by SREM, SPOP
/// or SMOVE is deleted from the keyspace; the *STORE commands delete their destination when the
/// result is empty. Sets built by SINTERSTORE/SUNIONSTORE/SDIFFSTORE start as intsets and convert
/// as members are added, so their encoding is what Redis would report. Handlers call
/// <see cref="CommandContext.Touch"/> (WATCH) and <see cref="CommandContext.Notify"/> exactly where
/// Redis calls signalModifiedKey and notifyKeyspaceEvent: only for keys really changed (SMOVE
/// touches its destination only when the member was added to it).
/// </summary>
internal static class SetCommands
{
    private const string NumKeysNotPositive = "ERR numkeys should be greater than 0";
    private const string TooManyKeys = "ERR Number of keys can't be greater than number of args";
    private const string LimitNegative = "ERR LIMIT can't be negative";

    private enum Algebra
    {
        Union,
        Diff,
    }

    public static void Register(CommandTable t)
    {
        t.Add("sadd", -3, "write denyoom fast", 1, 1, 1, SAdd, "set");
        t.Add("srem", -3, "write fast", 1, 1, 1, SRem, "set");
        t.Add("smove", 4, "write fast", 1, 2, 1, SMove, "set");
        t.Add("sismember", 3, "readonly fast", 1, 1, 1, SIsMember, "set");
        t.Add("smismember", -3, "readonly fast", 1, 1, 1, SMIsMember, "set");
        t.Add("scard", 2, "readonly fast", 1, 1, 1, SCard, "set");
        t.Add("spop", -2, "write fast", 1, 1, 1, SPop, "set");
        t.Add("srandmember", -2, "readonly", 1, 1, 1, SRandMember, "set");
        t.Add("smembers", 2, "readonly", 1, 1, 1, SMembers, "set");
        t.Add("sinter", -2, "readonly", 1, -1, 1, c => Inter(c, 1, c.ArgCount - 1, store: false, cardinalityOnly: false, 0), "set");
        t.AddMovable("sintercard", -3, "readonly", SInterCardKeys, SInterCard, "set");
        t.Add("sinterstore", -3, "write denyoom", 1, -1, 1, c => Inter(c, 2, c.ArgCount - 2, store: true, cardinalityOnly: false, 0), "set");
        t.Add("sunion", -2, "readonly", 1, -1, 1, c => UnionDiff(c, 1, store: false, Algebra.Union), "set");
        t.Add("sunionstore", -3, "write denyoom", 1, -1, 1, c => UnionDiff(c, 2, store: true, Algebra.Union), "set");
        t.Add("sdiff", -2, "readonly", 1, -1, 1, c => UnionDiff(c, 1, store: false, Algebra.Diff), "set");
        t.Add("sdiffstore", -3, "write denyoom", 1, -1, 1, c => UnionDiff(c, 2, store: true, Algebra.Diff), "set");
        t.Add("sscan", -3, "readonly", 1, 1, 1, SScan, "set");
    }

    private static long MaxIntset(CommandContext c) => c.Server.Config.Limits.SetMaxIntsetEntries;

    private static void SAdd(CommandContext c)
    {
        if (!c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null)
        {
            set = new RedisSet();
            c.Db.Add(c.Arg(1), set);
        }

        var max = MaxIntset(c);
        var added = 0;
        for (var i = 2; i < c.ArgCount; i++)
        {
            if (set.Add(c.Arg(i), max))
            {
                added++;
            }
        }

        if (added > 0)
        {
            c.Touch(c.Arg(1));
            c.Notify(Notify.Set, "sadd", c.Arg(1));
        }

        c.Reply.Integer(added);
    }

    private static void SRem(CommandContext c)
    {
        if (!c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var removed = 0;
        for (var i = 2; i < c.ArgCount && set.Count > 0; i++)
        {
            if (set.Remove(c.Arg(i)))
            {
                removed++;
            }
        }

        if (removed > 0)
        {
            c.Touch(c.Arg(1));
            c.Notify(Notify.Set, "srem", c.Arg(1));
            DeleteIfEmpty(c, set);
        }

        c.Reply.Integer(removed);
    }

    private static void SMove(CommandContext c)
    {
        var src = c.Db.Get(c.Arg(1));
        var dst = c.Db.Get(c.Arg(2));
        if (src is null)
        {
            c.Reply.Integer(0);
            return;
        }

        if (src is not RedisSet srcSet || (dst is not null && dst is not RedisSet))
        {
            c.Reply.Error(Errors.WrongType);
            return;
        }

        var member = c.Arg(3);
        if (ReferenceEquals(src, dst))
        {
            c.Reply.Integer(srcSet.Contains(member) ? 1 : 0);
            return;
        }

        if (!srcSet.Remove(member))
        {
            c.Reply.Integer(0);
            return;
        }

        c.Touch(c.Arg(1));
        c.Notify(Notify.Set, "srem", c.Arg(1));
        DeleteIfEmpty(c, srcSet);
        var dstSet = (RedisSet?)dst;
        if (dstSet is null)
        {
            dstSet = new RedisSet();
            c.Db.Add(c.Arg(2), dstSet);
        }

        if (dstSet.Add(member, MaxIntset(c)))
        {
            c.Touch(c.Arg(2));
            c.Notify(Notify.Set, "sadd", c.Arg(2));
        }

        c.Reply.Integer(1);
    }

    private static void SIsMember(CommandContext c)
    {
        if (c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            c.Reply.Integer(set is not null && set.Contains(c.Arg(2)) ? 1 : 0);
        }
    }

    private static void SMIsMember(CommandContext c)
    {
        if (!c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        c.Reply.ArrayHeader(c.ArgCount - 2);
        for (var i = 2; i < c.ArgCount; i++)
        {
            c.Reply.Integer(set is not null && set.Contains(c.Arg(i)) ? 1 : 0);
        }
    }

    private static void SCard(CommandContext c)
    {
        if (c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            c.Reply.Integer(set?.Count ?? 0);
        }
    }

    private static void WriteMember(CommandContext c, RedisSet set, int slot)
    {
        if (set.IsIntset)
        {
            c.Reply.BulkInteger(set.IntAt(slot));
        }
        else
        {
            c.Reply.Bulk(set.MemberBytesAt(slot));
        }
    }

    private static void WriteAll(CommandContext c, RedisSet set)
    {
        c.Reply.SetHeader(set.Count);
        for (var slot = set.NextLive(0); slot >= 0; slot = set.NextLive(slot + 1))
        {
            WriteMember(c, set, slot);
        }
    }

    private static void SMembers(CommandContext c)
    {
        if (!c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null)
        {
            c.Reply.SetHeader(0);
            return;
        }

        WriteAll(c, set);
    }

    private static void SPop(CommandContext c)
    {
        if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var random = c.Server.Random;
        if (c.ArgCount == 2)
        {
            if (!c.TryGet<RedisSet>(c.Arg(1), out var one))
            {
                return;
            }

            if (one is null)
            {
                c.Reply.Null();
                return;
            }

            var slot = one.RandomSlot(random);
            WriteMember(c, one, slot);
            one.RemoveSlot(slot);
            c.Touch(c.Arg(1));
            c.Notify(Notify.Set, "spop", c.Arg(1));
            DeleteIfEmpty(c, one);
            return;
        }

        if (!c.TryGetLong(2, out var l, Errors.NotPositive))
        {
            return;
        }

        if (l < 0)
        {
            c.Reply.Error(Errors.NotPositive);
            return;
        }

        if (!c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null || l == 0)
        {
            c.Reply.SetHeader(0);
            return;
        }

        var size = set.Count;
        c.Touch(c.Arg(1));
        c.Notify(Notify.Set, "spop", c.Arg(1));
        if (l >= size)
        {
            WriteAll(c, set);
            c.Db.Delete(c.Arg(1));
            c.Notify(Notify.Generic, "del", c.Arg(1));
            return;
        }

        var count = (int)l;
        var slots = HashCommands.DistinctRandomSlots(set.SlotCount, size, count, set.IsLive, set.RandomSlot, random);
        var members = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            members[i] = set.MemberBytesAt(slots[i]);
        }

        c.Reply.SetHeader(count);
        foreach (var member in members)
        {
            c.Reply.Bulk(member);
            set.Remove(member);
        }
    }

    private static void SRandMember(CommandContext c)
    {
        if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var random = c.Server.Random;
        if (c.ArgCount == 2)
        {
            if (!c.TryGet<RedisSet>(c.Arg(1), out var one))
            {
                return;
            }

            if (one is null)
            {
                c.Reply.Null();
                return;
            }

            WriteMember(c, one, one.RandomSlot(random));
            return;
        }

        if (!HashCommands.TryGetRandomCount(c, 2, out var l) || !c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null || l == 0)
        {
            c.Reply.EmptyArray();
            return;
        }

        if (l < 0)
        {
            var n = HashCommands.ClampReplyCount(-l);
            c.Reply.ArrayHeader(n);
            for (var i = 0; i < n; i++)
            {
                WriteMember(c, set, set.RandomSlot(random));
            }

            return;
        }

        var size = set.Count;
        if (l >= size)
        {
            c.Reply.ArrayHeader(size);
            for (var slot = set.NextLive(0); slot >= 0; slot = set.NextLive(slot + 1))
            {
                WriteMember(c, set, slot);
            }

            return;
        }

        var slots = HashCommands.DistinctRandomSlots(set.SlotCount, size, (int)l, set.IsLive, set.RandomSlot, random);
        c.Reply.ArrayHeader(slots.Count);
        foreach (var slot in slots)
        {
            WriteMember(c, set, slot);
        }
    }

    /// <summary>
    /// Looks up sets at arguments first .. first+count-1: false after a WRONGTYPE reply (every key
    /// is checked, even after a missing one). Missing keys are null entries.
    /// </summary>
    private static bool TryGetSets(CommandContext c, int first, int count, out RedisSet?[] sets)
    {
        sets = new RedisSet?[count];
        for (var i = 0; i < count; i++)
        {
            if (!c.TryGet<RedisSet>(c.Arg(first + i), out var set))
            {
                return false;
            }

            sets[i] = set;
        }

        return true;
    }

    private static void DeleteIfEmpty(CommandContext c, RedisSet set)
    {
        if (set.Count == 0)
        {
            c.Db.Delete(c.Arg(1));
            c.Notify(Notify.Generic, "del", c.Arg(1));
        }
    }

    /// <summary>The *STORE ending: the result replaces the destination (its TTL too), or an empty result deletes it.</summary>
    private static void StoreResult(CommandContext c, RedisSet result, string evt)
    {
        if (result.Count == 0)
        {
            if (c.Db.Delete(c.Arg(1)))
            {
                c.Touch(c.Arg(1));
                c.Notify(Notify.Generic, "del", c.Arg(1));
            }
        }
        else
        {
            c.Db.Set(c.Arg(1), result);
            c.Touch(c.Arg(1));
            c.Notify(Notify.Set, evt, c.Arg(1));
        }

        c.Reply.Integer(result.Count);
    }

    private static void Inter(CommandContext c, int first, int count, bool store, bool cardinalityOnly, long limit)
    {
        if (!TryGetSets(c, first, count, out var sets))
        {
            return;
        }

        if (Array.Exists(sets, s => s is null))
        {
            if (store)
            {
                StoreResult(c, new RedisSet(), "sinterstore");
            }
            else if (cardinalityOnly)
            {
                c.Reply.Integer(0);
            }
            else
            {
                c.Reply.SetHeader(0);
            }

            return;
        }

        var ordered = sets.Select(s => s!).OrderBy(s => s.Count).ToArray();
        var smallest = ordered[0];
        Span<byte> scratch = stackalloc byte[24];
        var matches = new List<int>();
        for (var slot = smallest.NextLive(0); slot >= 0; slot = smallest.NextLive(slot + 1))
        {
            var member = smallest.MemberAt(slot, scratch);
            var inAll = true;
            for (var j = 1; j < ordered.Length && inAll; j++)
            {
                inAll = ReferenceEquals(ordered[j], smallest) || ordered[j].Contains(member);
            }

            if (inAll)
            {
                matches.Add(slot);
                if (cardinalityOnly && limit > 0 && matches.Count >= limit)
                {
                    break;
                }
            }
        }

        if (cardinalityOnly)
        {
            c.Reply.Integer(matches.Count);
            return;
        }

        if (store)
        {
            var result = new RedisSet();
            var max = MaxIntset(c);
            foreach (var slot in matches)
            {
                result.Add(smallest.MemberAt(slot, scratch), max);
            }

            StoreResult(c, result, "sinterstore");
            return;
        }

        c.Reply.SetHeader(matches.Count);
        foreach (var slot in matches)
        {
            WriteMember(c, smallest, slot);
        }
    }

    private static List<int> SInterCardKeys(CommandContext c)
    {
        var keys = new List<int>();
        if (c.ArgCount > 1 && Protocol.NumberFormat.TryParseLong(c.Arg(1), out var n) && n > 0)
        {
            for (var i = 2; i < c.ArgCount && i < 2 + n; i++)
            {
                keys.Add(i);
            }
        }

        return keys;
    }

    private static void SInterCard(CommandContext c)
    {
        if (!c.TryGetLong(1, out var numKeys, NumKeysNotPositive))
        {
            return;
        }

        if (numKeys < 1)
        {
            c.Reply.Error(NumKeysNotPositive);
            return;
        }

        if (numKeys > c.ArgCount - 2)
        {
            c.Reply.Error(TooManyKeys);
            return;
        }

        long limit = 0;
        for (var j = 2 + (int)numKeys; j < c.ArgCount; j++)
        {
            var more = c.ArgCount - 1 - j;
            if (c.ArgIs(j, "limit"u8) && more > 0)
            {
                j++;
                if (!c.TryGetLong(j, out limit, LimitNegative))
                {
                    return;
                }

                if (limit < 0)
                {
                    c.Reply.Error(LimitNegative);
                    return;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        Inter(c, 2, (int)numKeys, store: false, cardinalityOnly: true, limit);
    }

    private static void UnionDiff(CommandContext c, int first, bool store, Algebra op)
    {
        if (!TryGetSets(c, first, c.ArgCount - first, out var sets))
        {
            return;
        }

        var result = new RedisSet();
        var max = MaxIntset(c);
        Span<byte> scratch = stackalloc byte[24];
        if (op == Algebra.Union)
        {
            foreach (var set in sets)
            {
                if (set is null)
                {
                    continue;
                }

                for (var slot = set.NextLive(0); slot >= 0; slot = set.NextLive(slot + 1))
                {
                    result.Add(set.MemberAt(slot, scratch), max);
                }
            }
        }
        else if (sets[0] is { } head)
        {
            for (var slot = head.NextLive(0); slot >= 0; slot = head.NextLive(slot + 1))
            {
                var member = head.MemberAt(slot, scratch);
                var keep = true;
                for (var j = 1; j < sets.Length && keep; j++)
                {
                    keep = sets[j] is null || !sets[j]!.Contains(member);
                }

                if (keep)
                {
                    result.Add(member, max);
                }
            }
        }

        if (store)
        {
            StoreResult(c, result, op == Algebra.Union ? "sunionstore" : "sdiffstore");
        }
        else
        {
            WriteAll(c, result);
        }
    }

    private static void SScan(CommandContext c)
    {
        if (!HashCommands.TryParseCursor(c, 2, out var cursor) || !c.TryGet<RedisSet>(c.Arg(1), out var set))
        {
            return;
        }

        if (set is null)
        {
            HashCommands.WriteEmptyScan(c);
            return;
        }

        if (!HashCommands.TryParseScanOptions(c, 3, out var count, out var patternIndex))
        {
            return;
        }

        // An intset is returned whole, with cursor 0, as Redis does.
        var items = new List<int>();
        long next = 0;
        if (set.IsIntset)
        {
            for (var slot = 0; slot < set.Count; slot++)
            {
                items.Add(slot);
            }
        }
        else if (cursor < (ulong)set.SlotCount)
        {
            var slot = set.NextLive((int)cursor);
            while (slot >= 0 && items.Count < count)
            {
                items.Add(slot);
                slot = set.NextLive(slot + 1);
            }

            next = slot < 0 ? 0 : slot;
        }

        var pattern = patternIndex > 0 ? c.Arg(patternIndex) : default;
        var matchAll = patternIndex == 0 || (pattern.Length == 1 && pattern[0] == (byte)'*');
        Span<byte> scratch = stackalloc byte[24];
        var matched = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (matchAll || HashCommands.ScanMatch(pattern, set.MemberAt(items[i], scratch)))
            {
                items[matched++] = items[i];
            }
        }

        c.Reply.ArrayHeader(2);
        c.Reply.BulkInteger(next);
        c.Reply.ArrayHeader(matched);
        for (var i = 0; i < matched; i++)
        {
            WriteMember(c, set, items[i]);
        }
    }
}
