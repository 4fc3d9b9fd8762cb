using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Mux;

/// <summary>
/// One stream of a <see cref="MuxSession"/>, exposed as a .NET <see cref="Stream"/>.
///
/// Lifecycle (docs/tunnel-protocol.md §4): Open → (local FIN and remote FIN) → Closed, or Reset at
/// any point. Reads return 0 after the peer's FIN; writes fail after a reset. One reader and one
/// writer may use the stream concurrently.
/// </summary>
internal sealed partial class MuxStream : Stream
{
    private readonly MuxSession _session;
    private readonly Pipe _inbound;
    private readonly ReceiveWindow _receiveWindow;
    private readonly Lock _gate = new();
    private long _sendCredit;
    private TaskCompletionSource? _creditWaiter;
    private bool _localFin;
    private bool _remoteFin;
    private bool _reset;
    private bool _removed;
    private string? _resetReason;
    private int _stalls;
    private long _stallTicks;

    internal MuxStream(MuxSession session, uint id, OpenMetadata? metadata, MuxOptions options)
    {
        _session = session;
        Id = id;
        Metadata = metadata;
        // No pause threshold: flow control already bounds what the peer may send (§6), so the
        // session's reader never waits on a slow application here.
        _inbound = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
        _receiveWindow = new ReceiveWindow(options.InitialWindow, options.MaxStreamWindow, Stopwatch.GetTimestamp());
        _sendCredit = options.InitialWindow;
    }

    public uint Id { get; }

    /// <summary>In the session reader's list of streams to flush after this read (reader loop only).</summary>
    internal bool AwaitsInboundFlush { get; set; }

    public OpenMetadata? Metadata { get; }

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>The current receive window (grows with auto-tuning).</summary>
    public int ReceiveWindowSize
    {
        get
        {
            lock (_gate)
            {
                return _receiveWindow.Window;
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // ---- receive side (called by the session's reader loop) -------------------------------------

    /// <summary>
    /// Copies a DATA payload into the stream (the reader sees it at <see cref="FlushInbound"/>, or at
    /// once with FIN). False: the peer overran its window.
    /// </summary>
    internal bool OnData(in ReadOnlySequence<byte> payload, bool fin)
    {
        var writer = _inbound.Writer;
        lock (_gate)
        {
            if (_reset || _remoteFin)
            {
                return true; // late data after we gave up on the stream: drop it
            }

            if (!_receiveWindow.OnReceived((int)payload.Length))
            {
                return false;
            }

            // Inside the lock so a concurrent Abort cannot complete the pipe between check and write.
            foreach (var segment in payload)
            {
                writer.Write(segment.Span);
            }

            if (fin)
            {
                _remoteFin = true;
                writer.Complete();
            }
        }

        if (fin)
        {
            MaybeRemove();
        }

        return true;
    }

    /// <summary>
    /// Hands the bytes <see cref="OnData"/> put into the stream to its reader. The session's reader
    /// calls it once per transport read, after all the frames of that read are in, so a response
    /// head and its body that arrived together reach the application (and its socket) in one go.
    /// </summary>
    internal void FlushInbound()
    {
        // The pipe runs the reader's continuation inline (PipeScheduler.Inline), so the
        // application picks the bytes up on this thread without a hop to the thread pool.
        try
        {
            var flush = _inbound.Writer.FlushAsync();
            if (!flush.IsCompleted)
            {
                _ = flush.AsTask(); // never happens: the pipe has no pause threshold
            }
        }
        catch (InvalidOperationException)
        {
            // the stream was aborted or finished meanwhile
        }
    }

    internal void OnWindowUpdate(uint increment)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _sendCredit = Math.Min(_sendCredit + increment, int.MaxValue);
            waiter = _creditWaiter;
            _creditWaiter = null;
        }

        waiter?.TrySetResult();
    }

    internal void OnRemoteReset(string reason)
    {
        if (TryMarkReset(reason, evenIfClosed: true))
        {
            MaybeRemove();
        }
    }

    /// <summary>
    /// Moves the stream to Reset: fails a pending read and wakes a writer waiting for credit.
    /// False when it was already reset (or, unless <paramref name="evenIfClosed"/>, fully closed).
    /// </summary>
    private bool TryMarkReset(string reason, bool evenIfClosed)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (_reset || (!evenIfClosed && _localFin && _remoteFin))
            {
                return false;
            }

            _reset = true;
            _resetReason = reason;
            waiter = _creditWaiter;
            _creditWaiter = null;
            if (!_remoteFin)
            {
                _inbound.Writer.Complete(new IOException($"tunnel stream {Id} reset: {reason}"));
            }
        }

        waiter?.TrySetResult();
        return true;
    }

    // ---- reading ---------------------------------------------------------------------------------

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var reader = _inbound.Reader;
        var result = await reader.ReadAsync(cancellationToken);
        var data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            reader.AdvanceTo(data.End);
            return 0;
        }

        var n = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, n).CopyTo(buffer.Span);
        reader.AdvanceTo(data.GetPosition(n));
        Consumed(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private void Consumed(int bytes)
    {
        int increment;
        lock (_gate)
        {
            BytesRead += bytes;
            if (_reset || _remoteFin)
            {
                return;
            }

            increment = _receiveWindow.OnConsumed(bytes, Stopwatch.GetTimestamp(), _session.SmoothedRttTicks, _session.TryReserveGrowth);
        }

        if (increment > 0)
        {
            _session.SendWindowUpdate(Id, (uint)increment);
        }
    }

    // ---- writing ---------------------------------------------------------------------------------

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var credit = await WaitForCreditAsync(cancellationToken);
            var n = (int)Math.Min(Math.Min(buffer.Length, credit), FrameHeader.MaxDataPayload);
            lock (_gate)
            {
                _sendCredit -= n;
                BytesWritten += n;
            }

            await _session.SendDataAsync(Id, buffer[..n], fin: false, cancellationToken);
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    private async ValueTask<long> WaitForCreditAsync(CancellationToken cancellationToken)
    {
        long stallStart = 0;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_reset)
                {
                    throw new IOException($"tunnel stream {Id} reset: {_resetReason}");
                }

                if (_localFin)
                {
                    throw new InvalidOperationException("write after the stream's write side was closed");
                }

                if (_sendCredit > 0)
                {
                    if (stallStart != 0)
                    {
                        RecordStall(Stopwatch.GetElapsedTime(stallStart));
                    }

                    return _sendCredit;
                }

                _creditWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _creditWaiter.Task;
            }

            if (stallStart == 0)
            {
                stallStart = Stopwatch.GetTimestamp();
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    private void RecordStall(TimeSpan duration)
    {
        _stalls++;
        _stallTicks += duration.Ticks;
        if (duration >= _session.Options.StallLogThreshold)
        {
            _session.Logger.LogDebug("stream {Id}: send window stalled for {Ms:F1} ms (peer window exhausted)", Id, duration.TotalMilliseconds);
        }
    }

    /// <summary>Half-closes the write side: sends FIN. Idempotent.</summary>
    public void CompleteWrites()
    {
        lock (_gate)
        {
            if (_localFin || _reset)
            {
                return;
            }

            _localFin = true;
        }

        _session.SendFin(Id);
        MaybeRemove();
    }

    /// <summary>Aborts the stream in both directions and tells the peer.</summary>
    public void Abort(GoAwayCode code = GoAwayCode.Normal, string reason = "aborted")
    {
        if (TryMarkReset(reason, evenIfClosed: false))
        {
            _session.SendReset(Id, code);
            MaybeRemove();
        }
    }

    private void MaybeRemove()
    {
        long growth;
        lock (_gate)
        {
            if (_removed || !(_reset || (_localFin && _remoteFin)))
            {
                return;
            }

            _removed = true;
            growth = _receiveWindow.Growth;
        }

        if (_stalls > 0)
        {
            _session.Logger.LogDebug(
                "stream {Id} closed: {Out} B sent, {In} B received, {Stalls} window stalls totalling {Ms:F1} ms, final receive window {Window} B",
                Id, BytesWritten, BytesRead, _stalls, TimeSpan.FromTicks(_stallTicks).TotalMilliseconds, _receiveWindow.Window);
        }

        _session.RemoveStream(Id, growth);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Disposing before both sides finished means we no longer want the stream: reset it so
            // the peer stops sending and frees its side.
            Abort(GoAwayCode.Normal, "closed locally");
            _inbound.Reader.Complete();
        }

        base.Dispose(disposing);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
