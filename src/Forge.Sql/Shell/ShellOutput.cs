using System.Text;

namespace Forge.Sql.Shell;

/// <summary>
/// Where the shell writes: bytes, as sqlite3 writes them (values are UTF-8 bytes, a BLOB is
/// written raw). Buffered; flushed before anything goes to stderr so that the two interleave as
/// sqlite3's do.
/// </summary>
internal sealed class ShellOutput(Stream stream, bool ownsStream) : IDisposable
{
    private readonly Stream _stream = stream;
    private readonly bool _ownsStream = ownsStream;
    private readonly MemoryStream _buffer = new();

    public void Write(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        Span<byte> small = stackalloc byte[256];
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= small.Length)
        {
            var n = Encoding.UTF8.GetBytes(text, small);
            _buffer.Write(small[..n]);
        }
        else
        {
            _buffer.Write(Encoding.UTF8.GetBytes(text));
        }

        FlushIfLarge();
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        FlushIfLarge();
    }

    public void Write(byte b)
    {
        _buffer.WriteByte(b);
    }

    public void Spaces(int n)
    {
        for (var i = 0; i < n; i++)
        {
            _buffer.WriteByte((byte)' ');
        }
    }

    private void FlushIfLarge()
    {
        if (_buffer.Length >= 1 << 16)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (_buffer.Length > 0)
        {
            _stream.Write(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
            _buffer.SetLength(0);
        }

        _stream.Flush();
    }

    public void Dispose()
    {
        Flush();
        if (_ownsStream)
        {
            _stream.Dispose();
        }

        _buffer.Dispose();
    }
}
