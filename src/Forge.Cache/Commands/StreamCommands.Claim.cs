using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>XCLAIM and XAUTOCLAIM: moving pending entries to another consumer.</summary>
internal static partial class StreamCommands
{
    /// <summary>Gives a pending entry to <paramref name="consumer"/> (XCLAIM/XAUTOCLAIM).</summary>
    private static void Claim(PendingEntry nack, StreamConsumer consumer, long deliveryTime, long retryCount, bool justId)
    {
        if (nack.Consumer != consumer)
        {
            nack.Consumer?.Pending.Remove(nack.Id);
        }

        nack.DeliveryTime = deliveryTime;
        if (retryCount >= 0)
        {
            nack.DeliveryCount = retryCount;
        }
        else if (!justId)
        {
            nack.DeliveryCount++;
        }

        if (nack.Consumer != consumer)
        {
            consumer.Pending.TryAdd(nack);
            nack.Consumer = consumer;
        }
    }

    private static void XClaim(CommandContext c)
    {
        if (!TryGetStream(c, c.Arg(1), out var s))
        {
            return;
        }

        var group = s?.FindGroup(c.ArgBytes(2));
        if (group is null)
        {
            c.Reply.Error($"NOGROUP No such key '{c.ArgString(1)}' or consumer group '{c.ArgString(2)}'");
            return;
        }

        if (!c.TryGetLong(4, out var minIdle, "ERR Invalid min-idle-time argument for XCLAIM"))
        {
            return;
        }

        if (minIdle < 0)
        {
            minIdle = 0;
        }

        var ids = new List<StreamId>();
        var j = 5;
        for (; j < c.ArgCount; j++)
        {
            if (!TryParseId(c.Arg(j), 0, strict: true, out var id, out _))
            {
                break;
            }

            ids.Add(id);
        }

        var now = c.Now;
        long deliveryTime = -1, retryCount = -1;
        bool force = false, justId = false;
        var lastId = StreamId.Zero;
        for (; j < c.ArgCount; j++)
        {
            var more = c.ArgCount - 1 - j;
            if (c.ArgIs(j, "FORCE"u8))
            {
                force = true;
            }
            else if (c.ArgIs(j, "JUSTID"u8))
            {
                justId = true;
            }
            else if (c.ArgIs(j, "IDLE"u8) && more > 0)
            {
                if (!c.TryGetLong(++j, out deliveryTime, "ERR Invalid IDLE option argument for XCLAIM"))
                {
                    return;
                }

                deliveryTime = now - deliveryTime;
            }
            else if (c.ArgIs(j, "TIME"u8) && more > 0)
            {
                if (!c.TryGetLong(++j, out deliveryTime, "ERR Invalid TIME option argument for XCLAIM"))
                {
                    return;
                }
            }
            else if (c.ArgIs(j, "RETRYCOUNT"u8) && more > 0)
            {
                if (!c.TryGetLong(++j, out retryCount, "ERR Invalid RETRYCOUNT option argument for XCLAIM"))
                {
                    return;
                }
            }
            else if (c.ArgIs(j, "LASTID"u8) && more > 0)
            {
                if (!TryGetId(c, ++j, 0, strict: true, out lastId))
                {
                    return;
                }
            }
            else
            {
                c.Reply.Error($"ERR Unrecognized XCLAIM option '{c.ArgString(j)}'");
                return;
            }
        }

        if (lastId > group.LastId)
        {
            group.LastId = lastId;
        }

        if (deliveryTime != -1)
        {
            if (deliveryTime < 0 || deliveryTime > now)
            {
                deliveryTime = now;
            }
        }
        else
        {
            deliveryTime = now;
        }

        var name = c.ArgBytes(3);
        StreamConsumer? consumer = null;
        var replies = new List<(StreamId Id, StreamEntry? Entry)>();
        foreach (var id in ids)
        {
            var nack = group.Pending.Find(id);
            var entry = s!.Find(id);
            if (entry is null)
            {
                if (nack is not null)
                {
                    group.Pending.Remove(id);
                    nack.Consumer?.Pending.Remove(id);
                }

                continue;
            }

            if (force && nack is null)
            {
                nack = new PendingEntry(id, null, now);
                group.Pending.TryAdd(nack);
            }

            if (nack is null)
            {
                continue;
            }

            if (nack.Consumer is not null && minIdle != 0 && now - nack.DeliveryTime < minIdle)
            {
                continue;
            }

            consumer ??= LookupOrCreateConsumer(c, group, name, 1);
            Claim(nack, consumer, deliveryTime, retryCount, justId);
            replies.Add((id, justId ? null : entry));
        }

        c.Reply.ArrayHeader(replies.Count);
        foreach (var (id, entry) in replies)
        {
            if (entry is null)
            {
                WriteId(c.Reply, id);
            }
            else
            {
                WriteEntry(c.Reply, entry);
            }
        }
    }

    private static void XAutoClaim(CommandContext c)
    {
        if (!c.TryGetLong(4, out var minIdle, "ERR Invalid min-idle-time argument for XAUTOCLAIM"))
        {
            return;
        }

        if (minIdle < 0)
        {
            minIdle = 0;
        }

        if (!TryGetRangeStart(c, 5, out var start))
        {
            return;
        }

        long count = 100;
        var justId = false;
        for (var j = 6; j < c.ArgCount; j++)
        {
            var more = c.ArgCount - 1 - j;
            if (c.ArgIs(j, "COUNT"u8) && more > 0)
            {
                const long maxCount = long.MaxValue / 16;
                if (!NumberFormat.TryParseLong(c.Arg(j + 1), out count) || count < 1 || count > maxCount)
                {
                    c.Reply.Error("ERR COUNT must be > 0");
                    return;
                }

                j++;
            }
            else if (c.ArgIs(j, "JUSTID"u8))
            {
                justId = true;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (!TryGetStream(c, c.Arg(1), out var s))
        {
            return;
        }

        var group = s?.FindGroup(c.ArgBytes(2));
        if (group is null)
        {
            c.Reply.Error($"NOGROUP No such key '{c.ArgString(1)}' or consumer group '{c.ArgString(2)}'");
            return;
        }

        var attempts = count * 10;
        var now = c.Now;
        var name = c.ArgBytes(3);
        StreamConsumer? consumer = null;
        var claimed = new List<(StreamId Id, StreamEntry? Entry)>();
        var deleted = new List<StreamId>();
        var next = StreamId.Zero;
        var cursor = start;
        var exhausted = true;
        while (true)
        {
            var batch = group.Pending.Range(cursor, StreamId.Max, 64);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var nack in batch)
            {
                if (attempts == 0 || count == 0)
                {
                    next = nack.Id;
                    exhausted = false;
                    break;
                }

                attempts--;
                var entry = s!.Find(nack.Id);
                if (entry is null)
                {
                    group.Pending.Remove(nack.Id);
                    nack.Consumer?.Pending.Remove(nack.Id);
                    deleted.Add(nack.Id);
                    count--;
                    continue;
                }

                if (minIdle != 0 && now - nack.DeliveryTime < minIdle)
                {
                    continue;
                }

                consumer ??= LookupOrCreateConsumer(c, group, name, 1);
                Claim(nack, consumer, now, -1, justId);
                claimed.Add((nack.Id, justId ? null : entry));
                count--;
            }

            if (!exhausted || !batch[^1].Id.TryIncrement(out cursor))
            {
                break;
            }
        }

        c.Reply.ArrayHeader(3);
        WriteId(c.Reply, exhausted ? StreamId.Zero : next);
        c.Reply.ArrayHeader(claimed.Count);
        foreach (var (id, entry) in claimed)
        {
            if (entry is null)
            {
                WriteId(c.Reply, id);
            }
            else
            {
                WriteEntry(c.Reply, entry);
            }
        }

        c.Reply.ArrayHeader(deleted.Count);
        foreach (var id in deleted)
        {
            WriteId(c.Reply, id);
        }
    }
}
