namespace Forge.Sniff.Decoding;

/// <summary>Transport checksums over the IPv4 (RFC 768/9293) or IPv6 (RFC 8200 §8.1) pseudo-header.</summary>
internal static class Checksum
{
    /// <summary>The folded checksum of pseudo-header plus <paramref name="data"/>; 0 when the packet's checksum is right.</summary>
    public static ushort Transport(ReadOnlySpan<byte> ip, bool v6, byte protocol, ReadOnlySpan<byte> data)
    {
        uint sum;
        if (v6)
        {
            sum = Be.Sum(ip.Slice(8, 16)) + Be.Sum(FinalDestination6(ip));
        }
        else
        {
            sum = Be.Sum(ip.Slice(12, 4)) + Be.Sum(FinalDestination4(ip));
        }

        var len = (uint)data.Length;
        if (v6)
        {
            sum += (len >> 16) + (len & 0xffff);
        }
        else
        {
            sum += len & 0xffff;
        }

        sum += protocol;
        return Be.Checksum(data, Fold(sum));
    }

    private static uint Fold(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return sum;
    }

    /// <summary>ip6_finddst: with a routing header, the last address of type 0/2 or the first segment of an SRH; else ip6_dst.</summary>
    private static ReadOnlySpan<byte> FinalDestination6(ReadOnlySpan<byte> ip)
    {
        var dst = ip.Slice(24, 16);
        var cp = 0;
        var advance = 40;
        var nh = ip[6];
        while (cp < ip.Length)
        {
            cp += advance;
            switch (nh)
            {
                case IpProtocols.HopOpts:
                case IpProtocols.DstOpts:
                case 62:
                case IpProtocols.Mobility:
                    if (!Be.Has(ip, cp, 2))
                    {
                        return dst;
                    }

                    advance = (ip[cp + 1] + 1) << 3;
                    nh = ip[cp];
                    break;
                case IpProtocols.Fragment:
                    if (!Be.Has(ip, cp, 1))
                    {
                        return dst;
                    }

                    advance = 8;
                    nh = ip[cp];
                    break;
                case IpProtocols.Routing:
                    {
                        if (!Be.Has(ip, cp, 4))
                        {
                            return dst;
                        }

                        int len = ip[cp + 1];
                        var type = ip[cp + 2];
                        if (type is 0 or 2)
                        {
                            if (len % 2 == 1)
                            {
                                return dst;
                            }

                            for (var i = 0; i < len / 2 && Be.Has(ip, cp + 8 + (16 * i), 16); i++)
                            {
                                dst = ip.Slice(cp + 8 + (16 * i), 16);
                            }
                        }
                        else if (type == 4 && len % 2 == 0 && Be.Has(ip, cp + 8, 16))
                        {
                            dst = ip.Slice(cp + 8, 16);
                        }

                        return dst;
                    }

                default:
                    return dst;
            }
        }

        return dst;
    }

    /// <summary>ip_finddst: the last address of a loose or strict source route option, else the destination.</summary>
    private static ReadOnlySpan<byte> FinalDestination4(ReadOnlySpan<byte> ip)
    {
        var hlen = (ip[0] & 0x0f) * 4;
        if (hlen > 20 && ip.Length >= hlen)
        {
            var cp = 20;
            while (cp < hlen)
            {
                var tt = ip[cp];
                if (tt == 0)
                {
                    break;
                }

                int len;
                if (tt == 1)
                {
                    len = 1;
                }
                else
                {
                    if (cp + 1 >= hlen)
                    {
                        break;
                    }

                    len = ip[cp + 1];
                    if (len < 2)
                    {
                        break;
                    }
                }

                if (hlen - cp < len)
                {
                    break;
                }

                if ((tt == 137 || tt == 131) && len >= 7)
                {
                    return ip.Slice(cp + len - 4, 4);
                }

                cp += len;
            }
        }

        return ip.Slice(16, 4);
    }
}
