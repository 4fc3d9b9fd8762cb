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
