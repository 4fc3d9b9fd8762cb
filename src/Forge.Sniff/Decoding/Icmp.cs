namespace Forge.Sniff.Decoding;

/// <summary>
/// ICMP for IPv4 (RFC 792, RFC 1191, RFC 1256): type (0), code (1), checksum (2), then per type an
/// id/sequence (echo), a gateway (redirect), or the offending datagram's IP header and 8 bytes
/// (errors, at offset 8). tcpdump's icmp_print: "ICMP echo request, id 1, seq 1, length 64"; with -v
/// errors show the inner packet on the next line.
/// </summary>
internal static class Icmp
{
    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int plen, ReadOnlySpan<byte> ip, bool fragmented)
    {
        p.Protocol = "icmp";
        var o = p.Out;
        var mark = o.Position;
        var described = Describe(p, bp, plen);
        if (described != Described.Ok)
        {
            // tcpdump builds the description in a buffer first: a cut drops it and prints only the marker.
            o.Truncate(mark);
            return described == Described.Checked ? p.PrintTrunc() : false;
        }

        o.Ascii(", length "u8);
        o.U((ulong)(uint)plen);
        if (p.Verbose > 0 && !fragmented && !p.Options.NoChecksum && bp.Length >= plen && plen >= 0)
        {
            var sum = Be.Checksum(bp[..plen]);
            if (sum != 0)
            {
                var icmpSum = Be.R16(bp, 2);
                o.Ascii(" (wrong icmp cksum "u8);
                o.Hex(icmpSum);
                o.Ascii(" (->"u8);
                o.Hex(Be.ShouldBe(icmpSum, sum));
                o.Ascii(")!)"u8);
            }
        }

        var type = bp[0];
        if (p.Verbose > 0 && type is 3 or 4 or 5 or 11 or 12)
        {
            var inner = bp.Length > 8 ? bp[8..] : default;
            o.Ascii("\n\t"u8);
            if (!Be.U16(inner, 2, out var innerLen))
            {
                return false;
            }

            if (inner.Length > innerLen)
            {
                inner = inner[..innerLen];
            }

            if (!Ip.Print(p, inner, innerLen))
            {
                return false;
            }

            p.Protocol = "icmp";
        }

        return true;
    }

    /// <summary>How describing went: printed, cut at a GET (longjmp), or cut at an ND_TCHECK (marker, link header kept).</summary>
    private enum Described
    {
        Ok,
        Cut,
        Checked,
    }

    private static Described Describe(Printer p, ReadOnlySpan<byte> dp, int plen)
    {
        var r = DescribeCore(p, dp, plen);
        return r switch
        {
            1 => Described.Ok,
            0 => Described.Cut,
            _ => Described.Checked,
        };
    }

    private static int DescribeCore(Printer p, ReadOnlySpan<byte> dp, int plen)
    {
        var o = p.Out;
        if (!Be.U8(dp, 0, out var type) || !Be.U8(dp, 1, out var code))
        {
            return 0;
        }

        o.Ascii("ICMP "u8);
        switch (type)
        {
            case 0:
            case 8:
                {
                    if (!Be.U16(dp, 4, out var id) || !Be.U16(dp, 6, out var seq))
                    {
                        return 0;
                    }

                    o.Ascii(type == 8 ? "echo request, id "u8 : "echo reply, id "u8);
                    o.U(id);
                    o.Ascii(", seq "u8);
                    o.U(seq);
                    return 1;
                }

            case 3:
                return Unreachable(p, dp, code);
            case 5:
                {
                    if (!Be.Has(dp, 24, 4) || !Be.Has(dp, 4, 4))
                    {
                        return 0;
                    }

                    var dst = dp.Slice(24, 4);
                    var gw = dp.Slice(4, 4);
                    switch (code)
                    {
                        case 0:
                        case 1:
                            o.Ascii("redirect "u8);
                            p.Names.Ipv4(o, dst);
                            o.Ascii(code == 0 ? " to net "u8 : " to host "u8);
                            p.Names.Ipv4(o, gw);
                            break;
                        case 2:
                        case 3:
                            o.Ascii("redirect-tos "u8);
                            p.Names.Ipv4(o, dst);
                            o.Ascii(code == 2 ? " to net "u8 : " to host "u8);
                            p.Names.Ipv4(o, gw);
                            break;
                        default:
                            o.Ascii("redirect-#"u8);
                            o.U(code);
                            o.Byte((byte)' ');
                            p.Names.Ipv4(o, dst);
                            o.Ascii(" to "u8);
                            p.Names.Ipv4(o, gw);
                            break;
                    }

                    return 1;
                }

            case 9:
                return RouterAdvertisement(p, dp);
            case 11:
                if (!Be.Has(dp, 24, 4))
                {
                    return -1;
                }

                switch (code)
                {
                    case 0:
                        o.Ascii("time exceeded in-transit"u8);
                        break;
                    case 1:
                        o.Ascii("ip reassembly time exceeded"u8);
                        break;
                    default:
                        o.Ascii("time exceeded-#"u8);
                        o.U(code);
                        break;
                }

                return 1;
            case 12:
                if (code != 0)
                {
                    o.Ascii("parameter problem - code "u8);
                    o.U(code);
                }
                else
                {
                    if (!Be.U8(dp, 4, out var ptr))
                    {
                        return 0;
                    }

                    o.Ascii("parameter problem - octet "u8);
                    o.U(ptr);
                }

                return 1;
            case 18:
                {
                    if (!Be.U32(dp, 8, out var mask))
                    {
                        return 0;
                    }

                    o.Ascii("address mask is 0x"u8);
                    o.HexPad(mask, 8);
                    return 1;
                }

            case 13:
                {
                    if (!Be.U16(dp, 4, out var id) || !Be.U16(dp, 6, out var seq))
                    {
                        return 0;
                    }

                    o.Ascii("time stamp query id "u8);
                    o.U(id);
                    o.Ascii(" seq "u8);
                    o.U(seq);
                    return 1;
                }

            case 14:
                {
                    if (!Be.Has(dp, 16, 4))
                    {
                        return -1;
                    }

                    o.Ascii("time stamp reply id "u8);
                    o.U(Be.R16(dp, 4));
                    o.Ascii(" seq "u8);
                    o.U(Be.R16(dp, 6));
                    o.Ascii(": org "u8);
                    Stamp(o, Be.R32(dp, 8));
                    o.Ascii(", recv "u8);
                    Stamp(o, Be.R32(dp, 12));
                    o.Ascii(", xmit "u8);
                    Stamp(o, Be.R32(dp, 16));
                    return 1;
                }

            default:
                {
                    var name = type switch
                    {
                        4 => "source quench",
                        10 => "router solicitation",
                        15 => "information request",
                        16 => "information reply",
                        17 => "address mask request",
                        _ => null,
                    };
                    if (name is null)
                    {
                        o.Ascii("type-#"u8);
                        o.U(type);
                    }
                    else
                    {
                        o.Str(name);
                    }

                    return 1;
                }
        }
    }

    private static void Stamp(Output.OutputBuffer o, uint t)
    {
        var msec = t % 1000;
        var sec = t / 1000;
        var min = sec / 60;
        sec -= min * 60;
        var hrs = min / 60;
        min -= hrs * 60;
        o.UPad(hrs, 2);
        o.Byte((byte)':');
        o.UPad(min, 2);
        o.Byte((byte)':');
        o.UPad(sec, 2);
        o.Byte((byte)'.');
        o.UPad(msec, 3);
    }

    private static int Unreachable(Printer p, ReadOnlySpan<byte> dp, byte code)
    {
        var o = p.Out;
        if (code == 3)
        {
            if (!Be.U8(dp, 8 + 9, out var proto))
            {
                return -1;
            }

            var vhl = dp[8];

            var hlen = (vhl & 0x0f) * 4;
            if (!Be.U16(dp, 8 + hlen + 2, out var dport) || !Be.Has(dp, 24, 4))
            {
                return 0;
            }

            p.Names.Ipv4(o, dp.Slice(24, 4));
            switch (proto)
            {
                case IpProtocols.Tcp:
                    o.Ascii(" tcp port "u8);
                    p.Names.TcpPort(o, dport);
                    break;
                case IpProtocols.Udp:
                    o.Ascii(" udp port "u8);
                    p.Names.UdpPort(o, dport);
                    break;
                default:
                    o.Ascii(" protocol "u8);
                    o.U(proto);
                    o.Ascii(" port "u8);
                    o.U(dport);
                    break;
            }

            o.Ascii(" unreachable"u8);
            return 1;
        }

        if (!Be.Has(dp, 24, 4))
        {
            return 0;
        }

        var dst = dp.Slice(24, 4);
        switch (code)
        {
            case 0:
            case 1:
            case 6:
            case 7:
            case 9:
            case 10:
            case 11:
            case 12:
            case 13:
            case 14:
            case 15:
                o.Ascii(code is 0 or 6 or 9 or 11 ? "net "u8 : "host "u8);
                p.Names.Ipv4(o, dst);
                o.Ascii(code switch
                {
                    0 or 1 => " unreachable"u8,
                    6 or 7 => " unreachable - unknown"u8,
                    9 or 10 => " unreachable - admin prohibited"u8,
                    11 or 12 => " unreachable - tos prohibited"u8,
                    13 => " unreachable - admin prohibited filter"u8,
                    14 => " unreachable - host precedence violation"u8,
                    _ => " unreachable - precedence cutoff"u8,
                });
                return 1;
            case 2:
                {
                    if (!Be.U8(dp, 8 + 9, out var proto))
                    {
                        return 0;
                    }

                    p.Names.Ipv4(o, dst);
                    o.Ascii(" protocol "u8);
                    o.U(proto);
                    o.Ascii(" unreachable"u8);
                    return 1;
                }

            case 4:
                {
                    if (!Be.U16(dp, 6, out var mtu))
                    {
                        return 0;
                    }

                    p.Names.Ipv4(o, dst);
                    o.Ascii(" unreachable - need to frag"u8);
                    if (mtu != 0)
                    {
                        o.Ascii(" (mtu "u8);
                        o.U(mtu);
                        o.Byte((byte)')');
                    }

                    return 1;
                }

            case 5:
                p.Names.Ipv4(o, dst);
                o.Ascii(" unreachable - source route failed"u8);
                return 1;
            case 8:
                p.Names.Ipv4(o, dst);
                o.Ascii(" unreachable - source host isolated"u8);
                return 1;
            default:
                p.Names.Ipv4(o, dst);
                o.Ascii(" unreachable - #"u8);
                o.U(code);
                return 1;
        }
    }

    private static int RouterAdvertisement(Printer p, ReadOnlySpan<byte> dp)
    {
        var o = p.Out;
        o.Ascii("router advertisement"u8);
        if (!Be.Has(dp, 4, 4))
        {
            return -1;
        }

        o.Ascii(" lifetime "u8);
        uint lifetime = Be.R16(dp, 6);
        if (lifetime < 60)
        {
            o.U(lifetime);
        }
        else if (lifetime < 3600)
        {
            o.U(lifetime / 60);
            o.Byte((byte)':');
            o.UPad(lifetime % 60, 2);
        }
        else
        {
            o.U(lifetime / 3600);
            o.Byte((byte)':');
            o.UPad(lifetime % 3600 / 60, 2);
            o.Byte((byte)':');
            o.UPad(lifetime % 60, 2);
        }

        var num = dp[4];
        o.Byte((byte)' ');
        o.U(num);
        o.Byte((byte)':');
        var size = dp[5];
        if (size != 2)
        {
            o.Ascii(" [size "u8);
            o.U(size);
            o.Byte((byte)']');
            return 1;
        }

        for (var i = 0; i < num; i++)
        {
            var at = 8 + (8 * i);
            if (!Be.Has(dp, at, 8))
            {
                return -1;
            }

            o.Ascii(" {"u8);
            p.Names.Ipv4(o, dp.Slice(at, 4));
            o.Byte((byte)' ');
            o.U(Be.R32(dp, at + 4));
            o.Byte((byte)'}');
        }

        return 1;
    }
}
