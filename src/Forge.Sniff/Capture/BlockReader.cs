namespace Forge.Sniff.Capture;

/// <summary>
/// Reads a stream in large blocks and hands out contiguous spans of the requested size from its
/// buffer, so a capture file is read with one system call per megabyte and no copy per packet.
/// </summary>
internal sealed class BlockReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buf;
    private int _start;
    private int _end;
    private bool _eof;

    public BlockReader(Stream stream, int capacity = 1 << 20)
    {
        _stream = stream;
        _buf = new byte[capacity];
    }

    /// <summary>
    /// Takes <paramref name="count"/> bytes. Returns how many were available: fewer than asked only at
    /// the end of the stream, in which case everything left was consumed.
    /// </summary>
    public int Take(int count, out ReadOnlySpan<byte> span)
    {
        if (_end - _start < count)
        {
            Fill(count);
        }

        var got = Math.Min(count, _end - _start);
        span = _buf.AsSpan(_start, got);
        _start += got;
        return got;
    }

    /// <summary>Skips <paramref name="count"/> bytes; returns how many were skipped.</summary>
    public long Skip(long count)
    {
        long skipped = 0;
        while (skipped < count)
        {
            var n = (int)Math.Min(count - skipped, _buf.Length);
            var got = Take(n, out _);
            skipped += got;
            if (got < n)
            {
                break;
            }
        }

        return skipped;
    }

    private void Fill(int count)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (count > _buf.Length)
        {
            Array.Resize(ref _buf, Math.Max(count, _buf.Length * 2));
        }

        while (!_eof && _end < count)
        {
            var n = _stream.Read(_buf, _end, _buf.Length - _end);
            if (n <= 0)
            {
                _eof = true;
                break;
            }

            _end += n;
        }
    }

    public void Dispose() => _stream.Dispose();
}
