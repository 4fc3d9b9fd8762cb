using System.Buffers.Binary;

namespace Forge.Sniff.Tests.Support;

/// <summary>Writes capture files byte by byte: pcap in either byte order and precision, and pcapng.</summary>
internal static class PcapFile
{
    public sealed record Packet(byte[] Data, long Seconds = 1700000000, uint Micros = 0, int? WireLength = null, int Interface = 0);

    public static byte[] Pcap(int linkType, IEnumerable<Packet> packets, bool bigEndian = false, bool nano = false, int snapLen = 262144)
    {
        var ms = new MemoryStream();
        void U32(uint v)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            }

            ms.Write(b);
        }

        void U16(ushort v)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(b, v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            }

            ms.Write(b);
        }

        U32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
        U16(2);
        U16(4);
        U32(0);
        U32(0);
        U32((uint)snapLen);
        U32((uint)linkType);
        foreach (var p in packets)
        {
            U32((uint)p.Seconds);
            U32(nano ? p.Micros * 1000 + 123 : p.Micros);
            U32((uint)p.Data.Length);
            U32((uint)(p.WireLength ?? p.Data.Length));
            ms.Write(p.Data);
        }

        return ms.ToArray();
    }

    /// <summary>pcapng: SHB, one IDB per link type given, then an EPB per packet (or SPBs when <paramref name="simple"/>).</summary>
    public static byte[] Pcapng(int[] interfaceLinkTypes, IEnumerable<Packet> packets, bool bigEndian = false, bool simple = false, byte? tsresol = null)
    {
        var ms = new MemoryStream();
        void Block(uint type, byte[] body)
        {
            var padded = (body.Length + 3) & ~3;
            var total = (uint)(12 + padded);
            var b = new byte[total];
            Write32(b, 0, type, bigEndian);
            Write32(b, 4, total, bigEndian);
            body.CopyTo(b, 8);
            Write32(b, (int)total - 4, total, bigEndian);
            ms.Write(b);
        }

        var shb = new byte[16];
        Write32(shb, 0, 0x1a2b3c4d, bigEndian);
        Write16(shb, 4, 1, bigEndian);
        Write16(shb, 6, 0, bigEndian);
        BinaryPrimitives.WriteInt64LittleEndian(shb.AsSpan(8), -1);
        Block(0x0a0d0d0a, shb);
        foreach (var lt in interfaceLinkTypes)
        {
            var idb = new List<byte>();
            var head = new byte[8];
            Write16(head, 0, (ushort)lt, bigEndian);
            Write32(head, 4, 262144, bigEndian);
            idb.AddRange(head);
            if (tsresol is { } r)
            {
                var opt = new byte[8];
                Write16(opt, 0, 9, bigEndian);
                Write16(opt, 2, 1, bigEndian);
                opt[4] = r;
                idb.AddRange(opt);
                idb.AddRange(new byte[4]);
            }

            Block(1, [.. idb]);
        }

        foreach (var p in packets)
        {
            if (simple)
            {
                var spb = new byte[4 + p.Data.Length];
                Write32(spb, 0, (uint)(p.WireLength ?? p.Data.Length), bigEndian);
                p.Data.CopyTo(spb, 4);
                Block(3, spb);
                continue;
            }

            var units = tsresol == 9 ? 1_000_000_000UL : 1_000_000UL;
            var ts = ((ulong)p.Seconds * units) + (units == 1_000_000_000UL ? p.Micros * 1000UL : p.Micros);
            var epb = new byte[20 + p.Data.Length];
            Write32(epb, 0, (uint)p.Interface, bigEndian);
            Write32(epb, 4, (uint)(ts >> 32), bigEndian);
            Write32(epb, 8, (uint)ts, bigEndian);
            Write32(epb, 12, (uint)p.Data.Length, bigEndian);
            Write32(epb, 16, (uint)(p.WireLength ?? p.Data.Length), bigEndian);
            p.Data.CopyTo(epb, 20);
            Block(6, epb);
        }

        return ms.ToArray();
    }

    private static void Write32(byte[] b, int at, uint v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
        }
    }

    private static void Write16(byte[] b, int at, ushort v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
        }
    }
}
