using System.Buffers.Text;

namespace Forge.Sniff.Output;

/// <summary>
/// The one output writer: UTF-8 bytes appended to a reusable buffer and written to a stream
/// (stdout) in large blocks, so printing a packet allocates nothing. Decoders call the typed
/// appenders (<see cref="U"/>, <see cref="Hex2"/>, <see cref="Ipv4"/> ...) instead of formatting strings.
/// </summary>
internal sealed class OutputBuffer : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _buf;
    private int _len;

    public OutputBuffer(Stream stream, bool ownsStream = false, int capacity = 1 << 16)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _buf = new byte[capacity];
    }

    /// <summary>Bytes written so far and not yet flushed (a mark for <see cref="Written"/>).</summary>
    public int Position => _len;

    /// <summary>The bytes appended since <paramref name="mark"/> (valid until the next append or flush).</summary>
    public ReadOnlySpan<byte> Written(int mark) => _buf.AsSpan(mark, _len - mark);

    /// <summary>Drops everything appended since <paramref name="mark"/>.</summary>
    public void Truncate(int mark) => _len = mark;

    /// <summary>True when the buffer holds enough to be worth a write; callers flush between packets.</summary>
    public bool ShouldFlush => _len >= _buf.Length / 2;

    private Span<byte> Reserve(int n)
    {
        if (_len + n > _buf.Length)
        {
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        }

        return _buf.AsSpan(_len);
    }

    public void Byte(byte b)
    {
        if (_len == _buf.Length)
        {
            Reserve(1);
        }

        _buf[_len++] = b;
    }

    public void Char(char c) => Byte((byte)c);

    public void Ascii(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        _len += utf8.Length;
    }

    /// <summary>Appends an ASCII string (names from tables, never packet bytes).</summary>
    public void Str(string s)
    {
        var span = Reserve(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            span[i] = (byte)s[i];
        }

        _len += s.Length;
    }

    public void U(ulong v)
    {
        Utf8Formatter.TryFormat(v, Reserve(20), out var n);
        _len += n;
    }

    public void I(long v)
    {
        Utf8Formatter.TryFormat(v, Reserve(20), out var n);
        _len += n;
    }

    /// <summary>Unsigned decimal zero-padded to <paramref name="width"/> digits (%0Nu).</summary>
    public void UPad(ulong v, int width)
    {
        Utf8Formatter.TryFormat(v, Reserve(Math.Max(20, width)), out var n, new System.Buffers.StandardFormat('D', (byte)width));
        _len += n;
    }

    /// <summary>Unsigned decimal right-aligned in <paramref name="width"/> columns (%Nu).</summary>
    public void UWidth(ulong v, int width)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(v, tmp, out var n);
        for (var i = n; i < width; i++)
        {
            Byte((byte)' ');
        }

        Ascii(tmp[..n]);
    }

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>Two lowercase hex digits (%02x).</summary>
    public void Hex2(byte b)
    {
        var span = Reserve(2);
        span[0] = HexDigits[b >> 4];
        span[1] = HexDigits[b & 15];
        _len += 2;
    }

    /// <summary>Four lowercase hex digits (%04x).</summary>
    public void Hex4(uint v)
    {
        Hex2((byte)(v >> 8));
        Hex2((byte)v);
    }

    /// <summary>Lowercase hex without padding (%x).</summary>
    public void Hex(ulong v)
    {
        Utf8Formatter.TryFormat(v, Reserve(16), out var n, new System.Buffers.StandardFormat('x'));
        _len += n;
    }

    /// <summary>Lowercase hex zero-padded to <paramref name="width"/> digits (%0Nx).</summary>
    public void HexPad(ulong v, int width)
    {
        Utf8Formatter.TryFormat(v, Reserve(Math.Max(16, width)), out var n, new System.Buffers.StandardFormat('x', (byte)width));
        _len += n;
    }

    /// <summary>Dotted quad of 4 bytes.</summary>
    public void Ipv4(ReadOnlySpan<byte> a)
    {
        U(a[0]);
        Byte((byte)'.');
        U(a[1]);
        Byte((byte)'.');
        U(a[2]);
        Byte((byte)'.');
        U(a[3]);
    }

    /// <summary>An IPv6 address as glibc's inet_ntop writes it (RFC 5952 zero compression, IPv4-mapped tails).</summary>
    public void Ipv6(ReadOnlySpan<byte> a)
    {
        Span<ushort> w = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            w[i] = (ushort)((a[2 * i] << 8) | a[(2 * i) + 1]);
        }

        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (var i = 0; i < 8; i++)
        {
            if (w[i] == 0)
            {
                if (curBase < 0)
                {
                    curBase = i;
                    curLen = 1;
                }
                else
                {
                    curLen++;
                }
            }
            else if (curBase >= 0)
            {
                if (bestBase < 0 || curLen > bestLen)
                {
                    bestBase = curBase;
                    bestLen = curLen;
                }

                curBase = -1;
            }
        }

        if (curBase >= 0 && (bestBase < 0 || curLen > bestLen))
        {
            bestBase = curBase;
            bestLen = curLen;
        }

        if (bestBase >= 0 && bestLen < 2)
        {
            bestBase = -1;
        }

        for (var i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase)
                {
                    Byte((byte)':');
                }

                continue;
            }

            if (i != 0)
            {
                Byte((byte)':');
            }

            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)))
            {
                Ipv4(a.Slice(12, 4));
                return;
            }

            Hex(w[i]);
        }

        if (bestBase >= 0 && bestBase + bestLen == 8)
        {
            Byte((byte)':');
        }
    }

    /// <summary>A MAC address as aa:bb:cc:dd:ee:ff.</summary>
    public void Mac(ReadOnlySpan<byte> a)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (i != 0)
            {
                Byte((byte)':');
            }

            Hex2(a[i]);
        }
    }

    public void Flush()
    {
        if (_len > 0)
        {
            _stream.Write(_buf, 0, _len);
            _len = 0;
        }

        _stream.Flush();
    }

    /// <summary>Writes the buffered bytes without flushing the stream underneath.</summary>
    public void Drain()
    {
        if (_len > 0)
        {
            _stream.Write(_buf, 0, _len);
            _len = 0;
        }
    }

    public void Dispose()
    {
        Flush();
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }
}
