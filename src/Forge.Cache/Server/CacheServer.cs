using System.Net;
using System.Net.Sockets;
using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Config;
using Forge.Cache.Persistence;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;
using Forge.Io;
using Microsoft.Extensions.Logging;

namespace Forge.Cache.Server;

/// <summary>
/// The server: listeners, clients, the keyspace and the registries commands share (blocking,
/// WATCH, pub/sub, MONITOR, SLOWLOG). Threading model (docs/cache.md): connections are served by
/// `io-threads` event loops of our own (Forge.Io/EventLoop.cs), each parsing and sending for its
/// connections; commands execute under one lock, <see cref="Gate"/>, so they are atomic with
/// respect to each other exactly as in Redis's single-threaded event loop.
/// </summary>
internal sealed class CacheServer : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly Dictionary<long, Client> _clients = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _random = new();
    private long _nextClientId;
    private Task? _cron;
    private readonly List<Task> _acceptLoops = [];
    private EventLoop.Group? _loops;

    public CacheServer(CacheConfig config, ILogger logger)
    {
        Config = config;
        _logger = logger;
        Keyspace = new Keyspace(config.Databases);
        Commands = new CommandTable();
        Blocking = new BlockingRegistry(this);
        Watches = new WatchRegistry(this);
        PubSub = new PubSubRegistry(this);
        Scripts = new Scripting.ScriptEngine(this); // scripting (cache-lua)
        Keyspace.KeyExpired = (db, key) => Watches.Touch(db.Id, key);
        Keyspace.KeyReady = (db, key) => Blocking.SignalKeyReady(db.Id, key);
        Keyspace.EventSink = PublishKeyEvent;
        config.Changed += OnConfigChanged;
        LoadOutputLimits();
        LoadAccessTracking();
        Keyspace.NotifyFlags = NotifyFlags.Parse(config["notify-keyspace-events"]) ?? Notify.None;
        StartTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    /// <summary>The execution lock: every command, and every change to shared state, runs under it.</summary>
    public object Gate { get; } = new();

    public CacheConfig Config { get; }

    public Keyspace Keyspace { get; }

    public CommandTable Commands { get; }

    public BlockingRegistry Blocking { get; }

    public WatchRegistry Watches { get; }

    public PubSubRegistry PubSub { get; }

    /// <summary>EVAL's engine; its busy state is read by other clients without the lock (Client.Busy.cs).</summary>
    public Scripting.ScriptEngine Scripts { get; }

    public List<Client> Monitors { get; } = [];

    public SlowLog SlowLog { get; } = new();

    public ServerStats Stats { get; } = new();

    public Random Random => _random;

    public long StartTimeMs { get; }

    public IReadOnlyList<IPEndPoint> EndPoints => _listeners.Select(l => (IPEndPoint)l.LocalEndPoint!).ToList();

    public IEnumerable<Client> Clients => _clients.Values;

    public int ClientCount => _clients.Count;

    public bool AuthRequired => Config.RequirePass.Length > 0;

    /// <summary>Set by SHUTDOWN: the host stops the server when it completes.</summary>
    public TaskCompletionSource ShutdownRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>DEBUG SET-ACTIVE-EXPIRE: the cron's expiry cycle runs only while true.</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>Changes since the last save (INFO rdb_changes_since_last_save), as Redis's server.dirty.</summary>
    public long Dirty { get; set; }

    public long LastSaveUnix { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Whether the last SAVE succeeded (INFO rdb_last_bgsave_status).</summary>
    public bool LastSaveOk { get; private set; } = true;

    /// <summary>dir/dbfilename: where SAVE writes and start-up reads the RDB file.</summary>
    public string RdbPath => Path.Combine(Config["dir"], Config["dbfilename"]);

    /// <summary>Whether save points are configured (SHUTDOWN and SIGTERM then save, as Redis does).</summary>
    public bool SavePointsConfigured => Config["save"].Length > 0;

    /// <summary>
    /// SAVE: writes the whole keyspace to <see cref="RdbPath"/> synchronously. The caller holds
    /// <see cref="Gate"/>. Returns false (and logs why) when the file could not be written.
    /// </summary>
    public bool SaveRdb()
    {
        try
        {
            Keyspace.Tick();
            RdbFile.Save(Keyspace, RdbPath, Keyspace.Now);
            Dirty = 0;
            LastSaveUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            LastSaveOk = true;
            Log("DB saved on disk");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            LastSaveOk = false;
            _logger.LogWarning("Failed saving the DB to {Path}: {Message}", RdbPath, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Loads <see cref="RdbPath"/> at start-up when it exists. Returns null on success (or when there
    /// is no file), else the reason the file was refused: the host then exits, as Redis does.
    /// </summary>
    public string? LoadRdb()
    {
        var path = RdbPath;
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"Fatal error loading the DB: {ex.Message}. Exiting.";
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var limits = CommandLimits.From(Config);
        lock (Gate)
        {
            Keyspace.Tick();
            var error = RdbFile.Load(Keyspace, data, limits, Keyspace.Now, out var keys);
            if (error is not null)
            {
                for (var i = 0; i < Keyspace.Count; i++)
                {
                    Keyspace[i].Clear();
                }

                return error;
            }

            Log($"DB loaded from disk: {sw.Elapsed.TotalSeconds:F3} seconds ({keys} keys)");
        }

        return null;
    }

    public void Log(string message, bool debug = false)
    {
        if (debug)
        {
            _logger.LogDebug("{Message}", message);
        }
        else
        {
            _logger.LogInformation("{Message}", message);
        }
    }

    /// <summary>Binds every address of the bind directive on the configured port and starts accepting.</summary>
    public void Start()
    {
        var port = Config.Port;
        foreach (var address in Config["bind"].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var text = address.TrimStart('-');
            var ip = text == "*" ? IPAddress.Any : text == "::*" ? IPAddress.IPv6Any : IPAddress.TryParse(text, out var parsed) ? parsed : throw new InvalidOperationException($"Invalid bind address '{address}'");
            var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT as well, which let a second
                // server bind the same port and take half the connections. (.NET already sets
                // SO_REUSEADDR on Unix listeners, so a restart is not blocked by TIME_WAIT.)
                if (ip.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false;
                }

                socket.Bind(new IPEndPoint(ip, port));
                socket.Listen((int)Config.GetLong("tcp-backlog"));
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                if (address.StartsWith('-'))
                {
                    continue; // "-::1": optional address, as in Redis
                }

                throw new InvalidOperationException($"Could not create server TCP listening socket {text}:{port}: {ex.Message}", ex);
            }

            _listeners.Add(socket);
            port = ((IPEndPoint)socket.LocalEndPoint!).Port; // port 0: every address gets the port the first one got
        }

        if (_listeners.Count == 0)
        {
            throw new InvalidOperationException("Failed listening on every address of 'bind'");
        }

        // io-threads, as in Redis, is the number of threads doing client I/O; here each is an
        // event loop that also parses and runs the commands of its connections (docs/cache.md).
        _loops = new EventLoop.Group((int)Config.GetLong("io-threads"), _logger, "cache-loop");
        foreach (var l in _listeners)
        {
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(l)));
        }

        // Threads that wait for the lock while a busy script holds it (closing clients, flushes)
        // must not starve the pool that serves -BUSY replies and SCRIPT KILL: the pool does not
        // add threads while the CPU is saturated, so keep a floor of ready workers.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        _cron = Task.Run(CronAsync);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE and the like: back off instead of spinning.
                _logger.LogWarning("Accepting a client failed: {Message}", ex.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            socket.NoDelay = true;
            var keepAlive = Config.GetLong("tcp-keepalive");
            if (keepAlive > 0)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)keepAlive);
            }

            if (!EnterGateUnlessBusy())
            {
                // A busy script holds the lock: the client registers when it first gets it (Client.Busy.cs).
                var late = new Client(this, socket, Interlocked.Increment(ref _nextClientId)) { Authenticated = !AuthRequired, PendingRegistration = true };
                _ = late.RunAsync();
                continue;
            }

            Client? client = null;
            try
            {
                // Checked before the Client is made: making one registers the socket with an
                // event loop, which a refused connection must not occupy.
                if (_clients.Count < Config.GetLong("maxclients"))
                {
                    client = new Client(this, socket, Interlocked.Increment(ref _nextClientId));
                    client.Authenticated = !AuthRequired;
                    _clients.Add(client.Id, client);
                    Stats.ConnectionsReceived++;
                }
                else
                {
                    Stats.RejectedConnections++;
                }
            }
            finally
            {
                Monitor.Exit(Gate);
            }

            if (client is null)
            {
                _ = RefuseAsync(socket);
                continue;
            }

            _ = client.RunAsync();
        }
    }

    /// <summary>The event loops client sockets are registered with (started by <see cref="Start"/>).</summary>
    internal EventLoop.Group Loops => _loops ?? throw new InvalidOperationException("the server is not started");

    /// <summary>Takes <see cref="Gate"/> unless a busy script holds it (then false, without the lock).</summary>
    private bool EnterGateUnlessBusy()
    {
        while (!Monitor.TryEnter(Gate, 10))
        {
            if (Scripts.IsBusy)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Registers a client accepted while a script was busy; false when over maxclients. Caller holds the lock.</summary>
    internal bool RegisterLate(Client client)
    {
        if (_clients.Count >= Config.GetLong("maxclients"))
        {
            Stats.RejectedConnections++;
            return false;
        }

        _clients.Add(client.Id, client);
        Stats.ConnectionsReceived++;
        return true;
    }

    private static async Task RefuseAsync(Socket socket)
    {
        try
        {
            await socket.SendAsync("-ERR max number of clients reached\r\n"u8.ToArray(), SocketFlags.None).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Called by a client's loop as it ends. Caller holds the lock.</summary>
    internal void RemoveClient(Client client)
    {
        _clients.Remove(client.Id);
        Blocking.Unblock(client, served: false);
        Watches.UnwatchAll(client);
        PubSub.RemoveClient(client);
        Monitors.Remove(client);
    }

    public Client? FindClient(long id) => _clients.GetValueOrDefault(id);

    /// <summary>After a batch of commands: serve clients blocked on keys that became ready, enforce output limits.</summary>
    internal void AfterCommandsLocked(Client client)
    {
        Blocking.HandleReadyKeys();
        CheckOutputLimits(client);
    }

    /// <summary>client-output-buffer-limit: hard limit closes at once, soft limit after soft-seconds over it.</summary>
    internal void CheckOutputLimits(Client client)
    {
        var limit = client.SubscriptionCount > 0 ? _pubsubLimit : _normalLimit;
        var used = client.PendingOutputBytes;
        if (limit.Hard == 0 && limit.Soft == 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        var overHard = limit.Hard > 0 && used >= limit.Hard;
        var overSoft = limit.Soft > 0 && used >= limit.Soft;
        if (overSoft)
        {
            if (client.SoftLimitSinceMs == 0)
            {
                client.SoftLimitSinceMs = now;
            }
            else if (now - client.SoftLimitSinceMs >= limit.SoftSeconds * 1000)
            {
                overHard = true;
            }
        }
        else
        {
            client.SoftLimitSinceMs = 0;
        }

        if (overHard)
        {
            Log($"Client id={client.Id} addr={client.Address} scheduled to be closed ASAP for overcoming of output buffer limits.");
            Stats.OutputLimitDisconnections++;
            client.Kill();
        }
    }

    /// <summary>MONITOR: "+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"" to every monitor.</summary>
    internal void FeedMonitors(Client source, ArgList args)
    {
        var now = DateTimeOffset.UtcNow;
        var sb = new StringBuilder();
        sb.Append(now.ToUnixTimeSeconds()).Append('.').Append((now.ToUnixTimeMilliseconds() % 1000 * 1000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
        sb.Append(" [").Append(source.DbIndex).Append(' ').Append(source.Address).Append(']');
        for (var i = 0; i < args.Count; i++)
        {
            sb.Append(' ').Append(Quote(args[i]));
        }

        var line = sb.ToString();
        foreach (var m in Monitors)
        {
            if (m == source)
            {
                continue;
            }

            m.Writer.Simple(line);
            m.RequestFlush();
        }
    }

    /// <summary>sdscatrepr: a double-quoted, escaped representation of bytes.</summary>
    public static string Quote(ReadOnlySpan<byte> s)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in s)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\a': sb.Append("\\a"); break;
                case (byte)'\b': sb.Append("\\b"); break;
                default:
                    if (b is >= 0x20 and < 0x7f)
                    {
                        sb.Append((char)b);
                    }
                    else
                    {
                        sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>serverCron at hz: active expiry, idle client timeouts, soft output limits, blocked-client timeouts.</summary>
    private async Task CronAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var hz = Math.Clamp(Config.GetLong("hz"), 1, 500);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1000.0 / hz), _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!EnterGateUnlessBusy())
            {
                continue; // a busy script holds the lock: skip this cycle
            }

            try
            {
                Keyspace.Tick(); // re-reads the wall clock that commands' timestamps are relative to

                // 25% of a cron period at most, as Redis's slow cycle.
                if (ActiveExpireEnabled)
                {
                    Keyspace.ActiveExpireCycle(_random, TimeSpan.FromMilliseconds(250.0 / hz));
                }

                Blocking.HandleReadyKeys();
                var timeout = Config.GetLong("timeout");
                var now = Environment.TickCount64;
                List<Client>? idle = null;
                foreach (var c in _clients.Values)
                {
                    if (timeout > 0 && c.Blocked is null && c.SubscriptionCount == 0 && !c.IsMonitor && now - c.LastInteractionMs > timeout * 1000)
                    {
                        (idle ??= []).Add(c);
                    }
                    else if (c.SoftLimitSinceMs != 0)
                    {
                        CheckOutputLimits(c);
                    }
                }

                if (idle is not null)
                {
                    foreach (var c in idle)
                    {
                        Log($"Closing idle client id={c.Id} addr={c.Address}", debug: true);
                        c.Kill();
                    }
                }
            }
            finally
            {
                Monitor.Exit(Gate);
            }
        }
    }

    /// <summary>Publishes a keyspace notification on __keyspace@db__:key and/or __keyevent@db__:event.</summary>
    private void PublishKeyEvent(Notify type, string evt, Database db, ReadOnlySpan<byte> key)
    {
        _ = type;
        var flags = Keyspace.NotifyFlags;
        if ((flags & Notify.Keyspace) != 0)
        {
            var channel = Encoding.UTF8.GetBytes($"__keyspace@{db.Id}__:");
            PubSub.Publish([.. channel, .. key], Encoding.UTF8.GetBytes(evt));
        }

        if ((flags & Notify.Keyevent) != 0)
        {
            PubSub.Publish(Encoding.UTF8.GetBytes($"__keyevent@{db.Id}__:{evt}"), key);
        }
    }

    private void LoadAccessTracking()
    {
        Keyspace.Lfu = Config["maxmemory-policy"].Contains("lfu", StringComparison.Ordinal);
        Keyspace.LfuLogFactor = Config.GetLong("lfu-log-factor");
        Keyspace.LfuDecayTime = Config.GetLong("lfu-decay-time");
    }

    private OutputLimit _normalLimit;
    private OutputLimit _pubsubLimit;

    private void LoadOutputLimits()
    {
        _normalLimit = OutputLimits.For(Config["client-output-buffer-limit"], "normal");
        _pubsubLimit = OutputLimits.For(Config["client-output-buffer-limit"], "pubsub");
    }

    private void OnConfigChanged(string name, string value)
    {
        if (name == "client-output-buffer-limit")
        {
            LoadOutputLimits();
        }

        if (name is "maxmemory-policy" or "lfu-log-factor" or "lfu-decay-time")
        {
            LoadAccessTracking();
        }

        if (name == "notify-keyspace-events")
        {
            Keyspace.NotifyFlags = NotifyFlags.Parse(value) ?? Notify.None;
        }

        if (name == "proto-max-bulk-len")
        {
            foreach (var c in _clients.Values)
            {
                c.Parser.MaxBulkLength = Config.GetLong(name);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var l in _listeners)
        {
            l.Dispose();
        }

        List<Client> clients;
        lock (Gate)
        {
            clients = [.. _clients.Values];
        }

        foreach (var c in clients)
        {
            c.Kill();
        }

        if (_cron is not null)
        {
            await _cron.ConfigureAwait(false);
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        _loops?.Dispose();
        _stopping.Dispose();
    }
}
