using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>ZPOPMIN/ZPOPMAX, ZMPOP, their blocking forms, ZRANDMEMBER and ZSCAN.</summary>
internal static partial class SortedSetCommands
{
    private const string NumKeysPositive = "ERR numkeys should be greater than 0";
    private const string CountPositive = "ERR count should be greater than 0";
    private const string MustBePositive = "ERR value is out of range, must be positive";
    private const string RandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    private const string OutOfRange = "ERR value is out of range";
    private const string InvalidCursor = "ERR invalid cursor";

    private static readonly Action<ReplyWriter> s_timeoutReply = w => w.NullArray();

    private static void RegisterPops(CommandTable t, string g)
    {
        t.Add("zpopmin", -2, "write fast", 1, 1, 1, c => PopMinMax(c, max: false), g);
        t.Add("zpopmax", -2, "write fast", 1, 1, 1, c => PopMinMax(c, max: true), g);
        t.Add("bzpopmin", -3, "write noscript fast blocking", 1, -2, 1, c => BlockingPopMinMax(c, max: false), g);
        t.Add("bzpopmax", -3, "write noscript fast blocking", 1, -2, 1, c => BlockingPopMinMax(c, max: true), g);
        t.AddMovable("zmpop", -4, "write", c => NumKeys(c, 1, []), c => MPop(c, 1, blocking: false), g);
        t.AddMovable("bzmpop", -5, "write blocking", c => NumKeys(c, 2, []), c => MPop(c, 2, blocking: true), g);
        t.Add("zrandmember", -2, "readonly", 1, 1, 1, ZRandMember, g);
        t.Add("zscan", -3, "readonly", 1, 1, 1, ZScan, g);
    }

    private static void PopMinMax(CommandContext c, bool max)
    {
        if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        long count = -1;
        if (c.ArgCount == 3)
        {
            if (!c.TryGetLong(2, out count, MustBePositive))
            {
                return;
            }

            if (count < 0)
            {
                c.Reply.Error(MustBePositive);
                return;
            }
        }

        var nested = c.Reply.Resp3 && count != -1;
        Pop(c, 1, 1, max, emitKey: false, count, nested, nilWhenEmpty: false);
    }

    /// <summary>
    /// Redis's genericZpopCommand: pops from the first existing key among arguments
    /// <paramref name="firstKey"/>..+<paramref name="keyCount"/> (WRONGTYPE stops the scan).
    /// <paramref name="count"/> -1 is a plain single pop.
    /// </summary>
    private static void Pop(CommandContext c, int firstKey, int keyCount, bool max, bool emitKey, long count, bool nested, bool nilWhenEmpty)
    {
        RedisSortedSet? zset = null;
        var keyIdx = firstKey;
        for (var i = 0; i < keyCount; i++)
        {
            keyIdx = firstKey + i;
            if (!c.TryGet(c.Arg(keyIdx), out zset))
            {
                return;
            }

            if (zset is not null)
            {
                break;
            }
        }

        if (zset is null)
        {
            if (nilWhenEmpty)
            {
                c.Reply.NullArray();
            }
            else
            {
                c.Reply.EmptyArray();
            }

            return;
        }

        PopFrom(c, keyIdx, zset, max, emitKey, count, nested);
    }

    private static void PopFrom(CommandContext c, int keyIdx, RedisSortedSet zset, bool max, bool emitKey, long count, bool nested)
    {
        if (count == 0)
        {
            c.Reply.EmptyArray();
            return;
        }

        if (count == -1)
        {
            count = 1;
        }

        var n = (int)Math.Min(count, zset.Count);
        var reply = c.Reply;
        if (!nested && !emitKey)
        {
            reply.ArrayHeader(n * 2);
        }
        else if (nested && !emitKey)
        {
            reply.ArrayHeader(n);
        }
        else if (!nested)
        {
            reply.ArrayHeader((n * 2) + 1);
            reply.Bulk(c.Arg(keyIdx));
        }
        else
        {
            reply.ArrayHeader(2);
            reply.Bulk(c.Arg(keyIdx));
            reply.ArrayHeader(n);
        }

        for (var i = 0; i < n; i++)
        {
            var node = zset.PopFirst(max)!;
            if (nested)
            {
                reply.ArrayHeader(2);
            }

            reply.Bulk(node.Member);
            reply.Double(node.Score);
        }

        AfterRemoval(c, c.Arg(keyIdx), zset, n, max ? "zpopmax" : "zpopmin");
    }

    private static void BlockingPopMinMax(CommandContext c, bool max)
    {
        if (!c.TryGetTimeout(c.ArgCount - 1, out var deadline))
        {
            return;
        }

        BlockingPop(c, 1, c.ArgCount - 2, max, -1, nested: false, deadline);
    }

    /// <summary>Serves from the first non-empty key, or blocks on all of them (inside MULTI: replies as on timeout).</summary>
    private static void BlockingPop(CommandContext c, int firstKey, int keyCount, bool max, long count, bool nested, long deadline)
    {
        for (var i = 0; i < keyCount; i++)
        {
            var value = c.Db.Get(c.Arg(firstKey + i));
            if (value is not RedisSortedSet zset || zset.Count == 0)
            {
                if (value is null or RedisSortedSet || c.IsReprocessing)
                {
                    // A waiter re-run for a key that now holds another type is not served: it
                    // keeps waiting, as in Redis (only a key of its own type unblocks it).
                    continue;
                }

                c.Reply.Error(Errors.WrongType);
                return;
            }

            PopFrom(c, firstKey + i, zset, max, emitKey: true, count, nested);
            return;
        }

        if (!c.CanBlock)
        {
            c.Reply.NullArray();
            return;
        }

        var keys = new byte[keyCount][];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = c.ArgBytes(firstKey + i);
        }

        c.Block(keys, deadline, s_timeoutReply);
    }

    /// <summary>ZMPOP numkeys key [key ...] MIN|MAX [COUNT n]; BZMPOP timeout numkeys ...</summary>
    private static void MPop(CommandContext c, int numKeysIdx, bool blocking)
    {
        if (!c.TryGetLong(numKeysIdx, out var numKeys, NumKeysPositive))
        {
            return;
        }

        if (numKeys < 1)
        {
            c.Reply.Error(NumKeysPositive);
            return;
        }

        var whereIdx = numKeysIdx + numKeys + 1;
        if (whereIdx >= c.ArgCount)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        bool max;
        if (c.ArgIs((int)whereIdx, "min"u8))
        {
            max = false;
        }
        else if (c.ArgIs((int)whereIdx, "max"u8))
        {
            max = true;
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        long count = -1;
        for (var j = (int)whereIdx + 1; j < c.ArgCount; j++)
        {
            var moreArgs = c.ArgCount - 1 - j;
            if (count == -1 && c.ArgIs(j, "count"u8) && moreArgs > 0)
            {
                j++;
                if (!c.TryGetLong(j, out count, CountPositive))
                {
                    return;
                }

                if (count < 1)
                {
                    c.Reply.Error(CountPositive);
                    return;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (count == -1)
        {
            count = 1;
        }

        if (blocking)
        {
            if (!c.TryGetTimeout(1, out var deadline))
            {
                return;
            }

            BlockingPop(c, numKeysIdx + 1, (int)numKeys, max, count, nested: true, deadline);
        }
        else
        {
            Pop(c, numKeysIdx + 1, (int)numKeys, max, emitKey: true, count, nested: true, nilWhenEmpty: true);
        }
    }

    private static void ZRandMember(CommandContext c)
    {
        if (c.ArgCount >= 3)
        {
            if (!c.TryGetLong(2, out var l))
            {
                return;
            }

            if (l == long.MinValue)
            {
                c.Reply.Error(RandCountRange);
                return;
            }

            var withScores = false;
            if (c.ArgCount > 4 || (c.ArgCount == 4 && !c.ArgIs(3, "withscores"u8)))
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }

            if (c.ArgCount == 4)
            {
                withScores = true;
                if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
                {
                    c.Reply.Error(OutOfRange);
                    return;
                }
            }

            RandMemberWithCount(c, l, withScores);
            return;
        }

        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        if (zset is null)
        {
            c.Reply.Null();
            return;
        }

        var slot = zset.Members.RandomSlot(c.Server.Random);
        c.Reply.Bulk(zset.Members.KeyAt(slot));
    }

    private static void RandMemberWithCount(CommandContext c, long l, bool withScores)
    {
        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        if (zset is null || l == 0)
        {
            c.Reply.EmptyArray();
            return;
        }

        var random = c.Server.Random;
        var members = zset.Members;
        var reply = c.Reply;
        var size = zset.Count;
        if (l < 0 || l == 1)
        {
            // Repetitions allowed: independent uniform picks.
            var count = l < 0 ? -l : 1;
            WriteElementsHeader(reply, (int)Math.Min(count, int.MaxValue / 2), withScores);
            for (long i = 0; i < count && i < int.MaxValue / 2; i++)
            {
                WriteElement(reply, members.ValueAt(members.RandomSlot(random)), withScores);
            }

            return;
        }

        if (l >= size)
        {
            // The whole set, in the order Redis's set-operation iterator walks it: from the end.
            WriteElementsHeader(reply, size, withScores);
            for (var node = zset.Last; node is not null; node = node.Backward)
            {
                WriteElement(reply, node, withScores);
            }

            return;
        }

        var want = (int)l;
        WriteElementsHeader(reply, want, withScores);
        if (want * 3L > size)
        {
            // Close to the whole set: shuffle the first 'want' of all elements into place.
            var all = new SkipListNode[size];
            var k = 0;
            for (var node = zset.First; node is not null; node = node.Next)
            {
                all[k++] = node;
            }

            for (var i = 0; i < want; i++)
            {
                var pick = random.Next(i, size);
                (all[i], all[pick]) = (all[pick], all[i]);
                WriteElement(reply, all[i], withScores);
            }

            return;
        }

        var chosen = new HashSet<int>();
        while (chosen.Count < want)
        {
            var slot = members.RandomSlot(random);
            if (chosen.Add(slot))
            {
                WriteElement(reply, members.ValueAt(slot), withScores);
            }
        }
    }

    private static void ZScan(CommandContext c)
    {
        if (!TryParseCursor(c.Arg(2), out var cursor))
        {
            c.Reply.Error(InvalidCursor);
            return;
        }

        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        if (zset is null)
        {
            c.Reply.ArrayHeader(2);
            c.Reply.Bulk("0"u8);
            c.Reply.EmptyArray();
            return;
        }

        long count = 10;
        var pattern = ReadOnlySpan<byte>.Empty;
        var hasPattern = false;
        for (var i = 3; i < c.ArgCount; i += 2)
        {
            var left = c.ArgCount - i;
            if (c.ArgIs(i, "count"u8) && left >= 2)
            {
                if (!c.TryGetLong(i + 1, out count))
                {
                    return;
                }

                if (count < 1)
                {
                    c.Reply.Error(Errors.Syntax);
                    return;
                }
            }
            else if (c.ArgIs(i, "match"u8) && left >= 2)
            {
                pattern = c.Arg(i + 1);
                hasPattern = !(pattern.Length == 1 && pattern[0] == (byte)'*');
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var found = new List<SkipListNode>();
        ulong next = 0;
        if (zset.IsListpack)
        {
            // Redis returns a small (listpack) set whole, in order, with cursor 0.
            for (var node = zset.First; node is not null; node = node.Next)
            {
                found.Add(node);
            }
        }
        else if (cursor < int.MaxValue)
        {
            var members = zset.Members;
            var slot = members.NextLive((int)cursor);
            while (slot >= 0 && found.Count < count)
            {
                found.Add(members.ValueAt(slot));
                slot = members.NextLive(slot + 1);
            }

            next = slot < 0 ? 0 : (ulong)slot;
        }

        if (hasPattern)
        {
            var kept = 0;
            for (var i = 0; i < found.Count; i++)
            {
                if (Glob.Match(pattern, found[i].Member))
                {
                    found[kept++] = found[i];
                }
            }

            found.RemoveRange(kept, found.Count - kept);
        }

        c.Reply.ArrayHeader(2);
        Span<byte> tmp = stackalloc byte[40];
        next.TryFormat(tmp, out var len);
        c.Reply.Bulk(tmp[..len]);
        c.Reply.ArrayHeader(found.Count * 2);
        foreach (var node in found)
        {
            c.Reply.Bulk(node.Member);
            len = FormatScoreString(node.Score, tmp);
            c.Reply.Bulk(tmp[..len]);
        }
    }

    /// <summary>
    /// C's strtoul over the whole argument, as Redis parses SCAN cursors: leading spaces, a sign
    /// (a negative cursor wraps around), decimal digits; overflow or anything unparsed fails.
    /// </summary>
    private static bool TryParseCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.IsEmpty)
        {
            return true;
        }

        var i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        if (i == s.Length)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9 || cursor > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            cursor = (cursor * 10) + d;
        }

        if (negative)
        {
            cursor = 0 - cursor;
        }

        return true;
    }

    /// <summary>Redis's d2string: integers print as integers, otherwise %.17g; "inf", "-inf", "-0".</summary>
    internal static int FormatScoreString(double value, Span<byte> destination)
    {
        if (value == 0)
        {
            if (double.IsNegative(value))
            {
                "-0"u8.CopyTo(destination);
                return 2;
            }

            destination[0] = (byte)'0';
            return 1;
        }

        if (!double.IsInfinity(value) && !double.IsNaN(value) && value >= -(long.MaxValue / 2) && value <= long.MaxValue / 2)
        {
            var l = (long)value;
            if (l == value)
            {
                l.TryFormat(destination, out var n);
                return n;
            }
        }

        return NumberFormat.FormatDouble(value, destination);
    }
}
