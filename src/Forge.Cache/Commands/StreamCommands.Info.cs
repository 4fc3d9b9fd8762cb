using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP (maps in RESP3).</summary>
internal static partial class StreamCommands
{
    private static void RegisterInfo(CommandTable t)
    {
        var x = t.AddContainer("xinfo", "stream");
        CommandTable.Sub(x, "consumers", 4, "readonly", 2, 2, 1, XInfoConsumers);
        CommandTable.Sub(x, "groups", 3, "readonly", 2, 2, 1, XInfoGroups);
        CommandTable.Sub(x, "stream", -3, "readonly", 2, 2, 1, XInfoStream);
        CommandTable.Sub(x, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "XINFO",
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream."));
    }

    private static bool TryGetExistingStream(CommandContext c, out RedisStream s)
    {
        s = null!;
        if (!TryGetStream(c, c.Arg(2), out var found))
        {
            return false;
        }

        if (found is null)
        {
            c.Reply.Error(Errors.NoSuchKey);
            return false;
        }

        s = found;
        return true;
    }

    private static void XInfoConsumers(CommandContext c)
    {
        if (!TryGetExistingStream(c, out var s))
        {
            return;
        }

        var group = s.FindGroup(c.ArgBytes(3));
        if (group is null)
        {
            c.Reply.Error($"NOGROUP No such consumer group '{c.ArgString(3)}' for key name '{c.ArgString(2)}'");
            return;
        }

        c.Reply.ArrayHeader(group.Consumers.Count);
        foreach (var (name, consumer) in group.Consumers)
        {
            c.Reply.MapHeader(3);
            c.Reply.Bulk("name"u8);
            c.Reply.Bulk(name);
            c.Reply.Bulk("pending"u8);
            c.Reply.Integer(consumer.Pending.Count);
            c.Reply.Bulk("idle"u8);
            c.Reply.Integer(Math.Max(c.Now - consumer.SeenTime, 0));
        }
    }

    private static void XInfoGroups(CommandContext c)
    {
        if (!TryGetExistingStream(c, out var s))
        {
            return;
        }

        c.Reply.ArrayHeader(s.GroupCount);
        if (s.Groups is null)
        {
            return;
        }

        foreach (var (name, group) in s.Groups)
        {
            c.Reply.MapHeader(6);
            c.Reply.Bulk("name"u8);
            c.Reply.Bulk(name);
            c.Reply.Bulk("consumers"u8);
            c.Reply.Integer(group.Consumers.Count);
            c.Reply.Bulk("pending"u8);
            c.Reply.Integer(group.Pending.Count);
            c.Reply.Bulk("last-delivered-id"u8);
            WriteId(c.Reply, group.LastId);
            WriteGroupCounters(c, s, group);
        }
    }

    private static void WriteGroupCounters(CommandContext c, RedisStream s, ConsumerGroup group)
    {
        c.Reply.Bulk("entries-read"u8);
        if (group.EntriesRead != ConsumerGroup.InvalidEntriesRead)
        {
            c.Reply.Integer(group.EntriesRead);
        }
        else
        {
            c.Reply.Null();
        }

        c.Reply.Bulk("lag"u8);
        if (s.Lag(group) is { } lag)
        {
            c.Reply.Integer(lag);
        }
        else
        {
            c.Reply.Null();
        }
    }

    private static void XInfoStream(CommandContext c)
    {
        var full = false;
        long count = 10;
        var optc = c.ArgCount - 3;
        if (optc != 0)
        {
            if ((optc != 1 && optc != 3) || !c.ArgIs(3, "FULL"u8) || (optc == 3 && !c.ArgIs(4, "COUNT"u8)))
            {
                // Redis looks the key up first, then validates the options.
                if (TryGetExistingStream(c, out _))
                {
                    SubcommandSyntaxError(c, "XINFO");
                }

                return;
            }

            full = true;
        }

        if (!TryGetExistingStream(c, out var s))
        {
            return;
        }

        if (optc == 3)
        {
            if (!c.TryGetLong(5, out count))
            {
                return;
            }

            if (count < 0)
            {
                count = 10;
            }
        }

        c.Reply.MapHeader(full ? 9 : 10);
        c.Reply.Bulk("length"u8);
        c.Reply.Integer(s.Length);
        c.Reply.Bulk("radix-tree-keys"u8);
        c.Reply.Integer(s.NodeCount);
        c.Reply.Bulk("radix-tree-nodes"u8);
        c.Reply.Integer(s.RadixTreeNodes);
        c.Reply.Bulk("last-generated-id"u8);
        WriteId(c.Reply, s.LastId);
        c.Reply.Bulk("max-deleted-entry-id"u8);
        WriteId(c.Reply, s.MaxDeletedId);
        c.Reply.Bulk("entries-added"u8);
        c.Reply.Integer(s.EntriesAdded);
        c.Reply.Bulk("recorded-first-entry-id"u8);
        WriteId(c.Reply, s.FirstId);
        if (!full)
        {
            c.Reply.Bulk("groups"u8);
            c.Reply.Integer(s.GroupCount);
            c.Reply.Bulk("first-entry"u8);
            WriteEdge(c, s, reverse: false);
            c.Reply.Bulk("last-entry"u8);
            WriteEdge(c, s, reverse: true);
            return;
        }

        c.Reply.Bulk("entries"u8);
        var entries = new List<StreamEntry>();
        foreach (var e in s.Range(StreamId.Zero, StreamId.Max))
        {
            if (count > 0 && entries.Count == count)
            {
                break;
            }

            entries.Add(e);
        }

        c.Reply.ArrayHeader(entries.Count);
        foreach (var e in entries)
        {
            WriteEntry(c.Reply, e);
        }

        c.Reply.Bulk("groups"u8);
        c.Reply.ArrayHeader(s.GroupCount);
        if (s.Groups is null)
        {
            return;
        }

        var max = count > 0 ? (int)Math.Min(count, int.MaxValue) : int.MaxValue;
        foreach (var (name, group) in s.Groups)
        {
            c.Reply.MapHeader(7);
            c.Reply.Bulk("name"u8);
            c.Reply.Bulk(name);
            c.Reply.Bulk("last-delivered-id"u8);
            WriteId(c.Reply, group.LastId);
            WriteGroupCounters(c, s, group);
            c.Reply.Bulk("pel-count"u8);
            c.Reply.Integer(group.Pending.Count);
            c.Reply.Bulk("pending"u8);
            var pel = group.Pending.Range(StreamId.Zero, StreamId.Max, max);
            c.Reply.ArrayHeader(pel.Count);
            foreach (var nack in pel)
            {
                c.Reply.ArrayHeader(4);
                WriteId(c.Reply, nack.Id);
                c.Reply.Bulk(nack.Consumer?.Name ?? []);
                c.Reply.Integer(nack.DeliveryTime);
                c.Reply.Integer(nack.DeliveryCount);
            }

            c.Reply.Bulk("consumers"u8);
            c.Reply.ArrayHeader(group.Consumers.Count);
            foreach (var (cname, consumer) in group.Consumers)
            {
                c.Reply.MapHeader(4);
                c.Reply.Bulk("name"u8);
                c.Reply.Bulk(cname);
                c.Reply.Bulk("seen-time"u8);
                c.Reply.Integer(consumer.SeenTime);
                c.Reply.Bulk("pel-count"u8);
                c.Reply.Integer(consumer.Pending.Count);
                c.Reply.Bulk("pending"u8);
                var cpel = consumer.Pending.Range(StreamId.Zero, StreamId.Max, max);
                c.Reply.ArrayHeader(cpel.Count);
                foreach (var nack in cpel)
                {
                    c.Reply.ArrayHeader(3);
                    WriteId(c.Reply, nack.Id);
                    c.Reply.Integer(nack.DeliveryTime);
                    c.Reply.Integer(nack.DeliveryCount);
                }
            }
        }
    }

    private static void WriteEdge(CommandContext c, RedisStream s, bool reverse)
    {
        foreach (var e in s.Range(StreamId.Zero, StreamId.Max, reverse))
        {
            WriteEntry(c.Reply, e);
            return;
        }

        c.Reply.Null();
    }
}
