namespace Forge.Cache.Commands;

/// <summary>COMMAND: introspection of the command table, as clients (redis-cli hints, cluster clients) use it.</summary>
internal static partial class ServerCommands
{
    private static void RegisterCommandCommand(CommandTable t)
    {
        // COMMAND with no subcommand lists everything, so it is a plain command that dispatches itself.
        t.Add("command", -1, "loading stale", 0, 0, 0, Command, "server");
    }

    private static void Command(CommandContext c)
    {
        var table = c.Server.Commands;
        if (c.ArgCount == 1)
        {
            c.Reply.ArrayHeader(table.Count);
            foreach (var cmd in table.All)
            {
                WriteInfo(c, cmd);
            }

            return;
        }

        if (c.ArgIs(1, "COUNT"u8) && c.ArgCount == 2)
        {
            c.Reply.Integer(table.Count);
        }
        else if (c.ArgIs(1, "INFO"u8))
        {
            if (c.ArgCount == 2)
            {
                c.Reply.ArrayHeader(table.Count);
                foreach (var cmd in table.All)
                {
                    WriteInfo(c, cmd);
                }

                return;
            }

            c.Reply.ArrayHeader(c.ArgCount - 2);
            for (var i = 2; i < c.ArgCount; i++)
            {
                var cmd = Lookup(c, c.ArgString(i));
                if (cmd is null)
                {
                    c.Reply.NullArray();
                }
                else
                {
                    WriteInfo(c, cmd);
                }
            }
        }
        else if (c.ArgIs(1, "DOCS"u8))
        {
            var list = new List<CommandDef>();
            if (c.ArgCount == 2)
            {
                list.AddRange(table.All);
            }
            else
            {
                for (var i = 2; i < c.ArgCount; i++)
                {
                    if (Lookup(c, c.ArgString(i)) is { } cmd)
                    {
                        list.Add(cmd);
                    }
                }
            }

            c.Reply.MapHeader(list.Count);
            foreach (var cmd in list)
            {
                c.Reply.Bulk(cmd.FullName);
                WriteDocs(c, cmd);
            }
        }
        else if (c.ArgIs(1, "LIST"u8))
        {
            var names = table.All.Select(x => x.Name).ToList();
            c.Reply.ArrayHeader(names.Count);
            foreach (var n in names)
            {
                c.Reply.Bulk(n);
            }
        }
        else if (c.ArgIs(1, "GETKEYS"u8) && c.ArgCount >= 3)
        {
            GetKeys(c);
        }
        else if (c.ArgIs(1, "HELP"u8) && c.ArgCount == 2)
        {
            ConnectionCommands.Help(c, "COMMAND",
                "(no subcommand)", "    Return details about all Redis commands.",
                "COUNT", "    Return the total number of commands in this Redis server.",
                "LIST", "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                "GETKEYS <full-command>", "    Return the keys from a full Redis command.");
        }
        else
        {
            c.Reply.Error($"ERR unknown subcommand '{c.ArgString(1)}'. Try COMMAND HELP.");
        }
    }

    private static CommandDef? Lookup(CommandContext c, string name)
    {
        var bar = name.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return c.Server.Commands.Find(name);
        }

        var parent = c.Server.Commands.Find(name[..bar]);
        return parent?.Subcommands?.GetValueOrDefault(name[(bar + 1)..]);
    }

    private static void WriteInfo(CommandContext c, CommandDef cmd)
    {
        var r = c.Reply;
        r.ArrayHeader(10);
        r.Bulk(cmd.FullName);
        r.Integer(cmd.Arity);
        var flags = Enum.GetValues<CommandFlags>().Where(f => f != CommandFlags.None && cmd.Is(f)).Select(CommandTable.FlagName).ToList();
        r.SetHeader(flags.Count);
        foreach (var f in flags)
        {
            r.Simple(f);
        }

        r.Integer(cmd.FirstKey);
        r.Integer(cmd.LastKey);
        r.Integer(cmd.Step);
        r.SetHeader(1);
        r.Simple("@" + cmd.Group);
        r.EmptyArray(); // tips
        if (cmd.FirstKey > 0)
        {
            // One key spec: a range from FirstKey, as Redis describes simple commands.
            r.ArrayHeader(1);
            r.MapHeader(4);
            r.Bulk("flags"u8);
            r.SetHeader(cmd.Is(CommandFlags.Write) ? 2 : 1);
            r.Simple(cmd.Is(CommandFlags.Write) ? "RW" : "RO");
            if (cmd.Is(CommandFlags.Write))
            {
                r.Simple("UPDATE");
            }

            r.Bulk("begin_search"u8);
            r.MapHeader(2);
            r.Bulk("type"u8);
            r.Bulk("index"u8);
            r.Bulk("spec"u8);
            r.MapHeader(1);
            r.Bulk("index"u8);
            r.Integer(cmd.FirstKey);
            r.Bulk("find_keys"u8);
            r.MapHeader(2);
            r.Bulk("type"u8);
            r.Bulk("range"u8);
            r.Bulk("spec"u8);
            r.MapHeader(3);
            r.Bulk("lastkey"u8);
            r.Integer(cmd.LastKey < 0 ? cmd.LastKey : cmd.LastKey - cmd.FirstKey);
            r.Bulk("keystep"u8);
            r.Integer(cmd.Step);
            r.Bulk("limit"u8);
            r.Integer(0);
            r.Bulk("notes"u8);
            r.Bulk(""u8);
        }
        else
        {
            r.EmptyArray();
        }

        if (cmd.Subcommands is { Count: > 0 } subs)
        {
            r.ArrayHeader(subs.Count);
            foreach (var s in subs.Values)
            {
                WriteInfo(c, s);
            }
        }
        else
        {
            r.EmptyArray();
        }
    }

    private static void WriteDocs(CommandContext c, CommandDef cmd)
    {
        var r = c.Reply;
        var subs = cmd.Subcommands;
        r.MapHeader(subs is { Count: > 0 } ? 4 : 3);
        r.Bulk("summary"u8);
        r.Bulk(cmd.Summary.Length > 0 ? cmd.Summary : cmd.FullName.ToUpperInvariant().Replace('|', ' ') + " command");
        r.Bulk("since"u8);
        r.Bulk(cmd.Since);
        r.Bulk("group"u8);
        r.Bulk(cmd.Group);
        if (subs is { Count: > 0 })
        {
            r.Bulk("subcommands"u8);
            r.MapHeader(subs.Count);
            foreach (var s in subs.Values)
            {
                r.Bulk(s.FullName);
                WriteDocs(c, s);
            }
        }
    }

    /// <summary>COMMAND GETKEYS cmd arg ...: runs the key extraction on the given command line.</summary>
    private static void GetKeys(CommandContext c)
    {
        var args = c.Args.ToArrays()[2..];
        var cmd = c.Server.Commands.Find(args[0]);
        if (cmd is null)
        {
            c.Reply.Error("ERR Invalid command specified");
            return;
        }

        if (cmd.Subcommands is not null && args.Length > 1)
        {
            cmd = cmd.Subcommands.GetValueOrDefault(System.Text.Encoding.UTF8.GetString(args[1])) ?? cmd;
        }

        if ((cmd.Arity > 0 && cmd.Arity != args.Length) || args.Length < -cmd.Arity)
        {
            c.Reply.Error("ERR Invalid number of arguments specified for command");
            return;
        }

        // Key positions are computed against the inner command's argument list.
        var saved = c.Args.ToArrays();
        c.Args.Set(args);
        List<int> positions;
        try
        {
            positions = cmd.KeyPositions(c);
        }
        finally
        {
            c.Args.Set(saved);
        }

        if (positions.Count == 0)
        {
            c.Reply.Error("ERR The command has no key arguments");
            return;
        }

        c.Reply.ArrayHeader(positions.Count);
        foreach (var p in positions)
        {
            c.Reply.Bulk(args[p]);
        }
    }
}
