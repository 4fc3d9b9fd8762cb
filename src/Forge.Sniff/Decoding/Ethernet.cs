namespace Forge.Sniff.Decoding;

/// <summary>
/// Ethernet II and IEEE 802.3 frames (IEEE 802.3 clause 3): destination MAC (0), source MAC (6),
/// type/length (12), payload (14); 802.1Q/802.1ad tags (IEEE 802.1Q clause 9: TPID, then TCI with
/// PCP(3) DEI(1) VID(12)) insert 4 bytes before the type. tcpdump's ether_print.
/// </summary>
internal static class Ethernet
{
    private const int HeaderLength = 14;

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "ether";
        var o = p.Out;
        var caplen = bp.Length;
        if (length < caplen)
        {
            o.Ascii("[length "u8);
            o.U((ulong)length);
            o.Ascii(" < caplen "u8);
            o.U((ulong)caplen);
            o.Byte((byte)']');
            p.Invalid();
            p.LinkHeaderLength += length;
            return true;
        }

        if (caplen < HeaderLength)
        {
            p.PrintTrunc();
            p.LinkHeaderLength += caplen;
            return true;
        }

        var origLength = length;
        var dst = bp[..6];
        var src = bp.Slice(6, 6);
        if (p.Eflag)
        {
            Addresses(p, src, dst);
        }

        var hdrlen = 12;
        var printedLength = false;
        var type = Be.R16(bp, 12);
        length -= 14;
        caplen -= 14;
        hdrlen += 2;
        var payload = bp[14..];
        while (type is EtherTypes.Vlan or EtherTypes.Vlan9100 or EtherTypes.Vlan9200 or EtherTypes.QinQ)
        {
            if (caplen < 4 || length < 4)
            {
                p.Protocol = "vlan";
                p.PrintTrunc();
                p.LinkHeaderLength += hdrlen + Math.Min(caplen, length);
                return true;
            }

            if (p.Eflag)
            {
                var tci = Be.R16(payload, 0);
                TypeName(p, type);
                if (!printedLength)
                {
                    o.Ascii(", length "u8);
                    o.U((ulong)origLength);
                    o.Ascii(": "u8);
                    printedLength = true;
                }
                else
                {
                    o.Ascii(", "u8);
                }

                Tci(o, tci);
                o.Ascii(", "u8);
            }

            type = Be.R16(payload, 2);
            payload = payload[4..];
            length -= 4;
            caplen -= 4;
            hdrlen += 4;
        }

        p.LinkHeaderLength += hdrlen;
        if (type <= EtherTypes.MaxLength)
        {
            // 802.3 length field: an LLC frame follows (not decoded yet: tcpdump's LLC/SNAP printers).
            if (type < length)
            {
                length = type;
                if (payload.Length > length)
                {
                    payload = payload[..length];
                }
            }

            if (p.Eflag)
            {
                o.Ascii("802.3"u8);
                if (!printedLength)
                {
                    o.Ascii(", length "u8);
                    o.U((ulong)length);
                    o.Ascii(": "u8);
                }
            }

            // LLC/SNAP is not decoded yet: its bytes are dumped as tcpdump dumps unknown payloads.
            if (p.Quiet == 0 && p.Options.Hex == 0 && p.Options.HexAscii == 0)
            {
                HexDump.HexAndAscii(o, payload);
            }

            return true;
        }

        if (p.Eflag)
        {
            TypeName(p, type);
            if (!printedLength)
            {
                o.Ascii(", length "u8);
                o.U((ulong)origLength);
                o.Ascii(": "u8);
            }
            else
            {
                o.Ascii(", "u8);
            }
        }

        var ok = Decoders.EtherType(p, type, payload, length, out var handled);
        if (!handled)
        {
            if (!p.Eflag)
            {
                Addresses(p, src, dst);
                TypeName(p, type);
                o.Ascii(", length "u8);
                o.U((ulong)origLength);
                o.Ascii(": "u8);
            }

            if (p.Quiet == 0 && p.Options.Hex == 0 && p.Options.HexAscii == 0)
            {
                HexDump.HexAndAscii(o, payload);
            }
        }

        return ok;
    }

    private static void Addresses(Printer p, ReadOnlySpan<byte> src, ReadOnlySpan<byte> dst)
    {
        Mac(p, src);
        p.Out.Ascii(" > "u8);
        Mac(p, dst);
        p.Out.Ascii(", "u8);
    }

    /// <summary>etheraddr_string: aa:bb:cc:dd:ee:ff, or with names on the /etc/ethers name or the address and " (oui ...)".</summary>
    public static void Mac(Printer p, ReadOnlySpan<byte> a) => p.Names.Mac(p.Out, a[..6]);

    /// <summary>"ethertype IPv4 (0x0800)", or with -q just the name.</summary>
    public static void TypeName(Printer p, ushort type)
    {
        var name = EtherTypes.Name(type);
        var o = p.Out;
        if (p.Quiet == 0)
        {
            o.Ascii("ethertype "u8);
            o.Str(name ?? "Unknown");
            o.Ascii(" (0x"u8);
            o.Hex4(type);
            o.Byte((byte)')');
        }
        else if (name is not null)
        {
            o.Str(name);
        }
        else
        {
            o.Ascii("Unknown Ethertype (0x"u8);
            o.Hex4(type);
            o.Byte((byte)')');
        }
    }

    /// <summary>"vlan 10, p 0" with ", DEI" when set (ieee8021q_tci_string).</summary>
    public static void Tci(Output.OutputBuffer o, ushort tci)
    {
        o.Ascii("vlan "u8);
        o.U((ulong)(tci & 0xfff));
        o.Ascii(", p "u8);
        o.U((ulong)(tci >> 13));
        if ((tci & 0x1000) != 0)
        {
            o.Ascii(", DEI"u8);
        }
    }
}
