using System.Buffers.Binary;

namespace Forge.Sniff.Capture;

/// <summary>
/// Reads pcap (both byte orders, microsecond and nanosecond magic) and pcapng (SHB, IDB, EPB, SPB and
/// the obsolete packet block; several interfaces and sections, both byte orders) files, with
/// libpcap's error messages for cut and corrupt input.
/// </summary>
/// <remarks>
/// pcap: 24-byte file header (magic, version 2.4, thiszone, sigfigs, snaplen, linktype; the top bits
/// of linktype carry FCS information), then per packet a 16-byte record header (ts_sec, ts_frac,
/// incl_len, orig_len) and incl_len bytes. pcapng: blocks of (type, total length, body, total length),
/// see draft-ietf-opsawg-pcapng.
/// </remarks>
internal sealed class CaptureFileReader : IPacketSource
{
    /// <summary>libpcap's limit on a record's captured length (MAXIMUM_SNAPLEN).</summary>
    public const int MaximumSnapLen = 262144;

    private const uint PcapMagicMicro = 0xa1b2c3d4;
    private const uint PcapMagicNano = 0xa1b23c4d;
    private const uint PcapngShb = 0x0a0d0d0a;
    private const uint PcapngByteOrderMagic = 0x1a2b3c4d;
    private const uint BlockIdb = 1;
    private const uint BlockObsoletePacket = 2;
    private const uint BlockSpb = 3;
    private const uint BlockEpb = 6;

    private readonly BlockReader _in;
    private readonly bool _pcapng;
    private bool _bigEndian;
    private readonly bool _nano;
    private readonly int _pcapLinkType;
    private readonly int _pcapSnapLen;
    private readonly int _fileSnapLen;
    private readonly List<Interface> _interfaces = [];

    private struct Interface
    {
        public int LinkType;
        public int SnapLen;
        public ulong UnitsPerSecond;
        public long Offset;
    }

    public CaptureFileReader(Stream stream)
    {
        _in = new BlockReader(stream);
        var got = _in.Take(4, out var m);
        if (got < 4)
        {
            throw new CaptureFileException($"truncated dump file; tried to read 4 file header bytes, only got {got}");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(m);
        var magicBe = BinaryPrimitives.ReadUInt32BigEndian(m);
        if (magic == PcapngShb)
        {
            _pcapng = true;
            ReadSectionHeader(true);
            // The first interface decides what tcpdump announces; read blocks until one is seen.
            while (_interfaces.Count == 0)
            {
                if (!ReadBlock(out _, out _, headerOnly: true))
                {
                    throw new CaptureFileException("the capture file has no Interface Description Blocks");
                }
            }

            return;
        }

        if (magic is PcapMagicMicro or PcapMagicNano)
        {
            _bigEndian = false;
            _nano = magic == PcapMagicNano;
        }
        else if (magicBe is PcapMagicMicro or PcapMagicNano)
        {
            _bigEndian = true;
            _nano = magicBe == PcapMagicNano;
        }
        else
        {
            throw new CaptureFileException("unknown file format");
        }

        got = _in.Take(20, out var h);
        if (got < 20)
        {
            throw new CaptureFileException($"truncated dump file; tried to read 24 file header bytes, only got {got}");
        }

        var major = U16(h);
        if (major < 2)
        {
            throw new CaptureFileException("archaic pcap savefile format");
        }

        _pcapSnapLen = (int)Math.Min(U32(h[12..]), int.MaxValue);
        _fileSnapLen = _pcapSnapLen is <= 0 or > MaximumSnapLen ? MaximumSnapLen : _pcapSnapLen;
        _pcapLinkType = (int)(U32(h[16..]) & 0x03FFFFFF);
    }

    public int LinkType => _pcapng ? _interfaces[0].LinkType : _pcapLinkType;

    public int SnapLen => _pcapng ? _interfaces[0].SnapLen : _pcapSnapLen;

    public bool NanosecondPrecision => _nano;

    private ushort U16(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private uint U32(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    public bool Next(out PacketHeader header, out ReadOnlySpan<byte> data)
    {
        if (_pcapng)
        {
            while (true)
            {
                if (!ReadBlock(out header, out data, headerOnly: false))
                {
                    return false;
                }

                if (header.CapLen >= 0)
                {
                    return true;
                }
            }
        }

        header = default;
        data = default;
        var got = _in.Take(16, out var r);
        if (got == 0)
        {
            return false;
        }

        if (got < 16)
        {
            throw new CaptureFileException($"truncated dump file; tried to read 16 header bytes, only got {got}");
        }

        var sec = U32(r);
        var frac = U32(r[4..]);
        var caplen = U32(r[8..]);
        var len = U32(r[12..]);
        if (caplen > MaximumSnapLen)
        {
            throw new CaptureFileException(caplen > (uint)_fileSnapLen
                ? $"invalid packet capture length {caplen}, bigger than snaplen of {_fileSnapLen}"
                : $"invalid packet capture length {caplen}, bigger than maximum of {MaximumSnapLen}");
        }

        got = _in.Take((int)caplen, out data);
        if (got < caplen)
        {
            throw new CaptureFileException($"truncated dump file; tried to read {caplen} captured bytes, only got {got}");
        }

        if (caplen > (uint)_fileSnapLen)
        {
            // A record longer than the file's snapshot length: libpcap keeps the first snaplen bytes.
            data = data[.._fileSnapLen];
            caplen = (uint)_fileSnapLen;
        }

        header.Seconds = sec;
        header.Nanoseconds = _nano ? frac : frac * 1000L;
        header.CapLen = (int)caplen;
        header.Length = (int)Math.Min(len, int.MaxValue);
        header.LinkType = _pcapLinkType;
        return true;
    }

    private void ReadSectionHeader(bool magicTaken)
    {
        // Block type already read (4 bytes); next: total length (4), byte-order magic (4), version (4), section length (8).
        var got = _in.Take(8, out var s);
        if (got < 8)
        {
            throw new CaptureFileException($"truncated pcapng dump file; tried to read {(magicTaken ? 12 : 8)} bytes, only got {got + 4}");
        }

        var bom = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        if (bom == PcapngByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (BinaryPrimitives.ReadUInt32BigEndian(s[4..]) == PcapngByteOrderMagic)
        {
            _bigEndian = true;
        }
        else
        {
            throw new CaptureFileException("unknown file format");
        }

        var total = U32(s);
        if (total < 28 || (total & 3) != 0)
        {
            throw new CaptureFileException($"block in pcapng dump file has a length of {total} < 28");
        }

        got = _in.Take(4, out var v);
        if (got < 4)
        {
            throw new CaptureFileException($"truncated pcapng dump file; tried to read {total} bytes, only got {12 + got}");
        }

        var major = U16(v);
        if (major != 1)
        {
            throw new CaptureFileException($"unsupported pcapng savefile version {major}.{U16(v[2..])}");
        }

        var rest = total - 16;
        if (_in.Skip(rest) < rest)
        {
            throw new CaptureFileException($"truncated pcapng dump file; tried to read {total} bytes, only got less");
        }

        _interfaces.Clear();
    }

    /// <summary>Reads one block; packet blocks fill the header and data, others are consumed (IDBs recorded).</summary>
    private bool ReadBlock(out PacketHeader header, out ReadOnlySpan<byte> data, bool headerOnly)
    {
        header = default;
        data = default;
        header.CapLen = -1;
        var got = _in.Take(8, out var b);
        if (got == 0)
        {
            return false;
        }

        if (got < 8)
        {
            throw new CaptureFileException($"truncated pcapng dump file; tried to read 8 bytes, only got {got}");
        }

        var typeLe = BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (typeLe == PcapngShb)
        {
            // A new section: its byte order may differ. Re-read the length in the new order.
            var copyLen = b[4..8].ToArray();
            var bom = _in.Take(4, out var bomSpan);
            if (bom < 4)
            {
                throw new CaptureFileException($"truncated pcapng dump file; tried to read 12 bytes, only got {8 + bom}");
            }

            _bigEndian = BinaryPrimitives.ReadUInt32BigEndian(bomSpan) == PcapngByteOrderMagic;
            var total0 = U32(copyLen);
            var rest0 = (long)total0 - 12;
            if (total0 < 28 || _in.Skip(rest0) < rest0)
            {
                throw new CaptureFileException($"truncated pcapng dump file; tried to read {total0} bytes, only got less");
            }

            _interfaces.Clear();
            return true;
        }

        var type = U32(b);
        var total = U32(b[4..]);
        if (total < 12 || (total & 3) != 0)
        {
            throw new CaptureFileException($"block in pcapng dump file has a length of {total} < 12");
        }

        if (total > 16 * 1024 * 1024)
        {
            throw new CaptureFileException($"pcapng block size {total} > maximum {16 * 1024 * 1024}");
        }

        var bodyLen = (int)total - 8;
        got = _in.Take(bodyLen, out var body);
        if (got < bodyLen)
        {
            throw new CaptureFileException($"truncated pcapng dump file; tried to read {bodyLen} bytes, only got {got}");
        }

        body = body[..^4];
        switch (type)
        {
            case BlockIdb:
                {
                    if (body.Length < 8)
                    {
                        throw new CaptureFileException("block in pcapng dump file is too short to contain an Interface Description Block");
                    }

                    var itf = new Interface
                    {
                        LinkType = U16(body),
                        SnapLen = (int)Math.Min(U32(body[4..]), int.MaxValue),
                        UnitsPerSecond = 1_000_000,
                    };
                    ParseIdbOptions(body[8..], ref itf);
                    if (itf.SnapLen == 0 || itf.SnapLen > MaximumSnapLen)
                    {
                        itf.SnapLen = MaximumSnapLen;
                    }

                    _interfaces.Add(itf);
                    return true;
                }

            case BlockEpb:
            case BlockObsoletePacket:
                {
                    if (headerOnly)
                    {
                        throw new CaptureFileException("a packet arrived before any Interface Description Block");
                    }

                    if (body.Length < 20)
                    {
                        throw new CaptureFileException("block in pcapng dump file is too short to contain an Enhanced Packet Block");
                    }

                    var ifId = type == BlockEpb ? (int)U32(body) : U16(body);
                    var tsHigh = U32(body[4..]);
                    var tsLow = U32(body[8..]);
                    var caplen = U32(body[12..]);
                    var len = U32(body[16..]);
                    if (ifId >= _interfaces.Count)
                    {
                        throw new CaptureFileException($"a packet arrived on interface {ifId}, but there's no Interface Description Block for that interface");
                    }

                    if (caplen > body.Length - 20)
                    {
                        throw new CaptureFileException("block in pcapng dump file is too short to contain the packet data");
                    }

                    var itf = _interfaces[ifId];
                    if (caplen > MaximumSnapLen)
                    {
                        throw new CaptureFileException($"invalid packet capture length {caplen}, bigger than maximum of {MaximumSnapLen}");
                    }

                    SetTime(ref header, ((ulong)tsHigh << 32) | tsLow, itf);
                    header.CapLen = (int)caplen;
                    header.Length = (int)Math.Min(len, int.MaxValue);
                    header.LinkType = itf.LinkType;
                    header.Interface = ifId;
                    data = body.Slice(20, (int)caplen);
                    return true;
                }

            case BlockSpb:
                {
                    if (headerOnly)
                    {
                        throw new CaptureFileException("a packet arrived before any Interface Description Block");
                    }

                    if (body.Length < 4 || _interfaces.Count == 0)
                    {
                        throw new CaptureFileException("block in pcapng dump file is too short to contain a Simple Packet Block");
                    }

                    var itf = _interfaces[0];
                    var len = U32(body);
                    var caplen = Math.Min(Math.Min(len, (uint)(body.Length - 4)), (uint)itf.SnapLen);
                    header.CapLen = (int)caplen;
                    header.Length = (int)Math.Min(len, int.MaxValue);
                    header.LinkType = itf.LinkType;
                    data = body.Slice(4, (int)caplen);
                    return true;
                }

            default:
                return true;
        }
    }

    private void ParseIdbOptions(ReadOnlySpan<byte> options, ref Interface itf)
    {
        while (options.Length >= 4)
        {
            var code = U16(options);
            var len = U16(options[2..]);
            if (code == 0 || 4 + len > options.Length)
            {
                break;
            }

            var value = options.Slice(4, len);
            if (code == 9 && len >= 1)
            {
                var r = value[0];
                itf.UnitsPerSecond = (r & 0x80) != 0 ? 1UL << Math.Min(r & 0x7f, 63) : Pow10(r & 0x7f);
            }
            else if (code == 14 && len >= 8)
            {
                itf.Offset = (long)(_bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(value) : BinaryPrimitives.ReadUInt64LittleEndian(value));
            }

            options = options[Math.Min(options.Length, 4 + ((len + 3) & ~3))..];
        }
    }

    private static ulong Pow10(int n)
    {
        ulong v = 1;
        for (var i = 0; i < n && i < 19; i++)
        {
            v *= 10;
        }

        return v;
    }

    private static void SetTime(ref PacketHeader header, ulong ts, Interface itf)
    {
        var units = itf.UnitsPerSecond == 0 ? 1_000_000UL : itf.UnitsPerSecond;
        var sec = ts / units;
        var frac = ts % units;
        header.Seconds = (long)sec + itf.Offset;
        header.Nanoseconds = (long)(units >= 1_000_000_000 ? frac / (units / 1_000_000_000) : (ulong)((UInt128)frac * 1_000_000_000 / units));
    }

    public void Dispose() => _in.Dispose();
}
