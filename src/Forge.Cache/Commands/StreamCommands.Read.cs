using System.Runtime.CompilerServices;
using Forge.Cache.Protocol;
using Forge.Cache.Server;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// XREAD and XREADGROUP, blocking included. A blocked client is served by running its command
/// again when one of its keys is signalled (XADD, a new value stored at the key, a deletion,
/// XGROUP DESTROY). Two things Redis remembers at blocking time are kept beside the block state:
/// the IDs XREAD resolved (so "$" is not resolved again), and that the client is blocked (so a
/// re-run of XREADGROUP that finds the key gone or the group destroyed fails the client instead
/// of waiting, with Redis's UNBLOCKED / NOGROUP errors).
/// </summary>
internal static partial class StreamCommands
{
    private const int BlockedDefaultCount = 1000;

    private static readonly Action<ReplyWriter> s_timeoutReply = static w => w.NullArray();

    /// <summary>The IDs an XREAD resolved when it blocked, by block state.</summary>
    private static readonly ConditionalWeakTable<BlockState, StreamId[]> s_blockedIds = [];

    private static List<int> ReadKeys(CommandContext c)
    {
        var keys = new List<int>();
        for (var i = 1; i < c.ArgCount; i++)
        {
            if (c.ArgIs(i, "STREAMS"u8))
            {
                var n = (c.ArgCount - i - 1) / 2;
                for (var k = 0; k < n; k++)
                {
                    keys.Add(i + 1 + k);
                }

                break;
            }
        }

        return keys;
    }

    private static void XRead(CommandContext c) => Read(c, isGroup: false);

    private static void XReadGroup(CommandContext c) => Read(c, isGroup: true);

    private static void Read(CommandContext c, bool isGroup)
    {
        long deadline = -1;
        long count = 0;
        int streamsArg = 0, streamCount = 0;
        var noAck = false;
        byte[]? groupName = null;
        byte[]? consumerName = null;
        for (var i = 1; i < c.ArgCount; i++)
        {
            var more = c.ArgCount - i - 1;
            if (c.ArgIs(i, "BLOCK"u8) && more > 0)
            {
                i++;
                if (!NumberFormat.TryParseLong(c.Arg(i), out var ms))
                {
                    c.Reply.Error("ERR timeout is not an integer or out of range");
                    return;
                }

                if (ms < 0)
                {
                    c.Reply.Error(Errors.TimeoutNegative);
                    return;
                }

                deadline = ms == 0 ? 0 : c.Now + ms;
            }
            else if (c.ArgIs(i, "COUNT"u8) && more > 0)
            {
                if (!c.TryGetLong(++i, out count))
                {
                    return;
                }

                if (count < 0)
                {
                    count = 0;
                }
            }
            else if (c.ArgIs(i, "STREAMS"u8) && more > 0)
            {
                streamsArg = i + 1;
                streamCount = c.ArgCount - streamsArg;
                if (streamCount % 2 != 0)
                {
                    c.Reply.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return;
                }

                streamCount /= 2;
                break;
            }
            else if (c.ArgIs(i, "GROUP"u8) && more >= 2)
            {
                if (!isGroup)
                {
                    c.Reply.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }

                groupName = c.ArgBytes(i + 1);
                consumerName = c.ArgBytes(i + 2);
                i += 2;
            }
            else if (c.ArgIs(i, "NOACK"u8))
            {
                if (!isGroup)
                {
                    c.Reply.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }

                noAck = true;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (streamsArg == 0)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (isGroup && groupName is null)
        {
            c.Reply.Error("ERR Missing GROUP option for XREADGROUP");
            return;
        }

        var reprocessing = c.IsReprocessing && c.Client.Blocked is not null;
        StreamId[]? remembered = null;
        if (reprocessing && !isGroup)
        {
            s_blockedIds.TryGetValue(c.Client.Blocked!, out remembered);
        }

        var ids = new StreamId[streamCount];
        var groups = isGroup ? new ConsumerGroup?[streamCount] : null;
        for (var k = 0; k < streamCount; k++)
        {
            var keyIndex = streamsArg + k;
            var idIndex = keyIndex + streamCount;
            var value = c.Db.Get(c.Arg(keyIndex));
            var stream = value as RedisStream;
            if (value is not null && stream is null)
            {
                if (reprocessing && isGroup)
                {
                    c.Reply.Error("UNBLOCKED the stream key no longer exists");
                    return;
                }

                if (!reprocessing)
                {
                    c.Reply.Error(Errors.WrongType);
                    return;
                }
            }

            if (isGroup)
            {
                var group = stream?.FindGroup(groupName!);
                if (group is null)
                {
                    if (reprocessing)
                    {
                        c.Reply.Error(stream is null ? "UNBLOCKED the stream key no longer exists" : "NOGROUP the consumer group this client was blocked on no longer exists");
                    }
                    else
                    {
                        c.Reply.Error($"NOGROUP No such key '{c.ArgString(keyIndex)}' or consumer group '{System.Text.Encoding.UTF8.GetString(groupName!)}' in XREADGROUP with GROUP option");
                    }

                    return;
                }

                groups![k] = group;
            }

            var arg = c.Arg(idIndex);
            if (arg.Length == 1 && arg[0] == '$')
            {
                if (isGroup)
                {
                    c.Reply.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                    return;
                }

                ids[k] = remembered is not null ? remembered[k] : stream?.LastId ?? StreamId.Zero;
                continue;
            }

            if (arg.Length == 1 && arg[0] == '>')
            {
                if (!isGroup)
                {
                    c.Reply.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                    return;
                }

                ids[k] = StreamId.Max;
                continue;
            }

            if (!TryGetId(c, idIndex, 0, strict: true, out ids[k]))
            {
                return;
            }
        }

        if (reprocessing && count == 0)
        {
            count = BlockedDefaultCount;
        }

        var served = new List<(int Key, List<(StreamId Id, StreamEntry? Entry)> Entries)>();
        for (var k = 0; k < streamCount; k++)
        {
            if (c.Db.Get(c.Arg(streamsArg + k)) is not RedisStream s)
            {
                continue;
            }

            var gt = ids[k];
            bool serve = false, history = false;
            if (groups is not null)
            {
                if (gt != StreamId.Max)
                {
                    serve = true;
                    history = true;
                }
                else if (s.Length > 0 && s.LastValidId() > groups[k]!.LastId)
                {
                    serve = true;
                    gt = groups[k]!.LastId;
                }
            }
            else if (s.Length > 0 && s.LastValidId() > gt)
            {
                serve = true;
            }

            if (!serve)
            {
                continue;
            }

            gt.TryIncrement(out var start);
            StreamConsumer? consumer = null;
            if (groups is not null)
            {
                consumer = LookupOrCreateConsumer(c, groups[k]!, consumerName!, streamsArg + k);
            }

            var list = history
                ? ReadHistory(c, s, consumer!, start, count)
                : ReadNew(c, s, groups?[k], consumer, start, count, noAck);
            served.Add((streamsArg + k, list));
        }

        if (served.Count > 0)
        {
            if (c.Reply.Resp3)
            {
                c.Reply.MapHeader(served.Count);
            }
            else
            {
                c.Reply.ArrayHeader(served.Count);
            }

            foreach (var (key, list) in served)
            {
                if (!c.Reply.Resp3)
                {
                    c.Reply.ArrayHeader(2);
                }

                c.Reply.Bulk(c.Arg(key));
                c.Reply.ArrayHeader(list.Count);
                foreach (var (id, entry) in list)
                {
                    if (entry is null)
                    {
                        c.Reply.ArrayHeader(2);
                        WriteId(c.Reply, id);
                        c.Reply.NullArray();
                    }
                    else
                    {
                        WriteEntry(c.Reply, entry);
                    }
                }
            }

            return;
        }

        if (deadline != -1)
        {
            if (!c.CanBlock)
            {
                c.Reply.NullArray();
                return;
            }

            var keys = new byte[streamCount][];
            for (var k = 0; k < streamCount; k++)
            {
                keys[k] = c.ArgBytes(streamsArg + k);
            }

            c.Block(keys, deadline, s_timeoutReply);
            if (!reprocessing && !isGroup && c.Client.Blocked is { } state)
            {
                s_blockedIds.AddOrUpdate(state, ids);
            }

            return;
        }

        c.Reply.NullArray();
    }

    /// <summary>streamLookupConsumer (refreshing seen-time) or streamCreateConsumer (notifying).</summary>
    private static StreamConsumer LookupOrCreateConsumer(CommandContext c, ConsumerGroup group, byte[] name, int keyIndex)
    {
        var consumer = group.FindConsumer(name);
        if (consumer is not null)
        {
            consumer.SeenTime = c.Now;
            return consumer;
        }

        consumer = new StreamConsumer(name, c.Now);
        group.Consumers[name] = consumer;
        c.Notify(Notify.Stream, "xgroup-createconsumer", c.Arg(keyIndex));
        return consumer;
    }

    /// <summary>New entries for a group (or plain XREAD when group is null): advances the group and fills the PELs.</summary>
    private static List<(StreamId Id, StreamEntry? Entry)> ReadNew(CommandContext c, RedisStream s, ConsumerGroup? group, StreamConsumer? consumer, StreamId start, long count, bool noAck)
    {
        var list = new List<(StreamId, StreamEntry?)>();
        foreach (var e in s.Range(start, StreamId.Max))
        {
            list.Add((e.Id, e));
            if (count > 0 && list.Count == count)
            {
                break;
            }
        }

        if (group is null)
        {
            return list;
        }

        foreach (var (id, _) in list)
        {
            s.AdvanceGroup(group, id);
            if (noAck)
            {
                continue;
            }

            var nack = group.Pending.Find(id);
            if (nack is null)
            {
                nack = new PendingEntry(id, consumer, c.Now);
                group.Pending.TryAdd(nack);
                consumer!.Pending.TryAdd(nack);
            }
            else
            {
                nack.Consumer?.Pending.Remove(id);
                nack.Consumer = consumer;
                nack.DeliveryTime = c.Now;
                nack.DeliveryCount = 1;
                consumer!.Pending.TryAdd(nack);
            }
        }

        return list;
    }

    /// <summary>The consumer's own pending entries from <paramref name="start"/> (deleted ones as [id, nil]).</summary>
    private static List<(StreamId Id, StreamEntry? Entry)> ReadHistory(CommandContext c, RedisStream s, StreamConsumer consumer, StreamId start, long count)
    {
        var list = new List<(StreamId, StreamEntry?)>();
        foreach (var nack in consumer.Pending.Range(start, StreamId.Max, count > 0 ? (int)Math.Min(count, int.MaxValue) : int.MaxValue))
        {
            var entry = s.Find(nack.Id);
            if (entry is not null)
            {
                nack.DeliveryTime = c.Now;
                nack.DeliveryCount++;
            }

            list.Add((nack.Id, entry));
        }

        return list;
    }
}
