namespace Forge.Sniff.Decoding;

/// <summary>
/// IPv4 (RFC 791): version/IHL (0), TOS (1), total length (2), id (4), flags/fragment offset (6),
/// TTL (8), protocol (9), header checksum (10), source (12), destination (16), options (20..IHL*4).
/// tcpdump's ip_print: "IP src > dst: ..." and with -v "(tos 0x0, ttl 64, id 1, offset 0, flags [DF],
/// proto TCP (6), length 60)".
/// </summary>
internal static class Ip
{
    private const ushort FlagReserved = 0x8000;
    private const ushort FlagDf = 0x4000;
    private const ushort FlagMf = 0x2000;
    private const ushort OffsetMask = 0x1fff;

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "ip";
        var o = p.Out;
        if (bp.Length < 1)
        {
            return false;
        }

        var version = bp[0] >> 4;
        if (version != 4)
        {
            if (version == 6)
            {
                o.Ascii("IP6, wrong link-layer encapsulation"u8);
            }
            else
            {
                o.Ascii("IP"u8);
                o.U((ulong)version);
            }

            p.Invalid();
            return true;
        }

        if (!p.Eflag)
        {
            o.Ascii("IP "u8);
        }

        if (bp.Length < 20)
        {
            return p.PrintTrunc();
        }

        if (length < 20)
        {
            o.Ascii("truncated-ip "u8);
            o.U((ulong)length);
            return true;
        }

        var hlen = (bp[0] & 0x0f) * 4;
        if (hlen < 20)
        {
            o.Ascii("bad-hlen "u8);
            o.U((ulong)hlen);
            return true;
        }

        int len = Be.R16(bp, 2);
        if (length < len)
        {
            o.Ascii("truncated-ip - "u8);
            o.U((ulong)(len - length));
            o.Ascii(" bytes missing! "u8);
        }

        if (len < hlen)
        {
            o.Ascii("bad-len "u8);
            o.U((ulong)len);
            return true;
        }

        // The packet ends at its total length: trailing link padding is not IP payload (nd_push_snaplen).
        if (bp.Length > len)
        {
            bp = bp[..len];
        }

        len -= hlen;
        var off = Be.R16(bp, 6);
        var proto = bp[9];
        var src = bp.Slice(12, 4);
        var dst = bp.Slice(16, 4);
        if (p.Verbose > 0)
        {
            var tos = bp[1];
            o.Ascii("(tos 0x"u8);
            o.Hex(tos);
            switch (tos & 3)
            {
                case 1:
                    o.Ascii(",ECT(1)"u8);
                    break;
                case 2:
                    o.Ascii(",ECT(0)"u8);
                    break;
                case 3:
                    o.Ascii(",CE"u8);
                    break;
            }

            if (bp[8] >= 1)
            {
                o.Ascii(", ttl "u8);
                o.U(bp[8]);
            }

            o.Ascii(", id "u8);
            o.U(Be.R16(bp, 4));
            o.Ascii(", offset "u8);
            o.U((ulong)((off & OffsetMask) * 8));
            o.Ascii(", flags ["u8);
            if ((off & (FlagReserved | FlagDf | FlagMf)) == 0)
            {
                o.Ascii("none"u8);
            }
            else
            {
                var sep = false;
                if ((off & FlagMf) != 0)
                {
                    o.Byte((byte)'+');
                    sep = true;
                }

                if ((off & FlagDf) != 0)
                {
                    if (sep)
                    {
                        o.Ascii(", "u8);
                    }

                    o.Ascii("DF"u8);
                    sep = true;
                }

                if ((off & FlagReserved) != 0)
                {
                    if (sep)
                    {
                        o.Ascii(", "u8);
                    }

                    o.Ascii("rsvd"u8);
                }
            }

            o.Ascii("], proto "u8);
            o.Str(IpProtocols.Name(proto) ?? "unknown");
            o.Ascii(" ("u8);
            o.U(proto);
            o.Ascii("), length "u8);
            o.U(Be.R16(bp, 2));
            var truncated = false;
            if (hlen > 20)
            {
                o.Ascii(", options ("u8);
                if (!Options(p, bp, 20, hlen - 20))
                {
                    o.Ascii(" [truncated-option]"u8);
                    truncated = true;
                }

                o.Byte((byte)')');
            }

            if (!p.Options.NoChecksum && bp.Length >= hlen)
            {
                var sum = Be.Checksum(bp[..hlen]);
                if (sum != 0)
                {
                    var ipSum = Be.R16(bp, 10);
                    o.Ascii(", bad cksum "u8);
                    o.Hex(ipSum);
                    o.Ascii(" (->"u8);
                    o.Hex(Be.ShouldBe(ipSum, sum));
                    o.Ascii(")!"u8);
                }
            }

            o.Ascii(")\n    "u8);
            if (truncated)
            {
                p.Names.Ipv4(o, src);
                o.Ascii(" > "u8);
                p.Names.Ipv4(o, dst);
                o.Ascii(": "u8);
                p.PrintTrunc();
                return true;
            }
        }

        if ((off & OffsetMask) == 0)
        {
            if (proto is not (IpProtocols.Tcp or IpProtocols.Udp or IpProtocols.Sctp or IpProtocols.Dccp))
            {
                p.Names.Ipv4(o, src);
                o.Ascii(" > "u8);
                p.Names.Ipv4(o, dst);
                o.Ascii(": "u8);
            }

            if (bp.Length < hlen)
            {
                o.Ascii(" [remaining caplen("u8);
                o.U((ulong)bp.Length);
                o.Ascii(") < header length("u8);
                o.U((ulong)hlen);
                o.Ascii(")]"u8);
                return false;
            }

            return Decoders.IpProtocol(p, proto, bp[hlen..], len, bp[..hlen], (off & FlagMf) != 0);
        }

        if (p.Quiet > 1)
        {
            return true;
        }

        p.Names.Ipv4(o, src);
        o.Ascii(" > "u8);
        p.Names.Ipv4(o, dst);
        o.Ascii(": ip-proto-"u8);
        o.U(proto);
        return true;
    }

    /// <summary>ip_optprint: "EOL", "NOP", "RR 1.2.3.4, ...", "RA", "timestamp", ... separated by commas; false when cut.</summary>
    private static bool Options(Printer p, ReadOnlySpan<byte> bp, int offset, int length)
    {
        var o = p.Out;
        var first = true;
        while (length > 0)
        {
            if (!first)
            {
                o.Byte((byte)',');
            }

            first = false;
            if (!Be.U8(bp, offset, out var code))
            {
                return false;
            }

            var name = code switch
            {
                0 => "EOL",
                1 => "NOP",
                68 => "timestamp",
                130 => "security",
                7 => "RR",
                137 => "SSRR",
                131 => "LSRR",
                148 => "RA",
                82 => "traceroute",
                _ => null,
            };
            if (name is null)
            {
                o.Ascii("unknown "u8);
                o.U(code);
            }
            else
            {
                o.Str(name);
            }

            int optLen;
            if (code is 0 or 1)
            {
                optLen = 1;
            }
            else
            {
                if (!Be.U8(bp, offset + 1, out var l))
                {
                    return false;
                }

                optLen = l;
                if (optLen < 2)
                {
                    BadLength(o, optLen);
                    return true;
                }
            }

            if (optLen > length)
            {
                BadLength(o, optLen);
                return true;
            }

            if (!Be.Has(bp, offset, optLen))
            {
                return false;
            }

            var opt = bp.Slice(offset, optLen);
            switch (code)
            {
                case 0:
                    return true;
                case 68:
                    if (!Timestamp(p, bp, offset, optLen))
                    {
                        return false;
                    }

                    break;
                case 7:
                case 137:
                case 131:
                    if (!Route(p, bp, offset, optLen))
                    {
                        return false;
                    }

                    break;
                case 148:
                    if (optLen < 4)
                    {
                        BadLength(o, optLen);
                        break;
                    }

                    var v = Be.R16(opt, 2);
                    if (v != 0)
                    {
                        o.Ascii(" value "u8);
                        o.U(v);
                    }

                    break;
            }

            offset += optLen;
            length -= optLen;
        }

        return true;
    }

    private static void BadLength(Output.OutputBuffer o, int len)
    {
        o.Ascii(" [bad length "u8);
        o.U((ulong)len);
        o.Byte((byte)']');
    }

    /// <summary>ip_printroute: the addresses of a RR/LSRR/SSRR option; reads as far as the option says, checking the capture; false when cut.</summary>
    private static bool Route(Printer p, ReadOnlySpan<byte> bp, int at, int length)
    {
        var o = p.Out;
        if (length < 3)
        {
            BadLength(o, length);
            return true;
        }

        if (((length + 1) & 3) != 0)
        {
            BadLength(o, length);
        }

        var ptr = bp[at + 2] - 1;
        if (ptr < 3 || ((ptr + 1) & 3) != 0 || ptr > length + 1)
        {
            o.Ascii(" [bad ptr "u8);
            o.U(bp[at + 2]);
            o.Byte((byte)']');
        }

        for (var len = 3; len < length; len += 4)
        {
            if (!Be.Has(bp, at + len, 4))
            {
                return false;
            }

            o.Byte((byte)' ');
            p.Names.Ipv4(o, bp.Slice(at + len, 4));
            if (ptr > len)
            {
                o.Byte((byte)',');
            }
        }

        return true;
    }

    /// <summary>ip_printts: " TS{TSONLY 1@ 2@}" style; false when cut.</summary>
    private static bool Timestamp(Printer p, ReadOnlySpan<byte> bp, int at, int length)
    {
        var o = p.Out;
        if (length < 4)
        {
            o.Ascii("[bad length "u8);
            o.U((ulong)length);
            o.Byte((byte)']');
            return true;
        }

        o.Ascii(" TS{"u8);
        var flags = bp[at + 3];
        var hoplen = (flags & 0xF) != 0 ? 8 : 4;
        if (((length - 4) & (hoplen - 1)) != 0)
        {
            o.Ascii("[bad length "u8);
            o.U((ulong)length);
            o.Byte((byte)']');
        }

        var ptr = bp[at + 2] - 1;
        var len = 0;
        if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1)
        {
            o.Ascii("[bad ptr "u8);
            o.U(bp[at + 2]);
            o.Byte((byte)']');
        }

        var ok = true;
        switch (flags & 0xF)
        {
            case 0:
                o.Ascii("TSONLY"u8);
                break;
            case 1:
                o.Ascii("TS+ADDR"u8);
                break;
            case 3:
                o.Ascii("PRESPEC"u8);
                break;
            default:
                o.Ascii("[bad ts type "u8);
                o.U((ulong)(flags & 0xF));
                o.Byte((byte)']');
                ok = false;
                break;
        }

        if (ok)
        {
            var type = " "u8;
            for (len = 4; len < length; len += hoplen)
            {
                if (ptr == len)
                {
                    type = " ^ "u8;
                }

                if (!Be.Has(bp, at + len, hoplen))
                {
                    return false;
                }

                o.Ascii(type);
                o.U(Be.R32(bp, at + len + hoplen - 4));
                o.Byte((byte)'@');
                if (hoplen == 8)
                {
                    p.Names.Ipv4(o, bp.Slice(at + len, 4));
                }

                type = " "u8;
            }
        }

        if (ptr == len)
        {
            o.Ascii(" ^ "u8);
        }

        if ((flags >> 4) != 0)
        {
            o.Ascii(" ["u8);
            o.U((ulong)(flags >> 4));
            o.Ascii(" hops not recorded]} "u8);
        }
        else
        {
            o.Byte((byte)'}');
        }

        return true;
    }
}
