namespace Forge.Tunnel.Mux;

/// <summary>
/// Sits between SslStream and the socket. SslStream writes each TLS record (at most 16 KiB) to its
/// inner stream separately, which costs one send syscall per record; this stream gathers the
/// records of one write into a buffer and sends them with one syscall on flush. Reads pass
/// straight through, so one reader and one writer may use it concurrently (unlike BufferedStream).
/// </summary>
internal sealed class CoalescingStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _buffer;
    private int _used;

    /// <summary>Off (write-through) until the TLS handshake is done: SslStream does not flush it.</summary>
    public bool Coalesce { get; set; }

    public CoalescingStream(Stream inner, int bufferSize = 512 * 1024)
    {
        _inner = inner;
        _buffer = new byte[bufferSize];
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalesce)
        {
            await FlushAsync(cancellationToken);
            await _inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        if (_used + buffer.Length > _buffer.Length)
        {
            await FlushAsync(cancellationToken);
            if (buffer.Length > _buffer.Length)
            {
                await _inner.WriteAsync(buffer, cancellationToken);
                return;
            }
        }

        buffer.Span.CopyTo(_buffer.AsSpan(_used));
        _used += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_used > 0)
        {
            var n = _used;
            _used = 0;
            await _inner.WriteAsync(_buffer.AsMemory(0, n), cancellationToken);
        }

        await _inner.FlushAsync(cancellationToken);
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
