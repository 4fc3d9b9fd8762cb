using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Mux;

internal sealed partial class MuxSession
{
    private const int WriteBufferSize = 256 * 1024;

    private readonly ConcurrentQueue<OutFrame> _controlQueue = new();
    private readonly ConcurrentQueue<OutFrame> _dataQueue = new();
    private readonly AsyncSignal _writerIdle = new();
    private readonly Lock _queueGate = new();
    private readonly Action _startDrain;
    private long _queuedBytes;
    private int _writerBusy;
    private int _queuedControlFrames;
    private byte[]? _writeBuffer;
    private TaskCompletionSource? _queueSpace;
    private uint _pingCounter;
    private uint _pingOutstanding;
    private long _pingSentAt;

    private readonly record struct OutFrame(FrameHeader Header, byte[]? Payload, int PayloadLength, bool pooled);

    internal void SendWindowUpdate(uint id, uint increment) =>
        Enqueue(new OutFrame(new FrameHeader(FrameType.WindowUpdate, FrameFlags.None, id, increment), null, 0, pooled: false), control: true);

    internal void SendReset(uint id, GoAwayCode code)
    {
        if (!_completion.Task.IsCompleted)
        {
            Enqueue(new OutFrame(new FrameHeader(FrameType.Reset, FrameFlags.None, id, (uint)code), null, 0, pooled: false), control: true);
        }
    }

    internal void SendFin(uint id) =>
        Enqueue(new OutFrame(new FrameHeader(FrameType.Data, FrameFlags.Fin, id, 0), null, 0, pooled: false), control: false);

    /// <summary>
    /// Queues one DATA frame (the caller has already taken the stream's send credit). Waits while
    /// more than <see cref="MuxOptions.MaxQueuedBytes"/> are queued for the transport.
    /// </summary>
    internal async ValueTask SendDataAsync(uint id, ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _queuedBytes) > Options.MaxQueuedBytes)
        {
            Task wait;
            lock (_queueGate)
            {
                if (Interlocked.Read(ref _queuedBytes) <= Options.MaxQueuedBytes)
                {
                    break;
                }

                _queueSpace ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _queueSpace.Task;
            }

            await wait.WaitAsync(cancellationToken).WaitAsync(_cts.Token);
        }

        if (_completion.Task.IsCompleted)
        {
            throw new IOException("tunnel session closed: " + _completion.Task.Result);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.Span.CopyTo(buffer);
        Interlocked.Add(ref _queuedBytes, data.Length);
        Enqueue(new OutFrame(new FrameHeader(FrameType.Data, fin ? FrameFlags.Fin : FrameFlags.None, id, (uint)data.Length), buffer, data.Length, pooled: true), control: false);
    }

    /// <summary>
    /// Queues a frame and makes sure somebody writes it. The first enqueuer that finds no drain
    /// running starts one. On the session's event loop the drain starts when the loop has handled
    /// this iteration's events (so the frames of every stream served meanwhile go out in one TLS
    /// write and one send); from another thread it is posted to the loop. Without a loop it
    /// starts on the enqueuer's thread, without being awaited. A drain that finishes re-checks
    /// the queues, so no frame is left behind.
    /// </summary>
    private void Enqueue(OutFrame frame, bool control)
    {
        if (_completion.Task.IsCompleted)
        {
            ReturnPayload(frame); // nobody will write it any more
            return;
        }

        if (control && Interlocked.Increment(ref _queuedControlFrames) > MaxQueuedControlFrames)
        {
            // A peer that floods PINGs (or opens and resets streams) without reading our replies
            // would otherwise grow this queue without bound.
            Logger.LogWarning("closing tunnel session: the peer does not read its control frames");
            Abort("peer not reading");
            return;
        }

        (control ? _controlQueue : _dataQueue).Enqueue(frame);
        if (Interlocked.CompareExchange(ref _writerBusy, 1, 0) == 0)
        {
            if (_loop is null)
            {
                _ = DrainAsync();
            }
            else if (_loop.IsCurrentThread)
            {
                _loop.RunBeforeWait(_startDrain);
            }
            else
            {
                _loop.Post(_startDrain);
            }
        }
    }

    private async Task DrainAsync()
    {
        _writeBuffer ??= new byte[WriteBufferSize];
        var buffer = _writeBuffer;
        var used = 0;
        OutFrame current = default;
        try
        {
            while (true)
            {
                if (_cts.IsCancellationRequested)
                {
                    return;
                }

                if (_controlQueue.TryDequeue(out var frame))
                {
                    Interlocked.Decrement(ref _queuedControlFrames);
                }
                else if (!_dataQueue.TryDequeue(out frame))
                {
                    if (used > 0)
                    {
                        await _transport.WriteAsync(buffer.AsMemory(0, used), _cts.Token);
                        await _transport.FlushAsync(_cts.Token);
                        used = 0;
                        continue;
                    }

                    // Idle: release the drain, then make sure nothing slipped in meanwhile.
                    Volatile.Write(ref _writerBusy, 0);
                    if ((_controlQueue.IsEmpty && _dataQueue.IsEmpty) || Interlocked.CompareExchange(ref _writerBusy, 1, 0) != 0)
                    {
                        _writerIdle.Set();
                        return;
                    }

                    continue;
                }

                current = frame;
                var needed = FrameHeader.Size + frame.PayloadLength;
                if (used + needed > buffer.Length)
                {
                    await _transport.WriteAsync(buffer.AsMemory(0, used), _cts.Token);
                    used = 0;
                }

                frame.Header.Write(buffer.AsSpan(used));
                used += FrameHeader.Size;
                if (frame.PayloadLength > 0)
                {
                    frame.Payload.AsSpan(0, frame.PayloadLength).CopyTo(buffer.AsSpan(used));
                    used += frame.PayloadLength;
                }

                current = default;
                ReturnPayload(frame);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException or InvalidOperationException)
        {
            Abort("write failed: " + ex.Message);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "tunnel session writer failed");
            Abort("writer failed: " + ex.Message);
        }
        finally
        {
            if (_cts.IsCancellationRequested || _completion.Task.IsCompleted)
            {
                // The session is over: give back what was taken and never written.
                ReturnPayload(current);
                ReleaseQueueWaiters();
                while (_dataQueue.TryDequeue(out var frame) || _controlQueue.TryDequeue(out frame))
                {
                    ReturnPayload(frame);
                }

                Volatile.Write(ref _writerBusy, 0);
            }
        }
    }

    /// <summary>Gives a DATA frame's pooled buffer back and releases writers waiting for queue space.</summary>
    private void ReturnPayload(in OutFrame frame)
    {
        if (frame.pooled)
        {
            ArrayPool<byte>.Shared.Return(frame.Payload!);
            if (Interlocked.Add(ref _queuedBytes, -frame.PayloadLength) <= Options.MaxQueuedBytes / 2)
            {
                ReleaseQueueWaiters();
            }
        }
    }

    private void ReleaseQueueWaiters()
    {
        TaskCompletionSource? waiter;
        lock (_queueGate)
        {
            waiter = _queueSpace;
            _queueSpace = null;
        }

        waiter?.TrySetResult();
    }

    private async Task RunKeepAliveAsync()
    {
        try
        {
            SendPing();
            using var timer = new PeriodicTimer(Options.KeepAliveInterval);
            while (await timer.WaitForNextTickAsync(_cts.Token))
            {
                var silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceived));
                if (silent > Options.KeepAliveTimeout)
                {
                    Logger.LogWarning("closing tunnel session: no frame from the peer for {Seconds:F0} s", silent.TotalSeconds);
                    Enqueue(new OutFrame(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)GoAwayCode.KeepAliveTimeout), null, 0, pooled: false), control: true);
                    Abort("keep-alive timeout");
                    return;
                }

                SendPing();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void SendPing()
    {
        var id = Interlocked.Increment(ref _pingCounter);
        lock (_queueGate)
        {
            _pingOutstanding = id;
            _pingSentAt = Stopwatch.GetTimestamp();
        }

        Enqueue(new OutFrame(new FrameHeader(FrameType.Ping, FrameFlags.None, 0, id), null, 0, pooled: false), control: true);
    }

    private void OnPingAck(uint id)
    {
        long sample;
        lock (_queueGate)
        {
            if (id != _pingOutstanding)
            {
                return;
            }

            sample = Stopwatch.GetTimestamp() - _pingSentAt;
            _pingOutstanding = 0;
        }

        // RFC 6298-style smoothing: srtt = 7/8 srtt + 1/8 sample.
        var old = Interlocked.Read(ref _smoothedRttTicks);
        var updated = old == 0 ? sample : ((7 * old) + sample) / 8;
        Interlocked.Exchange(ref _smoothedRttTicks, Math.Max(updated, 1));
    }
}
