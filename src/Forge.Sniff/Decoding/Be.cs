using System.Buffers.Binary;

namespace Forge.Sniff.Decoding;

/// <summary>
/// Bounds-checked big-endian reads over packet bytes: each returns false instead of reading past
/// the captured bytes, and the decoder then stops with tcpdump's "[|proto]" marker.
/// </summary>
internal static class Be
{
    public static bool U8(ReadOnlySpan<byte> p, int offset, out byte v)
    {
        if ((uint)offset < (uint)p.Length)
        {
            v = p[offset];
            return true;
        }

        v = 0;
        return false;
    }

    public static bool U16(ReadOnlySpan<byte> p, int offset, out ushort v)
    {
        if (offset >= 0 && offset + 2 <= p.Length)
        {
            v = BinaryPrimitives.ReadUInt16BigEndian(p[offset..]);
            return true;
        }

        v = 0;
        return false;
    }

    public static bool U32(ReadOnlySpan<byte> p, int offset, out uint v)
    {
        if (offset >= 0 && offset + 4 <= p.Length)
        {
            v = BinaryPrimitives.ReadUInt32BigEndian(p[offset..]);
            return true;
        }

        v = 0;
        return false;
    }

    /// <summary>True when <paramref name="count"/> bytes from <paramref name="offset"/> were captured.</summary>
    public static bool Has(ReadOnlySpan<byte> p, int offset, int count) => offset >= 0 && count >= 0 && (long)offset + count <= p.Length;

    /// <summary>Reads a 16-bit value known to be in range (after a <see cref="Has"/> check).</summary>
    public static ushort R16(ReadOnlySpan<byte> p, int offset) => BinaryPrimitives.ReadUInt16BigEndian(p[offset..]);

    public static uint R32(ReadOnlySpan<byte> p, int offset) => BinaryPrimitives.ReadUInt32BigEndian(p[offset..]);

    /// <summary>The Internet checksum (RFC 1071) over the parts, folded; 0 when the data checks.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        ulong sum = initial;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>The one's complement sum (not inverted) of a span, to seed <see cref="Checksum"/> with a pseudo-header.</summary>
    public static uint Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (uint)sum;
    }

    /// <summary>in_cksum_shouldbe: the checksum field value that would make the sum come out right.</summary>
    public static ushort ShouldBe(ushort sum, ushort computed)
    {
        uint s = (uint)sum + computed;
        s = (s & 0xffff) + (s >> 16);
        s = (s & 0xffff) + (s >> 16);
        return (ushort)s;
    }
}
