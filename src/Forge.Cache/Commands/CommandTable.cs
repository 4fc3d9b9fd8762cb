namespace Forge.Cache.Commands;

/// <summary>
/// The registry of commands, filled by one <c>Register</c> method per command family (one file
/// each: StringCommands.cs, ListCommands.cs ...). Lookup is case-insensitive by name.
/// </summary>
internal sealed class CommandTable
{
    private readonly Dictionary<string, CommandDef> _commands = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CommandDef>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    public CommandTable()
    {
        _byChars = _commands.GetAlternateLookup<ReadOnlySpan<char>>();
        ConnectionCommands.Register(this);
        KeyCommands.Register(this);
        StringCommands.Register(this);
        BitCommands.Register(this);
        ListCommands.Register(this);
        HashCommands.Register(this);
        SetCommands.Register(this);
        SortedSetCommands.Register(this);
        TransactionCommands.Register(this);
        PubSubCommands.Register(this);
        StreamCommands.Register(this);
        ServerCommands.Register(this);
        ScriptingCommands.Register(this); // scripting (cache-lua)

        // These families call c.Touch exactly where Redis signals a modified key.
        foreach (var cmd in _commands.Values)
        {
            cmd.TouchesKeysItself = cmd.Group is "hash" or "set" or "stream";
        }
    }

    public IEnumerable<CommandDef> All => _commands.Values;

    public int Count => _commands.Count;

    /// <summary>Finds a command by its (ASCII) name without allocating.</summary>
    public CommandDef? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return _byChars.TryGetValue(chars, out var def) ? def : null;
    }

    public CommandDef? Find(string name) => _commands.GetValueOrDefault(name);

    /// <summary>
    /// Adds a command. <paramref name="flags"/> is a space-separated list in Redis's words
    /// ("write denyoom fast"); key positions as in Redis (first, last (-1 = last argument), step).
    /// </summary>
    public CommandDef Add(string name, int arity, string flags, int firstKey, int lastKey, int step, CommandHandler handler, string group = "generic")
    {
        var def = new CommandDef(name, arity, ParseFlags(flags), firstKey, lastKey, step, handler) { Group = group };
        _commands[name] = def;
        return def;
    }

    /// <summary>Adds a command whose key positions are computed by <paramref name="getKeys"/>.</summary>
    public CommandDef AddMovable(string name, int arity, string flags, Func<CommandContext, List<int>> getKeys, CommandHandler handler, string group = "generic")
    {
        var def = new CommandDef(name, arity, ParseFlags(flags) | CommandFlags.MovableKeys, 0, 0, 0, handler) { Group = group, GetKeys = getKeys };
        _commands[name] = def;
        return def;
    }

    /// <summary>Adds a container command (CLIENT, CONFIG, OBJECT ...) whose subcommands are added to the result.</summary>
    public CommandDef AddContainer(string name, string group = "generic")
    {
        var def = new CommandDef(name, -2, CommandFlags.None, 0, 0, 0, null) { Group = group };
        _commands[name] = def;
        return def;
    }

    public static CommandDef Sub(CommandDef container, string name, int arity, string flags, int firstKey, int lastKey, int step, CommandHandler handler) =>
        container.AddSubcommand(new CommandDef(name, arity, ParseFlags(flags), firstKey, lastKey, step, handler) { Group = container.Group });

    public static CommandFlags ParseFlags(string flags)
    {
        var result = CommandFlags.None;
        foreach (var word in flags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            result |= word switch
            {
                "write" => CommandFlags.Write,
                "readonly" => CommandFlags.ReadOnly,
                "denyoom" => CommandFlags.DenyOom,
                "admin" => CommandFlags.Admin,
                "pubsub" => CommandFlags.PubSub,
                "noscript" => CommandFlags.NoScript,
                "blocking" => CommandFlags.Blocking,
                "loading" => CommandFlags.Loading,
                "stale" => CommandFlags.Stale,
                "skip_monitor" => CommandFlags.SkipMonitor,
                "skip_slowlog" => CommandFlags.SkipSlowlog,
                "fast" => CommandFlags.Fast,
                "no_auth" => CommandFlags.NoAuth,
                "may_replicate" => CommandFlags.MayReplicate,
                "no_multi" => CommandFlags.NoMulti,
                "allow_busy" => CommandFlags.AllowBusy,
                _ => throw new ArgumentException($"unknown command flag '{word}'", nameof(flags)),
            };
        }

        return result;
    }

    public static string FlagName(CommandFlags flag) => flag switch
    {
        CommandFlags.Write => "write",
        CommandFlags.ReadOnly => "readonly",
        CommandFlags.DenyOom => "denyoom",
        CommandFlags.Admin => "admin",
        CommandFlags.PubSub => "pubsub",
        CommandFlags.NoScript => "noscript",
        CommandFlags.Blocking => "blocking",
        CommandFlags.Loading => "loading",
        CommandFlags.Stale => "stale",
        CommandFlags.SkipMonitor => "skip_monitor",
        CommandFlags.SkipSlowlog => "skip_slowlog",
        CommandFlags.Fast => "fast",
        CommandFlags.NoAuth => "no_auth",
        CommandFlags.MayReplicate => "may_replicate",
        CommandFlags.NoMulti => "no_multi",
        CommandFlags.AllowBusy => "allow_busy",
        CommandFlags.MovableKeys => "movablekeys",
        _ => flag.ToString().ToLowerInvariant(),
    };
}
