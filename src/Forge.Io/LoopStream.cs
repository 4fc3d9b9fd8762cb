using System.Net;
using System.Net.Sockets;

namespace Forge.Io;

/// <summary>
/// A non-blocking socket registered with an <see cref="EventLoop"/>, as a <see cref="Stream"/>:
/// reads and writes are plain recv/send calls that wait for the loop's readiness events when the
/// socket has nothing to give or no room, so the code awaiting them continues on the loop's
/// thread. A read that filled the caller's buffer is followed by another recv at once; one that
/// did not waits for the next event first, so the common case never calls recv just to get
/// EAGAIN. One reader and one writer may use the stream at the same time, as with NetworkStream.
/// Disposing it leaves the loop and closes the socket.
/// </summary>
public sealed class LoopStream : Stream
{
    private readonly SocketReadiness _io;
    private bool _mayHaveMore = true;
    private int _disposed;

    private LoopStream(Socket socket, SocketReadiness io)
    {
        Socket = socket;
        _io = io;
    }

    /// <summary>Makes <paramref name="socket"/> non-blocking and registers it with <paramref name="loop"/>.</summary>
    public static LoopStream Register(EventLoop loop, Socket socket)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(socket);
        socket.Blocking = false;
        return new LoopStream(socket, loop.Register(socket));
    }

    /// <summary>
    /// Connects to the first address of <paramref name="host"/> that accepts, without .NET's socket
    /// engine (which would also watch the socket and wake its own thread on every event).
    /// </summary>
    public static async Task<LoopStream> ConnectAsync(EventLoop loop, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loop);
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await ConnectAsync(loop, new IPEndPoint(address, port), cancellationToken);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw last!;
    }

    /// <summary>Connects to <paramref name="endPoint"/> (non-blocking connect, then a wait for writability).</summary>
    public static async Task<LoopStream> ConnectAsync(EventLoop loop, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        LoopStream? stream = null;
        try
        {
            var pending = false;
            try
            {
                socket.Connect(endPoint);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                pending = true;
            }

            stream = new LoopStream(socket, loop.Register(socket));
            if (pending)
            {
                await stream.WaitAsync(stream._io.Writable, cancellationToken);
                var error = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != 0)
                {
                    throw new SocketException(error);
                }
            }

            return stream;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    public Socket Socket { get; }

    /// <summary>The loop whose thread the stream's waits continue on.</summary>
    public EventLoop Loop => _io.Loop;

    /// <summary>
    /// Runs <paramref name="work"/> (a TLS handshake, say) off the loop's thread: on the thread
    /// pool, with this stream's waits continuing there too, so its CPU time does not stall the
    /// loop's other connections; then continues on the loop's thread. Use it when nothing else
    /// reads or writes the stream.
    /// </summary>
    public async Task OffLoopAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _io.Readable.ContinueOnThreadPool = true;
        _io.Writable.ContinueOnThreadPool = true;
        try
        {
            await Task.Yield(); // no synchronization context here: onto the thread pool
            await work();
        }
        finally
        {
            _io.Readable.ContinueOnThreadPool = false;
            _io.Writable.ContinueOnThreadPool = false;
            await Loop.SwitchTo();
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        if (_mayHaveMore && !cancellationToken.IsCancellationRequested && TryReceive(buffer.Span, out var n))
        {
            return new ValueTask<int>(n);
        }

        return ReadSlowAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await WaitAsync(_io.Readable, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The wait may have taken an event just before the cancellation won: the next
                // read must not wait for another.
                _mayHaveMore = true;
                throw;
            }

            if (TryReceive(buffer.Span, out var n))
            {
                return n;
            }
        }
    }

    private bool TryReceive(Span<byte> buffer, out int n)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        n = Socket.Receive(buffer, SocketFlags.None, out var error);
        // A full buffer: more may be queued. Otherwise the next read waits for readiness, which
        // stays on once the peer has closed (SocketReadiness), so it then reads the end of stream.
        _mayHaveMore = error == SocketError.Success && n == buffer.Length;
        if (error == SocketError.Success)
        {
            return true;
        }

        if (error == SocketError.WouldBlock)
        {
            return false;
        }

        throw new IOException($"Unable to read data from the transport connection: {new SocketException((int)error).Message}.", new SocketException((int)error));
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var sent = TrySend(buffer.Span);
        return sent == buffer.Length ? ValueTask.CompletedTask : WriteSlowAsync(buffer[sent..], cancellationToken);
    }

    private async ValueTask WriteSlowAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            await WaitAsync(_io.Writable, cancellationToken);
            buffer = buffer[TrySend(buffer.Span)..];
        }
    }

    /// <summary>Sends what the socket takes now; the count sent (0 when it has no room).</summary>
    private int TrySend(ReadOnlySpan<byte> data)
    {
        var total = 0;
        while (total < data.Length)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var sent = Socket.Send(data[total..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            if (error != SocketError.Success)
            {
                throw new IOException($"Unable to write data to the transport connection: {new SocketException((int)error).Message}.", new SocketException((int)error));
            }

            total += sent;
        }

        return total;
    }

    private async ValueTask WaitAsync(SocketReadiness.Waiter waiter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool ready;
        if (cancellationToken.CanBeCanceled)
        {
            using (cancellationToken.UnsafeRegister(static w => ((SocketReadiness.Waiter)w!).Interrupt(), waiter))
            {
                ready = await waiter.WaitAsync();
            }
        }
        else
        {
            ready = await waiter.WaitAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!ready)
        {
            throw new ObjectDisposedException(nameof(LoopStream), "the connection was closed");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Leave the loop before the descriptor is closed (and perhaps reused).
            _io.Close();
            Socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
