using System.Globalization;
using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Protocol;
using Forge.Cache.Scripting.Lua;
using Forge.Cache.Server;
using LuaOps = Forge.Cache.Scripting.Lua.Lua;

namespace Forge.Cache.Scripting;

/// <summary>Shebang flags of a script ("#!lua flags=no-writes,allow-oom").</summary>
[Flags]
internal enum ScriptFlags
{
    None = 0,
    Declared = 1,
    NoWrites = 2,
    AllowOom = 4,
    AllowStale = 8,
    NoCluster = 16,
    AllowCrossSlot = 32,
}

internal sealed record CachedScript(string Sha, byte[] Body, FunctionProto Proto, ScriptFlags Flags);

/// <summary>
/// EVAL's engine: the script cache (by SHA1), one Lua state with Redis's libraries and global
/// protection, the redis.* API (commands run through the normal command table on a script
/// client), reply conversion both ways (RESP2 and RESP3), and the busy-script state other
/// clients read without the server lock (see docs/cache.md, "Scripting").
/// </summary>
internal sealed partial class ScriptEngine
{
    public const string BusyError = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    public const string UnkillableError = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
    public const string NotBusyError = "NOTBUSY No scripts in execution right now.";
    private const string KilledError = "ERR Script killed by user with SCRIPT KILL...";
    private const int MaxReplyDepth = 1000;

    // Run states, changed with Interlocked: SCRIPT KILL (another thread) vs the script's first write.
    private const int StateClean = 0;
    private const int StateWrote = 1;
    private const int StateKilled = 2;

    private readonly CacheServer _server;
    private readonly Dictionary<string, CachedScript> _cache = new(StringComparer.Ordinal);
    private LuaState? _lua;
    private Client? _scriptClient;

    private volatile bool _busy;
    private int _state;
    private long _startMs;
    private long _busyThresholdMs;

    // The script being run (valid while _running).
    private Client? _caller;
    private CachedScript? _current;
    private bool _readOnly;
    private int _resp = 2;

    public ScriptEngine(CacheServer server)
    {
        _server = server;
    }

    /// <summary>True while a script has run past busy-reply-threshold: other clients get -BUSY. Read without the lock.</summary>
    public bool IsBusy => _busy;

    public int CachedCount => _cache.Count;

    /// <summary>For tests: an instruction budget (in hook intervals) after which a script is stopped; 0 = none.</summary>
    public long MaxHookCalls { get; set; }

    public static string Sha1Hex(ReadOnlySpan<byte> body)
    {
#pragma warning disable CA5350 // SHA1 is the script identity Redis defines, not a security measure.
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(body));
#pragma warning restore CA5350
    }

    public CachedScript? Find(string sha) => _cache.GetValueOrDefault(sha.ToLowerInvariant());

    public void Flush()
    {
        _cache.Clear();
        _lua = null;
    }

    /// <summary>SCRIPT KILL from any thread: OK, or UNKILLABLE / NOTBUSY error text.</summary>
    public string? Kill(bool force = false)
    {
        if (!_busy)
        {
            return NotBusyError;
        }

        if (force)
        {
            Volatile.Write(ref _state, StateKilled);
            return null;
        }

        var old = Interlocked.CompareExchange(ref _state, StateKilled, StateClean);
        return old == StateWrote ? UnkillableError : null;
    }

    /// <summary>Compiles and caches a script (SCRIPT LOAD, EVAL). Null with <paramref name="error"/> set on failure.</summary>
    public CachedScript? Load(byte[] body, out string? error)
    {
        var sha = Sha1Hex(body);
        if (_cache.TryGetValue(sha, out var cached))
        {
            error = null;
            return cached;
        }

        var flags = ParseShebang(body, out error);
        if (error is not null)
        {
            return null;
        }

        FunctionProto proto;
        try
        {
            proto = Parser.Parse(body, "user_script");
        }
        catch (LuaException e)
        {
            error = "ERR Error compiling script (new function): " + ErrorText(e.Value);
            return null;
        }

        var script = new CachedScript(sha, body, proto, flags);
        _cache[sha] = script;
        return script;
    }

    private static ScriptFlags ParseShebang(byte[] body, out string? error)
    {
        error = null;
        if (body.Length < 2 || body[0] != '#' || body[1] != '!')
        {
            return ScriptFlags.None;
        }

        var end = Array.IndexOf(body, (byte)'\n');
        var line = Encoding.UTF8.GetString(body, 0, end < 0 ? body.Length : end);
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts[0] != "#!lua")
        {
            error = $"ERR Unexpected engine in script shebang: {parts[0]}";
            return ScriptFlags.None;
        }

        var flags = ScriptFlags.Declared;
        for (var i = 1; i < parts.Length; i++)
        {
            if (!parts[i].StartsWith("flags=", StringComparison.Ordinal))
            {
                error = $"ERR Unknown lua shebang option: {parts[i]}";
                return ScriptFlags.None;
            }

            foreach (var f in parts[i][6..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                flags |= f switch
                {
                    "no-writes" => ScriptFlags.NoWrites,
                    "allow-oom" => ScriptFlags.AllowOom,
                    "allow-stale" => ScriptFlags.AllowStale,
                    "no-cluster" => ScriptFlags.NoCluster,
                    "allow-cross-slot-keys" => ScriptFlags.AllowCrossSlot,
                    _ => ScriptFlags.None,
                };
                if (f is not ("no-writes" or "allow-oom" or "allow-stale" or "no-cluster" or "allow-cross-slot-keys"))
                {
                    error = $"ERR Unexpected flag in script shebang: {f}";
                    return ScriptFlags.None;
                }
            }
        }

        return flags;
    }

    /// <summary>Runs <paramref name="script"/> for EVAL/EVALSHA(_RO); the reply goes to the caller. Caller holds the lock.</summary>
    public void Run(CommandContext c, CachedScript script, int numKeys, int firstKey, bool readOnlyCommand)
    {
        var l = _lua ??= CreateState();
        var client = _scriptClient ??= new Client(_server, null, 0) { Authenticated = true, Name = "lua" };
        var keys = new LuaTable(numKeys, 0);
        for (var i = 0; i < numKeys; i++)
        {
            keys.Set(i + 1, new LuaString(c.ArgBytes(firstKey + i)));
        }

        var argv = new LuaTable(Math.Max(0, c.ArgCount - firstKey - numKeys), 0);
        for (var i = firstKey + numKeys; i < c.ArgCount; i++)
        {
            argv.Set(i - firstKey - numKeys + 1, new LuaString(c.ArgBytes(i)));
        }

        l.Globals.Set("KEYS", keys);
        l.Globals.Set("ARGV", argv);
        client.DbIndex = c.Client.DbIndex;
        client.Writer.Protocol = 2;
        _resp = 2;
        _caller = c.Client;
        _current = script;
        _readOnly = readOnlyCommand || (script.Flags & ScriptFlags.NoWrites) != 0;
        _busyThresholdMs = _server.Config.GetLong("busy-reply-threshold");
        _startMs = Environment.TickCount64;
        Volatile.Write(ref _state, StateClean);
        l.Budget = LuaState.HookInterval;
        var hooksAtStart = l.HookCalls;
        l.OnHook = s => OnHook(s, hooksAtStart);
        try
        {
            var results = l.Run(script.Proto);
            ToResp(c.Reply, results.Length > 0 ? results[0] : null, 0);
        }
        catch (LuaException e)
        {
            ReplyScriptError(c.Reply, e, l, script.Sha);
        }
        catch (InsufficientExecutionStackException)
        {
            c.Reply.Error($"ERR user_script:{Math.Max(1, l.ErrorLine)}: stack overflow script: {script.Sha}, on @user_script:{Math.Max(1, l.ErrorLine)}.");
        }
        finally
        {
            _busy = false;
            _caller = null;
            _current = null;
            l.OnHook = null;
            l.Globals.Set("KEYS", null);
            l.Globals.Set("ARGV", null);
            client.Writer.Buffer.Reset();
        }
    }

    private void OnHook(LuaState l, long hooksAtStart)
    {
        if (Volatile.Read(ref _state) == StateKilled)
        {
            throw new LuaException((object?)MakeErrorTable(KilledError)) { Uncatchable = true };
        }

        if (MaxHookCalls > 0 && l.HookCalls - hooksAtStart > MaxHookCalls)
        {
            throw new LuaException((object?)MakeErrorTable("ERR script exceeded its instruction budget")) { Uncatchable = true };
        }

        if (!_busy && Environment.TickCount64 - _startMs >= _busyThresholdMs)
        {
            _server.Log($"Slow script detected: still in execution after {Environment.TickCount64 - _startMs} milliseconds. You can try killing the script using the SCRIPT KILL command. Script SHA1 is: {_current?.Sha}");
            _busy = true;
        }
    }

    /// <summary>An error reply written as is (Redis adds no "ERR" to a script's error tables).</summary>
    private static void RawError(ReplyWriter w, string message)
    {
        var text = message.Replace('\r', ' ').Replace('\n', ' ');
        if (text.StartsWith('-'))
        {
            text = text[1..];
        }

        w.ErrorCount++;
        w.Raw(Encoding.UTF8.GetBytes("-" + text + "\r\n"));
    }

    /// <summary>A C cast of a double to long long as x86 does it (out of range: LLONG_MIN).</summary>
    private static long ToLongLong(double d) => d >= 9223372036854775807.0 || d < -9223372036854775808.0 || double.IsNaN(d) ? long.MinValue : (long)d;

    private static LuaException ApiError(LuaState l, string message) => l.PlainError(MakeErrorTable("ERR " + message));

    private static LuaTable MakeErrorTable(string err)
    {
        var t = new LuaTable();
        t.Set("err", LuaString.From(err));
        return t;
    }

    private static string ErrorText(object? value) => value switch
    {
        LuaString s => s.ToString(),
        double d => LuaOps.NumberToString(d),
        _ => "(error object is not a string)",
    };

    private static void ReplyScriptError(ReplyWriter w, LuaException e, LuaState l, string sha)
    {
        string msg;
        if (e.Value is LuaTable t && t.Get("err") is LuaString err)
        {
            msg = err.ToString();
        }
        else
        {
            msg = "ERR " + ErrorText(e.Value);
        }

        var line = l.ErrorLine;
        RawError(w, line > 0 ? $"{msg} script: {sha}, on @user_script:{line}." : $"{msg} script: {sha}");
    }

    // ---- Lua -> RESP

    private void ToResp(ReplyWriter w, object? v, int depth)
    {
        switch (v)
        {
            case LuaString s:
                w.Bulk(s.Bytes);
                return;
            case double d:
                w.Integer(ToLongLong(d));
                return;
            case bool b:
                if (_resp == 3)
                {
                    w.Boolean(b);
                }
                else if (b)
                {
                    w.Integer(1);
                }
                else
                {
                    w.Null();
                }

                return;
            case LuaTable t:
                TableToResp(w, t, depth);
                return;
            default:
                w.Null();
                return;
        }
    }

    private void TableToResp(ReplyWriter w, LuaTable t, int depth)
    {
        if (depth >= MaxReplyDepth)
        {
            w.Error("ERR reached lua stack limit");
            return;
        }

        if (t.Get("err") is LuaString err)
        {
            RawError(w, Encoding.UTF8.GetString(err.Bytes));
            return;
        }

        if (t.Get("ok") is LuaString ok)
        {
            w.Simple(Encoding.UTF8.GetString(ok.Bytes).Replace('\r', ' ').Replace('\n', ' '));
            return;
        }

        if (_resp == 3)
        {
            if (t.Get("double") is double dbl)
            {
                w.Double(dbl);
                return;
            }

            if (t.Get("big_number") is LuaString big)
            {
                if (w.Resp3)
                {
                    w.Raw([(byte)'(', .. big.Bytes, (byte)'\r', (byte)'\n']);
                }
                else
                {
                    w.Bulk(big.Bytes);
                }

                return;
            }

            if (t.Get("map") is LuaTable map)
            {
                var pairs = new List<(object, object?)>();
                object? k = null;
                while (map.Next(k, out var nk, out var nv))
                {
                    pairs.Add((nk!, nv));
                    k = nk;
                }

                w.MapHeader(pairs.Count);
                foreach (var (pk, pv) in pairs)
                {
                    ToResp(w, pk, depth + 1);
                    ToResp(w, pv, depth + 1);
                }

                return;
            }

            if (t.Get("set") is LuaTable set)
            {
                var items = new List<object>();
                object? k = null;
                while (set.Next(k, out var nk, out _))
                {
                    items.Add(nk!);
                    k = nk;
                }

                w.SetHeader(items.Count);
                foreach (var item in items)
                {
                    ToResp(w, item, depth + 1);
                }

                return;
            }
        }

        var n = 0;
        while (t.Get(n + 1) is not null)
        {
            n++;
        }

        w.ArrayHeader(n);
        for (var i = 1; i <= n; i++)
        {
            ToResp(w, t.Get(i), depth + 1);
        }
    }

    // ---- the redis.* API

    private LuaState CreateState()
    {
        var l = new LuaState("user_script");
        l.Random.Seed(_server.Random.Next());
        BaseLib.Open(l);
        var str = StringLib.Open(l);
        Libraries.OpenTable(l);
        Libraries.OpenMath(l, _server.Random);
        Libraries.OpenBit(l);
        CjsonLib.Open(l);
        var redis = new LuaTable();
        LibArgs.Register(redis, "call", (l, a) => RedisCall(l, a, raise: true));
        LibArgs.Register(redis, "pcall", (l, a) => RedisCall(l, a, raise: false));
        LibArgs.Register(redis, "error_reply", (l, a) =>
        {
            var s = LibArgs.Str(l, a, 0, "error_reply");
            var t = new LuaTable();
            var text = s.ToString();
            t.Set("err", LuaString.From(text.StartsWith('-') ? text[1..] : text));
            return LibArgs.One(t);
        });
        LibArgs.Register(redis, "status_reply", (l, a) =>
        {
            var s = LibArgs.Str(l, a, 0, "status_reply");
            var t = new LuaTable();
            t.Set("ok", s);
            return LibArgs.One(t);
        });
        LibArgs.Register(redis, "sha1hex", (l, a) =>
        {
            if (a.Length != 1)
            {
                throw ApiError(l, "wrong number of arguments");
            }

            return LibArgs.One(LuaString.From(Sha1Hex(LibArgs.Str(l, a, 0, "sha1hex").Bytes)));
        });
        LibArgs.Register(redis, "log", (l, a) =>
        {
            if (a.Length < 2)
            {
                throw ApiError(l, "redis.log() requires two arguments or more.");
            }

            if (a[0] is not double level)
            {
                throw ApiError(l, "First argument must be a number (log level).");
            }

            if (level is < 0 or > 3)
            {
                throw ApiError(l, "Invalid debug level.");
            }

            var sb = new StringBuilder();
            for (var i = 1; i < a.Length; i++)
            {
                if (i > 1)
                {
                    sb.Append(' ');
                }

                sb.Append(LuaOps.ToLuaString(a[i])?.ToString() ?? "");
            }

            _server.Log(sb.ToString(), debug: level < 2);
            return LuaOps.None;
        });
        LibArgs.Register(redis, "setresp", (l, a) =>
        {
            if (a.Length != 1)
            {
                throw ApiError(l, "redis.setresp() requires one argument.");
            }

            var v = LibArgs.Int(l, a, 0, "setresp");
            if (v is not (2 or 3))
            {
                throw ApiError(l, "RESP version must be 2 or 3.");
            }

            _resp = (int)v;
            _scriptClient!.Writer.Protocol = (int)v;
            return LuaOps.None;
        });
        LibArgs.Register(redis, "set_repl", (l, a) =>
        {
            if (a.Length != 1)
            {
                throw ApiError(l, "redis.set_repl() requires one argument.");
            }

            var v = LibArgs.Int(l, a, 0, "set_repl");
            if (v is < 0 or > 3)
            {
                throw ApiError(l, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
            }

            return LuaOps.None;
        });
        LibArgs.Register(redis, "replicate_commands", (l, a) => LibArgs.One(LuaOps.True));
        LibArgs.Register(redis, "breakpoint", (l, a) => LibArgs.One(LuaOps.False));
        LibArgs.Register(redis, "debug", (l, a) => LuaOps.None);
        redis.Set("LOG_DEBUG", 0.0);
        redis.Set("LOG_VERBOSE", 1.0);
        redis.Set("LOG_NOTICE", 2.0);
        redis.Set("LOG_WARNING", 3.0);
        redis.Set("REPL_NONE", 0.0);
        redis.Set("REPL_AOF", 1.0);
        redis.Set("REPL_SLAVE", 2.0);
        redis.Set("REPL_REPLICA", 2.0);
        redis.Set("REPL_ALL", 3.0);
        redis.Set("REDIS_VERSION", LuaString.From("7.0.15"));
        redis.Set("REDIS_VERSION_NUM", (double)0x07000f);
        l.Globals.Set("redis", redis);

        // Redis 7.0's protection: library tables and the globals are read-only, and reading a
        // global that does not exist is an error.
        foreach (var name in new[] { "string", "table", "math", "bit", "cjson", "redis" })
        {
            ((LuaTable)l.Globals.Get(name)!).ReadOnly = true;
        }

        _ = str;
        var gmeta = new LuaTable();
        gmeta.Set("__index", new LuaBuiltin("__index", (l, a) =>
            throw l.Error($"Script attempted to access nonexistent global variable '{LuaOps.ToLuaString(LibArgs.Arg(a, 1))}'")));
        l.Globals.Metatable = gmeta;
        l.Globals.ReadOnly = true;
        return l;
    }

    private object?[] RedisCall(LuaState l, object?[] a, bool raise)
    {
        var name = raise ? "call" : "pcall";
        _ = name;
        if (a.Length == 0)
        {
            return Fail(l, "ERR Please specify at least one argument for this redis lib call", raise);
        }

        var args = new byte[a.Length][];
        for (var i = 0; i < a.Length; i++)
        {
            switch (a[i])
            {
                case LuaString s:
                    args[i] = s.Bytes;
                    break;
                case double d:
                    args[i] = Encoding.ASCII.GetBytes(NumberFormat.FormatDouble(d)); // "%.17g", as Redis 7.0
                    break;
                default:
                    return Fail(l, "ERR Lua redis lib command arguments must be strings or integers", raise);
            }
        }

        var client = _scriptClient!;
        var cmd = _server.Commands.Find(args[0]);
        if (cmd is not null && cmd.Subcommands is not null)
        {
            if (args.Length < 2)
            {
                return Fail(l, "ERR Wrong number of args calling Redis command from script", raise);
            }

            cmd = cmd.Subcommands.GetValueOrDefault(Encoding.UTF8.GetString(args[1]));
        }

        if (cmd is null)
        {
            return Fail(l, "ERR Unknown Redis command called from script", raise);
        }

        if ((cmd.Arity > 0 && cmd.Arity != args.Length) || args.Length < -cmd.Arity)
        {
            return Fail(l, "ERR Wrong number of args calling Redis command from script", raise);
        }

        if (cmd.Is(CommandFlags.NoScript) || (cmd.Parent?.Is(CommandFlags.NoScript) ?? false))
        {
            return Fail(l, "ERR This Redis command is not allowed from script", raise);
        }

        if (cmd.Is(CommandFlags.Write))
        {
            if (_readOnly)
            {
                return Fail(l, "ERR Write commands are not allowed from read-only scripts.", raise);
            }

            if (Interlocked.CompareExchange(ref _state, StateWrote, StateClean) == StateKilled)
            {
                throw new LuaException((object?)MakeErrorTable(KilledError)) { Uncatchable = true };
            }
        }

        client.Args.Set(args);
        var buffer = client.Writer.Buffer;
        buffer.Reset();
        client.Call(cmd, canBlock: false);
        var bytes = new byte[buffer.Length];
        var at = 0;
        for (var i = 0; i < buffer.SegmentCount; i++)
        {
            var seg = buffer.Segment(i).Span;
            seg.CopyTo(bytes.AsSpan(at));
            at += seg.Length;
        }

        buffer.Reset();
        var pos = 0;
        var result = RespToLua(bytes, ref pos);
        if (raise && result is LuaTable t && t.Get("err") is LuaString)
        {
            l.ErrorLine = l.CallLine;
            throw new LuaException((object?)t);
        }

        return LibArgs.One(result);
    }

    private static object?[] Fail(LuaState l, string err, bool raise)
    {
        var t = MakeErrorTable(err);
        if (raise)
        {
            l.ErrorLine = l.CallLine;
            throw new LuaException((object?)t);
        }

        return LibArgs.One(t);
    }

    // ---- RESP -> Lua (a reply the script client wrote)

    private static object? RespToLua(byte[] b, ref int pos)
    {
        var type = b[pos];
        var lineEnd = b.AsSpan(pos).IndexOf("\r\n"u8) + pos;
        var line = b.AsSpan(pos + 1, lineEnd - pos - 1);
        pos = lineEnd + 2;
        switch (type)
        {
            case (byte)'+':
                {
                    var t = new LuaTable();
                    t.Set("ok", new LuaString(line.ToArray()));
                    return t;
                }

            case (byte)'-':
                {
                    var t = new LuaTable();
                    t.Set("err", new LuaString(line.ToArray()));
                    return t;
                }

            case (byte)':':
                return (double)long.Parse(line, CultureInfo.InvariantCulture);
            case (byte)'$':
            case (byte)'=':
                {
                    var n = int.Parse(line, CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return LuaOps.False;
                    }

                    var start = type == '=' ? pos + 4 : pos;
                    var s = new LuaString(b.AsSpan(start, n - (start - pos)).ToArray());
                    pos += n + 2;
                    if (type == '=')
                    {
                        var vt = new LuaTable();
                        var inner = new LuaTable();
                        inner.Set("format", new LuaString(b.AsSpan(start - 4, 3).ToArray()));
                        inner.Set("string", s);
                        vt.Set("verbatim_string", inner);
                        return vt;
                    }

                    return s;
                }

            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
                {
                    var n = int.Parse(line, CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return LuaOps.False;
                    }

                    var t = new LuaTable(type == '~' ? 0 : n, type == '~' ? n : 0);
                    for (var i = 0; i < n; i++)
                    {
                        var v = RespToLua(b, ref pos);
                        if (type == '~')
                        {
                            if (v is not null)
                            {
                                t.Set(v, LuaOps.True);
                            }
                        }
                        else
                        {
                            t.Set(i + 1, v);
                        }
                    }

                    if (type == '~')
                    {
                        var wrap = new LuaTable();
                        wrap.Set("set", t);
                        return wrap;
                    }

                    return t;
                }

            case (byte)'%':
                {
                    var n = int.Parse(line, CultureInfo.InvariantCulture);
                    var t = new LuaTable(0, n);
                    for (var i = 0; i < n; i++)
                    {
                        var k = RespToLua(b, ref pos);
                        var v = RespToLua(b, ref pos);
                        if (k is not null)
                        {
                            t.Set(k, v);
                        }
                    }

                    var wrap = new LuaTable();
                    wrap.Set("map", t);
                    return wrap;
                }

            case (byte)'_':
                return null;
            case (byte)'#':
                return LuaOps.Bool(line.Length > 0 && line[0] == 't');
            case (byte)',':
                {
                    var wrap = new LuaTable();
                    _ = LuaOps.TryParseNumber(line, out var d);
                    wrap.Set("double", d);
                    return wrap;
                }

            case (byte)'(':
                {
                    var wrap = new LuaTable();
                    wrap.Set("big_number", new LuaString(line.ToArray()));
                    return wrap;
                }

            default:
                return null;
        }
    }
}
