using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// BLPOP, BRPOP, BLMPOP, BRPOPLPUSH and BLMOVE. Each behaves like its non-blocking form when a
/// key has elements; otherwise it blocks on its keys (inside MULTI it answers as on timeout).
/// When a key is signalled ready the blocking registry runs the command again: it then either
/// serves the client or calls <see cref="CommandContext.Block"/> again, which keeps the client's
/// place in the queue. On such a re-run a key of another type is passed over as if it were
/// missing (Redis 7.0 only serves a waiter from a ready key that is a list; a key that was
/// replaced by a string before the waiter's turn leaves it blocked rather than failing it).
/// </summary>
internal static partial class ListCommands
{
    private static readonly Action<ReplyWriter> s_timeoutReply = static w => w.NullArray();

    private static void BLPop(CommandContext c) => BlockingPop(c, head: true, firstKey: 1, keyCount: c.ArgCount - 2, timeoutIndex: c.ArgCount - 1, count: -1);

    private static void BRPop(CommandContext c) => BlockingPop(c, head: false, firstKey: 1, keyCount: c.ArgCount - 2, timeoutIndex: c.ArgCount - 1, count: -1);

    private static void BLMPop(CommandContext c)
    {
        if (TryParseMPop(c, 2, out var numKeys, out var head, out var count))
        {
            BlockingPop(c, head, firstKey: 3, keyCount: numKeys, timeoutIndex: 1, count);
        }
    }

    /// <summary>
    /// Pops from the first non-empty list among the keys: one element replied as [key, element]
    /// when <paramref name="count"/> is -1 (BLPOP/BRPOP), else up to count as [key, [elements]].
    /// </summary>
    private static void BlockingPop(CommandContext c, bool head, int firstKey, int keyCount, int timeoutIndex, long count)
    {
        if (!c.TryGetTimeout(timeoutIndex, out var deadline))
        {
            return;
        }

        for (var i = firstKey; i < firstKey + keyCount; i++)
        {
            var key = c.Arg(i);
            if (!TryGetSource(c, key, out var list))
            {
                return;
            }

            if (list is null)
            {
                continue;
            }

            if (count != -1)
            {
                PopRangeWithKey(c, i, list, head, count);
                return;
            }

            var value = list.Pop(head)!;
            c.Reply.ArrayHeader(2);
            c.Reply.Bulk(key);
            c.Reply.Bulk(value);
            ElementsRemoved(c, key, list, head ? "lpop" : "rpop");
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

    private static void BRPopLPush(CommandContext c) => BlockingMove(c, fromHead: false, toHead: true, timeoutIndex: 3);

    private static void BLMove(CommandContext c)
    {
        if (TryGetWhere(c, 3, out var fromHead) && TryGetWhere(c, 4, out var toHead))
        {
            BlockingMove(c, fromHead, toHead, timeoutIndex: 5);
        }
    }

    private static void BlockingMove(CommandContext c, bool fromHead, bool toHead, int timeoutIndex)
    {
        if (!c.TryGetTimeout(timeoutIndex, out var deadline))
        {
            return;
        }

        if (!TryGetSource(c, c.Arg(1), out var source))
        {
            return;
        }

        if (source is not null)
        {
            MoveFrom(c, source, fromHead, toHead);
            return;
        }

        if (!c.CanBlock)
        {
            c.Reply.Null();
            return;
        }

        c.Block([c.ArgBytes(1)], deadline, s_timeoutReply);
    }

    /// <summary>
    /// Looks up a key to pop from. False after replying WRONGTYPE; on a re-run after a
    /// ready signal a key of another type counts as missing instead.
    /// </summary>
    private static bool TryGetSource(CommandContext c, ReadOnlySpan<byte> key, out RedisList? list)
    {
        var value = c.Db.Get(key);
        list = value as RedisList;
        if (value is null || list is not null)
        {
            return true;
        }

        if (c.IsReprocessing)
        {
            return true;
        }

        c.Reply.Error(Errors.WrongType);
        return false;
    }
}
