namespace Forge.Sniff.Decoding;

/// <summary>
/// ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861): type (0), code (1), checksum (2), then per
/// type: id/sequence (echo), MTU (too big), pointer (parameter problem), the invoking packet (errors,
/// at offset 8), a target address and TLV options (ND, 8-byte units). tcpdump's icmp6_print.
/// </summary>
internal static partial class Icmp6
{
    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length, ReadOnlySpan<byte> ip, bool fragmented)
    {
        p.Protocol = "icmp6";
        var o = p.Out;
        if (length == 0)
        {
            o.Ascii("ICMP6, length 0"u8);
            p.Invalid();
            return true;
        }

        if (p.Verbose > 0 && !fragmented && !p.Options.NoChecksum && length > 0 && bp.Length >= length)
        {
            if (!Be.U16(bp, 2, out var icmpSum))
            {
                return false;
            }

            var sum = Checksum.Transport(ip, v6: true, IpProtocols.Icmpv6, bp[..length]);
            if (sum != 0)
            {
                o.Ascii("[bad icmp6 cksum 0x"u8);
                o.Hex4(icmpSum);
                o.Ascii(" -> 0x"u8);
                o.Hex4(Be.ShouldBe(icmpSum, sum));
                o.Ascii("!] "u8);
            }
            else
            {
                o.Ascii("[icmp6 sum ok] "u8);
            }
        }

        if (!Be.U8(bp, 0, out var type))
        {
            return false;
        }

        o.Ascii("ICMP6, "u8);
        TypeName(o, type);
        if (p.Verbose > 0 && type is 133 or 134 or 136 or 135 or 137 or 145 or 147)
        {
            o.Ascii(", length "u8);
            o.U((ulong)length);
        }

        if (!Be.U8(bp, 1, out var code))
        {
            return false;
        }

        var oip = 8;
        switch (type)
        {
            case 1:
                o.Ascii(", "u8);
                ReadOnlySpan<byte> codeName = code switch
                {
                    0 => "unreachable route"u8,
                    1 => " unreachable prohibited"u8,
                    2 => "beyond scope"u8,
                    3 => "unreachable address"u8,
                    4 => "unreachable port"u8,
                    _ => default,
                };
                if (codeName.IsEmpty)
                {
                    o.Ascii("unknown unreach code ("u8);
                    o.U(code);
                    o.Byte((byte)')');
                }
                else
                {
                    o.Ascii(codeName);
                }

                switch (code)
                {
                    case 0:
                    case 1:
                    case 3:
                        if (!Be.Has(bp, oip + 24, 16))
                        {
                            return false;
                        }

                        o.Byte((byte)' ');
                        p.Names.Ipv6(o, bp.Slice(oip + 24, 16));
                        break;
                    case 2:
                        if (!Be.Has(bp, oip + 8, 32))
                        {
                            return false;
                        }

                        o.Byte((byte)' ');
                        p.Names.Ipv6(o, bp.Slice(oip + 24, 16));
                        o.Ascii(", source address "u8);
                        p.Names.Ipv6(o, bp.Slice(oip + 8, 16));
                        break;
                    case 4:
                        {
                            var upper = UpperLayer(bp, oip, out var prot);
                            if (upper < 0)
                            {
                                return p.PrintTrunc();
                            }

                            var dport = Be.R16(bp, upper + 2);
                            if (!Be.Has(bp, oip + 24, 16))
                            {
                                return false;
                            }

                            o.Ascii(", "u8);
                            p.Names.Ipv6(o, bp.Slice(oip + 24, 16));
                            if (prot == IpProtocols.Tcp)
                            {
                                o.Ascii(" tcp port "u8);
                                p.Names.TcpPort(o, dport);
                            }
                            else if (prot == IpProtocols.Udp)
                            {
                                o.Ascii(" udp port "u8);
                                p.Names.UdpPort(o, dport);
                            }

                            break;
                        }

                    default:
                        if (p.Verbose <= 1)
                        {
                            UnknownData(o, bp, "\n\t"u8, length);
                            return true;
                        }

                        break;
                }

                break;
            case 2:
                {
                    if (!Be.U32(bp, 4, out var mtu))
                    {
                        return false;
                    }

                    o.Ascii(", mtu "u8);
                    o.U(mtu);
                    break;
                }

            case 3:
                switch (code)
                {
                    case 0:
                        if (!Be.Has(bp, oip + 24, 16))
                        {
                            return false;
                        }

                        o.Ascii(" for "u8);
                        p.Names.Ipv6(o, bp.Slice(oip + 24, 16));
                        break;
                    case 1:
                        o.Ascii(" (reassembly)"u8);
                        break;
                    default:
                        o.Ascii(", unknown code ("u8);
                        o.U(code);
                        o.Byte((byte)')');
                        break;
                }

                break;
            case 4:
                {
                    if (!Be.Has(bp, oip + 24, 16))
                    {
                        return p.PrintTrunc();
                    }

                    var ptr = Be.R32(bp, 4);
                    ReadOnlySpan<byte> what = code switch
                    {
                        0 => ", erroneous - octet "u8,
                        1 => ", next header - octet "u8,
                        2 => ", option - octet "u8,
                        3 => ", incomplete header chain - octet "u8,
                        _ => default,
                    };
                    if (what.IsEmpty)
                    {
                        o.Ascii(", code-#"u8);
                        o.U(code);
                    }
                    else
                    {
                        o.Ascii(what);
                        o.U(ptr);
                    }

                    break;
                }

            case 128:
            case 129:
                {
                    if (!Be.U16(bp, 4, out var id) || !Be.U16(bp, 6, out var seq))
                    {
                        return false;
                    }

                    o.Ascii(", id "u8);
                    o.U(id);
                    o.Ascii(", seq "u8);
                    o.U(seq);
                    break;
                }

            case 130:
                if (length == 24)
                {
                    Mld(p, bp);
                }
                else if (length >= 28)
                {
                    o.Ascii(" v2"u8);
                    if (!Mld2Query(p, bp, length))
                    {
                        return false;
                    }
                }
                else
                {
                    o.Ascii(" unknown-version (len "u8);
                    o.U((ulong)length);
                    o.Ascii(") "u8);
                }

                break;
            case 131:
            case 132:
                Mld(p, bp);
                break;
            case 133:
                if (p.Verbose > 0 && !NdOptions(p, bp, 8, length - 8))
                {
                    return p.PrintTrunc();
                }

                break;
            case 134:
                if (p.Verbose > 0)
                {
                    if (!Be.Has(bp, 0, 16))
                    {
                        return false;
                    }

                    var flags = bp[5];
                    o.Ascii("\n\thop limit "u8);
                    o.U(bp[4]);
                    o.Ascii(", Flags ["u8);
                    Bits(o, flags, [(0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x02, "ipv6 only")]);
                    o.Ascii("], pref "u8);
                    RoutePref(o, flags);
                    o.Ascii(", router lifetime "u8);
                    o.U(Be.R16(bp, 6));
                    o.Ascii("s, reachable time "u8);
                    o.U(Be.R32(bp, 8));
                    o.Ascii("ms, retrans timer "u8);
                    o.U(Be.R32(bp, 12));
                    o.Ascii("ms"u8);
                    if (!NdOptions(p, bp, 16, length - 16))
                    {
                        return p.PrintTrunc();
                    }
                }

                break;
            case 135:
            case 136:
                {
                    if (!Be.Has(bp, 8, 16))
                    {
                        return false;
                    }

                    o.Ascii(type == 135 ? ", who has "u8 : ", tgt is "u8);
                    p.Names.Ipv6(o, bp.Slice(8, 16));
                    if (p.Verbose > 0)
                    {
                        if (type == 136)
                        {
                            var flags = Be.R32(bp, 4);
                            o.Ascii(", Flags ["u8);
                            Bits(o, flags, [(0x80000000, "router"), (0x40000000, "solicited"), (0x20000000, "override")]);
                            o.Byte((byte)']');
                        }

                        if (!NdOptions(p, bp, 24, length - 24))
                        {
                            return p.PrintTrunc();
                        }
                    }

                    break;
                }

            case 137:
                if (!Be.Has(bp, 8, 32))
                {
                    return false;
                }

                o.Ascii(", "u8);
                p.Names.Ipv6(o, bp.Slice(24, 16));
                o.Ascii(" to "u8);
                p.Names.Ipv6(o, bp.Slice(8, 16));
                if (p.Verbose > 0 && !NdOptions(p, bp, 40, length - 40))
                {
                    return p.PrintTrunc();
                }

                break;
            case 138:
                if (!RouterRenumbering(p, bp))
                {
                    return false;
                }

                break;
            case 139:
            case 140:
                if (!NodeInfo(p, type, length, bp))
                {
                    return false;
                }

                break;
            case 141:
            case 142:
                break;
            case 143:
                if (!Mld2Report(p, bp, length))
                {
                    return false;
                }

                break;
            case 145:
                if (p.Verbose > 0)
                {
                    if (!Be.U16(bp, 4, out var id))
                    {
                        return false;
                    }

                    o.Ascii(", id 0x"u8);
                    o.Hex4(id);
                    for (var at = 8; at < length; at += 16)
                    {
                        if (!Be.Has(bp, at, 16))
                        {
                            return false;
                        }

                        o.Ascii(", "u8);
                        p.Names.Ipv6(o, bp.Slice(at, 16));
                    }
                }

                break;
            case 147:
                if (p.Verbose > 0)
                {
                    if (!Be.U16(bp, 4, out var id))
                    {
                        return false;
                    }

                    o.Ascii(", id 0x"u8);
                    o.Hex4(id);
                    if (!Be.U16(bp, 6, out var mflags))
                    {
                        return false;
                    }

                    if ((mflags & 0xc000) != 0)
                    {
                        o.Byte((byte)' ');
                    }

                    if ((mflags & 0x8000) != 0)
                    {
                        o.Byte((byte)'M');
                    }

                    if ((mflags & 0x4000) != 0)
                    {
                        o.Byte((byte)'O');
                    }

                    if (!NdOptions(p, bp, 8, length - 8))
                    {
                        return p.PrintTrunc();
                    }
                }

                break;
            case 144:
            case 146:
                {
                    if (!Be.U16(bp, 4, out var id))
                    {
                        return false;
                    }

                    o.Ascii(", id 0x"u8);
                    o.Hex4(id);
                    break;
                }

            case 155:
                // The RPL body starts inside the ICMPv6 header's 4-byte data field; tcpdump's u_int length wraps below 4.
                if (!Rpl(p, code, bp[Math.Min(4, bp.Length)..], unchecked((uint)length - 4u)))
                {
                    return false;
                }

                break;
            default:
                o.Ascii(", length "u8);
                o.U((ulong)length);
                if (p.Verbose <= 1)
                {
                    UnknownData(o, bp, "\n\t"u8, length);
                }

                return true;
        }

        if (p.Verbose == 0)
        {
            o.Ascii(", length "u8);
            o.U((ulong)length);
        }

        return true;
    }

    private static void TypeName(Output.OutputBuffer o, byte type)
    {
        var name = type switch
        {
            1 => "destination unreachable",
            2 => "packet too big",
            3 => "time exceeded in-transit",
            4 => "parameter problem",
            128 => "echo request",
            129 => "echo reply",
            130 => "multicast listener query",
            131 => "multicast listener report",
            132 => "multicast listener done",
            133 => "router solicitation",
            134 => "router advertisement",
            135 => "neighbor solicitation",
            136 => "neighbor advertisement",
            137 => "redirect",
            138 => "router renumbering",
            141 => "inverse neighbor solicitation",
            142 => "inverse neighbor advertisement",
            143 => "multicast listener report v2",
            144 => "ha discovery request",
            145 => "ha discovery reply",
            146 => "mobile router solicitation",
            147 => "mobile router advertisement",
            139 => "who-are-you request",
            140 => "who-are-you reply",
            200 => "mtrace response",
            201 => "mtrace message",
            155 => "RPL",
            _ => null,
        };
        if (name is null)
        {
            o.Ascii("unknown icmp6 type ("u8);
            o.U(type);
            o.Byte((byte)')');
        }
        else
        {
            o.Str(name);
        }
    }

    /// <summary>bittok2str: the names of the set bits, ", "-separated, or "none".</summary>
    private static void Bits(Output.OutputBuffer o, uint value, ReadOnlySpan<(uint Bit, string Name)> table)
    {
        var any = false;
        foreach (var (bit, name) in table)
        {
            if ((value & bit) != 0)
            {
                if (any)
                {
                    o.Ascii(", "u8);
                }

                o.Str(name);
                any = true;
            }
        }

        if (!any)
        {
            o.Ascii("none"u8);
        }
    }

    private static void RoutePref(Output.OutputBuffer o, byte flags)
    {
        o.Ascii(((flags & 0x18) >> 3) switch
        {
            0 => "medium"u8,
            1 => "high"u8,
            2 => "rsv"u8,
            _ => "low"u8,
        });
    }

    private static void Lifetime(Output.OutputBuffer o, uint v)
    {
        if (v == uint.MaxValue)
        {
            o.Ascii("infinity"u8);
        }
        else
        {
            o.U(v);
            o.Byte((byte)'s');
        }
    }

    /// <summary>print_unknown_data: a hex dump of what was captured of <paramref name="len"/> bytes.</summary>
    private static void UnknownData(Output.OutputBuffer o, ReadOnlySpan<byte> bp, ReadOnlySpan<byte> indent, int len)
    {
        var n = Math.Max(0, Math.Min(len, bp.Length));
        HexIndent(o, bp[..n], indent);
    }

    private static void HexIndent(Output.OutputBuffer o, ReadOnlySpan<byte> p, ReadOnlySpan<byte> indent)
    {
        var offset = 0;
        var i = 0;
        var n = 0;
        for (; n + 1 < p.Length; n += 2)
        {
            if (i++ % 8 == 0)
            {
                o.Ascii(indent);
                o.Ascii("0x"u8);
                o.Hex4((uint)offset);
                o.Ascii(": "u8);
                offset += 16;
            }

            o.Byte((byte)' ');
            o.Hex2(p[n]);
            o.Hex2(p[n + 1]);
        }

        if ((p.Length & 1) != 0)
        {
            if (i % 8 == 0)
            {
                o.Ascii(indent);
                o.Ascii("0x"u8);
                o.Hex4((uint)offset);
                o.Ascii(": "u8);
            }

            o.Byte((byte)' ');
            o.Hex2(p[n]);
        }
    }

    /// <summary>get_upperlayer: the offset of the TCP/UDP header inside the invoking packet, or -1.</summary>
    private static int UpperLayer(ReadOnlySpan<byte> bp, int ip6, out byte prot)
    {
        prot = 0;
        if (!Be.U8(bp, ip6 + 6, out var nh))
        {
            return -1;
        }

        var at = ip6;
        var hlen = 40;
        while (at < bp.Length)
        {
            at += hlen;
            switch (nh)
            {
                case IpProtocols.Udp:
                case IpProtocols.Tcp:
                    if (Be.Has(bp, at, 4))
                    {
                        prot = nh;
                        return at;
                    }

                    return -1;
                case IpProtocols.HopOpts:
                case IpProtocols.DstOpts:
                case IpProtocols.Routing:
                    if (!Be.Has(bp, at, 2))
                    {
                        return -1;
                    }

                    nh = bp[at];
                    hlen = (bp[at + 1] + 1) << 3;
                    break;
                case IpProtocols.Fragment:
                    if (!Be.Has(bp, at, 4) || (Be.R16(bp, at + 2) & 0xfff8) != 0)
                    {
                        return -1;
                    }

                    nh = bp[at];
                    hlen = 8;
                    break;
                case IpProtocols.Ah:
                    if (!Be.Has(bp, at, 2))
                    {
                        return -1;
                    }

                    nh = bp[at];
                    hlen = (bp[at + 1] + 2) << 2;
                    break;
                default:
                    prot = nh;
                    return -1;
            }
        }

        return -1;
    }

    private static void Mld(Printer p, ReadOnlySpan<byte> bp)
    {
        if (bp.Length < 24)
        {
            return;
        }

        p.Out.Ascii("max resp delay: "u8);
        p.Out.U(Be.R16(bp, 4));
        p.Out.Ascii(" addr: "u8);
        p.Names.Ipv6(p.Out, bp.Slice(8, 16));
    }

    /// <summary>mldv2_report_print: " [gaddr A to_ex { S }], ..." with -v, otherwise the record count.</summary>
    private static bool Mld2Report(Printer p, ReadOnlySpan<byte> bp, int len)
    {
        var o = p.Out;
        if (len < 8)
        {
            o.Ascii(" [invalid len "u8);
            o.U((ulong)len);
            o.Byte((byte)']');
            return true;
        }

        if (!Be.U16(bp, 6, out var ngroups))
        {
            return false;
        }

        o.Ascii(", "u8);
        o.U(ngroups);
        o.Ascii(" group record(s)"u8);
        if (p.Verbose > 0)
        {
            var group = 8;
            for (var i = 0; i < ngroups; i++)
            {
                if (len < group + 20)
                {
                    o.Ascii(" [invalid number of groups]"u8);
                    return true;
                }

                if (!Be.Has(bp, group, 20))
                {
                    return false;
                }

                o.Ascii(" [gaddr "u8);
                p.Names.Ipv6(o, bp.Slice(group + 4, 16));
                var rtype = bp[group];
                o.Byte((byte)' ');
                o.Str(rtype switch
                {
                    1 => "is_in",
                    2 => "is_ex",
                    3 => "to_in",
                    4 => "to_ex",
                    5 => "allow",
                    6 => "block",
                    _ => "Invalid Group Record Type",
                });
                var nsrcs = Be.R16(bp, group + 2);
                var auxLen = bp[group + 1];
                if (len < group + 20 + (nsrcs * 16))
                {
                    o.Ascii(" [invalid number of sources]"u8);
                    return true;
                }

                if (p.Verbose == 1)
                {
                    o.Ascii(", "u8);
                    o.U(nsrcs);
                    o.Ascii(" source(s)"u8);
                }
                else
                {
                    o.Ascii(" {"u8);
                    for (var j = 0; j < nsrcs; j++)
                    {
                        if (!Be.Has(bp, group + 20 + (j * 16), 16))
                        {
                            return false;
                        }

                        o.Byte((byte)' ');
                        p.Names.Ipv6(o, bp.Slice(group + 20 + (j * 16), 16));
                    }

                    o.Ascii(" }"u8);
                }

                group += 20 + (nsrcs * 16) + (auxLen * 4);
                o.Byte((byte)']');
            }
        }

        return true;
    }

    /// <summary>mldv2_query_print.</summary>
    private static bool Mld2Query(Printer p, ReadOnlySpan<byte> bp, int len)
    {
        var o = p.Out;
        if (len < 28)
        {
            o.Ascii(" [invalid len "u8);
            o.U((ulong)len);
            o.Byte((byte)']');
            return true;
        }

        if (!Be.Has(bp, 0, 28))
        {
            return false;
        }

        uint mrc = Be.R16(bp, 4);
        uint mrt;
        if (mrc < 32768)
        {
            mrt = mrc;
        }
        else
        {
            mrt = ((mrc & 0x0fff) | 0x1000) << (int)(((mrc & 0x7000) >> 12) + 3);
        }

        if (p.Verbose > 0)
        {
            o.Ascii(" [max resp delay="u8);
            o.U(mrt);
            o.Byte((byte)']');
        }

        o.Ascii(" [gaddr "u8);
        p.Names.Ipv6(o, bp.Slice(8, 16));
        if (p.Verbose > 0)
        {
            if ((bp[24] & 0x08) != 0)
            {
                o.Ascii(" sflag"u8);
            }

            var qrv = bp[24] & 0x07;
            if (qrv != 0)
            {
                o.Ascii(" robustness="u8);
                o.U((ulong)qrv);
            }

            var qqic = bp[25];
            uint qqi = qqic < 128 ? qqic : (uint)(((qqic & 0x0f) | 0x10) << (((qqic & 0x70) >> 4) + 3));
            o.Ascii(" qqi="u8);
            o.U(qqi);
        }

        var nsrcs = Be.R16(bp, 26);
        if (nsrcs > 0)
        {
            if (len < 28 + (nsrcs * 16))
            {
                o.Ascii(" invalid number of sources"u8);
            }
            else if (p.Verbose > 1)
            {
                o.Ascii(" {"u8);
                for (var i = 0; i < nsrcs; i++)
                {
                    if (!Be.Has(bp, 28 + (i * 16), 16))
                    {
                        return false;
                    }

                    o.Byte((byte)' ');
                    p.Names.Ipv6(o, bp.Slice(28 + (i * 16), 16));
                }

                o.Ascii(" }"u8);
            }
            else
            {
                o.Ascii(", "u8);
                o.U(nsrcs);
                o.Ascii(" source(s)"u8);
            }
        }

        o.Byte((byte)']');
        return true;
    }

    /// <summary>icmp6_opt_print: "\n\t  source link-address option (1), length 8 (1): aa:bb:..." per option; false when cut.</summary>
    private static bool NdOptions(Printer p, ReadOnlySpan<byte> bp, int cp, int resid)
    {
        var o = p.Out;
        while (cp < bp.Length)
        {
            if (!Be.Has(bp, cp, 2))
            {
                return false;
            }

            if (resid <= 0)
            {
                return true;
            }

            var type = bp[cp];
            int optLen = bp[cp + 1];
            if (optLen == 0 || cp + (optLen << 3) > bp.Length)
            {
                return false;
            }

            var name = type switch
            {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                25 => "rdnss",
                31 => "dnssl",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                _ => "unknown",
            };
            o.Ascii("\n\t  "u8);
            o.Str(name);
            o.Ascii(" option ("u8);
            o.U(type);
            o.Ascii("), length "u8);
            o.U((ulong)(optLen << 3));
            o.Ascii(" ("u8);
            o.U((ulong)optLen);
            o.Ascii("): "u8);
            var opt = bp.Slice(cp, optLen << 3);
            switch (type)
            {
                case 1:
                case 2:
                    o.Mac(opt[2..]);
                    break;
                case 3:
                    if (opt.Length < 32)
                    {
                        return false;
                    }

                    p.Names.Ipv6(o, opt.Slice(16, 16));
                    o.Byte((byte)'/');
                    o.U(opt[2]);
                    if (optLen != 4)
                    {
                        o.Ascii("badlen"u8);
                    }

                    o.Ascii(", Flags ["u8);
                    Bits(o, opt[3], [(0x80, "onlink"), (0x40, "auto"), (0x20, "router")]);
                    o.Ascii("], valid time "u8);
                    Lifetime(o, Be.R32(opt, 4));
                    o.Ascii(", pref. time "u8);
                    Lifetime(o, Be.R32(opt, 8));
                    break;
                case 4:
                    UnknownData(o, bp[cp..], "\n\t    "u8, optLen << 3);
                    break;
                case 5:
                    o.Byte((byte)' ');
                    o.U(Be.R32(opt, 4));
                    if (optLen != 1)
                    {
                        o.Ascii("bad option length"u8);
                    }

                    break;
                case 25:
                    {
                        o.Ascii(" lifetime "u8);
                        o.U(Be.R32(opt, 4));
                        o.Ascii("s,"u8);
                        var n = (optLen - 1) / 2;
                        for (var i = 0; i < n; i++)
                        {
                            o.Ascii(" addr: "u8);
                            p.Names.Ipv6(o, opt.Slice(8 + (16 * i), 16));
                        }

                        break;
                    }

                case 31:
                    {
                        o.Ascii(" lifetime "u8);
                        o.U(Be.R32(opt, 4));
                        o.Ascii("s, domain(s):"u8);
                        var domp = cp + 8;
                        var end = cp + (optLen << 3);
                        while (domp < end && Be.U8(bp, domp, out var first) && first != 0)
                        {
                            o.Byte((byte)' ');
                            domp = Dns.Name(p, bp, domp);
                            if (domp < 0)
                            {
                                return false;
                            }
                        }

                        break;
                    }

                case 7:
                    o.Byte((byte)' ');
                    o.U(Be.R32(opt, 4));
                    o.Ascii("ms"u8);
                    break;
                case 8:
                    o.Ascii(" preference "u8);
                    o.U(Be.R16(opt, 4));
                    o.Ascii(", lifetime "u8);
                    o.U(Be.R16(opt, 6));
                    break;
                case 24:
                    {
                        Span<byte> prefix = stackalloc byte[16];
                        prefix.Clear();
                        switch (optLen)
                        {
                            case 1:
                                break;
                            case 2:
                                opt.Slice(8, 8).CopyTo(prefix);
                                break;
                            case 3:
                                opt.Slice(8, 16).CopyTo(prefix);
                                break;
                            default:
                                return false;
                        }

                        o.Byte((byte)' ');
                        p.Names.Ipv6(o, prefix);
                        o.Byte((byte)'/');
                        o.U(opt[2]);
                        o.Ascii(", pref="u8);
                        RoutePref(o, opt[3]);
                        o.Ascii(", lifetime="u8);
                        Lifetime(o, Be.R32(opt, 4));
                        break;
                    }

                default:
                    if (p.Verbose <= 1)
                    {
                        UnknownData(o, bp[(cp + 2)..], "\n\t  "u8, (optLen << 3) - 2);
                        return true;
                    }

                    break;
            }

            if (p.Verbose > 1)
            {
                UnknownData(o, bp[(cp + 2)..], "\n\t    "u8, (optLen << 3) - 2);
            }

            cp += optLen << 3;
            resid -= optLen << 3;
        }

        return true;
    }
}
