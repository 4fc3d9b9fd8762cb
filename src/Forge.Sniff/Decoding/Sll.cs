namespace Forge.Sniff.Decoding;

/// <summary>
/// Linux cooked capture headers (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and _SLL2.html).
/// SLL, 16 bytes: packet type (0), ARPHRD type (2), address length (4), address (6, 8 bytes), protocol (14).
/// SLL2, 20 bytes: protocol (0), reserved (2), interface index (4), ARPHRD type (8), packet type (10),
/// address length (11), address (12, 8 bytes).
/// </summary>
internal static class Sll
{
    private const int SllLength = 16;
    private const int Sll2Length = 20;

    private static ReadOnlySpan<byte> PacketType(int t) => t switch
    {
        0 => "In"u8,
        1 => "B"u8,
        2 => "M"u8,
        3 => "P"u8,
        4 => "Out"u8,
        _ => "?"u8,
    };

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "sll";
        if (bp.Length < SllLength)
        {
            return false;
        }

        var pkttype = Be.R16(bp, 0);
        var halen = Be.R16(bp, 4);
        var protocol = Be.R16(bp, 14);
        if (p.Eflag)
        {
            Header(p, PacketType(pkttype), rightAlign: true, halen == 6 ? bp.Slice(6, 6) : default, protocol, length);
        }

        return Payload(p, bp, SllLength, length - SllLength, protocol, sll2: false);
    }

    public static bool Print2(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "sll2";
        if (bp.Length < Sll2Length)
        {
            return false;
        }

        var protocol = Be.R16(bp, 0);
        var ifindex = Be.R32(bp, 4);
        var pkttype = bp[10];
        var halen = bp[11];
        var o = p.Out;
        var name = Interfaces.NameOf(ifindex) ?? "?";
        o.Str(name);
        for (var i = name.Length; i < 5; i++)
        {
            o.Byte((byte)' ');
        }

        o.Byte((byte)' ');
        var type = PacketType(pkttype);
        o.Ascii(type);
        for (var i = type.Length; i < 3; i++)
        {
            o.Byte((byte)' ');
        }

        o.Byte((byte)' ');
        if (p.Eflag)
        {
            o.Ascii("ifindex "u8);
            o.U(ifindex);
            o.Byte((byte)' ');
            Header(p, default, rightAlign: false, halen == 6 ? bp.Slice(12, 6) : default, protocol, length);
        }

        return Payload(p, bp, Sll2Length, length - Sll2Length, protocol, sll2: true);
    }

    /// <summary>sll_print/sll2_print: "Out 00:11:.. ethertype IPv4 (0x0800), length 74: ".</summary>
    private static void Header(Printer p, ReadOnlySpan<byte> type, bool rightAlign, ReadOnlySpan<byte> mac, ushort protocol, int length)
    {
        var o = p.Out;
        if (rightAlign)
        {
            for (var i = type.Length; i < 3; i++)
            {
                o.Byte((byte)' ');
            }

            o.Ascii(type);
            o.Byte((byte)' ');
        }

        if (mac.Length == 6)
        {
            Ethernet.Mac(p, mac);
            o.Byte((byte)' ');
        }

        if (p.Quiet == 0)
        {
            if (protocol <= EtherTypes.MaxLength)
            {
                switch (protocol)
                {
                    case 1:
                        o.Ascii("802.3"u8);
                        break;
                    case 4:
                        o.Ascii("802.2"u8);
                        break;
                    default:
                        o.Ascii("ethertype Unknown (0x"u8);
                        o.Hex4(protocol);
                        o.Byte((byte)')');
                        break;
                }
            }
            else
            {
                Ethernet.TypeName(p, protocol);
            }

            o.Ascii(", length "u8);
            o.U((ulong)length);
            o.Ascii(": "u8);
        }
    }

    private static bool Payload(Printer p, ReadOnlySpan<byte> bp, int hdrlen, int length, ushort protocol, bool sll2)
    {
        var payload = bp[hdrlen..];
        var o = p.Out;
        while (protocol == EtherTypes.Vlan)
        {
            if (payload.Length < 4)
            {
                p.Protocol = "vlan";
                p.PrintTrunc();
                p.LinkHeaderLength += hdrlen + payload.Length;
                return true;
            }

            if (p.Eflag)
            {
                Ethernet.Tci(o, Be.R16(payload, 0));
                o.Ascii(", "u8);
            }

            protocol = Be.R16(payload, 2);
            if (protocol <= EtherTypes.MaxLength)
            {
                protocol = 4;
            }

            if (p.Quiet == 0)
            {
                o.Ascii("ethertype "u8);
                o.Str(EtherTypes.Name(protocol) ?? "Unknown");
                o.Ascii(", "u8);
            }

            payload = payload[4..];
            length -= 4;
            hdrlen += 4;
        }

        p.LinkHeaderLength += hdrlen;
        if (protocol <= EtherTypes.MaxLength)
        {
            if (p.Quiet == 0 && p.Options.Hex == 0 && p.Options.HexAscii == 0)
            {
                HexDump.HexAndAscii(o, payload);
            }

            return true;
        }

        var ok = Decoders.EtherType(p, protocol, payload, length, out var handled);
        if (!handled)
        {
            if (!p.Eflag)
            {
                if (sll2)
                {
                    o.Ascii("ifindex "u8);
                    o.U(Be.R32(bp, 4));
                    o.Byte((byte)' ');
                    Header(p, default, false, bp[11] == 6 ? bp.Slice(12, 6) : default, protocol, length + Sll2Length);
                }
                else
                {
                    Header(p, PacketType(Be.R16(bp, 0)), true, Be.R16(bp, 4) == 6 ? bp.Slice(6, 6) : default, protocol, length + SllLength);
                }
            }

            if (p.Quiet == 0 && p.Options.Hex == 0 && p.Options.HexAscii == 0)
            {
                HexDump.HexAndAscii(o, payload);
            }
        }

        return ok;
    }
}
