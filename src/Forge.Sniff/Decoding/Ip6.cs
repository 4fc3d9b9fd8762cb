namespace Forge.Sniff.Decoding;

/// <summary>
/// IPv6 (RFC 8200): version/class/flow (0), payload length (4), next header (6), hop limit (7),
/// source (8), destination (24); then the extension header chain (hop-by-hop 0, routing 43,
/// fragment 44, destination options 60) up to the upper-layer protocol. tcpdump's ip6_print.
/// </summary>
internal static class Ip6
{
    private const int HeaderLength = 40;

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "ip6";
        var o = p.Out;
        if (bp.Length < HeaderLength)
        {
            return false;
        }

        if (length < HeaderLength)
        {
            o.Ascii("truncated-ip6 "u8);
            o.U((ulong)length);
            return true;
        }

        if (!p.Eflag)
        {
            o.Ascii("IP6 "u8);
        }

        if (bp[0] >> 4 != 6)
        {
            o.Ascii("version error: "u8);
            o.U((ulong)(bp[0] >> 4));
            o.Ascii(" != 6"u8);
            return true;
        }

        uint payloadLen = Be.R16(bp, 4);
        int len;
        if (payloadLen != 0)
        {
            len = (int)payloadLen + HeaderLength;
            if (length < len)
            {
                o.Ascii("truncated-ip6 - "u8);
                o.U((ulong)(len - length));
                o.Ascii(" bytes missing!"u8);
            }
        }
        else
        {
            len = length + HeaderLength;
        }

        var nh = bp[6];
        if (p.Verbose > 0)
        {
            var flow = Be.R32(bp, 0);
            o.Byte((byte)'(');
            if ((flow & 0x0ff00000) != 0)
            {
                o.Ascii("class 0x"u8);
                o.HexPad((flow & 0x0ff00000) >> 20, 2);
                o.Ascii(", "u8);
            }

            if ((flow & 0x000fffff) != 0)
            {
                o.Ascii("flowlabel 0x"u8);
                o.HexPad(flow & 0x000fffff, 5);
                o.Ascii(", "u8);
            }

            o.Ascii("hlim "u8);
            o.U(bp[7]);
            o.Ascii(", next-header "u8);
            o.Str(IpProtocols.Name(nh) ?? "unknown");
            o.Ascii(" ("u8);
            o.U(nh);
            o.Ascii(") payload length: "u8);
            o.U(payloadLen);
            o.Ascii(") "u8);
        }

        var whole = bp;
        if (bp.Length > len)
        {
            bp = bp[..len];
        }

        var header = bp[..HeaderLength];
        var cp = 0;
        var advance = HeaderLength;
        var totalAdvance = 0;
        var foundExtension = false;
        var foundJumbo = false;
        var foundHbh = false;
        var fragmented = false;
        byte ph = 255;
        while (cp < bp.Length && advance > 0)
        {
            if (len < advance)
            {
                return p.PrintTrunc();
            }

            cp += advance;
            len -= advance;
            totalAdvance += advance;
            if (cp == HeaderLength && nh is not (IpProtocols.Tcp or IpProtocols.Udp or IpProtocols.Dccp or IpProtocols.Sctp))
            {
                p.Names.Ipv6(o, header.Slice(8, 16));
                o.Ascii(" > "u8);
                p.Names.Ipv6(o, header.Slice(24, 16));
                o.Ascii(": "u8);
            }

            switch (nh)
            {
                case IpProtocols.HopOpts:
                    {
                        if (foundHbh)
                        {
                            o.Ascii("[The Hop-by-Hop Options header was already found]"u8);
                            p.Invalid();
                            return true;
                        }

                        if (ph != 255)
                        {
                            o.Ascii("[The Hop-by-Hop Options header don't follow the IPv6 header]"u8);
                            p.Invalid();
                            return true;
                        }

                        p.Protocol = "hbhopt";
                        if (!Be.U8(bp, cp + 1, out var l))
                        {
                            return false;
                        }

                        var hbhlen = (l + 1) << 3;
                        if (!Be.Has(bp, cp, hbhlen))
                        {
                            p.PrintTrunc();
                            return true;
                        }

                        o.Ascii("HBH "u8);
                        var r = OptionsProcess(p, bp.Slice(cp + 2, hbhlen - 2), hopByHop: true, ref foundJumbo, ref payloadLen);
                        if (payloadLen == 0 && !foundJumbo)
                        {
                            o.Ascii("[No valid Jumbo Payload Hop-by-Hop option found]"u8);
                            p.Invalid();
                            return true;
                        }

                        if (!r)
                        {
                            p.PrintTrunc();
                            return true;
                        }

                        advance = hbhlen;
                        foundExtension = true;
                        foundHbh = true;
                        nh = bp[cp];
                        break;
                    }

                case IpProtocols.DstOpts:
                    {
                        p.Protocol = "dstopt";
                        if (!Be.U8(bp, cp + 1, out var l))
                        {
                            return false;
                        }

                        var dlen = (l + 1) << 3;
                        if (!Be.Has(bp, cp, dlen))
                        {
                            p.PrintTrunc();
                            return true;
                        }

                        o.Ascii("DSTOPT "u8);
                        if (p.Verbose > 0)
                        {
                            var dummyJumbo = false;
                            uint dummyLen = 1;
                            if (!OptionsProcess(p, bp.Slice(cp + 2, dlen - 2), hopByHop: false, ref dummyJumbo, ref dummyLen))
                            {
                                p.PrintTrunc();
                                return true;
                            }
                        }

                        advance = dlen;
                        foundExtension = true;
                        nh = bp[cp];
                        break;
                    }

                case IpProtocols.Fragment:
                    {
                        p.Protocol = "frag6";
                        if (!Be.Has(bp, cp, 8))
                        {
                            return false;
                        }

                        var offlg = Be.R16(bp, cp + 2);
                        var rest = HeaderLength + Be.R16(header, 4) - cp - 8;
                        o.Ascii("frag ("u8);
                        if (p.Verbose > 0)
                        {
                            o.Ascii("0x"u8);
                            o.HexPad(Be.R32(bp, cp + 4), 8);
                            o.Byte((byte)':');
                        }

                        o.U((ulong)(offlg & 0xfff8));
                        o.Byte((byte)'|');
                        o.I(rest);
                        o.Byte((byte)')');
                        if ((offlg & 0xfff8) != 0)
                        {
                            return true;
                        }

                        o.Byte((byte)' ');
                        advance = 8;
                        if (bp.Length <= cp + advance)
                        {
                            return true;
                        }

                        foundExtension = true;
                        nh = bp[cp];
                        fragmented = true;
                        break;
                    }

                case IpProtocols.Routing:
                    {
                        if (!Be.Has(bp, cp, 1))
                        {
                            return p.PrintTrunc();
                        }

                        p.Protocol = "rt6";
                        p.Out.Ascii("RT6"u8);
                        if (!Be.Has(bp, cp, 4))
                        {
                            return false;
                        }

                        var r = Routing(p, bp[cp..]);
                        if (r < 0)
                        {
                            return true;
                        }

                        if (r == 0)
                        {
                            return false;
                        }

                        advance = r;
                        foundExtension = true;
                        nh = bp[cp];
                        break;
                    }

                default:
                    {
                        var l = len;
                        var span = bp;
                        if (foundJumbo)
                        {
                            var total = unchecked(payloadLen + HeaderLength);
                            if (total < (uint)totalAdvance)
                            {
                                return p.PrintTrunc();
                            }

                            if ((uint)length < total)
                            {
                                o.Ascii("truncated-ip6 - "u8);
                                o.U(total - (uint)length);
                                o.Ascii(" bytes missing!"u8);
                            }

                            span = whole[..(int)Math.Min((uint)whole.Length, total)];
                            l = unchecked((int)(total - (uint)totalAdvance));
                        }
                        else if (payloadLen == 0)
                        {
                            if (foundExtension)
                            {
                                return p.PrintTrunc();
                            }

                            span = whole[..HeaderLength];
                            l = HeaderLength - totalAdvance;
                        }

                        var payload = cp <= span.Length ? span[cp..] : default;
                        return Decoders.IpProtocol(p, nh, payload, l, span, fragmented);
                    }
            }

            ph = nh;
            p.Protocol = "ip6";
        }

        return true;
    }

    /// <summary>rt6_print: "RT6 (len=2, type=0 [Deprecated], segleft=1, rsv=0x0, [0]addr) "; returns the header length, -1 invalid, 0 cut.</summary>
    private static int Routing(Printer p, ReadOnlySpan<byte> dp)
    {
        var o = p.Out;
        int len = dp[1];
        o.Ascii(" (len="u8);
        o.U((ulong)len);
        int type = dp[2];
        o.Ascii(", type="u8);
        o.U((ulong)type);
        if (type == 0)
        {
            o.Ascii(" [Deprecated]"u8);
        }

        o.Ascii(", segleft="u8);
        o.U(dp[3]);
        switch (type)
        {
            case 0:
            case 2:
                {
                    if (!Be.U32(dp, 4, out var rsv))
                    {
                        return 0;
                    }

                    if (rsv != 0 || p.Verbose > 0)
                    {
                        o.Ascii(", rsv=0x"u8);
                        o.Hex(rsv);
                    }

                    return Segments(p, dp, len);
                }

            case 4:
                {
                    if (!Be.Has(dp, 0, 8))
                    {
                        return 0;
                    }

                    o.Ascii(", last-entry="u8);
                    o.U(dp[4]);
                    if (dp[5] != 0 || p.Verbose > 0)
                    {
                        o.Ascii(", flags=0x"u8);
                        o.Hex(dp[5]);
                    }

                    o.Ascii(", tag="u8);
                    o.Hex(Be.R16(dp, 6));
                    return Segments(p, dp, len);
                }

            default:
                o.Ascii(" (unknown type)"u8);
                p.Invalid();
                return -1;
        }
    }

    private static int Segments(Printer p, ReadOnlySpan<byte> dp, int len)
    {
        var o = p.Out;
        if (len % 2 == 1)
        {
            o.Ascii(" (invalid length "u8);
            o.U((ulong)len);
            o.Byte((byte)')');
            p.Invalid();
            return -1;
        }

        len >>= 1;
        for (var i = 0; i < len; i++)
        {
            var at = 8 + (16 * i);
            if (!Be.Has(dp, at, 16))
            {
                return 0;
            }

            o.Ascii(", ["u8);
            o.U((ulong)i);
            o.Byte((byte)']');
            p.Names.Ipv6(o, dp.Slice(at, 16));
        }

        o.Ascii(") "u8);
        return (dp[1] + 1) << 3;
    }

    /// <summary>ip6_opt_process: the TLV options of a hop-by-hop or destination options header; false when cut.</summary>
    private static bool OptionsProcess(Printer p, ReadOnlySpan<byte> bp, bool hopByHop, ref bool foundJumbo, ref uint payloadLen)
    {
        var o = p.Out;
        var len = bp.Length;
        if (len == 0)
        {
            return true;
        }

        var jumboSeen = false;
        var optlen = 0;
        for (var i = 0; i < len; i += optlen)
        {
            if (bp[i] == 0)
            {
                optlen = 1;
            }
            else
            {
                if (i + 1 < len)
                {
                    optlen = bp[i + 1] + 2;
                }
                else
                {
                    return false;
                }
            }

            if (i + optlen > len)
            {
                return false;
            }

            switch (bp[i])
            {
                case 0:
                    if (p.Verbose > 0)
                    {
                        o.Ascii("(pad1)"u8);
                    }

                    break;
                case 1:
                    if (len - i < 2)
                    {
                        o.Ascii("(padn: trunc)"u8);
                        return false;
                    }

                    if (p.Verbose > 0)
                    {
                        o.Ascii("(padn)"u8);
                    }

                    break;
                case 5:
                    if (len - i < 4)
                    {
                        o.Ascii("(rtalert: trunc)"u8);
                        return false;
                    }

                    if (bp[i + 1] != 2)
                    {
                        o.Ascii("(rtalert: invalid len "u8);
                        o.U(bp[i + 1]);
                        o.Byte((byte)')');
                        return false;
                    }

                    if (p.Verbose > 0)
                    {
                        o.Ascii("(rtalert: 0x"u8);
                        o.Hex4(Be.R16(bp, i + 2));
                        o.Ascii(") "u8);
                    }

                    break;
                case 0xc2:
                    {
                        if (len - i < 6)
                        {
                            o.Ascii("(jumbo: trunc)"u8);
                            return false;
                        }

                        if (bp[i + 1] != 4)
                        {
                            o.Ascii("(jumbo: invalid len "u8);
                            o.U(bp[i + 1]);
                            o.Byte((byte)')');
                            return false;
                        }

                        var jumbolen = Be.R32(bp, i + 2);
                        if (jumboSeen)
                        {
                            Jumbo(p, jumbolen, " - already seen) "u8);
                        }
                        else
                        {
                            jumboSeen = true;
                            if (!hopByHop)
                            {
                                Jumbo(p, jumbolen, " - not a hop-by-hop option) "u8);
                            }
                            else if (payloadLen != 0)
                            {
                                Jumbo(p, jumbolen, " - payload len != 0) "u8);
                            }
                            else if (jumbolen < 65536)
                            {
                                Jumbo(p, jumbolen, " - < 65536) "u8);
                            }
                            else
                            {
                                Jumbo(p, jumbolen, ") "u8);
                            }
                        }

                        if (hopByHop)
                        {
                            foundJumbo = true;
                            if (payloadLen == 0)
                            {
                                payloadLen = jumbolen;
                            }
                        }

                        break;
                    }

                default:
                    if (len - i < 2)
                    {
                        o.Ascii("(type "u8);
                        o.U(bp[i]);
                        o.Ascii(": trunc)"u8);
                        return false;
                    }

                    if (p.Verbose > 0)
                    {
                        o.Ascii("(opt_type 0x"u8);
                        o.Hex2(bp[i]);
                        o.Ascii(": len="u8);
                        o.U(bp[i + 1]);
                        o.Byte((byte)')');
                    }

                    break;
            }
        }

        if (p.Verbose > 0)
        {
            o.Byte((byte)' ');
        }

        return true;
    }

    private static void Jumbo(Printer p, uint len, ReadOnlySpan<byte> tail)
    {
        if (p.Verbose > 0)
        {
            p.Out.Ascii("(jumbo: "u8);
            p.Out.U(len);
            p.Out.Ascii(tail);
        }
    }
}
