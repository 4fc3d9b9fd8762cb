using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB. RESP3 clients get push messages.</summary>
internal static class PubSubCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("subscribe", -2, "pubsub noscript loading stale", 0, 0, 0, Subscribe, "pubsub");
        t.Add("unsubscribe", -1, "pubsub noscript loading stale", 0, 0, 0, Unsubscribe, "pubsub");
        t.Add("psubscribe", -2, "pubsub noscript loading stale", 0, 0, 0, PSubscribe, "pubsub");
        t.Add("punsubscribe", -1, "pubsub noscript loading stale", 0, 0, 0, PUnsubscribe, "pubsub");
        t.Add("publish", 3, "pubsub loading stale fast may_replicate", 0, 0, 0, Publish, "pubsub");
        var pubsub = t.AddContainer("pubsub", "pubsub");
        CommandTable.Sub(pubsub, "channels", -2, "pubsub loading stale", 0, 0, 0, Channels);
        CommandTable.Sub(pubsub, "numsub", -2, "pubsub loading stale", 0, 0, 0, NumSub);
        CommandTable.Sub(pubsub, "numpat", 2, "pubsub loading stale", 0, 0, 0, c => c.Reply.Integer(c.Server.PubSub.PatternCount));
        CommandTable.Sub(pubsub, "shardchannels", -2, "pubsub loading stale", 0, 0, 0, c => c.Reply.EmptyArray());
        CommandTable.Sub(pubsub, "shardnumsub", -2, "pubsub loading stale", 0, 0, 0, c =>
        {
            c.Reply.MapHeader(c.ArgCount - 2);
            for (var i = 2; i < c.ArgCount; i++)
            {
                c.Reply.Bulk(c.Arg(i));
                c.Reply.Integer(0);
            }
        });
        CommandTable.Sub(pubsub, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "PUBSUB",
            "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT", "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding", "    pattern subscriptions(default: no channels)."));
    }

    private static void Confirm(CommandContext c, string kind, ReadOnlySpan<byte> name, bool nullName = false)
    {
        // Confirmations are pushes: they are delivered even under CLIENT REPLY OFF.
        var saved = c.Reply.Buffer;
        c.Reply.Buffer = c.Client.PushBuffer;
        try
        {
            WriteConfirm(c, kind, name, nullName);
        }
        finally
        {
            c.Reply.Buffer = saved;
        }
    }

    private static void WriteConfirm(CommandContext c, string kind, ReadOnlySpan<byte> name, bool nullName)
    {
        c.Reply.PushHeader(3);
        c.Reply.Bulk(kind);
        if (nullName)
        {
            c.Reply.Null();
        }
        else
        {
            c.Reply.Bulk(name);
        }

        c.Reply.Integer(c.Client.SubscriptionCount);
    }

    private static bool RejectInMulti(CommandContext c, string name)
    {
        // In Redis 7.0, SUBSCRIBE inside MULTI is allowed for RESP2 only via the queue; EXEC runs it.
        _ = c;
        _ = name;
        return false;
    }

    private static void Subscribe(CommandContext c)
    {
        if (RejectInMulti(c, "subscribe"))
        {
            return;
        }

        for (var i = 1; i < c.ArgCount; i++)
        {
            c.Server.PubSub.Subscribe(c.Client, c.ArgBytes(i));
            Confirm(c, "subscribe", c.Arg(i));
        }
    }

    private static void PSubscribe(CommandContext c)
    {
        for (var i = 1; i < c.ArgCount; i++)
        {
            c.Server.PubSub.PSubscribe(c.Client, c.ArgBytes(i));
            Confirm(c, "psubscribe", c.Arg(i));
        }
    }

    private static void Unsubscribe(CommandContext c)
    {
        if (c.ArgCount == 1)
        {
            var all = c.Client.Channels.ToList();
            if (all.Count == 0)
            {
                Confirm(c, "unsubscribe", [], nullName: true);
                return;
            }

            foreach (var ch in all)
            {
                c.Server.PubSub.Unsubscribe(c.Client, ch);
                Confirm(c, "unsubscribe", ch);
            }

            return;
        }

        for (var i = 1; i < c.ArgCount; i++)
        {
            c.Server.PubSub.Unsubscribe(c.Client, c.ArgBytes(i));
            Confirm(c, "unsubscribe", c.Arg(i));
        }
    }

    private static void PUnsubscribe(CommandContext c)
    {
        if (c.ArgCount == 1)
        {
            var all = c.Client.Patterns.ToList();
            if (all.Count == 0)
            {
                Confirm(c, "punsubscribe", [], nullName: true);
                return;
            }

            foreach (var p in all)
            {
                c.Server.PubSub.PUnsubscribe(c.Client, p);
                Confirm(c, "punsubscribe", p);
            }

            return;
        }

        for (var i = 1; i < c.ArgCount; i++)
        {
            c.Server.PubSub.PUnsubscribe(c.Client, c.ArgBytes(i));
            Confirm(c, "punsubscribe", c.Arg(i));
        }
    }

    private static void Publish(CommandContext c)
    {
        c.Reply.Integer(c.Server.PubSub.Publish(c.Arg(1), c.Arg(2)));
    }

    private static void Channels(CommandContext c)
    {
        byte[]? pattern = c.ArgCount > 2 ? c.ArgBytes(2) : null;
        var list = c.Server.PubSub.Channels.Where(ch => pattern is null || Glob.Match(pattern, ch)).ToList();
        c.Reply.ArrayHeader(list.Count);
        foreach (var ch in list)
        {
            c.Reply.Bulk(ch);
        }
    }

    private static void NumSub(CommandContext c)
    {
        c.Reply.MapHeader(c.ArgCount - 2);
        for (var i = 2; i < c.ArgCount; i++)
        {
            c.Reply.Bulk(c.Arg(i));
            c.Reply.Integer(c.Server.PubSub.Subscribers(c.ArgBytes(i)));
        }
    }
}
