using System.Text;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// Hash commands, with Redis 7.0's replies and error texts (t_hash.c). A hash emptied by HDEL is
/// deleted from the keyspace. The listpack → hashtable conversion follows hash-max-listpack-entries
/// and hash-max-listpack-value, read at each write (CONFIG SET takes effect for the next write).
/// Handlers call <see cref="CommandContext.Touch"/> and <see cref="CommandContext.Notify"/> where
/// Redis calls signalModifiedKey and notifyKeyspaceEvent (only when the hash changed).
/// </summary>
internal static class HashCommands
{
    private const string HashValueNotInteger = "ERR hash value is not an integer";
    private const string HashValueNotFloat = "ERR hash value is not a float";
    private const string IncrNanOrInfinity = "ERR value is NaN or Infinity";
    private const string CountOutOfRange = "ERR value is out of range";
    private const string InvalidCursor = "ERR invalid cursor";

    public static void Register(CommandTable t)
    {
        t.Add("hset", -4, "write denyoom fast", 1, 1, 1, HSet, "hash");
        t.Add("hmset", -4, "write denyoom fast", 1, 1, 1, HMSet, "hash");
        t.Add("hsetnx", 4, "write denyoom fast", 1, 1, 1, HSetNx, "hash");
        t.Add("hget", 3, "readonly fast", 1, 1, 1, HGet, "hash");
        t.Add("hmget", -3, "readonly fast", 1, 1, 1, HMGet, "hash");
        t.Add("hdel", -3, "write fast", 1, 1, 1, HDel, "hash");
        t.Add("hlen", 2, "readonly fast", 1, 1, 1, HLen, "hash");
        t.Add("hstrlen", 3, "readonly fast", 1, 1, 1, HStrLen, "hash");
        t.Add("hexists", 3, "readonly fast", 1, 1, 1, HExists, "hash");
        t.Add("hincrby", 4, "write denyoom fast", 1, 1, 1, HIncrBy, "hash");
        t.Add("hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, HIncrByFloat, "hash");
        t.Add("hkeys", 2, "readonly", 1, 1, 1, c => GetAll(c, keys: true, values: false), "hash");
        t.Add("hvals", 2, "readonly", 1, 1, 1, c => GetAll(c, keys: false, values: true), "hash");
        t.Add("hgetall", 2, "readonly", 1, 1, 1, c => GetAll(c, keys: true, values: true), "hash");
        t.Add("hrandfield", -2, "readonly", 1, 1, 1, HRandField, "hash");
        t.Add("hscan", -3, "readonly", 1, 1, 1, HScan, "hash");
    }

    private static long MaxEntries(CommandContext c) => c.Server.Config.Limits.HashMaxListpackEntries;

    private static long MaxValue(CommandContext c) => c.Server.Config.Limits.HashMaxListpackValue;

    /// <summary>The hash at argument 1, created (and added to the keyspace) when missing; null after a WRONGTYPE reply.</summary>
    private static RedisHash? GetOrCreate(CommandContext c)
    {
        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return null;
        }

        if (hash is null)
        {
            hash = new RedisHash();
            c.Db.Add(c.Arg(1), hash);
        }

        return hash;
    }

    private static void HSet(CommandContext c)
    {
        if (c.ArgCount % 2 == 1)
        {
            c.Reply.Error(Errors.WrongArgs(c.Command.FullName));
            return;
        }

        var hash = GetOrCreate(c);
        if (hash is null)
        {
            return;
        }

        var maxEntries = MaxEntries(c);
        var maxValue = MaxValue(c);
        var created = 0;
        for (var i = 2; i < c.ArgCount; i += 2)
        {
            if (hash.Set(c.Arg(i), c.ArgBytes(i + 1), maxEntries, maxValue))
            {
                created++;
            }
        }

        c.Touch(c.Arg(1));
        c.Notify(Notify.Hash, "hset", c.Arg(1));
        if (c.Command.Name == "hmset")
        {
            c.Reply.Ok();
        }
        else
        {
            c.Reply.Integer(created);
        }
    }

    private static void HMSet(CommandContext c) => HSet(c);

    private static void HSetNx(CommandContext c)
    {
        var hash = GetOrCreate(c);
        if (hash is null)
        {
            return;
        }

        if (hash.Contains(c.Arg(2)))
        {
            c.Reply.Integer(0);
            return;
        }

        hash.Set(c.Arg(2), c.ArgBytes(3), MaxEntries(c), MaxValue(c));
        c.Touch(c.Arg(1));
        c.Notify(Notify.Hash, "hset", c.Arg(1));
        c.Reply.Integer(1);
    }

    private static void HGet(CommandContext c)
    {
        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        var value = hash?.Get(c.Arg(2));
        if (value is null)
        {
            c.Reply.Null();
        }
        else
        {
            c.Reply.Bulk(value);
        }
    }

    private static void HMGet(CommandContext c)
    {
        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        c.Reply.ArrayHeader(c.ArgCount - 2);
        for (var i = 2; i < c.ArgCount; i++)
        {
            var value = hash?.Get(c.Arg(i));
            if (value is null)
            {
                c.Reply.Null();
            }
            else
            {
                c.Reply.Bulk(value);
            }
        }
    }

    private static void HDel(CommandContext c)
    {
        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        if (hash is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var deleted = 0;
        for (var i = 2; i < c.ArgCount && hash.Count > 0; i++)
        {
            if (hash.Remove(c.Arg(i)))
            {
                deleted++;
            }
        }

        if (deleted > 0)
        {
            c.Touch(c.Arg(1));
            c.Notify(Notify.Hash, "hdel", c.Arg(1));
            if (hash.Count == 0)
            {
                c.Db.Delete(c.Arg(1));
                c.Notify(Notify.Generic, "del", c.Arg(1));
            }
        }

        c.Reply.Integer(deleted);
    }

    private static void HLen(CommandContext c)
    {
        if (c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            c.Reply.Integer(hash?.Count ?? 0);
        }
    }

    private static void HStrLen(CommandContext c)
    {
        if (c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            c.Reply.Integer(hash?.Get(c.Arg(2))?.Length ?? 0);
        }
    }

    private static void HExists(CommandContext c)
    {
        if (c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            c.Reply.Integer(hash is not null && hash.Contains(c.Arg(2)) ? 1 : 0);
        }
    }

    private static void HIncrBy(CommandContext c)
    {
        if (!c.TryGetLong(3, out var incr) || !c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        long current = 0;
        var old = hash?.Get(c.Arg(2));
        if (old is not null && !NumberFormat.TryParseLong(old, out current))
        {
            c.Reply.Error(HashValueNotInteger);
            return;
        }

        if ((incr < 0 && current < 0 && incr < long.MinValue - current) ||
            (incr > 0 && current > 0 && incr > long.MaxValue - current))
        {
            c.Reply.Error(Errors.Overflow);
            return;
        }

        var result = current + incr;
        hash ??= GetOrCreate(c)!;
        hash.Set(c.Arg(2), NumberFormat.LongToBytes(result), MaxEntries(c), MaxValue(c));
        c.Touch(c.Arg(1));
        c.Notify(Notify.Hash, "hincrby", c.Arg(1));
        c.Reply.Integer(result);
    }

    private static void HIncrByFloat(CommandContext c)
    {
        if (!LongDouble.TryParse(c.Arg(3), out var incr))
        {
            c.Reply.Error(Errors.NotFloat);
            return;
        }

        if (incr.IsInfinity)
        {
            c.Reply.Error(IncrNanOrInfinity);
            return;
        }

        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        var current = LongDouble.FromLong(0);
        var old = hash?.Get(c.Arg(2));
        if (old is not null && !LongDouble.TryParse(old, out current))
        {
            c.Reply.Error(HashValueNotFloat);
            return;
        }

        var sum = current + incr;
        if (sum.IsInfinity)
        {
            c.Reply.Error(Errors.NanOrInfinity);
            return;
        }

        var bytes = Encoding.ASCII.GetBytes(sum.ToHumanString());
        hash ??= GetOrCreate(c)!;
        hash.Set(c.Arg(2), bytes, MaxEntries(c), MaxValue(c));
        c.Touch(c.Arg(1));
        c.Notify(Notify.Hash, "hincrbyfloat", c.Arg(1));
        c.Reply.Bulk(bytes);
    }

    private static void GetAll(CommandContext c, bool keys, bool values)
    {
        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        var count = hash?.Count ?? 0;
        if (keys && values)
        {
            c.Reply.MapHeader(count);
        }
        else
        {
            c.Reply.ArrayHeader(count);
        }

        if (hash is null)
        {
            return;
        }

        for (var slot = hash.NextLive(0); slot >= 0; slot = hash.NextLive(slot + 1))
        {
            if (keys)
            {
                c.Reply.Bulk(hash.FieldAt(slot));
            }

            if (values)
            {
                c.Reply.Bulk(hash.ValueAt(slot));
            }
        }
    }

    private static void HRandField(CommandContext c)
    {
        if (c.ArgCount == 2)
        {
            if (!c.TryGet<RedisHash>(c.Arg(1), out var single))
            {
                return;
            }

            if (single is null)
            {
                c.Reply.Null();
                return;
            }

            c.Reply.Bulk(single.FieldAt(single.RandomSlot(c.Server.Random)));
            return;
        }

        if (!TryGetRandomCount(c, 2, out var l))
        {
            return;
        }

        var withValues = false;
        if (c.ArgCount > 4 || (c.ArgCount == 4 && !c.ArgIs(3, "withvalues"u8)))
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (c.ArgCount == 4)
        {
            withValues = true;
            if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
            {
                c.Reply.Error(CountOutOfRange);
                return;
            }
        }

        if (!c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        if (hash is null || l == 0)
        {
            c.Reply.EmptyArray();
            return;
        }

        var random = c.Server.Random;
        var size = hash.Count;
        var resp3Pairs = withValues && c.Reply.Resp3;

        // Negative count: that many picks, repetitions allowed.
        if (l < 0)
        {
            var n = ClampReplyCount(-l);
            c.Reply.ArrayHeader(withValues && !resp3Pairs ? n * 2 : n);
            for (var i = 0; i < n; i++)
            {
                WriteEntry(c, hash, hash.RandomSlot(random), withValues, resp3Pairs);
            }

            return;
        }

        // As many as there are or more: the whole hash.
        if (l >= size)
        {
            c.Reply.ArrayHeader(withValues && !resp3Pairs ? size * 2 : size);
            for (var slot = hash.NextLive(0); slot >= 0; slot = hash.NextLive(slot + 1))
            {
                WriteEntry(c, hash, slot, withValues, resp3Pairs);
            }

            return;
        }

        var count = (int)l;
        var slots = DistinctRandomSlots(hash.SlotCount, size, count, hash.IsLive, hash.RandomSlot, random);
        c.Reply.ArrayHeader(withValues && !resp3Pairs ? count * 2 : count);
        foreach (var slot in slots)
        {
            WriteEntry(c, hash, slot, withValues, resp3Pairs);
        }
    }

    private static void WriteEntry(CommandContext c, RedisHash hash, int slot, bool withValues, bool resp3Pairs)
    {
        if (resp3Pairs)
        {
            c.Reply.ArrayHeader(2);
        }

        c.Reply.Bulk(hash.FieldAt(slot));
        if (withValues)
        {
            c.Reply.Bulk(hash.ValueAt(slot));
        }
    }

    /// <summary>
    /// The count of HRANDFIELD / SRANDMEMBER: a 64-bit integer in -LONG_MAX .. LONG_MAX, with
    /// Redis's range error otherwise.
    /// </summary>
    internal static bool TryGetRandomCount(CommandContext c, int index, out long count)
    {
        if (!c.TryGetLong(index, out count))
        {
            return false;
        }

        if (count == long.MinValue)
        {
            c.Reply.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
            return false;
        }

        return true;
    }

    /// <summary>
    /// A reply can hold at most int.MaxValue elements here; a larger repeated-pick count (which
    /// Redis would try to stream and no client could take) is cut to that.
    /// </summary>
    internal static int ClampReplyCount(long n) => n > int.MaxValue / 2 ? int.MaxValue / 2 : (int)n;

    /// <summary>
    /// <paramref name="count"/> distinct live slots, uniformly chosen, of a container holding
    /// <paramref name="size"/> &gt; count elements. Few of many: random picks until enough distinct
    /// ones; otherwise a partial Fisher-Yates shuffle of all live slots.
    /// </summary>
    internal static List<int> DistinctRandomSlots(int slotCount, int size, int count, Func<int, bool> isLive, Func<Random, int> pick, Random random)
    {
        var result = new List<int>(count);
        if ((long)count * 3 <= size)
        {
            var seen = new HashSet<int>();
            while (result.Count < count)
            {
                var slot = pick(random);
                if (seen.Add(slot))
                {
                    result.Add(slot);
                }
            }

            return result;
        }

        var all = new int[size];
        var n = 0;
        for (var slot = 0; slot < slotCount && n < size; slot++)
        {
            if (isLive(slot))
            {
                all[n++] = slot;
            }
        }

        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
            result.Add(all[i]);
        }

        return result;
    }

    private static void HScan(CommandContext c)
    {
        if (!TryParseCursor(c, 2, out var cursor) || !c.TryGet<RedisHash>(c.Arg(1), out var hash))
        {
            return;
        }

        if (hash is null)
        {
            WriteEmptyScan(c);
            return;
        }

        if (!TryParseScanOptions(c, 3, out var count, out var patternIndex))
        {
            return;
        }

        // A listpack is returned whole, with cursor 0, as Redis does.
        var items = new List<int>();
        long next = 0;
        if (hash.IsListpack)
        {
            for (var slot = 0; slot < hash.Count; slot++)
            {
                items.Add(slot);
            }
        }
        else if (cursor < (ulong)hash.SlotCount)
        {
            var slot = hash.NextLive((int)cursor);
            while (slot >= 0 && items.Count < count)
            {
                items.Add(slot);
                slot = hash.NextLive(slot + 1);
            }

            next = slot < 0 ? 0 : slot;
        }

        var pattern = patternIndex > 0 ? c.Arg(patternIndex) : default;
        var matchAll = patternIndex == 0 || (pattern.Length == 1 && pattern[0] == (byte)'*');
        if (!matchAll)
        {
            items.RemoveAll(slot => !ScanMatch(c.Arg(patternIndex), hash.FieldAt(slot)));
        }

        c.Reply.ArrayHeader(2);
        c.Reply.BulkInteger(next);
        c.Reply.ArrayHeader(items.Count * 2);
        foreach (var slot in items)
        {
            c.Reply.Bulk(hash.FieldAt(slot));
            c.Reply.Bulk(hash.ValueAt(slot));
        }
    }

    /// <summary>
    /// MATCH as Redis's stringmatchlen applies it: an empty element matches only an empty
    /// pattern (even "**" does not match it; a lone "*" is never applied).
    /// </summary>
    internal static bool ScanMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text) =>
        text.IsEmpty ? pattern.IsEmpty : Glob.Match(pattern, text);

    internal static void WriteEmptyScan(CommandContext c)
    {
        c.Reply.ArrayHeader(2);
        c.Reply.Bulk("0"u8);
        c.Reply.EmptyArray();
    }

    /// <summary>A SCAN cursor as strtoul reads it (sign allowed, no leading space, nothing after, no overflow).</summary>
    internal static bool TryParseCursor(CommandContext c, int index, out ulong cursor)
    {
        cursor = 0;
        var s = c.Arg(index);
        var i = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == (byte)'+' || s[0] == (byte)'-'))
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }

        var ok = true;
        var digits = 0;
        for (; i < s.Length; i++)
        {
            var d = s[i] - (byte)'0';
            if ((uint)d > 9)
            {
                ok = false;
                break;
            }

            digits++;
            if (cursor > (ulong.MaxValue - (ulong)d) / 10)
            {
                ok = false;
                break;
            }

            cursor = (cursor * 10) + (ulong)d;
        }

        // strtoul stops at a sign without digits and leaves the text unparsed: an error unless empty.
        if (!ok || (digits == 0 && s.Length > 0))
        {
            c.Reply.Error(InvalidCursor);
            return false;
        }

        if (negative)
        {
            cursor = unchecked(0 - cursor);
        }

        return true;
    }

    /// <summary>COUNT and MATCH of HSCAN/SSCAN (TYPE is SCAN's only): syntax error on anything else.</summary>
    internal static bool TryParseScanOptions(CommandContext c, int first, out int count, out int patternIndex)
    {
        count = 10;
        patternIndex = 0;
        var i = first;
        while (i < c.ArgCount)
        {
            var more = c.ArgCount - i;
            if (c.ArgIs(i, "count"u8) && more >= 2)
            {
                if (!c.TryGetLong(i + 1, out var n))
                {
                    return false;
                }

                if (n < 1)
                {
                    c.Reply.Error(Errors.Syntax);
                    return false;
                }

                count = (int)Math.Min(n, int.MaxValue);
                i += 2;
            }
            else if (c.ArgIs(i, "match"u8) && more >= 2)
            {
                patternIndex = i + 1;
                i += 2;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return false;
            }
        }

        return true;
    }
}
