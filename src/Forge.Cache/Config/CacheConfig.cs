using System.Globalization;
using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Config;

internal enum DirectiveKind
{
    Bool,
    Integer,
    Memory,
    Enum,
    Text,
    /// <summary>Validated by a custom parser (save, client-output-buffer-limit, bind ...).</summary>
    Special,
}

/// <summary>One configuration directive, as redis.conf and CONFIG GET/SET name it.</summary>
internal sealed class Directive
{
    public required string Name { get; init; }

    public string[] Aliases { get; init; } = [];

    public DirectiveKind Kind { get; init; }

    public required string Default { get; init; }

    public long Min { get; init; } = long.MinValue;

    public long Max { get; init; } = long.MaxValue;

    public string[] Choices { get; init; } = [];

    /// <summary>False for directives that only a restart changes (CONFIG SET refuses them).</summary>
    public bool Mutable { get; init; } = true;

    /// <summary>Validates and normalises a value; returns the error text (Redis's wording) or null.</summary>
    public Func<string, (string? Value, string? Error)>? Parse { get; init; }

    /// <summary>Directives that take several words on one line (save, bind, client-output-buffer-limit).</summary>
    public bool MultiArg { get; init; }
}

/// <summary>
/// The server's configuration: every supported directive with its current value, filled from the
/// defaults, then a redis.conf-syntax file, then command-line "--name value" pairs, and changed at
/// run time by CONFIG SET. Values are kept in their normalised text form (what CONFIG GET prints);
/// typed accessors read them. <see cref="Changed"/> lets the server apply a change as it happens.
/// </summary>
internal sealed class CacheConfig
{
    private static readonly Directive[] s_directives = BuildDirectives();
    private static readonly Dictionary<string, Directive> s_byName = IndexDirectives();

    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public CacheConfig()
    {
        foreach (var d in s_directives)
        {
            _values[d.Name] = Normalise(d, d.Default).Value ?? d.Default;
        }
    }

    public static IReadOnlyList<Directive> Directives => s_directives;

    /// <summary>Raised after a value changed (name, new value), under the server's lock.</summary>
    public event Action<string, string>? Changed;

    public string this[string name] => _values[Canonical(name)];

    public int Port => (int)GetLong("port");

    public int Databases => (int)GetLong("databases");

    public string RequirePass => this["requirepass"];

    public long GetLong(string name) => long.Parse(this[name], CultureInfo.InvariantCulture);

    public bool GetBool(string name) => this[name] == "yes";

    public static bool IsKnown(string name) => s_byName.ContainsKey(name);

    private static string Canonical(string name) => s_byName.TryGetValue(name, out var d) ? d.Name : name;

    /// <summary>Sets a directive; returns null on success or Redis's error text for CONFIG SET.</summary>
    public string? Set(string name, string value, bool startup = false)
    {
        if (!s_byName.TryGetValue(name, out var d))
        {
            return $"Unknown option or number of arguments for CONFIG SET - '{name}'";
        }

        if (!startup && !d.Mutable)
        {
            return $"CONFIG SET failed (possibly related to argument '{name}') - can't set immutable config";
        }

        var (normal, error) = Normalise(d, value);
        if (error is not null)
        {
            return $"CONFIG SET failed (possibly related to argument '{name}') - {error}";
        }

        _values[d.Name] = normal!;
        _limits = null;
        Changed?.Invoke(d.Name, normal!);
        return null;
    }

    private EncodingLimits? _limits;

    /// <summary>
    /// The numeric directives commands read on every call (encoding thresholds, size limits), parsed
    /// once per change: a field read instead of a dictionary lookup and a parse (measured: 8% of
    /// ZADD's time at -P 16 went to parsing zset-max-listpack-* per call).
    /// </summary>
    public EncodingLimits Limits => _limits ??= new EncodingLimits(
        GetLong("set-max-intset-entries"),
        GetLong("hash-max-listpack-entries"),
        GetLong("hash-max-listpack-value"),
        GetLong("zset-max-listpack-entries"),
        GetLong("zset-max-listpack-value"),
        GetLong("list-max-listpack-size"),
        GetLong("proto-max-bulk-len"));

    /// <summary>CONFIG GET: every (name, value) whose name matches one of the glob patterns.</summary>
    public List<(string Name, string Value)> Get(IEnumerable<string> patterns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, string)>();
        foreach (var pattern in patterns)
        {
            var lower = pattern.ToLowerInvariant();
            foreach (var d in s_directives)
            {
                foreach (var name in d.Aliases.Prepend(d.Name))
                {
                    if (Glob.Match(Encoding.UTF8.GetBytes(lower), Encoding.UTF8.GetBytes(name), nocase: true) && seen.Add(name))
                    {
                        result.Add((name, _values[d.Name]));
                    }
                }
            }
        }

        return result;
    }

    private static (string? Value, string? Error) Normalise(Directive d, string value)
    {
        switch (d.Kind)
        {
            case DirectiveKind.Bool:
                var v = value.ToLowerInvariant();
                return v is "yes" or "no" ? (v, null) : (null, "argument must be 'yes' or 'no'");
            case DirectiveKind.Integer:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    return (null, "argument couldn't be parsed into an integer");
                }

                if (n < d.Min || n > d.Max)
                {
                    return (null, $"argument must be between {d.Min} and {d.Max} inclusive");
                }

                return (n.ToString(CultureInfo.InvariantCulture), null);
            case DirectiveKind.Memory:
                if (!TryParseMemory(value, out var bytes))
                {
                    return (null, "argument must be a memory value");
                }

                if (bytes < d.Min || bytes > d.Max)
                {
                    return (null, $"argument must be between {d.Min} and {d.Max} inclusive");
                }

                return (bytes.ToString(CultureInfo.InvariantCulture), null);
            case DirectiveKind.Enum:
                var e = value.ToLowerInvariant();
                return Array.IndexOf(d.Choices, e) >= 0 ? (e, null) : (null, "argument(s) must be one of the following: " + string.Join(", ", d.Choices));
            case DirectiveKind.Special:
                return d.Parse!(value);
            default:
                return (value, null);
        }
    }

    /// <summary>Redis's memtoull: "100", "1k" (1000), "1kb" (1024), "5mb", "2gb", case-insensitive.</summary>
    public static bool TryParseMemory(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim().ToLowerInvariant();
        long mul = 1;
        string[] units = ["kb", "mb", "gb", "k", "m", "g", "b"];
        long[] muls = [1024, 1024 * 1024, 1024L * 1024 * 1024, 1000, 1000 * 1000, 1000L * 1000 * 1000, 1];
        for (var i = 0; i < units.Length; i++)
        {
            if (s.EndsWith(units[i], StringComparison.Ordinal))
            {
                mul = muls[i];
                s = s[..^units[i].Length];
                break;
            }
        }

        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        bytes = n * mul;
        return true;
    }

    private static Dictionary<string, Directive> IndexDirectives()
    {
        var map = new Dictionary<string, Directive>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in s_directives)
        {
            map[d.Name] = d;
            foreach (var a in d.Aliases)
            {
                map[a] = d;
            }
        }

        return map;
    }

    private static Directive[] BuildDirectives()
    {
        static Directive B(string name, string def, bool mutable = true) => new() { Name = name, Kind = DirectiveKind.Bool, Default = def, Mutable = mutable };
        static Directive I(string name, string def, long min, long max, bool mutable = true, params string[] aliases) =>
            new() { Name = name, Kind = DirectiveKind.Integer, Default = def, Min = min, Max = max, Mutable = mutable, Aliases = aliases };
        static Directive M(string name, string def, long min = 0, long max = long.MaxValue) => new() { Name = name, Kind = DirectiveKind.Memory, Default = def, Min = min, Max = max };
        static Directive E(string name, string def, params string[] choices) => new() { Name = name, Kind = DirectiveKind.Enum, Default = def, Choices = choices };
        static Directive T(string name, string def, bool mutable = true) => new() { Name = name, Kind = DirectiveKind.Text, Default = def, Mutable = mutable };

        return
        [
            I("port", "6379", 0, 65535, mutable: false),
            new() { Name = "bind", Kind = DirectiveKind.Special, Default = "127.0.0.1", Mutable = false, MultiArg = true, Parse = v => (string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries)), null) },
            T("requirepass", ""),
            I("databases", "16", 1, int.MaxValue, mutable: false),
            I("timeout", "0", 0, int.MaxValue),
            I("maxclients", "10000", 1, int.MaxValue),
            I("tcp-keepalive", "300", 0, int.MaxValue),
            I("tcp-backlog", "511", 0, int.MaxValue, mutable: false),
            I("hz", "10", 0, int.MaxValue),
            M("proto-max-bulk-len", "536870912", 1024 * 1024, long.MaxValue),
            M("client-query-buffer-limit", "1073741824", 1024 * 1024, long.MaxValue),
            new() { Name = "client-output-buffer-limit", Kind = DirectiveKind.Special, Default = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", MultiArg = true, Parse = OutputLimits.Normalise },
            M("maxmemory", "0"),
            E("maxmemory-policy", "noeviction", "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction"),
            I("maxmemory-samples", "5", 1, 64),
            I("maxmemory-eviction-tenacity", "10", 0, 100),
            I("lfu-log-factor", "10", 0, int.MaxValue),
            I("lfu-decay-time", "1", 0, int.MaxValue),
            new() { Name = "save", Kind = DirectiveKind.Special, Default = "3600 1 300 100 60 10000", MultiArg = true, Parse = NormaliseSave },
            B("appendonly", "no"),
            E("appendfsync", "everysec", "always", "everysec", "no"),
            T("appendfilename", "appendonly.aof", mutable: false),
            T("appenddirname", "appendonlydir", mutable: false),
            T("dbfilename", "dump.rdb"),
            T("dir", Directory.GetCurrentDirectory()),
            E("loglevel", "notice", "debug", "verbose", "notice", "warning", "nothing"),
            T("logfile", "", mutable: false),
            B("daemonize", "no", mutable: false),
            B("protected-mode", "yes"),
            T("pidfile", "", mutable: false),
            I("io-threads", "1", 1, 128, mutable: false),
            I("list-max-listpack-size", "-2", int.MinValue, int.MaxValue, true, "list-max-ziplist-size"),
            I("list-compress-depth", "0", 0, int.MaxValue),
            I("hash-max-listpack-entries", "128", 0, long.MaxValue, true, "hash-max-ziplist-entries"),
            I("hash-max-listpack-value", "64", 0, long.MaxValue, true, "hash-max-ziplist-value"),
            I("set-max-intset-entries", "512", 0, long.MaxValue),
            I("zset-max-listpack-entries", "128", 0, long.MaxValue, true, "zset-max-ziplist-entries"),
            I("zset-max-listpack-value", "64", 0, long.MaxValue, true, "zset-max-ziplist-value"),
            I("slowlog-log-slower-than", "10000", -1, long.MaxValue),
            I("slowlog-max-len", "128", 0, long.MaxValue),
            I("latency-monitor-threshold", "0", 0, long.MaxValue),
            B("latency-tracking", "yes"),
            new() { Name = "notify-keyspace-events", Kind = DirectiveKind.Special, Default = "", Parse = v => NotifyFlags.Parse(v) is { } f ? (NotifyFlags.Format(f), null) : (null, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.") },
            B("lazyfree-lazy-eviction", "no"),
            B("lazyfree-lazy-expire", "no"),
            B("lazyfree-lazy-server-del", "no"),
            B("lazyfree-lazy-user-del", "no"),
            B("lazyfree-lazy-user-flush", "no"),
            B("activerehashing", "yes"),
            I("active-expire-effort", "1", 1, 10),
            B("stop-writes-on-bgsave-error", "yes"),
            B("rdbcompression", "yes"),
            B("rdbchecksum", "yes"),
            B("aof-use-rdb-preamble", "yes"),
            B("replica-read-only", "yes"),
            I("busy-reply-threshold", "5000", 0, long.MaxValue, true, "lua-time-limit"),
            E("enable-debug-command", "no", "yes", "no", "local"),
            E("enable-protected-configs", "no", "yes", "no", "local"),
            E("enable-module-command", "no", "yes", "no", "local"),
            I("stream-node-max-entries", "100", 0, long.MaxValue),
            M("stream-node-max-bytes", "4096"),
            I("hll-sparse-max-bytes", "3000", 0, long.MaxValue),
            B("dynamic-hz", "yes"),
            I("rdb-key-save-delay", "0", int.MinValue, int.MaxValue),
            E("sanitize-dump-payload", "no", "no", "yes", "clients"),
        ];
    }

    private static (string? Value, string? Error) NormaliseSave(string value)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length % 2 != 0)
        {
            return (null, "Invalid save parameters");
        }

        foreach (var w in words)
        {
            if (!long.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return (null, "Invalid save parameters");
            }
        }

        return (string.Join(' ', words), null);
    }
}

/// <summary>A snapshot of the numeric directives on command paths; see <see cref="CacheConfig.Limits"/>.</summary>
internal sealed record EncodingLimits(
    long SetMaxIntsetEntries,
    long HashMaxListpackEntries,
    long HashMaxListpackValue,
    long ZsetMaxListpackEntries,
    long ZsetMaxListpackValue,
    long ListMaxListpackSize,
    long ProtoMaxBulkLen);
