using System.Buffers.Binary;
using System.Net;

namespace Forge.Sniff.Tests.Support;

/// <summary>Packets crafted byte by byte (with correct checksums unless told otherwise) for decoder tests.</summary>
internal static class Packets
{
    public static readonly byte[] MacA = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] MacB = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    public static byte[] Ether(ushort type, byte[] payload, byte[]? dst = null, byte[]? src = null)
    {
        var p = new byte[14 + payload.Length];
        (dst ?? MacB).CopyTo(p, 0);
        (src ?? MacA).CopyTo(p, 6);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12), type);
        payload.CopyTo(p, 14);
        return p;
    }

    public static byte[] Vlan(ushort tci, ushort type, byte[] payload)
    {
        var p = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(p, tci);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), type);
        payload.CopyTo(p, 4);
        return p;
    }

    public static ushort Checksum(ReadOnlySpan<byte> data, uint sum = 0)
    {
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)(data[^1] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    public static byte[] Ipv4(string src, string dst, byte proto, byte[] payload, byte ttl = 64, ushort id = 1, ushort flagsOffset = 0x4000,
        byte tos = 0, byte[]? options = null, bool badChecksum = false, int? totalLength = null)
    {
        options ??= [];
        var hlen = 20 + options.Length;
        var p = new byte[hlen + payload.Length];
        p[0] = (byte)(0x40 | (hlen / 4));
        p[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)(totalLength ?? p.Length));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), flagsOffset);
        p[8] = ttl;
        p[9] = proto;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 16);
        options.CopyTo(p, 20);
        var sum = Checksum(p.AsSpan(0, hlen));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), badChecksum ? (ushort)(sum ^ 0x1111) : sum);
        payload.CopyTo(p, hlen);
        FixTransportChecksum(p, hlen, proto, v6: false);
        return p;
    }

    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] payload, byte hopLimit = 64, uint flow = 0, byte[]? extensions = null, byte upperProtocol = 0)
    {
        extensions ??= [];
        var p = new byte[40 + extensions.Length + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(p, 0x60000000 | flow);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(extensions.Length + payload.Length));
        p[6] = nextHeader;
        p[7] = hopLimit;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, 8);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, 24);
        extensions.CopyTo(p, 40);
        payload.CopyTo(p, 40 + extensions.Length);
        FixTransportChecksum(p, 40 + extensions.Length, extensions.Length > 0 ? upperProtocol : nextHeader, v6: true);
        return p;
    }

    /// <summary>Fills in the TCP/UDP/ICMP/ICMPv6 checksum of the payload that starts at <paramref name="at"/>.</summary>
    private static void FixTransportChecksum(byte[] ip, int at, byte proto, bool v6)
    {
        var seg = ip.AsSpan(at);
        int sumOffset = proto switch
        {
            6 => 16,
            17 => 6,
            1 => 2,
            58 => 2,
            _ => -1,
        };
        if (sumOffset < 0 || seg.Length < sumOffset + 2 || seg[sumOffset] != 0 || seg[sumOffset + 1] != 0)
        {
            return;
        }

        uint pseudo = 0;
        if (proto != 1)
        {
            var addrs = v6 ? ip.AsSpan(8, 32) : ip.AsSpan(12, 8);
            for (var i = 0; i < addrs.Length; i += 2)
            {
                pseudo += (uint)((addrs[i] << 8) | addrs[i + 1]);
            }

            pseudo += proto;
            pseudo += (uint)seg.Length;
        }

        var sum = Checksum(seg, pseudo);
        if (proto == 17 && sum == 0)
        {
            sum = 0xffff;
        }

        BinaryPrimitives.WriteUInt16BigEndian(seg[sumOffset..], sum);
    }

    public static byte[] Tcp(ushort sport, ushort dport, uint seq, uint ack, byte flags, ushort win = 512, byte[]? options = null, byte[]? payload = null, ushort urgent = 0)
    {
        options ??= [];
        payload ??= [];
        var hlen = 20 + options.Length;
        var p = new byte[hlen + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(p, sport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ack);
        p[12] = (byte)((hlen / 4) << 4);
        p[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14), win);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(18), urgent);
        options.CopyTo(p, 20);
        payload.CopyTo(p, hlen);
        return p;
    }

    /// <summary>mss 65495, sackOK, TS val 1 ecr 0, nop, wscale 7: what Linux puts in a SYN.</summary>
    public static byte[] SynOptions => [2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

    public static byte[] Udp(ushort sport, ushort dport, byte[] payload, int? length = null)
    {
        var p = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(p, sport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(length ?? p.Length));
        payload.CopyTo(p, 8);
        return p;
    }

    public static byte[] Icmp(byte type, byte code, byte[] rest)
    {
        var p = new byte[4 + rest.Length];
        p[0] = type;
        p[1] = code;
        rest.CopyTo(p, 4);
        return p;
    }

    public static byte[] Echo(ushort id, ushort seq, int dataLength)
    {
        var p = new byte[4 + dataLength];
        BinaryPrimitives.WriteUInt16BigEndian(p, id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        for (var i = 0; i < dataLength; i++)
        {
            p[4 + i] = (byte)(0x10 + i);
        }

        return p;
    }

    public static byte[] Arp(ushort op, byte[] sha, string spa, byte[] tha, string tpa)
    {
        var p = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800);
        p[4] = 6;
        p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), op);
        sha.CopyTo(p, 8);
        IPAddress.Parse(spa).GetAddressBytes().CopyTo(p, 14);
        tha.CopyTo(p, 18);
        IPAddress.Parse(tpa).GetAddressBytes().CopyTo(p, 24);
        return p;
    }

    public static byte[] DnsName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] DnsQuery(ushort id, string name, ushort type, bool recursion = true)
    {
        var p = new List<byte>();
        p.AddRange([(byte)(id >> 8), (byte)id, (byte)(recursion ? 0x01 : 0x00), 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        p.AddRange(DnsName(name));
        p.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        return [.. p];
    }

    /// <summary>A response with the question and one answer of <paramref name="type"/> (A: 4 bytes, AAAA: 16, CNAME: a name).</summary>
    public static byte[] DnsResponse(ushort id, string name, ushort type, byte[] rdata, uint ttl = 300, byte rcode = 0)
    {
        var p = new List<byte>();
        p.AddRange([(byte)(id >> 8), (byte)id, 0x81, (byte)(0x80 | rcode), 0, 1, 0, 1, 0, 0, 0, 0]);
        p.AddRange(DnsName(name));
        p.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        p.AddRange([0xc0, 0x0c, (byte)(type >> 8), (byte)type, 0, 1, (byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl,
            (byte)(rdata.Length >> 8), (byte)rdata.Length]);
        p.AddRange(rdata);
        return [.. p];
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(x => x)];
}
