namespace Forge.Cache.Commands;

internal delegate void CommandHandler(CommandContext c);

/// <summary>Command flags, named as in Redis's command table (COMMAND INFO prints them).</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    SkipMonitor = 1 << 9,
    SkipSlowlog = 1 << 10,
    Fast = 1 << 11,
    NoAuth = 1 << 12,
    MayReplicate = 1 << 13,
    /// <summary>Refused inside MULTI with "Command not allowed inside a transaction" (SHUTDOWN ...).</summary>
    NoMulti = 1 << 14,
    AllowBusy = 1 << 15,
    /// <summary>Keys are found by <see cref="CommandDef.GetKeys"/> (numkeys arguments and the like).</summary>
    MovableKeys = 1 << 16,
}

/// <summary>
/// One entry of the command table: name, arity (negative: at least that many, as in Redis), flags,
/// the first/last/step key positions (last -1 = the last argument), and the handler. Container
/// commands (CLIENT, CONFIG, OBJECT ...) have subcommands with their own arity; the reported name
/// of a subcommand is "container|sub", as in Redis 7 error messages.
/// </summary>
internal sealed class CommandDef
{
    public CommandDef(string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step, CommandHandler? handler)
    {
        Name = name;
        FullName = name;
        Arity = arity;
        Flags = flags;
        FirstKey = firstKey;
        LastKey = lastKey;
        Step = step;
        Handler = handler;
    }

    /// <summary>Lower-case name ("get", or "setname" for CLIENT SETNAME).</summary>
    public string Name { get; }

    /// <summary>The name as ASCII bytes, for comparing with a request's first argument.</summary>
    public byte[] NameBytes => _nameBytes ??= System.Text.Encoding.ASCII.GetBytes(Name);

    private byte[]? _nameBytes;

    /// <summary>"get", or "client|setname".</summary>
    public string FullName { get; private set; }

    public int Arity { get; }

    public CommandFlags Flags { get; }

    public int FirstKey { get; }

    public int LastKey { get; }

    public int Step { get; }

    public CommandHandler? Handler { get; }

    public CommandDef? Parent { get; private set; }

    /// <summary>For commands whose keys are not at fixed positions: the argument indices of the keys.</summary>
    public Func<CommandContext, List<int>>? GetKeys { get; init; }

    /// <summary>Redis's command group (string, list, generic ...) for COMMAND DOCS.</summary>
    public string Group { get; init; } = "generic";

    /// <summary>
    /// The handler marks modified keys itself (c.Touch, where Redis calls signalModifiedKey), so
    /// the dispatcher must not touch every declared key after it: a no-op write (SADD of a
    /// present member) then leaves WATCH intact, as in Redis.
    /// </summary>
    public bool TouchesKeysItself { get; set; }

    public string Summary { get; init; } = "";

    public string Since { get; init; } = "1.0.0";

    public Dictionary<string, CommandDef>? Subcommands { get; private set; }

    /// <summary>Calls made and microseconds spent, for INFO commandstats.</summary>
    public long Calls { get; set; }

    public long Microseconds { get; set; }

    public long RejectedCalls { get; set; }

    public long FailedCalls { get; set; }

    public bool Is(CommandFlags flag) => (Flags & flag) != 0;

    public CommandDef AddSubcommand(CommandDef sub)
    {
        Subcommands ??= new Dictionary<string, CommandDef>(StringComparer.OrdinalIgnoreCase);
        sub.Parent = this;
        sub.FullName = Name + "|" + sub.Name;
        Subcommands[sub.Name] = sub;
        return sub;
    }

    /// <summary>Argument positions of the keys in the current command (argv[0] is the name).</summary>
    public List<int> KeyPositions(CommandContext c)
    {
        if (GetKeys is not null)
        {
            return GetKeys(c);
        }

        var result = new List<int>();
        if (FirstKey <= 0)
        {
            return result;
        }

        var last = LastKey < 0 ? c.ArgCount + LastKey : LastKey;
        for (var i = FirstKey; i <= last && i < c.ArgCount; i += Math.Max(Step, 1))
        {
            result.Add(i);
        }

        return result;
    }
}
