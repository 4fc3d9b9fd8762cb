using System.Buffers.Binary;

namespace Forge.Sniff.Capture;

/// <summary>
/// Writes pcap files (little-endian, version 2.4, microsecond magic a1b2c3d4 or nanosecond a1b23c4d)
/// that tcpdump, tshark and Wireshark read. Records go through a buffer; <see cref="Flush"/> after
/// each packet gives tcpdump's -U.
/// </summary>
internal sealed class PcapWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _nano;
    private readonly byte[] _buf = new byte[1 << 16];
    private int _len;

    public PcapWriter(Stream stream, int linkType, int snapLen, bool nano)
    {
        _stream = stream;
        _nano = nano;
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)snapLen);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)linkType);
        Append(h);
        BytesWritten = 24;
    }

    /// <summary>File size so far (for -C rotation).</summary>
    public long BytesWritten { get; private set; }

    public void Write(in PacketHeader header, ReadOnlySpan<byte> data)
    {
        Span<byte> r = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)header.Seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(r[4..], (uint)(_nano ? header.Nanoseconds : header.Nanoseconds / 1000));
        BinaryPrimitives.WriteUInt32LittleEndian(r[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(r[12..], (uint)header.Length);
        Append(r);
        Append(data);
        BytesWritten += 16 + data.Length;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_len + bytes.Length > _buf.Length)
        {
            Drain();
            if (bytes.Length > _buf.Length)
            {
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buf.AsSpan(_len));
        _len += bytes.Length;
    }

    private void Drain()
    {
        if (_len > 0)
        {
            _stream.Write(_buf, 0, _len);
            _len = 0;
        }
    }

    public void Flush()
    {
        Drain();
        _stream.Flush();
    }

    public void Dispose()
    {
        Flush();
        _stream.Dispose();
    }
}
