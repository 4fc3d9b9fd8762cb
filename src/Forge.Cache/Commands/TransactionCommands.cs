namespace Forge.Cache.Commands;

/// <summary>
/// MULTI / EXEC / DISCARD / WATCH / UNWATCH with Redis's semantics: commands are queued (errors
/// found while queueing abort EXEC with EXECABORT), EXEC runs the queue atomically (the server
/// lock is held throughout) and fails with a null reply when a watched key was touched or expired.
/// </summary>
internal static class TransactionCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0, Multi, "transactions");
        t.Add("exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0, Exec, "transactions");
        t.Add("discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0, Discard, "transactions");
        t.Add("watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, Watch, "transactions");
        t.Add("unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, Unwatch, "transactions");
    }

    private static void Multi(CommandContext c)
    {
        if (c.Client.InMulti)
        {
            c.Reply.Error("ERR MULTI calls can not be nested");
            return;
        }

        c.Client.InMulti = true;
        c.Client.MultiFailed = false;
        c.Client.MultiQueue.Clear();
        c.Reply.Ok();
    }

    private static void Discard(CommandContext c)
    {
        if (!c.Client.InMulti)
        {
            c.Reply.Error("ERR DISCARD without MULTI");
            return;
        }

        Reset(c);
        c.Reply.Ok();
    }

    private static void Reset(CommandContext c)
    {
        c.Client.InMulti = false;
        c.Client.MultiFailed = false;
        c.Client.MultiQueue.Clear();
        c.Server.Watches.UnwatchAll(c.Client);
    }

    private static void Watch(CommandContext c)
    {
        if (c.Client.InMulti)
        {
            c.Reply.Error("ERR WATCH inside MULTI is not allowed");
            return;
        }

        for (var i = 1; i < c.ArgCount; i++)
        {
            c.Server.Watches.Watch(c.Client, c.ArgBytes(i));
        }

        c.Reply.Ok();
    }

    private static void Unwatch(CommandContext c)
    {
        c.Server.Watches.UnwatchAll(c.Client);
        c.Reply.Ok();
    }

    private static void Exec(CommandContext c)
    {
        var client = c.Client;
        if (!client.InMulti)
        {
            c.Reply.Error("ERR EXEC without MULTI");
            return;
        }

        if (client.MultiFailed)
        {
            Reset(c);
            c.Reply.Error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        if (client.WatchDirty || c.Server.Watches.AnyExpiredSinceWatch(client))
        {
            Reset(c);
            c.Reply.NullArray();
            return;
        }

        var queue = client.MultiQueue.ToArray();
        client.InMulti = false;
        client.MultiQueue.Clear();
        c.Server.Watches.UnwatchAll(client);
        var execDef = c.Command;
        var saved = client.Args.ToArrays();
        c.Reply.ArrayHeader(queue.Length);
        foreach (var args in queue)
        {
            client.Args.Set(args);
            c.Keyspace.Tick();
            var cmd = c.Server.Commands.Find(args[0])!;
            if (cmd.Subcommands is not null)
            {
                cmd = cmd.Subcommands.GetValueOrDefault(System.Text.Encoding.UTF8.GetString(args[1]))!;
            }

            client.Call(cmd, canBlock: false);
        }

        client.Args.Set(saved);
        c.Command = execDef;
    }
}
