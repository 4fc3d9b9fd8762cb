using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Forge.Io;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Mux;

/// <summary>
/// Many streams over one connection (docs/tunnel-protocol.md). One reader loop decodes frames with
/// exact-length reads and dispatches them; one writer loop drains queued frames into the transport,
/// control frames (window updates, pings, resets, opens) before data, coalescing whatever is queued
/// into one write. A keep-alive loop pings the peer, measures the round-trip time that window
/// auto-tuning needs, and closes a session whose peer went silent.
/// </summary>
internal sealed partial class MuxSession : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly ConcurrentDictionary<uint, MuxStream> _streams = new();
    private readonly Channel<MuxStream> _accepted = Channel.CreateUnbounded<MuxStream>(new UnboundedChannelOptions { SingleReader = true });
    // The handshake needs one message each way; a peer that keeps sending CONTROL frames nobody
    // reads must not grow memory, so the inbox is small and overflowing it is a protocol error.
    private readonly Channel<ControlMessage> _controlInbound = Channel.CreateBounded<ControlMessage>(new BoundedChannelOptions(MaxInboundControlMessages) { FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private const int MaxInboundControlMessages = 8;

    /// <summary>Control frames (window updates, PING replies, resets) queued for a peer that does not read them.</summary>
    private const int MaxQueuedControlFrames = 65_536;

    private readonly bool _isServer;
    private readonly EventLoop? _loop;
    private uint _nextStreamId;
    private long _growthReserved;
    private long _lastReceived;
    private long _smoothedRttTicks;
    private int _started;
    private volatile bool _goAwayReceived;
    private volatile bool _closing;

    /// <param name="loop">
    /// The event loop the transport's socket is registered with, or null (an in-memory transport).
    /// With a loop, the writer runs on the loop's thread once per loop iteration, so the frames
    /// that every stream queued while the loop handled its events leave in one write.
    /// </param>
    public MuxSession(Stream transport, bool isServer, MuxOptions options, ILogger logger, EventLoop? loop = null)
    {
        _transport = transport;
        _loop = loop;
        _startDrain = () => _ = DrainAsync();
        _isServer = isServer;
        Options = options;
        Logger = logger;
        // Streams the server opens are odd, the client's even (the client opens none today).
        _nextStreamId = isServer ? 1u : 2u;
        _lastReceived = Stopwatch.GetTimestamp();
    }

    public MuxOptions Options { get; }

    public ILogger Logger { get; }

    public int StreamCount => _streams.Count;

    /// <summary>Smoothed round-trip time in Stopwatch ticks (0 until the first PING is answered).</summary>
    public long SmoothedRttTicks => Interlocked.Read(ref _smoothedRttTicks);

    public TimeSpan SmoothedRtt => Stopwatch.GetElapsedTime(0, SmoothedRttTicks);

    /// <summary>Completes with the reason when the session has ended, for whatever cause.</summary>
    public Task<string> Completion => _completion.Task;

    public bool GoAwayReceived => _goAwayReceived;

    /// <summary>Streams the peer opened, in order.</summary>
    public ChannelReader<MuxStream> AcceptedStreams => _accepted.Reader;

    /// <summary>Starts the reader, writer and keep-alive loops. Call once, after the preamble exchange.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _ = RunReaderAsync();
        _ = RunKeepAliveAsync();
    }

    /// <summary>Receives the next CONTROL message, or null when the session ended or the timeout passed.</summary>
    public async Task<ControlMessage?> ReceiveControlAsync(TimeSpan timeout)
    {
        // Not linked to the session's token: a message that arrived just before the session ended
        // (an error followed by GO_AWAY) must still be read. Abort completes the channel instead.
        if (_controlInbound.Reader.TryRead(out var ready))
        {
            return ready;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _controlInbound.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public void SendControl(ControlMessage message)
    {
        var payload = message.Serialize();
        Enqueue(new OutFrame(new FrameHeader(FrameType.Control, FrameFlags.None, 0, (uint)payload.Length), payload, payload.Length, pooled: false), control: true);
    }

    /// <summary>Opens a stream to the peer, or returns null when the session is closing or full.</summary>
    public MuxStream? OpenStream(OpenMetadata metadata)
    {
        if (_closing || _goAwayReceived || _streams.Count >= Options.MaxStreams)
        {
            return null;
        }

        var id = Interlocked.Add(ref _nextStreamId, 2) - 2;
        var stream = new MuxStream(this, id, metadata, Options);
        _streams[id] = stream;
        if (_completion.Task.IsCompleted)
        {
            // Abort ran between the check above and the insert: its reset loop missed this stream.
            stream.OnRemoteReset("session closed");
            return null;
        }

        var payload = metadata.ToArray();
        Enqueue(new OutFrame(new FrameHeader(FrameType.Open, FrameFlags.None, id, (uint)payload.Length), payload, payload.Length, pooled: false), control: true);
        return stream;
    }

    /// <summary>Sends GO_AWAY, lets queued frames drain briefly, and closes the session.</summary>
    public async Task CloseAsync(GoAwayCode code, string reason)
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        Enqueue(new OutFrame(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)code), null, 0, pooled: false), control: true);
        // Let the writer put what is queued (an error message, the GO_AWAY) on the wire first.
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
        while (Stopwatch.GetTimestamp() < deadline && !_completion.Task.IsCompleted)
        {
            if (_controlQueue.IsEmpty && _dataQueue.IsEmpty && Volatile.Read(ref _writerBusy) == 0)
            {
                break;
            }

            await Task.WhenAny(_writerIdle.WaitAsync(), Task.Delay(20));
        }

        Abort(reason);
    }

    /// <summary>Ends the session now: every stream is reset locally and the transport closed.</summary>
    public void Abort(string reason)
    {
        if (!_completion.TrySetResult(reason))
        {
            return;
        }

        _closing = true;
        _cts.Cancel();
        foreach (var stream in _streams.Values)
        {
            stream.OnRemoteReset("session closed: " + reason);
        }

        _accepted.Writer.TryComplete();
        _controlInbound.Writer.TryComplete();
        try
        {
            _transport.Dispose();
        }
        catch (Exception ex)
        {
            Logger.LogDebug(ex, "closing transport");
        }
    }

    public ValueTask DisposeAsync()
    {
        Abort("disposed");
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }

    internal bool TryReserveGrowth(long bytes)
    {
        if (Interlocked.Add(ref _growthReserved, bytes) <= Options.WindowGrowthBudget)
        {
            return true;
        }

        Interlocked.Add(ref _growthReserved, -bytes);
        return false;
    }

    internal void RemoveStream(uint id, long growth)
    {
        if (_streams.TryRemove(id, out _) && growth > 0)
        {
            Interlocked.Add(ref _growthReserved, -growth);
        }
    }

    private void ProtocolError(string reason)
    {
        Logger.LogWarning("closing tunnel session: protocol error: {Reason}", reason);
        // GO_AWAY(1), then close once the writer has put it on the wire (CloseAsync's drain wait).
        _ = CloseAsync(GoAwayCode.ProtocolError, "protocol error: " + reason);
    }
}
