namespace Forge.Sniff.Decoding;

/// <summary>
/// ARP and RARP (RFC 826, RFC 903): hardware type (0), protocol type (2), hardware length (4),
/// protocol length (5), operation (6), then sender hardware, sender protocol, target hardware,
/// target protocol addresses. tcpdump's arp_print (Ethernet and other hardware types; not ATM ARP).
/// </summary>
internal static class Arp
{
    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "arp";
        var o = p.Out;
        if (bp.Length < 8)
        {
            return false;
        }

        var hrd = Be.R16(bp, 0);
        var pro = Be.R16(bp, 2);
        int hln = bp[4];
        int pln = bp[5];
        var op = Be.R16(bp, 6);
        var sha = 8;
        var spa = sha + hln;
        var tha = spa + pln;
        var tpa = tha + hln;
        if (hrd == 19)
        {
            // ATM ARP has its own layout (RFC 2225); not decoded.
            HexDump.HexAndAscii(o, bp);
            return true;
        }

        if (!Be.Has(bp, tpa, pln))
        {
            return false;
        }

        if (!p.Eflag)
        {
            o.Ascii("ARP, "u8);
        }

        var ipLike = pro is EtherTypes.Ipv4 or 0x1000;
        if (!ipLike || pln != 4 || hln == 0 || p.Verbose > 0)
        {
            var hrdName = hrd switch
            {
                1 => "Ethernet",
                6 => "TokenRing",
                7 => "ArcNet",
                15 => "FrameRelay",
                23 => "Strip",
                24 => "IEEE 1394",
                19 => "ATM",
                32 => "InfiniBand",
                _ => null,
            };
            if (hrdName is null)
            {
                o.Ascii("Unknown Hardware ("u8);
                o.U(hrd);
                o.Byte((byte)')');
            }
            else
            {
                o.Str(hrdName);
            }

            o.Ascii(" (len "u8);
            o.U((ulong)hln);
            o.Ascii("), "u8);
            if (EtherTypes.Name(pro) is { } proName)
            {
                o.Str(proName);
            }
            else
            {
                o.Ascii("Unknown Protocol (0x"u8);
                o.Hex4(pro);
                o.Byte((byte)')');
            }

            o.Ascii(" (len "u8);
            o.U((ulong)pln);
            o.Byte((byte)')');
            if (p.Verbose == 0)
            {
                Length(o, length);
                return true;
            }
        }

        if (p.Verbose > 0)
        {
            o.Ascii(", "u8);
        }

        var opName = op switch
        {
            1 => "Request",
            2 => "Reply",
            3 => "Reverse Request",
            4 => "Reverse Reply",
            8 => "Inverse Request",
            9 => "Inverse Reply",
            10 => "NACK Reply",
            _ => null,
        };
        if (opName is null)
        {
            o.Ascii("Unknown ("u8);
            o.U(op);
            o.Byte((byte)')');
        }
        else
        {
            o.Str(opName);
        }

        o.Byte((byte)' ');
        switch (op)
        {
            case 1:
                o.Ascii("who-has "u8);
                ProtoAddr(p, bp, tpa, pro, pln);
                if (bp.Slice(tha, hln).IndexOfAnyExcept((byte)0) >= 0)
                {
                    o.Ascii(" ("u8);
                    LinkAddr(p, bp.Slice(tha, hln), hrd);
                    o.Byte((byte)')');
                }

                o.Ascii(" tell "u8);
                ProtoAddr(p, bp, spa, pro, pln);
                break;
            case 2:
                ProtoAddr(p, bp, spa, pro, pln);
                o.Ascii(" is-at "u8);
                LinkAddr(p, bp.Slice(sha, hln), hrd);
                break;
            case 3:
            case 8:
                o.Ascii("who-is "u8);
                LinkAddr(p, bp.Slice(tha, hln), hrd);
                o.Ascii(" tell "u8);
                LinkAddr(p, bp.Slice(sha, hln), hrd);
                break;
            case 4:
                LinkAddr(p, bp.Slice(tha, hln), hrd);
                o.Ascii(" at "u8);
                ProtoAddr(p, bp, tpa, pro, pln);
                break;
            case 9:
                LinkAddr(p, bp.Slice(sha, hln), hrd);
                o.Ascii(" at "u8);
                ProtoAddr(p, bp, spa, pro, pln);
                break;
            default:
                HexDump.HexAndAscii(o, bp);
                return true;
        }

        Length(o, length);
        return true;
    }

    private static void Length(Output.OutputBuffer o, int length)
    {
        o.Ascii(", length "u8);
        o.U((ulong)length);
    }

    private static void ProtoAddr(Printer p, ReadOnlySpan<byte> bp, int offset, ushort pro, int pln)
    {
        if (pro is not (EtherTypes.Ipv4 or 0x1000))
        {
            p.Out.Ascii("<wrong proto type>"u8);
        }
        else if (pln != 4)
        {
            p.Out.Ascii("<wrong len>"u8);
        }
        else
        {
            p.Names.Ipv4(p.Out, bp.Slice(offset, 4));
        }
    }

    private static void LinkAddr(Printer p, ReadOnlySpan<byte> a, ushort hrd)
    {
        if (a.Length == 0)
        {
            p.Out.Ascii("<empty>"u8);
        }
        else if (a.Length == 6 && hrd != 15)
        {
            Ethernet.Mac(p, a);
        }
        else
        {
            p.Out.Mac(a);
        }
    }
}
