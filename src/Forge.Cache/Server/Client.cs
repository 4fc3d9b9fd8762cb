using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Forge.Cache.Commands;
using Forge.Cache.Protocol;
using Forge.Io;

namespace Forge.Cache.Server;

/// <summary>
/// One client connection: its receive buffer, parser, reply buffers and per-connection state
/// (selected database, protocol version, MULTI queue, subscriptions, blocking). The network loop
/// is in Client.Network.cs; command execution in Client.Execute.cs.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim never allocates a wait handle (only WaitAsync/Wait(0) are used), so it has nothing to dispose.")]
internal sealed partial class Client
{
    private readonly CacheServer _server;
    private readonly Socket? _socket;
    private readonly SocketReadiness? _io;

    // Receive buffer: [_start, _end) holds bytes not yet consumed by the parser.
    private byte[] _input;
    private int _start;
    private int _end;

    // Replies are appended to _pending (under the server lock) and sent from _sending.
    private OutputBuffer _pending = new();
    private OutputBuffer _sending = new();

    public Client(CacheServer server, Socket? socket, long id)
    {
        _server = server;
        _socket = socket;
        Id = id;
        _input = ArrayPool<byte>.Shared.Rent(16 * 1024);
        Writer = new ReplyWriter(_pending);
        Context = new CommandContext(this, server);
        Parser.MaxBulkLength = server.Config.GetLong("proto-max-bulk-len");
        CreatedMs = Environment.TickCount64;
        LastInteractionMs = CreatedMs;
        if (socket is not null)
        {
            RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
            LocalEndPoint = socket.LocalEndPoint as IPEndPoint;
            socket.Blocking = false;
            _io = server.Loops.Register(socket);
        }
    }

    public long Id { get; }

    public string Name { get; set; } = "";

    public IPEndPoint? RemoteEndPoint { get; }

    public IPEndPoint? LocalEndPoint { get; }

    public string Address => RemoteEndPoint is null ? "" : $"{RemoteEndPoint.Address}:{RemoteEndPoint.Port}";

    public string LocalAddress => LocalEndPoint is null ? "" : $"{LocalEndPoint.Address}:{LocalEndPoint.Port}";

    public ArgList Args { get; } = new();

    public RequestParser Parser { get; } = new();

    public ReplyWriter Writer { get; }

    public CommandContext Context { get; }

    public int DbIndex { get; set; }

    public bool Authenticated { get; set; }

    public long CreatedMs { get; }

    public long LastInteractionMs { get; set; }

    /// <summary>Name of the last command run (CLIENT LIST cmd=).</summary>
    public string LastCommand { get; set; } = "NULL";

    /// <summary>Set by QUIT, protocol errors, CLIENT KILL, output limits: close once replies are sent.</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>Closed at once, replies dropped (CLIENT KILL, output buffer overrun).</summary>
    public bool Killed { get; private set; }

    // MULTI state
    public bool InMulti { get; set; }

    /// <summary>A command failed to queue: EXEC will abort with EXECABORT.</summary>
    public bool MultiFailed { get; set; }

    public List<byte[][]> MultiQueue { get; } = [];

    // WATCH state
    public List<WatchedKey> WatchedKeys { get; } = [];

    public bool WatchDirty { get; set; }

    // Pub/Sub state
    public HashSet<byte[]> Channels { get; } = new(ByteArrayComparer.Instance);

    public HashSet<byte[]> Patterns { get; } = new(ByteArrayComparer.Instance);

    public int SubscriptionCount => Channels.Count + Patterns.Count;

    public bool IsMonitor { get; set; }

    public bool NoEvict { get; set; }

    // Blocking state (see BlockingRegistry)
    public BlockState? Blocked { get; set; }

    /// <summary>Soft output-limit bookkeeping: when the soft limit was first exceeded (0 = not).</summary>
    public long SoftLimitSinceMs { get; set; }

    /// <summary>Bytes waiting to be sent (reply buffer length, for limits and CLIENT LIST omem).</summary>
    public long PendingOutputBytes => _pending.Length;

    public int QueryBufferLength => _end - _start;

    public int QueryBufferSize => _input.Length;

    /// <summary>Flags letters for CLIENT LIST (N, M, x, b, P ...).</summary>
    public string FlagLetters
    {
        get
        {
            var s = "";
            if (IsMonitor)
            {
                s += "O";
            }

            if (Blocked is not null)
            {
                s += "b";
            }

            if (SubscriptionCount > 0)
            {
                s += "P";
            }

            if (InMulti)
            {
                s += "x";
            }

            if (NoEvict)
            {
                s += "e";
            }

            return s.Length == 0 ? "N" : s;
        }
    }

    /// <summary>
    /// True when the peer has already closed the connection (readable with nothing to read), though
    /// the connection loop has not noticed yet. PUBLISH uses it so a subscriber that just hung up
    /// is not counted as a receiver (Redis's single thread has processed such a close by then).
    /// </summary>
    public bool PeerClosed
    {
        get
        {
            try
            {
                return _socket is not null && _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (SocketException)
            {
                return true;
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
        }
    }

    /// <summary>Kills the connection: pending replies are dropped, the loop ends.</summary>
    public void Kill()
    {
        Killed = true;
        CloseAfterReply = true;
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _wake?.TrySetResult(true);
    }
}

/// <summary>A key named by WATCH: its database, the key, and whether it had already expired then.</summary>
internal sealed record WatchedKey(int Db, byte[] Key, bool ExpiredAtWatch);

/// <summary>Equality of byte arrays by content (pub/sub channel sets and the like).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => Storage.KeyTable<int>.Hash(obj);

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
