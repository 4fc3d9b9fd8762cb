using Forge.Sniff.Capture;

namespace Forge.Sniff.Decoding;

/// <summary>
/// The one registry of decoders: link type → link decoder, ethertype → network decoder, IP protocol →
/// transport decoder, TCP/UDP port → application decoder. Each entry is a switch arm, so dispatch
/// costs a jump table and no allocation. A decoder returns false when the captured bytes ran out
/// (the caller stops and the packet ends with " [|proto]"), true otherwise.
/// </summary>
internal static class Decoders
{
    /// <summary>Link types that have a decoder (what -r accepts for printing).</summary>
    public static bool HasLinkDecoder(int linkType) => linkType is LinkType.Ethernet or LinkType.LinuxSll or LinkType.LinuxSll2
        or LinkType.Null or LinkType.Loop or LinkType.Raw or LinkType.Ipv4 or LinkType.Ipv6;

    public static bool Link(Printer p, in PacketHeader h, ReadOnlySpan<byte> data) => h.LinkType switch
    {
        LinkType.Ethernet => Ethernet.Print(p, data, h.Length),
        LinkType.LinuxSll => Sll.Print(p, data, h.Length),
        LinkType.LinuxSll2 => Sll.Print2(p, data, h.Length),
        LinkType.Null => Loopback.PrintNull(p, data, h.Length, bigEndian: false),
        LinkType.Loop => Loopback.PrintNull(p, data, h.Length, bigEndian: true),
        LinkType.Raw => Loopback.PrintRaw(p, data, h.Length),
        LinkType.Ipv4 => Loopback.PrintRaw(p, data, h.Length),
        LinkType.Ipv6 => Loopback.PrintRaw(p, data, h.Length),
        _ => Unknown(p, data),
    };

    private static bool Unknown(Printer p, ReadOnlySpan<byte> data)
    {
        p.Out.Ascii("[unsupported link type]"u8);
        HexDump.HexAndAscii(p.Out, data);
        return true;
    }

    /// <summary>ethertype_print: true when the type has a decoder (it printed), false-with-handled=false otherwise.</summary>
    public static bool EtherType(Printer p, ushort type, ReadOnlySpan<byte> bp, int length, out bool handled)
    {
        handled = true;
        switch (type)
        {
            case EtherTypes.Ipv4:
                return Ip.Print(p, bp, length);
            case EtherTypes.Ipv6:
                return Ip6.Print(p, bp, length);
            case EtherTypes.Arp:
            case EtherTypes.RevArp:
                return Arp.Print(p, bp, length);
            default:
                handled = false;
                return true;
        }
    }

    /// <summary>ip_demux_print: the payload of an IPv4 or IPv6 header (or extension header chain) by protocol number.</summary>
    public static bool IpProtocol(Printer p, byte nh, ReadOnlySpan<byte> bp, int length, ReadOnlySpan<byte> ipHeader, bool fragmented)
    {
        var version = ipHeader[0] >> 4;
        switch (nh)
        {
            case IpProtocols.Tcp:
                return Tcp.Print(p, bp, length, ipHeader, fragmented);
            case IpProtocols.Udp:
                return Udp.Print(p, bp, length, ipHeader, fragmented);
            case IpProtocols.Icmp:
                if (version == 4)
                {
                    return Icmp.Print(p, bp, length, ipHeader, fragmented);
                }

                p.Out.Ascii("[ICMP requires IPv4]"u8);
                p.Invalid();
                return true;
            case IpProtocols.Icmpv6:
                if (version == 6)
                {
                    return Icmp6.Print(p, bp, length, ipHeader, fragmented);
                }

                p.Out.Ascii("[ICMPv6 requires IPv6]"u8);
                p.Invalid();
                return true;
            case IpProtocols.Ipv4:
                return Ip.Print(p, bp, length);
            case IpProtocols.Ipv6:
                return Ip6.Print(p, bp, length);
            case IpProtocols.None:
                p.Out.Ascii("no next header"u8);
                return true;
            default:
                p.Out.Ascii(" ip-proto-"u8);
                p.Out.U(nh);
                p.Out.Byte((byte)' ');
                p.Out.U((uint)length);
                return true;
        }
    }

    /// <summary>The TCP payload decoders by port (either end), after tcp_print's header.</summary>
    public static bool TcpPayload(Printer p, ushort sport, ushort dport, ReadOnlySpan<byte> bp, int length)
    {
        if (sport is 80 or 8080 || dport is 80 or 8080)
        {
            p.Out.Ascii(": "u8);
            return Http.Print(p, bp, length);
        }

        if (sport == 53 || dport == 53)
        {
            return Dns.Print(p, bp, length, overTcp: true, multicast: false);
        }

        return true;
    }

    /// <summary>The UDP payload decoders by port (either end); false in <paramref name="handled"/> prints "UDP, length N".</summary>
    public static bool UdpPayload(Printer p, ushort sport, ushort dport, ReadOnlySpan<byte> bp, int length, out bool handled)
    {
        handled = true;
        if (sport == 53 || dport == 53)
        {
            return Dns.Print(p, bp, length, overTcp: false, multicast: false);
        }

        if (sport == 5353 || dport == 5353)
        {
            return Dns.Print(p, bp, length, overTcp: false, multicast: true);
        }

        handled = false;
        return true;
    }
}

/// <summary>Ethertype numbers (IEEE registry) and the names tcpdump prints for them.</summary>
internal static class EtherTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort RevArp = 0x8035;
    public const ushort Ipv6 = 0x86dd;
    public const ushort Vlan = 0x8100;
    public const ushort Vlan9100 = 0x9100;
    public const ushort Vlan9200 = 0x9200;
    public const ushort QinQ = 0x88a8;
    public const int MaxLength = 1500;

    public static string? Name(ushort type) => type switch
    {
        0x0800 => "IPv4",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x86dd => "IPv6",
        0x8100 => "802.1Q",
        0x9100 => "802.1Q-9100",
        0x88a8 => "802.1Q-QinQ",
        0x9200 => "802.1Q-9200",
        0x88e5 => "802.1AE MACsec",
        0x8181 => "VMAN",
        0x0200 => "PUP",
        0x0806 => "ARP",
        0x8035 => "Reverse ARP",
        0x0600 => "NS",
        0x0500 => "Sprite",
        0x1000 => "Trail",
        0x6001 => "MOP DL",
        0x6002 => "MOP RC",
        0x6003 => "DN",
        0x6004 => "LAT",
        0x6007 => "SCA",
        0x6558 => "TEB",
        0x8038 => "Lanbridge",
        0x803c => "DEC DNS",
        0x803e => "DEC DTS",
        0x805b => "VEXP",
        0x805c => "VPROD",
        0x809b => "Appletalk",
        0x80f3 => "Appletalk ARP",
        0x8137 => "IPX",
        0x880b => "PPP",
        0x8808 => "MPCP",
        0x8809 => "Slow Protocols",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x888e => "EAPOL",
        0x8899 => "Realtek protocols",
        0x886f => "MS NLB heartbeat",
        0x8870 => "Jumbo",
        0x894f => "NSH",
        0x9000 => "Loopback",
        0xfefe => "OSI",
        0x00fe => "GRE-OSI",
        0xabcd => "CFM (old)",
        0x8902 => "CFM",
        0x893a => "IEEE1905.1",
        0x88cc => "LLDP",
        0x88ca => "TIPC",
        0x0707 => "GeoNet (old)",
        0x8947 => "GeoNet",
        0x1111 => "CALM FAST",
        0x88a2 => "AoE",
        0x88f7 => "PTP",
        0xd28b => "Arista Vendor Specific Protocol",
        _ => null,
    };
}

/// <summary>IP protocol numbers (IANA) and tcpdump's names for them (ipproto_values).</summary>
internal static class IpProtocols
{
    public const byte HopOpts = 0;
    public const byte Icmp = 1;
    public const byte Igmp = 2;
    public const byte Ipv4 = 4;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Ipv6 = 41;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Esp = 50;
    public const byte Ah = 51;
    public const byte Icmpv6 = 58;
    public const byte None = 59;
    public const byte DstOpts = 60;
    public const byte Sctp = 132;
    public const byte Dccp = 33;
    public const byte Mobility = 135;

    public static string? Name(byte proto) => proto switch
    {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        62 => "Mobile IP (old)",
        88 => "EIGRP",
        89 => "OSPF",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        143 => "Ethernet",
        _ => null,
    };
}
