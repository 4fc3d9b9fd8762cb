using System.Buffers.Binary;
using System.Text;
using Forge.Sniff.Capture;
using Forge.Sniff.Cli;
using Forge.Sniff.Interop;

namespace Forge.Sniff.Live;

/// <summary>
/// Live capture from an AF_PACKET socket with a memory-mapped TPACKET_V3 receive ring (packet(7),
/// Documentation/networking/packet_mmap.rst). The kernel fills blocks of packets; a block whose
/// status has TP_STATUS_USER belongs to us until we hand it back, so packets are decoded in place
/// with no copy (except to rebuild a stripped VLAN tag or the SLL2 header of "-i any").
/// </summary>
/// <remarks>
/// Block layout (tpacket_block_desc): version (0), offset_to_priv (4), block_status (8), num_pkts (12),
/// offset_to_first_pkt (16), blk_len (20), seq_num (24). Packet (tpacket3_hdr): tp_next_offset (0),
/// tp_sec (4), tp_nsec (8), tp_snaplen (12), tp_len (16), tp_status (20), tp_mac (24), tp_net (26),
/// rxhash (28), vlan_tci (32), vlan_tpid (36); sockaddr_ll follows at 48.
/// </remarks>
internal sealed unsafe class LiveCapture : IPacketSource
{
    // Blocks only as large as one packet needs: the kernel retires a block per timeout (1 ms in
    // immediate mode) however little it holds, so a ring of a few large blocks overflows after a
    // few packets whenever the reader pauses (1 MiB blocks in a 4 MiB ring dropped an ICMP
    // exchange). libpcap sizes its blocks the same way.
    private const int MinBlockSize = 1 << 16;
    private const int MinBlocks = 16;
    private const int DefaultBufferSize = 4 << 20;
    private const int FrameSize = 2048;
    private const uint TpStatusUser = 1;
    private const uint TpStatusVlanValid = 0x10;
    private const uint TpStatusVlanTpidValid = 0x40;
    private const byte PacketOutgoing = 4;

    private readonly int _fd;
    private readonly byte* _ring;
    private readonly nuint _ringSize;
    private readonly int _blocks;
    private readonly int _blockSize;
    private readonly bool _any;
    private readonly int _loIndex;
    private readonly string? _direction;
    private readonly int _snapLen;
    private readonly int _timeoutMs;
    private readonly CancellationToken _cancel;
    private readonly byte[] _copy;
    private int _block;
    private bool _holding;
    private uint _left;
    private int _offset;
    private ulong _received;
    private ulong _dropped;

    private LiveCapture(int fd, byte* ring, nuint ringSize, int blockSize, int blocks, bool any, int loIndex, SniffOptions options, CancellationToken cancel)
    {
        _fd = fd;
        _ring = ring;
        _ringSize = ringSize;
        _blocks = blocks;
        _blockSize = blockSize;
        _any = any;
        _loIndex = loIndex;
        _direction = options.Direction;
        _snapLen = options.SnapLen;
        _timeoutMs = options.Immediate ? 1 : 100;
        _cancel = cancel;
        _copy = new byte[options.SnapLen + 64];
        LinkType = any ? Capture.LinkType.LinuxSll2 : InterfaceLinkType(options.Interface!);
    }

    public int LinkType { get; }

    public int SnapLen => _snapLen;

    public bool NanosecondPrecision => true;

    /// <summary>Opens the interface named by -i (or tcpdump's default) and prints tcpdump's "listening on" line.</summary>
    public static LiveCapture Open(SniffOptions options, TextWriter stderr, CancellationToken cancel = default)
    {
        var name = options.Interface;
        if (name is null)
        {
            name = NetInterfaces.Default()?.Name ?? throw new LiveCaptureException("no suitable device found");
            options.Interface = name;
        }

        var any = name == "any";
        var ifIndex = 0;
        if (!any)
        {
            ifIndex = (int)Linux.if_nametoindex(name);
            if (ifIndex == 0)
            {
                throw new LiveCaptureException($"{name}: No such device exists\n(No such device exists)");
            }
        }

        var fd = Linux.socket(Linux.AfPacket, any ? Linux.SockDgram : Linux.SockRaw, 0);
        if (fd < 0)
        {
            var message = Linux.LastError(out var errno);
            throw new LiveCaptureException(errno is Linux.Eperm or Linux.Eacces
                ? $"{name}: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)"
                : $"{name}: socket: {message}");
        }

        byte* ring = null;
        nuint ringSize = 0;
        try
        {
            var version = Linux.Tpacket3;
            Check(Linux.setsockopt(fd, Linux.SolPacket, Linux.PacketVersion, &version, sizeof(int)), name, "PACKET_VERSION");
            var total = options.BufferSize > 0 ? options.BufferSize : DefaultBufferSize;
            var blockSize = BlockSizeFor(any ? 65536 : InterfaceMtu(name), options.SnapLen);
            var blocks = Math.Max(MinBlocks, total / blockSize);
            var req = new Linux.TpacketReq3
            {
                BlockSize = (uint)blockSize,
                BlockNr = (uint)blocks,
                FrameSize = FrameSize,
                FrameNr = (uint)(blockSize / FrameSize * blocks),
                RetireBlkTov = options.Immediate ? 1u : 100u,
            };
            Check(Linux.setsockopt(fd, Linux.SolPacket, Linux.PacketRxRing, &req, (uint)sizeof(Linux.TpacketReq3)), name, "PACKET_RX_RING");
            ringSize = (nuint)blockSize * (nuint)blocks;
            var map = Linux.mmap(0, ringSize, Linux.ProtRead | Linux.ProtWrite, Linux.MapShared, fd, 0);
            if (map == -1)
            {
                throw new LiveCaptureException($"{name}: mmap: {Linux.LastError(out _)}");
            }

            ring = (byte*)map;
            var sll = new Linux.SockaddrLl
            {
                Family = Linux.AfPacket,
                Protocol = Linux.Htons(Linux.EthPAll),
                IfIndex = ifIndex,
            };
            Check(Linux.bind(fd, &sll, (uint)sizeof(Linux.SockaddrLl)), name, "bind");
            if (!options.NoPromiscuous && !any)
            {
                var mreq = new Linux.PacketMreq { IfIndex = ifIndex, Type = Linux.PacketMrPromisc };
                Check(Linux.setsockopt(fd, Linux.SolPacket, Linux.PacketAddMembership, &mreq, (uint)sizeof(Linux.PacketMreq)), name, "PACKET_ADD_MEMBERSHIP");
            }

            var capture = new LiveCapture(fd, ring, ringSize, blockSize, blocks, any, (int)Linux.if_nametoindex("lo"), options, cancel);
            if (options.Verbose == 0 && options.WriteFile is null)
            {
                stderr.Write("forge sniff: verbose output suppressed, use -v[v]... for full protocol decode\n");
            }
            else
            {
                stderr.Write("forge sniff: ");
            }

            stderr.Write($"listening on {name}, link-type {Capture.LinkType.Text(capture.LinkType)}, snapshot length {options.SnapLen} bytes\n");
            return capture;
        }
        catch
        {
            if (ring is not null)
            {
                _ = Linux.munmap((nint)ring, ringSize);
            }

            _ = Linux.close(fd);
            throw;
        }
    }

    /// <summary>The smallest power of two, at least 64 KiB, that holds one packet of the interface (headers, descriptor and padding included) or the snapshot length if smaller.</summary>
    internal static int BlockSizeFor(int mtu, int snapLen)
    {
        var packet = Math.Min(snapLen, mtu + 64) + 256;
        return Math.Max(MinBlockSize, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)packet));
    }

    private static int InterfaceMtu(string name)
    {
        try
        {
            return int.TryParse(File.ReadAllText($"/sys/class/net/{name}/mtu").Trim(), out var mtu) && mtu > 0 ? mtu : 65536;
        }
        catch (IOException)
        {
            return 65536;
        }
    }

    private static void Check(int rc, string name, string what)
    {
        if (rc < 0)
        {
            var message = Linux.LastError(out var errno);
            throw new LiveCaptureException(errno is Linux.Enodev or Linux.Enxio
                ? $"{name}: No such device exists\n({what}: {message})"
                : $"{name}: {what}: {message}");
        }
    }

    private static int InterfaceLinkType(string name)
    {
        try
        {
            var type = File.ReadAllText($"/sys/class/net/{name}/type").Trim();
            return type switch
            {
                "1" or "772" => Capture.LinkType.Ethernet,
                "65534" => Capture.LinkType.Raw,
                _ => Capture.LinkType.LinuxSll,
            };
        }
        catch (IOException)
        {
            return Capture.LinkType.Ethernet;
        }
    }

    public bool Next(out PacketHeader header, out ReadOnlySpan<byte> data)
    {
        header = default;
        data = default;
        while (true)
        {
            if (_left == 0)
            {
                if (!NextBlock())
                {
                    return false;
                }

                continue;
            }

            var block = _ring + ((long)_block * _blockSize);
            var hdr = block + _offset;
            var next = *(uint*)hdr;
            _left--;
            _offset += (int)next;
            var sll = hdr + 48;
            var pktType = sll[10];
            var ifIndex = *(int*)(sll + 4);
            if (pktType == PacketOutgoing && ifIndex == _loIndex)
            {
                // The kernel hands lo's packets to packet sockets twice (outgoing and incoming); keep one, as libpcap does.
                continue;
            }

            if (_direction == "in" && pktType == PacketOutgoing)
            {
                continue;
            }

            if (_direction == "out" && pktType != PacketOutgoing)
            {
                continue;
            }

            var status = *(uint*)(hdr + 20);
            var snap = (int)*(uint*)(hdr + 12);
            var len = (int)*(uint*)(hdr + 16);
            header.Seconds = *(uint*)(hdr + 4);
            header.Nanoseconds = *(uint*)(hdr + 8);
            header.LinkType = LinkType;
            if (_any)
            {
                // SLL2: protocol, reserved, ifindex, hatype, pkttype, halen, address (8 bytes), then the network header.
                var net = hdr + *(ushort*)(hdr + 26);
                var caplen = Math.Min(snap, _snapLen - 20);
                var c = _copy.AsSpan();
                BinaryPrimitives.WriteUInt16LittleEndian(c, *(ushort*)(sll + 2));
                c[2] = 0;
                c[3] = 0;
                BinaryPrimitives.WriteInt32BigEndian(c[4..], ifIndex);
                BinaryPrimitives.WriteUInt16BigEndian(c[8..], *(ushort*)(sll + 8));
                c[10] = pktType;
                c[11] = sll[11];
                new ReadOnlySpan<byte>(sll + 12, 8).CopyTo(c[12..]);
                new ReadOnlySpan<byte>(net, Math.Max(0, caplen)).CopyTo(c[20..]);
                header.CapLen = 20 + Math.Max(0, caplen);
                header.Length = len + 20;
                data = c[..header.CapLen];
            }
            else
            {
                var mac = hdr + *(ushort*)(hdr + 24);
                if ((status & TpStatusVlanValid) != 0 && LinkType == Capture.LinkType.Ethernet && snap >= 12)
                {
                    // The NIC stripped the 802.1Q tag into the descriptor: put it back, as libpcap does.
                    var tpid = (status & TpStatusVlanTpidValid) != 0 ? *(ushort*)(hdr + 36) : (ushort)0x8100;
                    var tci = (ushort)*(uint*)(hdr + 32);
                    var caplen = Math.Min(snap + 4, _snapLen);
                    var c = _copy.AsSpan();
                    new ReadOnlySpan<byte>(mac, 12).CopyTo(c);
                    BinaryPrimitives.WriteUInt16BigEndian(c[12..], tpid);
                    BinaryPrimitives.WriteUInt16BigEndian(c[14..], tci);
                    new ReadOnlySpan<byte>(mac + 12, caplen - 16).CopyTo(c[16..]);
                    header.CapLen = caplen;
                    header.Length = len + 4;
                    data = c[..caplen];
                }
                else
                {
                    header.CapLen = Math.Min(snap, _snapLen);
                    header.Length = len;
                    data = new ReadOnlySpan<byte>(mac, header.CapLen);
                }
            }

            return true;
        }
    }

    /// <summary>Returns the block we hold to the kernel and waits for the next one; false when cancelled.</summary>
    private bool NextBlock()
    {
        if (_holding)
        {
            var done = _ring + ((long)_block * _blockSize);
            Volatile.Write(ref *(uint*)(done + 8), 0);
            _holding = false;
            _block = (_block + 1) % _blocks;
        }

        var block = _ring + ((long)_block * _blockSize);
        while ((Volatile.Read(ref *(uint*)(block + 8)) & TpStatusUser) == 0)
        {
            if (_cancel.IsCancellationRequested)
            {
                return false;
            }

            var pfd = new Linux.PollFd { Fd = _fd, Events = Linux.PollIn | Linux.PollErr };
            if (Linux.poll(&pfd, 1, _timeoutMs) < 0)
            {
                var message = Linux.LastError(out var errno);
                if (errno != Linux.Eintr)
                {
                    throw new LiveCaptureException($"poll: {message}");
                }
            }
        }

        if (_cancel.IsCancellationRequested)
        {
            return false;
        }

        _holding = true;
        _left = *(uint*)(block + 12);
        _offset = (int)*(uint*)(block + 16);
        return true;
    }

    /// <summary>True when the capture ended because of Ctrl-C or SIGTERM.</summary>
    public bool Cancelled => _cancel.IsCancellationRequested;

    private void ReadStatistics()
    {
        var stats = default(Linux.TpacketStatsV3);
        var len = (uint)sizeof(Linux.TpacketStatsV3);
        if (Linux.getsockopt(_fd, Linux.SolPacket, Linux.PacketStatistics, &stats, &len) == 0)
        {
            _received += stats.Packets;
            _dropped += stats.Drops;
        }
    }

    /// <summary>tcpdump's three closing lines (info(1)): captured, received by filter, dropped by kernel.</summary>
    public void PrintStatistics(TextWriter stderr, long captured)
    {
        ReadStatistics();
        var sb = new StringBuilder();
        sb.Append(captured).Append(Plural(" packet", (ulong)captured)).Append(" captured\n");
        sb.Append(_received).Append(Plural(" packet", _received)).Append(" received by filter\n");
        sb.Append(_dropped).Append(Plural(" packet", _dropped)).Append(" dropped by kernel\n");
        stderr.Write(sb.ToString());
    }

    private static string Plural(string word, ulong n) => n == 1 ? word : word + "s";

    /// <summary>tcpdump -D.</summary>
    public static int ListInterfaces(Stream stdout, TextWriter stderr)
    {
        _ = stderr;
        var w = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
        foreach (var line in NetInterfaces.ListLines())
        {
            w.Write(line);
            w.Write('\n');
        }

        w.Flush();
        return 0;
    }

    public void Dispose()
    {
        if (_ring is not null)
        {
            _ = Linux.munmap((nint)_ring, _ringSize);
        }

        _ = Linux.close(_fd);
    }
}
