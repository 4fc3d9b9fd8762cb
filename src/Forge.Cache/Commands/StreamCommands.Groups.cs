using System.Text;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>Consumer groups: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.</summary>
internal static partial class StreamCommands
{
    private static void RegisterGroupCommands(CommandTable t)
    {
        var g = t.AddContainer("xgroup", "stream");
        CommandTable.Sub(g, "create", -5, "write denyoom", 2, 2, 1, XGroup).TouchesKeysItself = true;
        CommandTable.Sub(g, "setid", -5, "write", 2, 2, 1, XGroup).TouchesKeysItself = true;
        CommandTable.Sub(g, "destroy", 4, "write", 2, 2, 1, XGroup).TouchesKeysItself = true;
        CommandTable.Sub(g, "createconsumer", 5, "write denyoom", 2, 2, 1, XGroup).TouchesKeysItself = true;
        CommandTable.Sub(g, "delconsumer", 5, "write", 2, 2, 1, XGroup).TouchesKeysItself = true;
        CommandTable.Sub(g, "help", 2, "loading stale", 0, 0, 0, XGroup);
    }

    private static string Str(byte[] b) => Encoding.UTF8.GetString(b);

    private static void SubcommandSyntaxError(CommandContext c, string container) =>
        c.Reply.Error($"ERR unknown subcommand or wrong number of arguments for '{c.ArgString(1)}'. Try {container} HELP.");

    private static void XGroup(CommandContext c)
    {
        RedisStream? s = null;
        ConsumerGroup? cg = null;
        var mkstream = false;
        var entriesRead = ConsumerGroup.InvalidEntriesRead;
        var create = c.ArgIs(1, "CREATE"u8);
        var setid = c.ArgIs(1, "SETID"u8);
        byte[]? groupName = null;
        if (c.ArgCount >= 4)
        {
            for (var i = 5; i < c.ArgCount;)
            {
                if (create && c.ArgIs(i, "MKSTREAM"u8))
                {
                    mkstream = true;
                    i++;
                }
                else if ((create || setid) && c.ArgIs(i, "ENTRIESREAD"u8) && i + 1 < c.ArgCount)
                {
                    if (!c.TryGetLong(i + 1, out entriesRead))
                    {
                        return;
                    }

                    if (entriesRead < 0 && entriesRead != ConsumerGroup.InvalidEntriesRead)
                    {
                        c.Reply.Error("ERR value for ENTRIESREAD must be positive or -1");
                        return;
                    }

                    i += 2;
                }
                else
                {
                    SubcommandSyntaxError(c, "XGROUP");
                    return;
                }
            }

            if (!TryGetStream(c, c.Arg(2), out s))
            {
                return;
            }

            groupName = c.ArgBytes(3);
        }

        if (c.ArgCount >= 4 && !mkstream)
        {
            if (s is null)
            {
                c.Reply.Error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
                return;
            }

            cg = s.FindGroup(groupName!);
            if (cg is null && (setid || c.ArgIs(1, "CREATECONSUMER"u8) || c.ArgIs(1, "DELCONSUMER"u8)))
            {
                c.Reply.Error($"NOGROUP No such consumer group '{Str(groupName!)}' for key name '{c.ArgString(2)}'");
                return;
            }
        }

        var key = c.Arg(c.ArgCount >= 3 ? 2 : 0);
        if (c.ArgCount == 2 && c.ArgIs(1, "HELP"u8))
        {
            ConnectionCommands.Help(c, "XGROUP",
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.");
        }
        else if (create && c.ArgCount is >= 5 and <= 8)
        {
            StreamId id;
            var arg = c.Arg(4);
            if (arg.Length == 1 && arg[0] == '$')
            {
                id = s?.LastId ?? StreamId.Zero;
            }
            else if (!TryGetId(c, 4, 0, strict: true, out id))
            {
                return;
            }

            if (s is null)
            {
                s = new RedisStream();
                c.Db.Add(key, s);
                c.Touch(key);
            }

            if (s.CreateGroup(groupName!, id, entriesRead) is not null)
            {
                c.Reply.Ok();
                c.Notify(Notify.Stream, "xgroup-create", key);
            }
            else
            {
                c.Reply.Error("BUSYGROUP Consumer Group name already exists");
            }
        }
        else if (setid && c.ArgCount is 5 or 7)
        {
            StreamId id;
            var arg = c.Arg(4);
            if (arg.Length == 1 && arg[0] == '$')
            {
                id = s!.LastId;
            }
            else if (!TryGetId(c, 4, 0, strict: false, out id))
            {
                return;
            }

            cg!.LastId = id;
            cg.EntriesRead = entriesRead;
            c.Reply.Ok();
            c.Notify(Notify.Stream, "xgroup-setid", key);
        }
        else if (c.ArgIs(1, "DESTROY"u8) && c.ArgCount == 4)
        {
            if (cg is not null)
            {
                s!.DestroyGroup(groupName!);
                c.Reply.Integer(1);
                c.Notify(Notify.Stream, "xgroup-destroy", key);
                c.SignalKeyReady(key);
            }
            else
            {
                c.Reply.Integer(0);
                c.Dirty = 0;
            }
        }
        else if (c.ArgIs(1, "CREATECONSUMER"u8) && c.ArgCount == 5)
        {
            var name = c.ArgBytes(4);
            if (cg!.FindConsumer(name) is null)
            {
                cg.Consumers[name] = new StreamConsumer(name, c.Now);
                c.Notify(Notify.Stream, "xgroup-createconsumer", key);
                c.Reply.Integer(1);
            }
            else
            {
                c.Dirty = 0;
                c.Reply.Integer(0);
            }
        }
        else if (c.ArgIs(1, "DELCONSUMER"u8) && c.ArgCount == 5)
        {
            var consumer = cg!.FindConsumer(c.ArgBytes(4));
            long pending = 0;
            if (consumer is not null)
            {
                pending = consumer.Pending.Count;
                cg.DeleteConsumer(consumer);
                c.Notify(Notify.Stream, "xgroup-delconsumer", key);
            }
            else
            {
                c.Dirty = 0;
            }

            c.Reply.Integer(pending);
        }
        else
        {
            SubcommandSyntaxError(c, "XGROUP");
        }
    }

    private static void XAck(CommandContext c)
    {
        if (!TryGetStream(c, c.Arg(1), out var s))
        {
            return;
        }

        var group = s?.FindGroup(c.ArgBytes(2));
        if (group is null)
        {
            c.Reply.Integer(0);
            c.Dirty = 0;
            return;
        }

        var ids = new StreamId[c.ArgCount - 3];
        for (var j = 3; j < c.ArgCount; j++)
        {
            if (!TryGetId(c, j, 0, strict: true, out ids[j - 3]))
            {
                return;
            }
        }

        var acked = 0;
        foreach (var id in ids)
        {
            var nack = group.Pending.Find(id);
            if (nack is not null)
            {
                group.Pending.Remove(id);
                nack.Consumer?.Pending.Remove(id);
                acked++;
            }
        }

        c.Dirty = acked;
        c.Reply.Integer(acked);
    }

    private static void XPending(CommandContext c)
    {
        var justInfo = c.ArgCount == 3;
        if (c.ArgCount != 3 && (c.ArgCount < 6 || c.ArgCount > 9))
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        StreamId start = default, end = default;
        long count = 0, minIdle = 0;
        byte[]? consumerName = null;
        if (c.ArgCount >= 6)
        {
            var startIdx = 3;
            if (c.ArgIs(3, "IDLE"u8))
            {
                if (!c.TryGetLong(4, out minIdle))
                {
                    return;
                }

                if (c.ArgCount < 8)
                {
                    c.Reply.Error(Errors.Syntax);
                    return;
                }

                startIdx += 2;
            }

            if (!c.TryGetLong(startIdx + 2, out count))
            {
                return;
            }

            if (count < 0)
            {
                count = 0;
            }

            if (!TryGetRangeStart(c, startIdx, out start) || !TryGetRangeEnd(c, startIdx + 1, out end))
            {
                return;
            }

            if (startIdx + 3 < c.ArgCount)
            {
                consumerName = c.ArgBytes(startIdx + 3);
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

        if (justInfo)
        {
            c.Reply.ArrayHeader(4);
            c.Reply.Integer(group.Pending.Count);
            if (group.Pending.Count == 0)
            {
                c.Reply.Null();
                c.Reply.Null();
                c.Reply.NullArray();
                return;
            }

            WriteId(c.Reply, group.Pending.First!.Id);
            WriteId(c.Reply, group.Pending.Last!.Id);
            var owners = new List<StreamConsumer>();
            foreach (var (_, consumer) in group.Consumers)
            {
                if (consumer.Pending.Count > 0)
                {
                    owners.Add(consumer);
                }
            }

            c.Reply.ArrayHeader(owners.Count);
            foreach (var consumer in owners)
            {
                c.Reply.ArrayHeader(2);
                c.Reply.Bulk(consumer.Name);
                c.Reply.BulkInteger(consumer.Pending.Count);
            }

            return;
        }

        PendingList pel = group.Pending;
        if (consumerName is not null)
        {
            var consumer = group.FindConsumer(consumerName);
            if (consumer is null)
            {
                c.Reply.EmptyArray();
                return;
            }

            pel = consumer.Pending;
        }

        var now = c.Now;
        var result = new List<PendingEntry>();
        if (count > 0)
        {
            foreach (var nack in pel.Range(start, end))
            {
                if (minIdle != 0 && now - nack.DeliveryTime < minIdle)
                {
                    continue;
                }

                result.Add(nack);
                if (result.Count == count)
                {
                    break;
                }
            }
        }

        c.Reply.ArrayHeader(result.Count);
        foreach (var nack in result)
        {
            c.Reply.ArrayHeader(4);
            WriteId(c.Reply, nack.Id);
            c.Reply.Bulk(nack.Consumer?.Name ?? []);
            c.Reply.Integer(Math.Max(now - nack.DeliveryTime, 0));
            c.Reply.Integer(nack.DeliveryCount);
        }
    }
}
