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
            // Known limit: with a routing header tcpdump sums its final segment instead of ip6_dst.
            sum = Be.Sum(ip.Slice(8, 32));
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
