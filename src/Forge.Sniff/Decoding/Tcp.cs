using System.Buffers.Binary;

namespace Forge.Sniff.Decoding;

/// <summary>
/// TCP (RFC 9293): source port (0), destination port (2), sequence (4), acknowledgment (8), data
/// offset (12, high nibble), flags (13), window (14), checksum (16), urgent pointer (18), options
/// (20..offset*4). tcpdump's tcp_print: "Flags [S.], seq 1:10, ack 1, win 512, options [...], length 9",
/// sequence numbers relative to the first seen in each direction unless -S.
/// </summary>
internal static class Tcp
{
    private const byte Fin = 0x01;
    private const byte Syn = 0x02;
    private const byte Rst = 0x04;
    private const byte Ack = 0x10;
    private const byte Urg = 0x20;

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length, ReadOnlySpan<byte> ip, bool fragmented)
    {
        p.Protocol = "tcp";
        var o = p.Out;
        var v6 = ip[0] >> 4 == 6;
        if (bp.Length < 4)
        {
            Addresses(p, ip, v6);
            o.Byte((byte)':');
            return p.PrintTrunc();
        }

        var sport = Be.R16(bp, 0);
        var dport = Be.R16(bp, 2);
        var nextHeader = v6 ? ip[6] : ip[9];
        if (nextHeader == IpProtocols.Tcp)
        {
            Address(p, ip, v6, source: true);
            o.Byte((byte)'.');
            p.Names.TcpPort(o, sport);
            o.Ascii(" > "u8);
            Address(p, ip, v6, source: false);
            o.Byte((byte)'.');
            p.Names.TcpPort(o, dport);
            o.Ascii(": "u8);
        }
        else
        {
            p.Names.TcpPort(o, sport);
            o.Ascii(" > "u8);
            p.Names.TcpPort(o, dport);
            o.Ascii(": "u8);
        }

        if (bp.Length < 20)
        {
            return p.PrintTrunc();
        }

        var hlen = (bp[12] >> 4) * 4;
        if (hlen < 20)
        {
            o.Ascii(" tcp "u8);
            o.U((ulong)(uint)(length - hlen));
            o.Ascii(" [bad hdr length "u8);
            o.U((ulong)hlen);
            o.Ascii(" - too short, < 20]"u8);
            return true;
        }

        var seq = Be.R32(bp, 4);
        var ack = Be.R32(bp, 8);
        var win = Be.R16(bp, 14);
        var urp = Be.R16(bp, 18);
        if (p.Quiet > 0)
        {
            o.Ascii("tcp "u8);
            o.U((uint)(length - hlen));
            if (hlen > length)
            {
                o.Ascii(" [bad hdr length "u8);
                o.U((ulong)hlen);
                o.Ascii(" - too long, > "u8);
                o.U((ulong)length);
                o.Byte((byte)']');
            }

            return true;
        }

        var flags = bp[13];
        o.Ascii("Flags ["u8);
        if (flags == 0)
        {
            o.Ascii("none"u8);
        }
        else
        {
            // tcpdump's letters, one per flag bit from FIN (0x01) to CWR (0x80).
            var letters = "FSRP.UEW"u8;
            for (var bit = 0; bit < 8; bit++)
            {
                if ((flags & (1 << bit)) != 0)
                {
                    o.Byte(letters[bit]);
                }
            }
        }

        o.Byte((byte)']');
        uint thseq = 0, thack = 0;
        var rev = false;
        if (!p.Options.AbsoluteSeq && (flags & Ack) != 0)
        {
            p.RelativeSequence(ip, v6, sport, dport, (flags & Syn) != 0, ref seq, ref ack, out thseq, out thack, out rev);
        }

        if (hlen > length)
        {
            o.Ascii(" [bad hdr length "u8);
            o.U((ulong)hlen);
            o.Ascii(" - too long, > "u8);
            o.U((ulong)length);
            o.Byte((byte)']');
            return true;
        }

        if (p.Verbose > 0 && !p.Options.NoChecksum && !fragmented && length >= 0 && bp.Length >= length)
        {
            var sum = Checksum.Transport(ip, v6, IpProtocols.Tcp, bp[..length]);
            var tcpSum = Be.R16(bp, 16);
            o.Ascii(", cksum 0x"u8);
            o.Hex4(tcpSum);
            if (sum != 0)
            {
                o.Ascii(" (incorrect -> 0x"u8);
                o.Hex4(Be.ShouldBe(tcpSum, sum));
                o.Byte((byte)')');
            }
            else
            {
                o.Ascii(" (correct)"u8);
            }
        }

        length -= hlen;
        if (p.Verbose > 1 || length > 0 || (flags & (Syn | Fin | Rst)) != 0)
        {
            o.Ascii(", seq "u8);
            o.U(seq);
            if (length > 0)
            {
                o.Byte((byte)':');
                o.U(unchecked(seq + (uint)length));
            }
        }

        if ((flags & Ack) != 0)
        {
            o.Ascii(", ack "u8);
            o.U(ack);
        }

        o.Ascii(", win "u8);
        o.U(win);
        if ((flags & Urg) != 0)
        {
            o.Ascii(", urg "u8);
            o.U(urp);
        }

        if (hlen > 20)
        {
            var r = Options(p, bp, hlen, flags, rev, thseq, thack);
            if (r != OptionResult.Ok)
            {
                return r != OptionResult.Truncated;
            }
        }

        o.Ascii(", length "u8);
        o.U((ulong)length);
        if (length <= 0)
        {
            return true;
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

        var payload = bp[hlen..];
        if ((flags & Rst) != 0 && p.Verbose > 0)
        {
            RstData(p, payload, length);
            return true;
        }

        return Decoders.TcpPayload(p, sport, dport, payload, length);
    }

    private enum OptionResult
    {
        Ok,
        Bad,
        Truncated,
    }

    private static OptionResult Options(Printer p, ReadOnlySpan<byte> bp, int hlen, byte flags, bool rev, uint thseq, uint thack)
    {
        var o = p.Out;
        hlen -= 20;
        var cp = 20;
        var ch = false;
        o.Ascii(", options ["u8);
        while (hlen > 0)
        {
            if (ch)
            {
                o.Byte((byte)',');
            }

            if (!Be.U8(bp, cp, out var opt))
            {
                return OptionResult.Truncated;
            }

            cp++;
            int len;
            if (opt is 0 or 1)
            {
                len = 1;
            }
            else
            {
                if (!Be.U8(bp, cp, out var l))
                {
                    return OptionResult.Truncated;
                }

                len = l;
                cp++;
                if (len < 2 || len > hlen)
                {
                    return Bad(p, ch);
                }

                --hlen;
            }

            --hlen;
            var datalen = 0;
            OptionName(o, opt);
            switch (opt)
            {
                case 2:
                    datalen = 2;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Byte((byte)' ');
                    o.U(Be.R16(bp, cp));
                    break;
                case 3:
                    datalen = 1;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Byte((byte)' ');
                    o.U(bp[cp]);
                    break;
                case 5:
                    datalen = len - 2;
                    if (datalen % 8 != 0)
                    {
                        o.Ascii(" invalid sack"u8);
                    }
                    else
                    {
                        o.Byte((byte)' ');
                        o.U((ulong)(datalen / 8));
                        o.Byte((byte)' ');
                        for (var i = 0; i < datalen; i += 8)
                        {
                            if (i + 8 > hlen)
                            {
                                return Bad(p, ch);
                            }

                            if (!Be.Has(bp, cp + i, 8))
                            {
                                return Trunc(p, ch);
                            }

                            var s = Be.R32(bp, cp + i);
                            var e = Be.R32(bp, cp + i + 4);
                            if (rev)
                            {
                                s -= thseq;
                                e -= thseq;
                            }
                            else
                            {
                                s -= thack;
                                e -= thack;
                            }

                            o.Byte((byte)'{');
                            o.U(s);
                            o.Byte((byte)':');
                            o.U(e);
                            o.Byte((byte)'}');
                        }
                    }

                    break;
                case 11:
                case 12:
                case 13:
                case 6:
                case 7:
                    datalen = 4;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Byte((byte)' ');
                    o.U(Be.R32(bp, cp));
                    break;
                case 8:
                    datalen = 8;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Ascii(" val "u8);
                    o.U(Be.R32(bp, cp));
                    o.Ascii(" ecr "u8);
                    o.U(Be.R32(bp, cp + 4));
                    break;
                case 19:
                    datalen = 16;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Ascii(" can't check - "u8);
                    for (var i = 0; i < 16; i++)
                    {
                        o.Hex2(bp[cp + i]);
                    }

                    break;
                case 20:
                    datalen = 2;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Ascii(" cap "u8);
                    o.Hex2(bp[cp]);
                    o.Ascii(" id "u8);
                    o.U(bp[cp + 1]);
                    break;
                case 28:
                    {
                        datalen = 2;
                        if (datalen > hlen)
                        {
                            return Bad(p, ch);
                        }

                        if (!Be.Has(bp, cp, datalen))
                        {
                            return Trunc(p, ch);
                        }

                        uint uto = Be.R16(bp, cp);
                        o.Ascii(" 0x"u8);
                        o.Hex(uto);
                        uto = (uto & 1) != 0 ? (uto >> 1) * 60 : uto >> 1;
                        o.Byte((byte)' ');
                        o.U(uto);
                        break;
                    }

                case 29:
                    datalen = len - 2;
                    if (datalen < 2)
                    {
                        p.Invalid();
                        break;
                    }

                    if (1 > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.U8(bp, cp, out var keyId))
                    {
                        return Trunc(p, ch);
                    }

                    o.Ascii(" keyid "u8);
                    o.U(keyId);
                    if (2 > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.U8(bp, cp + 1, out var rnext))
                    {
                        return Trunc(p, ch);
                    }

                    o.Ascii(" rnextkeyid "u8);
                    o.U(rnext);
                    if (datalen > 2)
                    {
                        o.Ascii(" mac 0x"u8);
                        for (var i = 2; i < datalen; i++)
                        {
                            if (i + 1 > hlen)
                            {
                                return Bad(p, ch);
                            }

                            if (!Be.U8(bp, cp + i, out var m))
                            {
                                return Trunc(p, ch);
                            }

                            o.Hex2(m);
                        }
                    }

                    break;
                case 34:
                    datalen = len - 2;
                    if (datalen > hlen)
                    {
                        return Bad(p, ch);
                    }

                    if (!Be.Has(bp, cp, datalen))
                    {
                        return Trunc(p, ch);
                    }

                    o.Byte((byte)' ');
                    FastOpen(p, bp.Slice(cp, datalen), experimental: false);
                    break;
                case 254:
                    {
                        datalen = len - 2;
                        if (datalen > hlen)
                        {
                            return Bad(p, ch);
                        }

                        if (!Be.Has(bp, cp, datalen))
                        {
                            return Trunc(p, ch);
                        }

                        if (datalen < 2)
                        {
                            return Bad(p, ch);
                        }

                        var magic = Be.R16(bp, cp);
                        o.Byte((byte)'-');
                        if (magic == 0xf989)
                        {
                            FastOpen(p, bp.Slice(cp + 2, datalen - 2), experimental: true);
                        }
                        else
                        {
                            o.Hex4(magic);
                        }

                        break;
                    }

                case 0:
                case 1:
                case 4:
                    break;
                default:
                    datalen = len - 2;
                    if (datalen > 0)
                    {
                        o.Ascii(" 0x"u8);
                    }

                    for (var i = 0; i < datalen; i++)
                    {
                        if (i + 1 > hlen)
                        {
                            return Bad(p, ch);
                        }

                        if (!Be.U8(bp, cp + i, out var b))
                        {
                            return Trunc(p, ch);
                        }

                        o.Hex2(b);
                    }

                    break;
            }

            cp += datalen;
            hlen -= datalen;
            datalen++;
            if (opt is not (0 or 1))
            {
                datalen++;
            }

            if (datalen != len)
            {
                o.Ascii("[len "u8);
                o.U((ulong)len);
                o.Byte((byte)']');
            }

            ch = true;
            if (opt == 0)
            {
                break;
            }
        }

        o.Byte((byte)']');
        return OptionResult.Ok;
    }

    /// <summary>TCP Fast Open (RFC 7413): " cookiereq" or " cookie 0a0b..."; "tfo" first for the experimental option.</summary>
    private static void FastOpen(Printer p, ReadOnlySpan<byte> data, bool experimental)
    {
        var o = p.Out;
        if (experimental)
        {
            o.Ascii("tfo"u8);
        }

        if (data.Length == 0)
        {
            o.Ascii(" cookiereq"u8);
        }
        else if (data.Length % 2 != 0 || data.Length < 4 || data.Length > 16)
        {
            p.Invalid();
        }
        else
        {
            o.Ascii(" cookie "u8);
            foreach (var b in data)
            {
                o.Hex2(b);
            }
        }
    }

    private static OptionResult Bad(Printer p, bool ch)
    {
        p.Out.Ascii("[bad opt]"u8);
        if (ch)
        {
            p.Out.Byte((byte)']');
        }

        return OptionResult.Bad;
    }

    private static OptionResult Trunc(Printer p, bool ch)
    {
        p.PrintTrunc();
        if (ch)
        {
            p.Out.Byte((byte)'>');
        }

        return OptionResult.Bad;
    }

    private static void OptionName(Output.OutputBuffer o, byte opt)
    {
        ReadOnlySpan<byte> name = opt switch
        {
            0 => "eol"u8,
            1 => "nop"u8,
            2 => "mss"u8,
            3 => "wscale"u8,
            4 => "sackOK"u8,
            5 => "sack"u8,
            6 => "echo"u8,
            7 => "echoreply"u8,
            8 => "TS"u8,
            11 => "cc"u8,
            12 => "ccnew"u8,
            13 => ""u8,
            19 => "md5"u8,
            20 => "scps"u8,
            28 => "uto"u8,
            29 => "tcp-ao"u8,
            30 => "mptcp"u8,
            34 => "tfo"u8,
            254 => "exp"u8,
            _ => default,
        };
        if (name.IsEmpty && opt != 13)
        {
            o.Ascii("unknown-"u8);
            o.U(opt);
        }
        else
        {
            o.Ascii(name);
        }
    }

    private static void RstData(Printer p, ReadOnlySpan<byte> sp, int length)
    {
        var o = p.Out;
        o.Ascii(sp.Length >= length ? " [RST"u8 : " [!RST"u8);
        if (length > 30)
        {
            length = 30;
            o.Byte((byte)'+');
        }

        o.Byte((byte)' ');
        for (var i = 0; i < length && i < sp.Length; i++)
        {
            Text.PrintChar(o, sp[i]);
        }

        o.Byte((byte)']');
    }

    private static void Address(Printer p, ReadOnlySpan<byte> ip, bool v6, bool source)
    {
        if (v6)
        {
            p.Names.Ipv6(p.Out, ip.Slice(source ? 8 : 24, 16));
        }
        else
        {
            p.Names.Ipv4(p.Out, ip.Slice(source ? 12 : 16, 4));
        }
    }

    private static void Addresses(Printer p, ReadOnlySpan<byte> ip, bool v6)
    {
        Address(p, ip, v6, source: true);
        p.Out.Ascii(" > "u8);
        Address(p, ip, v6, source: false);
    }

    internal static UInt128 Key16(ReadOnlySpan<byte> a)
    {
        if (a.Length == 16)
        {
            return BinaryPrimitives.ReadUInt128BigEndian(a);
        }

        return BinaryPrimitives.ReadUInt32BigEndian(a);
    }
}
