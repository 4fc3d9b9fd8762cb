using System.Buffers;
using System.Net.Sockets;
using Forge.Io;

namespace Forge.Cache.Server;

/// <summary>
/// The connection loop: receive into the pooled input buffer, run every complete command under the
/// server lock, send the replies, repeat. The socket is non-blocking and registered with one of
/// the server's event loops (Forge.Io/EventLoop.cs): the loop waits for readiness only when the last
/// receive left nothing behind, and runs on the loop's thread once woken. Replies written by other
/// clients (PUBLISH, a push that unblocks this client, MONITOR) are sent by a flush scheduled on the
/// thread pool; the send lock keeps the two senders in order.
/// </summary>
internal sealed partial class Client
{
    private const int InitialInputSize = 16 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private TaskCompletionSource<bool>? _wake;

    // A readiness wait started while blocked (BLPOP ...) and not yet consumed.
    private Task<bool>? _pendingReadable;

    // The last receive filled the buffer: more may be queued without a new edge to announce it.
    private bool _mayHaveMore;
    private bool _flushScheduled;
    private bool _closed;

    // The parser saw an incomplete command: don't parse again until more bytes arrive.
    private bool _needMore;

    /// <summary>Runs the connection until the peer closes it, it is killed, or it quits.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                // Back to the loop's thread after a start on the accept thread, a wake-up or a
                // flush on the pool, or a script: commands of one loop's connections then run in
                // the order it sees their input (EventLoop.SwitchTo). A script runs where it hopped.
                if (_io is { } io && !_hopped && !io.Loop.IsCurrentThread)
                {
                    await io.Loop.SwitchTo();
                }

                if (_start < _end && !_needMore && Blocked is null && !CloseAfterReply)
                {
                    var swapped = false;
                    if (!EnterGate())
                    {
                        // A busy script holds the lock: replies were written without it (Client.Busy.cs).
                        await SendBusyRepliesAsync().ConfigureAwait(false);
                        continue;
                    }

                    try
                    {
                        ProcessInputLocked();
                        if (!_pending.IsEmpty && _sendLock.Wait(0))
                        {
                            SwapLocked();
                            swapped = true;
                        }
                    }
                    finally
                    {
                        Monitor.Exit(_server.Gate);
                    }

                    if (swapped)
                    {
                        try
                        {
                            await SendAsync().ConfigureAwait(false);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                    }
                    else
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }

                    if (_hopToPool)
                    {
                        _hopToPool = false;
                        _hopped = true;
                        await Task.Yield(); // a script is next: leave the event loop's thread (Client.Busy.cs)
                    }

                    continue;
                }

                if (CloseAfterReply || Killed)
                {
                    await FlushAsync().ConfigureAwait(false);
                    break;
                }

                if (Blocked is not null)
                {
                    if (!await WaitWhileBlockedAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    // Served, timed out or unblocked: its reply was written by someone else.
                    await FlushAsync().ConfigureAwait(false);
                    continue;
                }

                if (!EnsureInputSpace())
                {
                    break;
                }

                // Inline rather than a ValueTask-returning method: that would box its state
                // machine on every request, since the wait for the next request is the common case.
                int n;
                while (true)
                {
                    if (_pendingReadable is { } pending)
                    {
                        _pendingReadable = null;
                        if (!await pending.ConfigureAwait(false))
                        {
                            n = 0;
                            break;
                        }
                    }
                    else if (!_mayHaveMore && !await _io!.Readable.WaitAsync().ConfigureAwait(false))
                    {
                        n = 0;
                        break;
                    }

                    if (TryReceive(out n))
                    {
                        break;
                    }
                }
                if (n == 0)
                {
                    break;
                }

                _end += n;
                _needMore = false;
                LastInteractionMs = Environment.TickCount64;
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Makes room to receive: compacts, grows for a large pending argument; false when over the query buffer limit.</summary>
    private bool EnsureInputSpace()
    {
        if (_start == _end)
        {
            _start = _end = 0;
            if (_input.Length > 4 * InitialInputSize)
            {
                ArrayPool<byte>.Shared.Return(_input);
                _input = ArrayPool<byte>.Shared.Rent(InitialInputSize);
            }
        }

        var needed = Math.Max(Parser.NeededBytes, (long)(_end - _start) + 1);
        if (_end < _input.Length && needed <= _input.Length - _start)
        {
            return true;
        }

        var limit = _server.Config.GetLong("client-query-buffer-limit");
        if (needed > limit || needed > Array.MaxLength)
        {
            _server.Log($"closing client id={Id} addr={Address}: query buffer of {needed} bytes is over client-query-buffer-limit");
            return false;
        }

        var size = _input.Length;
        while (size < needed + 4096 && size < Array.MaxLength / 2)
        {
            size *= 2;
        }

        size = (int)Math.Min(Math.Max(size, needed), Array.MaxLength);
        var target = size > _input.Length ? ArrayPool<byte>.Shared.Rent(size) : _input;
        Buffer.BlockCopy(_input, _start, target, 0, _end - _start);
        if (!ReferenceEquals(target, _input))
        {
            ArrayPool<byte>.Shared.Return(_input);
            _input = target;
        }

        _end -= _start;
        _start = 0;
        return true;
    }

    /// <summary>One non-blocking receive: false when there was nothing to read (wait, then retry).</summary>
    private bool TryReceive(out int n)
    {
        var space = _input.Length - _end;
        n = _socket!.Receive(_input.AsSpan(_end, space), SocketFlags.None, out var error);
        if (error == SocketError.Success)
        {
            _mayHaveMore = n == space;
            return true;
        }

        _mayHaveMore = false;
        if (error is SocketError.WouldBlock or SocketError.Interrupted)
        {
            return false;
        }

        if (error is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            n = 0;
            return true;
        }

        throw new SocketException((int)error);
    }

    /// <summary>While blocked: keep reading (to notice a disconnect) until woken by a push, a timeout or a kill.</summary>
    private async Task<bool> WaitWhileBlockedAsync()
    {
        var wake = _wake!.Task;
        while (!wake.IsCompleted)
        {
            if (_end >= _input.Length)
            {
                await wake.ConfigureAwait(false);
                break;
            }

            if (!_mayHaveMore)
            {
                _pendingReadable ??= _io!.Readable.WaitAsync().AsTask();
                var done = await Task.WhenAny(wake, _pendingReadable).ConfigureAwait(false);
                if (done == wake)
                {
                    break;
                }

                var readable = await _pendingReadable.ConfigureAwait(false);
                _pendingReadable = null;
                if (!readable)
                {
                    return false;
                }
            }

            if (!TryReceive(out var n))
            {
                continue;
            }

            if (n == 0)
            {
                return false;
            }

            _end += n;
            _needMore = false;
            LastInteractionMs = Environment.TickCount64;
        }

        return !Killed;
    }

    /// <summary>Called under the server lock by whoever blocks this client.</summary>
    internal void PrepareWake() => _wake = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called under the server lock when a blocked client is served, times out or is unblocked.</summary>
    internal void Wake()
    {
        _wake?.TrySetResult(true);

        // The loop flushes after waking, but it may have passed that point already (served between
        // its lock release and its Blocked check): a scheduled flush covers that gap.
        RequestFlush();
    }

    /// <summary>
    /// Called under the server lock after writing to this client from elsewhere (PUBLISH, MONITOR,
    /// a key that unblocked it): schedules a send unless one is already scheduled.
    /// </summary>
    public void RequestFlush()
    {
        if (_flushScheduled || _closed || _socket is null)
        {
            return;
        }

        _flushScheduled = true;
        ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.FlushAsync(), this, preferLocal: false);
    }

    private void SwapLocked()
    {
        _flushScheduled = false;
        (_pending, _sending) = (_sending, _pending);
        Writer.Buffer = _pending;
    }

    /// <summary>Sends everything pending, looping until nothing is left.</summary>
    private async Task FlushAsync()
    {
        if (_socket is null)
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                lock (_server.Gate)
                {
                    if (_pending.IsEmpty || _closed)
                    {
                        _flushScheduled = false;
                        return;
                    }

                    SwapLocked();
                }

                await SendAsync().ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
            Kill();
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends <see cref="_sending"/>; completes synchronously unless the socket buffer fills up.</summary>
    private ValueTask SendAsync()
    {
        if (Killed)
        {
            _sending.Reset();
            return default;
        }

        try
        {
            var count = _sending.SegmentCount;
            for (var i = 0; i < count; i++)
            {
                var segment = _sending.Segment(i);
                var sent = SendNow(segment.Span);
                if (sent < segment.Length)
                {
                    return SendRestAsync(i, sent);
                }
            }
        }
        catch
        {
            _sending.Reset();
            throw;
        }

        _sending.Reset();
        return default;
    }

    private async ValueTask SendRestAsync(int index, int offset)
    {
        try
        {
            var count = _sending.SegmentCount;
            for (var i = index; i < count; i++)
            {
                await SendAllAsync(_sending.Segment(i)[(i == index ? offset : 0)..]).ConfigureAwait(false);
            }
        }
        finally
        {
            _sending.Reset();
        }
    }

    /// <summary>Non-blocking sends until all is sent or the socket buffer is full; returns the bytes sent.</summary>
    private int SendNow(ReadOnlySpan<byte> data)
    {
        var total = 0;
        while (total < data.Length)
        {
            var sent = _socket!.Send(data[total..], SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                total += sent;
                continue;
            }

            if (error is SocketError.WouldBlock or SocketError.Interrupted)
            {
                break;
            }

            throw new SocketException((int)error);
        }

        return total;
    }

    /// <summary>Sends a whole segment, waiting for writability whenever the socket buffer is full.</summary>
    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> segment)
    {
        while (true)
        {
            segment = segment[SendNow(segment.Span)..];
            if (segment.IsEmpty)
            {
                return;
            }

            if (!await _io!.Writable.WaitAsync().ConfigureAwait(false))
            {
                throw new SocketException((int)SocketError.Shutdown);
            }
        }
    }

    private void Close()
    {
        lock (_server.Gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _server.RemoveClient(this);
        }

        _io?.Close();
        try
        {
            _socket?.Dispose();
        }
        catch (SocketException)
        {
        }

        _wake?.TrySetResult(false);
        ArrayPool<byte>.Shared.Return(_input);
        _input = [];
        _start = _end = 0;
    }
}
