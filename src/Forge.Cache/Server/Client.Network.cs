using System.Buffers;
using System.Net.Sockets;

namespace Forge.Cache.Server;

/// <summary>
/// The connection loop: receive into the pooled input buffer, run every complete command under the
/// server lock, send the replies, repeat. Replies written by other clients (PUBLISH, a push that
/// unblocks this client, MONITOR) are sent by a flush scheduled on the thread pool; the send lock
/// keeps the two senders in order.
/// </summary>
internal sealed partial class Client
{
    private const int InitialInputSize = 16 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private TaskCompletionSource<bool>? _wake;
    private Task<int>? _pendingReceive;
    private bool _flushScheduled;
    private bool _closed;

    // The parser saw an incomplete command: don't parse again until more bytes arrive.
    private bool _needMore;

    /// <summary>Runs the connection until the peer closes it, it is killed, or it quits.</summary>
    public async Task RunAsync()
    {
        var socket = _socket!;
        try
        {
            while (true)
            {
                if (_start < _end && !_needMore && Blocked is null && !CloseAfterReply)
                {
                    var swapped = false;
                    if (!EnterGate())
                    {
                        // A busy script holds the lock: replies were written without it (Client.Busy.cs).
                        await SendBusyRepliesAsync(socket).ConfigureAwait(false);
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
                            await SendAsync(socket).ConfigureAwait(false);
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
                        await Task.Yield(); // a script is next: leave the socket engine's thread (Client.Busy.cs)
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
                    if (!await WaitWhileBlockedAsync(socket).ConfigureAwait(false))
                    {
                        break;
                    }

                    // Served, timed out or unblocked: its reply was written by someone else.
                    await FlushAsync().ConfigureAwait(false);
                    continue;
                }

                int n;
                if (_pendingReceive is { } pending)
                {
                    _pendingReceive = null;
                    n = await pending.ConfigureAwait(false);
                }
                else
                {
                    if (!EnsureInputSpace())
                    {
                        break;
                    }

                    n = await socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
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

    /// <summary>While blocked: keep reading (to notice a disconnect) until woken by a push, a timeout or a kill.</summary>
    private async Task<bool> WaitWhileBlockedAsync(Socket socket)
    {
        var wake = _wake!.Task;
        while (!wake.IsCompleted)
        {
            if (_pendingReceive is null && _end < _input.Length)
            {
                _pendingReceive = socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None).AsTask();
            }

            if (_pendingReceive is null)
            {
                await wake.ConfigureAwait(false);
                break;
            }

            var done = await Task.WhenAny(wake, _pendingReceive).ConfigureAwait(false);
            if (done == wake)
            {
                break;
            }

            var n = await _pendingReceive.ConfigureAwait(false);
            _pendingReceive = null;
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

                await SendAsync(_socket).ConfigureAwait(false);
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

    private async ValueTask SendAsync(Socket socket)
    {
        try
        {
            if (!Killed)
            {
                var count = _sending.SegmentCount;
                for (var i = 0; i < count; i++)
                {
                    var segment = _sending.Segment(i);
                    while (!segment.IsEmpty)
                    {
                        var sent = await socket.SendAsync(segment, SocketFlags.None).ConfigureAwait(false);
                        segment = segment[sent..];
                    }
                }
            }
        }
        finally
        {
            _sending.Reset();
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
