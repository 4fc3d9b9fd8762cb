using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// List commands (Redis 7.0's t_list.c behaviour): pushes, pops (with COUNT), range and index
/// access, LSET/LREM/LTRIM/LINSERT/LPOS, LMOVE/RPOPLPUSH, LMPOP, and the blocking forms in
/// ListCommands.Blocking.cs. A list key never holds an empty list: the command that removes the
/// last element deletes the key. Every command that adds elements signals the key ready so that
/// clients blocked on it are served.
/// </summary>
internal static partial class ListCommands
{
    private const string RankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    private const string CountNegative = "ERR COUNT can't be negative";
    private const string MaxLenNegative = "ERR MAXLEN can't be negative";
    private const string NumKeysNotPositive = "ERR numkeys should be greater than 0";
    private const string CountNotPositive = "ERR count should be greater than 0";

    public static void Register(CommandTable t)
    {
        t.Add("lpush", -3, "write denyoom fast", 1, 1, 1, LPush, "list");
        t.Add("rpush", -3, "write denyoom fast", 1, 1, 1, RPush, "list");
        t.Add("lpushx", -3, "write denyoom fast", 1, 1, 1, LPushX, "list");
        t.Add("rpushx", -3, "write denyoom fast", 1, 1, 1, RPushX, "list");
        t.Add("lpop", -2, "write fast", 1, 1, 1, LPop, "list");
        t.Add("rpop", -2, "write fast", 1, 1, 1, RPop, "list");
        t.Add("llen", 2, "readonly fast", 1, 1, 1, LLen, "list");
        t.Add("lrange", 4, "readonly", 1, 1, 1, LRange, "list");
        t.Add("lindex", 3, "readonly", 1, 1, 1, LIndex, "list");
        t.Add("lset", 4, "write denyoom", 1, 1, 1, LSet, "list");
        t.Add("lrem", 4, "write", 1, 1, 1, LRem, "list");
        t.Add("ltrim", 4, "write", 1, 1, 1, LTrim, "list");
        t.Add("linsert", 5, "write denyoom", 1, 1, 1, LInsert, "list");
        t.Add("lpos", -3, "readonly", 1, 1, 1, LPos, "list");
        t.Add("lmove", 5, "write denyoom", 1, 2, 1, LMove, "list");
        t.Add("rpoplpush", 3, "write denyoom", 1, 2, 1, RPopLPush, "list");
        t.AddMovable("lmpop", -4, "write", LMPopKeys, LMPop, "list");
        t.Add("blpop", -3, "write noscript blocking", 1, -2, 1, BLPop, "list");
        t.Add("brpop", -3, "write noscript blocking", 1, -2, 1, BRPop, "list");
        t.Add("brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1, BRPopLPush, "list");
        t.Add("blmove", 6, "write denyoom noscript blocking", 1, 2, 1, BLMove, "list");
        t.AddMovable("blmpop", -5, "write blocking", BLMPopKeys, BLMPop, "list");
    }

    private static void LPush(CommandContext c) => Push(c, head: true, onlyIfExists: false);

    private static void RPush(CommandContext c) => Push(c, head: false, onlyIfExists: false);

    private static void LPushX(CommandContext c) => Push(c, head: true, onlyIfExists: true);

    private static void RPushX(CommandContext c) => Push(c, head: false, onlyIfExists: true);

    private static void Push(CommandContext c, bool head, bool onlyIfExists)
    {
        var key = c.Arg(1);
        if (!c.TryGet<RedisList>(key, out var list))
        {
            return;
        }

        if (list is null)
        {
            if (onlyIfExists)
            {
                c.Reply.Integer(0);
                return;
            }

            list = new RedisList();
            c.Db.Add(key, list);
        }

        for (var i = 2; i < c.ArgCount; i++)
        {
            list.Push(c.ArgBytes(i), head);
        }

        c.Reply.Integer(list.Count);
        c.Notify(Notify.List, head ? "lpush" : "rpush", key);
        c.SignalKeyReady(key);
    }

    private static void LPop(CommandContext c) => Pop(c, head: true);

    private static void RPop(CommandContext c) => Pop(c, head: false);

    private static void Pop(CommandContext c, bool head)
    {
        if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.WrongArgs(c.Command.FullName));
            return;
        }

        long count = 0;
        var hasCount = c.ArgCount == 3;
        if (hasCount && !TryGetNonNegative(c, 2, Errors.NotPositive, out count))
        {
            return;
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisList>(key, out var list))
        {
            return;
        }

        if (list is null)
        {
            if (hasCount)
            {
                c.Reply.NullArray();
            }
            else
            {
                c.Reply.Null();
            }

            return;
        }

        if (!hasCount)
        {
            c.Reply.Bulk(list.Pop(head)!);
        }
        else if (count == 0)
        {
            c.Reply.EmptyArray();
            return;
        }
        else
        {
            var n = (int)Math.Min(count, list.Count);
            c.Reply.ArrayHeader(n);
            for (var i = 0; i < n; i++)
            {
                c.Reply.Bulk(list.Pop(head)!);
            }
        }

        ElementsRemoved(c, key, list, head ? "lpop" : "rpop");
    }

    /// <summary>After elements left a list: the command's event, then the key's deletion ("del") when it is empty now.</summary>
    private static void ElementsRemoved(CommandContext c, ReadOnlySpan<byte> key, RedisList list, string evt)
    {
        c.Notify(Notify.List, evt, key);
        if (list.Count == 0)
        {
            c.Db.Delete(key);
            c.Notify(Notify.Generic, "del", key);
        }
    }

    private static void LLen(CommandContext c)
    {
        if (c.TryGet<RedisList>(c.Arg(1), out var list))
        {
            c.Reply.Integer(list?.Count ?? 0);
        }
    }

    private static void LRange(CommandContext c)
    {
        if (!c.TryGetLong(2, out var start) || !c.TryGetLong(3, out var end))
        {
            return;
        }

        if (!c.TryGet<RedisList>(c.Arg(1), out var list))
        {
            return;
        }

        if (list is null || !ClampRange(list.Count, ref start, ref end))
        {
            c.Reply.EmptyArray();
            return;
        }

        var from = (int)start;
        var to = (int)end;
        c.Reply.ArrayHeader(to - from + 1);
        for (var i = from; i <= to; i++)
        {
            c.Reply.Bulk(list[i]);
        }
    }

    /// <summary>
    /// Redis's LRANGE/LTRIM index rules: negative counts from the end, start clamps to 0, end to
    /// the last element. False when the range selects nothing.
    /// </summary>
    internal static bool ClampRange(long length, ref long start, ref long end)
    {
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
            return false;
        }

        if (end >= length)
        {
            end = length - 1;
        }

        return true;
    }

    private static void LIndex(CommandContext c)
    {
        if (!c.TryGet<RedisList>(c.Arg(1), out var list))
        {
            return;
        }

        if (list is null)
        {
            c.Reply.Null();
            return;
        }

        if (!c.TryGetLong(2, out var index))
        {
            return;
        }

        if (index < 0)
        {
            index += list.Count;
        }

        if (index < 0 || index >= list.Count)
        {
            c.Reply.Null();
            return;
        }

        c.Reply.Bulk(list[(int)index]);
    }

    private static void LSet(CommandContext c)
    {
        if (!c.TryGet<RedisList>(c.Arg(1), out var list))
        {
            return;
        }

        if (list is null)
        {
            c.Reply.Error(Errors.NoSuchKey);
            return;
        }

        if (!c.TryGetLong(2, out var index))
        {
            return;
        }

        if (index < 0)
        {
            index += list.Count;
        }

        if (index < 0 || index >= list.Count)
        {
            c.Reply.Error(Errors.OutOfRange);
            return;
        }

        list[(int)index] = c.ArgBytes(3);
        c.Reply.Ok();
        c.Notify(Notify.List, "lset", c.Arg(1));
    }

    private static void LRem(CommandContext c)
    {
        if (!c.TryGetLong(2, out var count))
        {
            return;
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisList>(key, out var list))
        {
            return;
        }

        if (list is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var removed = list.Remove(c.Arg(3), count);
        if (removed > 0)
        {
            ElementsRemoved(c, key, list, "lrem");
        }

        c.Reply.Integer(removed);
    }

    private static void LTrim(CommandContext c)
    {
        if (!c.TryGetLong(2, out var start) || !c.TryGetLong(3, out var end))
        {
            return;
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisList>(key, out var list))
        {
            return;
        }

        if (list is not null)
        {
            if (ClampRange(list.Count, ref start, ref end))
            {
                list.Keep((int)start, (int)(end - start + 1));
            }
            else
            {
                list.Clear();
            }

            ElementsRemoved(c, key, list, "ltrim");
        }

        c.Reply.Ok();
    }

    private static void LInsert(CommandContext c)
    {
        bool after;
        if (c.ArgIs(2, "AFTER"u8))
        {
            after = true;
        }
        else if (c.ArgIs(2, "BEFORE"u8))
        {
            after = false;
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisList>(key, out var list))
        {
            return;
        }

        if (list is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var pivot = list.IndexOf(c.Arg(3));
        if (pivot < 0)
        {
            c.Reply.Integer(-1);
            return;
        }

        list.Insert(after ? pivot + 1 : pivot, c.ArgBytes(4));
        c.Reply.Integer(list.Count);
        c.Notify(Notify.List, "linsert", key);
        c.SignalKeyReady(key);
    }

    private static void LPos(CommandContext c)
    {
        long rank = 1;
        long count = -1;
        long maxLen = 0;
        for (var j = 3; j < c.ArgCount; j++)
        {
            var moreArgs = j < c.ArgCount - 1;
            if (moreArgs && c.ArgIs(j, "RANK"u8))
            {
                j++;
                if (!c.TryGetLong(j, out rank))
                {
                    return;
                }

                if (rank == 0)
                {
                    c.Reply.Error(RankZero);
                    return;
                }
            }
            else if (moreArgs && c.ArgIs(j, "COUNT"u8))
            {
                j++;
                if (!TryGetNonNegative(c, j, CountNegative, out count))
                {
                    return;
                }
            }
            else if (moreArgs && c.ArgIs(j, "MAXLEN"u8))
            {
                j++;
                if (!TryGetNonNegative(c, j, MaxLenNegative, out maxLen))
                {
                    return;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var fromHead = true;
        if (rank < 0)
        {
            rank = -rank; // long.MinValue stays negative, as in Redis: every match then qualifies
            fromHead = false;
        }

        if (!c.TryGet<RedisList>(c.Arg(1), out var list))
        {
            return;
        }

        if (list is null)
        {
            if (count != -1)
            {
                c.Reply.EmptyArray();
            }
            else
            {
                c.Reply.Null();
            }

            return;
        }

        var element = c.Arg(2);
        var length = list.Count;
        long matches = 0;
        if (count == -1)
        {
            for (long index = 0; index < length && (maxLen == 0 || index < maxLen); index++)
            {
                var position = fromHead ? (int)index : (int)(length - index - 1);
                if (list[position].AsSpan().SequenceEqual(element) && ++matches >= rank)
                {
                    c.Reply.Integer(position);
                    return;
                }
            }

            c.Reply.Null();
            return;
        }

        var found = new List<long>();
        for (long index = 0; index < length && (maxLen == 0 || index < maxLen); index++)
        {
            var position = fromHead ? (int)index : (int)(length - index - 1);
            if (!list[position].AsSpan().SequenceEqual(element))
            {
                continue;
            }

            matches++;
            if (matches >= rank)
            {
                found.Add(position);
                if (count != 0 && matches - rank + 1 >= count)
                {
                    break;
                }
            }
        }

        c.Reply.ArrayHeader(found.Count);
        foreach (var position in found)
        {
            c.Reply.Integer(position);
        }
    }

    private static void LMove(CommandContext c)
    {
        if (TryGetWhere(c, 3, out var fromHead) && TryGetWhere(c, 4, out var toHead))
        {
            Move(c, fromHead, toHead);
        }
    }

    private static void RPopLPush(CommandContext c) => Move(c, fromHead: false, toHead: true);

    /// <summary>LMOVE's body: pops from argument 1, pushes onto argument 2 (created when missing), replies the element.</summary>
    private static void Move(CommandContext c, bool fromHead, bool toHead)
    {
        var sourceKey = c.Arg(1);
        if (!c.TryGet<RedisList>(sourceKey, out var source))
        {
            return;
        }

        if (source is null)
        {
            c.Reply.Null();
            return;
        }

        MoveFrom(c, source, fromHead, toHead);
    }

    private static void MoveFrom(CommandContext c, RedisList source, bool fromHead, bool toHead)
    {
        var destinationKey = c.Arg(2);
        if (!c.TryGet<RedisList>(destinationKey, out var destination))
        {
            return;
        }

        var value = source.Pop(fromHead)!;
        if (destination is null)
        {
            destination = new RedisList();
            c.Db.Add(destinationKey, destination);
        }

        destination.Push(value, toHead);
        c.Reply.Bulk(value);
        c.Notify(Notify.List, toHead ? "lpush" : "rpush", destinationKey);
        ElementsRemoved(c, c.Arg(1), source, fromHead ? "lpop" : "rpop");
        c.SignalKeyReady(destinationKey);
    }

    private static void LMPop(CommandContext c)
    {
        if (!TryParseMPop(c, 1, out var numKeys, out var head, out var count))
        {
            return;
        }

        for (var i = 2; i < 2 + numKeys; i++)
        {
            var key = c.Arg(i);
            if (!c.TryGet<RedisList>(key, out var list))
            {
                return;
            }

            if (list is not null)
            {
                PopRangeWithKey(c, i, list, head, count);
                return;
            }
        }

        c.Reply.NullArray();
    }

    /// <summary>LMPOP/BLMPOP's reply: [key, [elements...]] with up to <paramref name="count"/> elements popped.</summary>
    private static void PopRangeWithKey(CommandContext c, int keyIndex, RedisList list, bool head, long count)
    {
        var n = (int)Math.Min(count, list.Count);
        c.Reply.ArrayHeader(2);
        c.Reply.Bulk(c.Arg(keyIndex));
        c.Reply.ArrayHeader(n);
        for (var i = 0; i < n; i++)
        {
            c.Reply.Bulk(list.Pop(head)!);
        }

        ElementsRemoved(c, c.Arg(keyIndex), list, head ? "lpop" : "rpop");
    }

    /// <summary>
    /// Parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at <paramref name="numKeysIndex"/>,
    /// with LMPOP's error texts and order of checks.
    /// </summary>
    private static bool TryParseMPop(CommandContext c, int numKeysIndex, out int numKeys, out bool head, out long count)
    {
        numKeys = 0;
        head = true;
        count = -1;
        if (!NumberFormatTryParse(c, numKeysIndex, out var n) || n <= 0)
        {
            c.Reply.Error(NumKeysNotPositive);
            return false;
        }

        if (n >= c.ArgCount - numKeysIndex - 1)
        {
            c.Reply.Error(Errors.Syntax);
            return false;
        }

        numKeys = (int)n;
        var whereIndex = numKeysIndex + numKeys + 1;
        if (!TryGetWhere(c, whereIndex, out head))
        {
            return false;
        }

        for (var j = whereIndex + 1; j < c.ArgCount; j++)
        {
            var moreArgs = j < c.ArgCount - 1;
            if (count == -1 && moreArgs && c.ArgIs(j, "COUNT"u8))
            {
                j++;
                if (!NumberFormatTryParse(c, j, out count) || count <= 0)
                {
                    c.Reply.Error(CountNotPositive);
                    return false;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return false;
            }
        }

        if (count == -1)
        {
            count = 1;
        }

        return true;
    }

    private static bool NumberFormatTryParse(CommandContext c, int index, out long value) =>
        Protocol.NumberFormat.TryParseLong(c.Arg(index), out value);

    private static List<int> LMPopKeys(CommandContext c) => MPopKeys(c, 1);

    private static List<int> BLMPopKeys(CommandContext c) => MPopKeys(c, 2);

    private static List<int> MPopKeys(CommandContext c, int numKeysIndex)
    {
        var keys = new List<int>();
        if (numKeysIndex < c.ArgCount && NumberFormatTryParse(c, numKeysIndex, out var n) && n > 0 && n < c.ArgCount - numKeysIndex)
        {
            for (var i = 0; i < n; i++)
            {
                keys.Add(numKeysIndex + 1 + i);
            }
        }

        return keys;
    }

    /// <summary>LEFT or RIGHT (any case); anything else is a syntax error.</summary>
    private static bool TryGetWhere(CommandContext c, int index, out bool head)
    {
        if (c.ArgIs(index, "LEFT"u8))
        {
            head = true;
            return true;
        }

        if (c.ArgIs(index, "RIGHT"u8))
        {
            head = false;
            return true;
        }

        head = false;
        c.Reply.Error(Errors.Syntax);
        return false;
    }

    /// <summary>Redis's getPositiveLongFromObjectOrReply: a non-integer or a negative number both get <paramref name="error"/>.</summary>
    private static bool TryGetNonNegative(CommandContext c, int index, string error, out long value)
    {
        if (NumberFormatTryParse(c, index, out value) && value >= 0)
        {
            return true;
        }

        c.Reply.Error(error);
        return false;
    }
}
