namespace Forge.Sniff.Decoding;

/// <summary>
/// UDP (RFC 768): source port (0), destination port (2), length (4), checksum (6). tcpdump's
/// udp_print: "IP a.b > c.d: UDP, length 5", or the application decoder for the port (DNS).
/// </summary>
internal static class Udp
{
    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length, ReadOnlySpan<byte> ip, bool fragmented)
    {
        p.Protocol = "udp";
        var o = p.Out;
        var v6 = ip[0] >> 4 == 6;
        if (bp.Length < 4)
        {
            IpAddr(p, ip, v6, -1, -1);
            return p.PrintTrunc();
        }

        var sport = Be.R16(bp, 0);
        var dport = Be.R16(bp, 2);
        if (length < 8)
        {
            IpAddr(p, ip, v6, sport, dport);
            o.Ascii("truncated-udp "u8);
            o.U((ulong)(uint)length);
            return true;
        }

        if (bp.Length < 6)
        {
            IpAddr(p, ip, v6, sport, dport);
            return p.PrintTrunc();
        }

        int ulen = Be.R16(bp, 4);
        if (ulen == 0 && length > 65535)
        {
            ulen = length;
        }

        if (ulen < 8)
        {
            IpAddr(p, ip, v6, sport, dport);
            o.Ascii("truncated-udplength "u8);
            o.U((ulong)ulen);
            return true;
        }

        ulen -= 8;
        length -= 8;
        if (ulen < length)
        {
            length = ulen;
        }

        if (bp.Length < 8)
        {
            IpAddr(p, ip, v6, sport, dport);
            return p.PrintTrunc();
        }

        IpAddr(p, ip, v6, sport, dport);
        var payload = bp[8..];
        if (p.Verbose > 0 && !p.Options.NoChecksum && !fragmented)
        {
            var udpSum = Be.R16(bp, 6);
            if (!v6 && p.Verbose > 1)
            {
                if (udpSum == 0)
                {
                    o.Ascii("[no cksum] "u8);
                }
                else if (length >= 0 && payload.Length >= length)
                {
                    Sum(p, ip, v6, bp[..(length + 8)], udpSum);
                }
            }
            else if (v6 && length >= 0 && payload.Length >= length)
            {
                Sum(p, ip, v6, bp[..(length + 8)], udpSum);
            }
        }

        if (p.Quiet == 0)
        {
            var ok = Decoders.UdpPayload(p, sport, dport, payload, length, out var handled);
            if (handled)
            {
                return ok;
            }
        }

        if (ulen > length && !fragmented)
        {
            o.Ascii("UDP, bad length "u8);
            o.U((ulong)ulen);
            o.Ascii(" > "u8);
            o.U((ulong)length);
        }
        else
        {
            o.Ascii("UDP, length "u8);
            o.U((ulong)ulen);
        }

        return true;
    }

    private static void Sum(Printer p, ReadOnlySpan<byte> ip, bool v6, ReadOnlySpan<byte> datagram, ushort udpSum)
    {
        var o = p.Out;
        var sum = Checksum.Transport(ip, v6, IpProtocols.Udp, datagram);
        if (sum != 0)
        {
            o.Ascii("[bad udp cksum 0x"u8);
            o.Hex4(udpSum);
            o.Ascii(" -> 0x"u8);
            o.Hex4(Be.ShouldBe(udpSum, sum));
            o.Ascii("!] "u8);
        }
        else
        {
            o.Ascii("[udp sum ok] "u8);
        }
    }

    /// <summary>udpipaddr_print: "src.sport > dst.dport: " (ports only when the IP header's protocol is not UDP).</summary>
    private static void IpAddr(Printer p, ReadOnlySpan<byte> ip, bool v6, int sport, int dport)
    {
        var o = p.Out;
        var nh = v6 ? ip[6] : ip[9];
        if (nh == IpProtocols.Udp)
        {
            Address(p, ip, v6, true);
            if (sport != -1)
            {
                o.Byte((byte)'.');
                p.Names.UdpPort(o, (ushort)sport);
            }

            o.Ascii(" > "u8);
            Address(p, ip, v6, false);
            if (sport != -1)
            {
                o.Byte((byte)'.');
                p.Names.UdpPort(o, (ushort)dport);
            }

            o.Ascii(": "u8);
        }
        else if (sport != -1)
        {
            p.Names.UdpPort(o, (ushort)sport);
            o.Ascii(" > "u8);
            p.Names.UdpPort(o, (ushort)dport);
            o.Ascii(": "u8);
        }
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
}
