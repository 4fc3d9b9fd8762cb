using static Forge.Sniff.Tests.Support.Packets;

namespace Forge.Sniff.Tests.Support;

/// <summary>The crafted packets the differential tests feed to tcpdump and forge sniff: every decoder and its edge cases.</summary>
internal static class Corpus
{
    private const string A = "192.0.2.1";
    private const string B = "198.51.100.7";
    private const string A6 = "2001:db8::1";
    private const string B6 = "2001:db8:0:1::2";
    private const string Ll6 = "fe80::200:ff:fe00:1";

    private static byte[] E4(byte proto, byte[] payload, ushort flags = 0x4000, byte[]? options = null, bool badSum = false, byte tos = 0, string src = A, string dst = B)
        => Ether(0x0800, Ipv4(src, dst, proto, payload, flagsOffset: flags, options: options, badChecksum: badSum, tos: tos));

    private static byte[] E6(byte nh, byte[] payload, byte[]? ext = null, byte upper = 0, string src = A6, string dst = B6, byte hlim = 64)
        => Ether(0x86dd, Ipv6(src, dst, nh, payload, hopLimit: hlim, extensions: ext, upperProtocol: upper));

    /// <summary>Ethernet frames (link type 1).</summary>
    public static List<byte[]> Ethernet()
    {
        var http = System.Text.Encoding.ASCII.GetBytes("GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n");
        var httpResp = System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var sack = new byte[] { 1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0 };
        var list = new List<byte[]>
        {
            // TCP handshake, data, HTTP both ways, FIN, RST with text
            E4(6, Tcp(40000, 80, 1000, 0, 0x02, 64240, SynOptions)),
            E4(6, Tcp(80, 40000, 5000, 1001, 0x12, 65160, SynOptions), src: B, dst: A),
            E4(6, Tcp(40000, 80, 1001, 5001, 0x10, 502)),
            E4(6, Tcp(40000, 80, 1001, 5001, 0x18, 502, payload: http)),
            E4(6, Tcp(80, 40000, 5001, 1001 + (uint)http.Length, 0x18, 509, payload: httpResp), src: B, dst: A),
            E4(6, Tcp(40000, 80, 1001 + (uint)http.Length, 5001 + (uint)httpResp.Length, 0x11, 502)),
            E4(6, Tcp(80, 40000, 9, 0, 0x04, 0, payload: "reset by peer\n"u8.ToArray()), src: B, dst: A),
            E4(6, Tcp(40000, 80, 1001, 5001, 0x10, 502, sack)),
            E4(6, Tcp(40001, 5001, 7, 9, 0x38, 100, urgent: 3, payload: [1, 2, 3])),
            E4(6, Tcp(40002, 443, 1, 0, 0xc2, 100)),
            E4(6, Tcp(40003, 8080, 1, 0, 0x00, 100)),
            // UDP: unknown port, DNS query/answers/NXDomain, bad length
            E4(17, Udp(33000, 9999, [1, 2, 3, 4, 5])),
            E4(17, Udp(33001, 53, DnsQuery(0x1234, "www.example.com", 1))),
            E4(17, Udp(53, 33001, DnsResponse(0x1234, "www.example.com", 1, [93, 184, 216, 34])), src: B, dst: A),
            E4(17, Udp(33002, 53, DnsQuery(7, "example.org", 28, recursion: false))),
            E4(17, Udp(53, 33002, DnsResponse(7, "example.org", 28, [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), src: B, dst: A),
            E4(17, Udp(53, 33003, DnsResponse(8, "alias.example", 5, DnsName("target.example"))), src: B, dst: A),
            E4(17, Udp(53, 33004, DnsResponse(9, "nope.example", 1, [10, 0, 0, 1], rcode: 3)), src: B, dst: A),
            E4(17, Udp(33005, 9998, [1, 2, 3], length: 40)),
            E4(6, Tcp(33006, 53, 1, 1, 0x18, 100, payload: Concat([0, 29], DnsQuery(0x4242, "tcp.example.net", 15)))),
            // ICMP: echo, unreachable (with the inner UDP datagram), time exceeded, redirect, bad checksum
            E4(1, Icmp(8, 0, Echo(0x77, 1, 56))),
            E4(1, Icmp(0, 0, Echo(0x77, 1, 56)), src: B, dst: A),
            E4(1, Icmp(3, 3, Concat(new byte[4], Ipv4(A, B, 17, Udp(33000, 9999, [1, 2, 3, 4]))[..28])), src: B, dst: A),
            E4(1, Icmp(3, 1, Concat(new byte[4], Ipv4(A, B, 6, Tcp(1, 2, 3, 4, 2))[..28])), src: B, dst: A),
            E4(1, Icmp(11, 0, Concat(new byte[4], Ipv4(A, "203.0.113.9", 17, Udp(33434, 33435, new byte[8]), ttl: 1)[..28])), src: B, dst: A),
            E4(1, Icmp(5, 1, Concat([203, 0, 113, 1], Ipv4(A, B, 1, Icmp(8, 0, Echo(1, 1, 0)))[..28])), src: B, dst: A),
            E4(1, Icmp(3, 4, Concat([0, 0, 5, 0xdc], Ipv4(A, B, 6, Tcp(1, 2, 3, 4, 2))[..28])), src: B, dst: A),
            // ARP request and reply, a VLAN-tagged datagram, an unknown ethertype
            Ether(0x0806, Arp(1, MacA, A, new byte[6], B), dst: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Ether(0x0806, Arp(2, MacB, B, MacA, A), src: MacB, dst: MacA),
            Ether(0x8100, Vlan(0x2064, 0x0800, Ipv4(A, B, 17, Udp(1234, 5678, [9, 9])))),
            Ether(0x88b5, [1, 2, 3, 4, 5, 6, 7, 8]),
            // IPv4 options, fragments, TOS/ECN, bad header checksum, unknown protocol
            E4(17, Udp(1, 2, [0]), options: [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            E4(17, Udp(1, 2, new byte[16]), flags: 0x2000),
            E4(17, new byte[8], flags: 0x0003),
            E4(17, Udp(3, 4, [1]), tos: 0x12),
            E4(17, Udp(3, 4, [1]), badSum: true),
            E4(253, [1, 2, 3, 4]),
            // IPv6: TCP, UDP, ICMPv6 echo/ND/errors/MLDv2, extension headers
            E6(6, Tcp(50000, 22, 100, 0, 0x02, 64800, SynOptions)),
            E6(17, Udp(50001, 5353, DnsQuery(0, "_http._tcp.local", 12, recursion: false))),
            E6(58, Icmp(128, 0, Echo(5, 9, 16))),
            E6(58, Icmp(129, 0, Echo(5, 9, 16)), src: B6, dst: A6),
            E6(58, Concat(Icmp(135, 0, new byte[4]), System.Net.IPAddress.Parse(B6).GetAddressBytes(), [1, 1], MacA), src: Ll6, dst: "ff02::1:ff00:2", hlim: 255),
            E6(58, Concat(Icmp(136, 0, [0x60, 0, 0, 0]), System.Net.IPAddress.Parse(B6).GetAddressBytes(), [2, 1], MacB), src: B6, dst: Ll6, hlim: 255),
            E6(58, Concat(Icmp(133, 0, new byte[4]), [1, 1], MacA), src: Ll6, dst: "ff02::2", hlim: 255),
            E6(58, Concat(Icmp(134, 0, [64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]),
                [3, 4, 64, 0xc0, 0, 0x27, 0x8d, 0, 0, 0x09, 0x3a, 0x80, 0, 0, 0, 0], System.Net.IPAddress.Parse("2001:db8:1::").GetAddressBytes(),
                [5, 1, 0, 0, 0, 0, 0x05, 0xdc]), src: Ll6, dst: "ff02::1", hlim: 255),
            E6(58, Icmp(1, 4, Concat(new byte[4], Ipv6(A6, B6, 17, Udp(50002, 7777, [1, 2]))[..48])), src: B6, dst: A6),
            E6(58, Icmp(2, 0, Concat([0, 0, 5, 0], Ipv6(A6, B6, 17, Udp(1, 2, new byte[8]))[..48])), src: B6, dst: A6),
            E6(58, Icmp(3, 0, Concat(new byte[4], Ipv6(A6, B6, 17, Udp(1, 2, new byte[8]))[..48])), src: B6, dst: A6),
            E6(0, Concat(Icmp(143, 0, [0, 0, 0, 1]), [4, 0, 0, 0], System.Net.IPAddress.Parse("ff02::1:3").GetAddressBytes()),
                ext: [58, 0, 5, 2, 0, 0, 1, 0], upper: 58, src: Ll6, dst: "ff02::16", hlim: 1),
            E6(44, Udp(50003, 9000, new byte[24]), ext: [17, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef], upper: 17),
            E6(60, Tcp(50004, 80, 1, 0, 0x02, 1000), ext: [6, 0, 1, 4, 0, 0, 0, 0], upper: 6),
        };

        // Truncated captures (cut inside the TCP header, the IP header, the DNS question).
        var syn = E4(6, Tcp(40010, 80, 1, 0, 0x02, 100, SynOptions));
        list.Add(syn[..(14 + 20 + 16)]);
        list.Add(syn[..(14 + 12)]);
        var dns = E4(17, Udp(33010, 53, DnsQuery(0x55, "truncated.example.com", 1)));
        list.Add(dns[..(dns.Length - 8)]);
        list.Add(syn[..(14 + 20 + 30)]);
        return list;
    }

    /// <summary>
    /// TCP and UDP between loopback addresses (named by /etc/hosts, not by a DNS server) on ports
    /// /etc/services names and ports it does not, none of them dispatched to a decoder.
    /// </summary>
    public static List<byte[]> ServiceNames()
    {
        const string L = "127.0.0.1";
        var list = new List<byte[]>();
        foreach (var (src, dst) in new (ushort, ushort)[] { (41000, 80), (80, 41000), (41001, 22), (41002, 443), (41003, 25), (41004, 12345), (3306, 5432) })
        {
            list.Add(E4(6, Tcp(src, dst, 1, 0, 0x02, 1000), src: L, dst: L));
        }

        foreach (var (src, dst) in new (ushort, ushort)[] { (9, 9), (41005, 13), (41006, 12346) })
        {
            list.Add(E4(17, Udp(src, dst, [1, 2, 3]), src: L, dst: L));
        }

        return list;
    }

    /// <summary>
    /// Frames whose MAC addresses tcpdump names without -n: vendor prefixes it knows and ones it does
    /// not, broadcast and multicast, in an unknown ethertype and in ARP between loopback addresses
    /// (so the IP names come from /etc/hosts, not from a DNS server).
    /// </summary>
    public static List<byte[]> MacNames()
    {
        byte[][] macs =
        [
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x01], [0x00, 0x00, 0x0c, 0x07, 0xac, 0x01], [0x00, 0x00, 0x5e, 0x00, 0x01, 0x01],
            [0x00, 0x80, 0xc2, 0x00, 0x00, 0x0e], [0x08, 0x00, 0x09, 0x12, 0x34, 0x56], [0x00, 0x24, 0x81, 0xaa, 0xbb, 0xcc],
            [0xd0, 0xf0, 0xdb, 0x01, 0x02, 0x03], [0x5c, 0x16, 0xc7, 0xff, 0xee, 0xdd], [0x00, 0x10, 0x18, 0x00, 0x00, 0x00],
            [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ];
        var list = new List<byte[]>();
        for (var i = 0; i < macs.Length; i++)
        {
            list.Add(Ether(0x88b5, [1, 2, 3, 4], dst: macs[(i + 1) % macs.Length], src: macs[i]));
        }

        list.Add(Ether(0x0806, Arp(1, macs[1], "127.0.0.1", new byte[6], "127.0.0.1"), dst: macs[11], src: macs[1]));
        list.Add(Ether(0x0806, Arp(2, macs[4], "127.0.0.1", macs[1], "127.0.0.1"), dst: macs[1], src: macs[4]));
        return list;
    }

    /// <summary>
    /// ICMPv6 router renumbering (RFC 2894), node information (RFC 4620) and RPL (RFC 6550) messages,
    /// well-formed and malformed (short lengths, odd option lengths, unknown codes), in Ethernet frames.
    /// </summary>
    public static List<byte[]> Icmp6Messages()
    {
        var ip6 = (string a) => System.Net.IPAddress.Parse(a).GetAddressBytes();
        byte[] Rr(byte code, uint seq, byte seg, byte flags, ushort maxDelay, uint reserved, params byte[][] parts)
            => Icmp(138, code, Concat(U32(seq), [seg, flags], U16(maxDelay), U32(reserved), Concat(parts)));
        byte[] Match(byte op, byte len, byte ord, byte matchLen, byte min, byte max, string prefix)
            => Concat([op, len, ord, matchLen, min, max, 0, 0], ip6(prefix));
        byte[] Use(byte useLen, byte keepLen, byte mask, byte raFlags, uint vl, uint pl, byte flags, string prefix)
            => Concat([useLen, keepLen, mask, raFlags], U32(vl), U32(pl), [flags, 0, 0, 0], ip6(prefix));
        byte[] Ni(byte type, byte code, ushort qtype, ushort flags, params byte[][] data)
            => Icmp(type, code, Concat(U16(qtype), U16(flags), [1, 2, 3, 4, 5, 6, 7, 8], Concat(data)));
        byte[] Rpl(byte code, params byte[][] body) => Icmp(155, code, Concat(body));
        byte[] Dio(byte mopPrf, params byte[][] options)
            => Concat([30, 1, 0x01, 0x00, mopPrf, 7, 0, 0], ip6("2001:db8:ffff::1"), Concat(options));
        var dagId = ip6("fd00::1");
        var target = Concat([5, 18, 0, 128], ip6("2001:db8::99"));
        var list = new List<byte[]>
        {
            // Router renumbering: command with match and two use parts (flags, infinite lifetimes), result, reset, unknown code.
            Rr(0, 1, 3, 0xf8, 100, 0, Match(1, 11, 2, 48, 48, 64, "fec0::"), Use(48, 16, 0xc0, 0x80, 2592000, 604800, 0xc0, "3ffe:501:fffe::"),
                Use(64, 64, 0, 0, uint.MaxValue, uint.MaxValue, 0, "2001:db8:1::")),
            Rr(0, 0x01000000, 0, 0x10, 0, 0, Match(2, 7, 0, 48, 0, 128, "3ffe:501:ffff::"), Use(48, 16, 0, 0, 2592000, 604800, 0x40, "3ffe:501:ffff::")),
            Rr(0, 2, 0, 0, 0, 0x1234, Match(3, 3, 0, 0, 0, 0, "::")),
            Rr(0, 3, 0, 0, 0, 0, Match(9, 6, 0, 64, 0, 0, "2001:db8::")),
            Rr(0, 4, 0, 0, 0, 0, Match(1, 11, 0, 48, 0, 0, "2001:db8::"), Use(48, 16, 0, 0, 1, 1, 0, "2001:db8:2::")),
            Rr(1, 5, 0, 0x40, 0, 0, [0, 2, 1, 48, 0, 0, 0, 1], ip6("2001:db8::")),
            Rr(255, 6, 0, 0, 0, 0),
            Rr(7, 7, 0, 0, 0, 0),
            Icmp(138, 0, [0, 0, 0, 1, 0, 0]),

            // Node information: KAME who-are-you, queries for each qtype and subject, replies for each qtype and code.
            Icmp(139, 0, new byte[8]),
            Ni(139, 0, 3, 0x0002, ip6("fe80::5054:ff:fe2c:3629")),
            Ni(139, 0, 3, 0x007e, ip6("fe80::1")),
            Ni(139, 0, 0, 0),
            Ni(139, 0, 0, 0, [1, 2, 3]),
            Ni(139, 0, 1, 1),
            Ni(139, 0, 1, 2),
            Ni(139, 0, 2, 0),
            Ni(139, 1, 2, 0, DnsName("host.example")),
            Ni(139, 1, 2, 0, [4, (byte)'h', (byte)'o', (byte)'s', (byte)'t']),
            Ni(139, 1, 2, 0, [4, (byte)'h', (byte)'o', (byte)'s', (byte)'t', 3, (byte)'e', (byte)'x']),
            Ni(139, 1, 2, 0, [3, (byte)'a', 0x01, (byte)'b', 0, 7]),
            Ni(139, 2, 4, 0, [192, 0, 2, 1]),
            Ni(139, 2, 4, 0, [192, 0, 2, 1, 0]),
            Ni(139, 0, 3, 0, ip6("fe80::1"), [0]),
            Ni(139, 7, 3, 0, [1]),
            Ni(139, 0, 9, 0, [1]),
            Ni(140, 0, 3, 0x0003, U32(120), ip6("2001:db8::5"), U32(30), ip6("fe80::5"), [1, 2]),
            Ni(140, 0, 2, 1, U32(60), DnsName("node.example")),
            Ni(140, 0, 2, 0, U32(60), [4, (byte)'n', (byte)'o', (byte)'d', (byte)'e']),
            Ni(140, 0, 0, 0),
            Ni(140, 0, 0, 0, [9]),
            Ni(140, 0, 1, 1),
            Ni(140, 0, 7, 0),
            Ni(140, 1, 0, 0),
            Ni(140, 2, 0, 0, [1, 2]),
            Ni(140, 5, 0, 0),

            // RPL: DIS, DIO (grounded, each MOP, options incl. Pad1/PadN/unknown), DAO with and without DODAGID,
            // DAO-ACK with and without, secured, unknown code, and bodies too short for their message.
            Rpl(0, [0, 0]),
            Rpl(1, Dio(0x88 | 0x03, [0], [1, 2, 0, 0], [4, 14, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0x2a, 1, 9])),
            Rpl(1, Dio(0x10)),
            Rpl(1, Dio(0x3f)),
            Rpl(1, [1, 2, 3]),
            Rpl(2, [42, 0xc0, 0, 10], dagId, target, [0, 0, 0]),
            Rpl(2, [42, 0x80, 0, 11], target, new byte[4]),
            Rpl(2, [42, 0x40, 0, 12], new byte[8]),
            Rpl(2, [42, 0x00, 0, 13], [13, 2, 1, 2, 128, 15]),
            Rpl(3, [43, 0x80, 11, 0], dagId),
            Rpl(3, [43, 0x00, 12, 1], [1, 0], new byte[14]),
            Rpl(3, [43, 0x80, 13, 2], new byte[6]),
            Rpl(3, [43]),
            Rpl(0x81, new byte[24]),
            Rpl(0x05, [1, 2, 3, 4]),
            Icmp(155, 1, []),
        };

        const string src = "fe80::216:3eff:fe11:3424";
        var frames = list.Select(m => E6(58, m, src: src, dst: "ff02::1", hlim: 255)).ToList();

        // ICMPv6 length below 4 (RPL's u_int length wraps) and below 16 (node information, renumbering).
        frames.Add(E6(58, [155, 2, 0, 0], src: src, dst: "ff02::1"));
        frames.Add(E6(58, [155, 1, 0], src: src, dst: "ff02::1"));
        frames.Add(E6(58, [140, 0, 0, 0], src: src, dst: "ff02::1"));
        frames.Add(E6(58, [139, 0, 0, 0, 0, 3, 0, 2, 1, 2], src: src, dst: "ff02::1"));
        return frames;
    }

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    private static byte[] U32(uint v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    /// <summary>Linux cooked v1 (link type 113) and v2 (276) frames.</summary>
    public static List<byte[]> Sll(bool v2)
    {
        var ip = Ipv4(A, B, 17, Udp(1000, 2000, [1, 2, 3]));
        var ip6 = Ipv6(A6, B6, 58, Icmp(128, 0, Echo(1, 2, 8)));
        byte[] Header(ushort proto, byte pkttype)
        {
            if (v2)
            {
                return Concat([(byte)(proto >> 8), (byte)proto, 0, 0, 0, 0, 0, 1, 0, 1, pkttype, 6], MacA, [0, 0]);
            }

            return Concat([0, pkttype, 0, 1, 0, 6], MacA, [0, 0, (byte)(proto >> 8), (byte)proto]);
        }

        return
        [
            Concat(Header(0x0800, 0), ip),
            Concat(Header(0x0800, 4), ip),
            Concat(Header(0x86dd, 1), ip6),
            Concat(Header(0x0806, 1), Arp(1, MacA, A, new byte[6], B)),
        ];
    }

    /// <summary>BSD loopback (link type 0, host byte order family) frames.</summary>
    public static List<byte[]> Null() =>
    [
        Concat([2, 0, 0, 0], Ipv4("127.0.0.1", "127.0.0.1", 17, Udp(5000, 6000, [7]))),
        Concat([30, 0, 0, 0], Ipv6("::1", "::1", 6, Tcp(1, 2, 3, 0, 2, 100))),
        Concat([99, 0, 0, 0], [1, 2, 3, 4]),
    ];

    /// <summary>Raw IP (link type 101).</summary>
    public static List<byte[]> Raw() =>
    [
        Ipv4(A, B, 1, Icmp(8, 0, Echo(1, 1, 8))),
        Ipv6(A6, B6, 17, Udp(1, 53, DnsQuery(3, "raw.example", 16))),
    ];
}
