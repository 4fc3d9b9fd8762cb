using System.Numerics;
using System.Runtime.InteropServices;

namespace Forge.Cache.Commands;

/// <summary>
/// The bit-level primitives behind the bit commands, on plain byte arrays. Bit 0 is the most
/// significant bit of byte 0, as in Redis (SETBIT key 0 1 makes "\x80").
/// </summary>
internal static class BitOps
{
    /// <summary>Number of set bits in <paramref name="data"/>.</summary>
    public static long PopCount(ReadOnlySpan<byte> data)
    {
        long count = 0;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
        {
            count += BitOperations.PopCount(w);
        }

        for (var i = words.Length * sizeof(ulong); i < data.Length; i++)
        {
            count += BitOperations.PopCount(data[i]);
        }

        return count;
    }

    /// <summary>
    /// Redis's redisBitpos: the position of the first bit equal to <paramref name="bit"/>. When not
    /// found: -1 for a 1 bit; for a 0 bit the position just past the end (the string is seen as
    /// padded with zeros on the right).
    /// </summary>
    public static long FirstBit(ReadOnlySpan<byte> data, int bit)
    {
        var skip = bit == 1 ? (byte)0 : (byte)0xFF;
        var i = data.IndexOfAnyExcept(skip);
        if (i < 0)
        {
            return bit == 1 ? -1 : (long)data.Length * 8;
        }

        var b = bit == 1 ? data[i] : (byte)~data[i];
        return ((long)i * 8) + BitOperations.LeadingZeroCount((uint)b) - 24;
    }

    /// <summary>Reads <paramref name="bits"/> bits (1..64) at bit <paramref name="offset"/>, most significant first.</summary>
    public static ulong GetUnsigned(ReadOnlySpan<byte> p, long offset, int bits)
    {
        ulong value = 0;
        for (var j = 0; j < bits; j++)
        {
            var byteIndex = offset >> 3;
            var bit = 7 - (int)(offset & 7);
            var bitval = byteIndex < p.Length ? (ulong)((p[(int)byteIndex] >> bit) & 1) : 0;
            value = (value << 1) | bitval;
            offset++;
        }

        return value;
    }

    /// <summary>Reads a two's complement field of <paramref name="bits"/> bits, sign-extended.</summary>
    public static long GetSigned(ReadOnlySpan<byte> p, long offset, int bits)
    {
        var value = (long)GetUnsigned(p, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0)
        {
            value |= -1L << bits;
        }

        return value;
    }

    /// <summary>Writes the low <paramref name="bits"/> bits of <paramref name="value"/> at bit <paramref name="offset"/>.</summary>
    public static void SetUnsigned(Span<byte> p, long offset, int bits, ulong value)
    {
        for (var j = 0; j < bits; j++)
        {
            var bitval = (value >> (bits - 1 - j)) & 1;
            var byteIndex = (int)(offset >> 3);
            var bit = 7 - (int)(offset & 7);
            var b = p[byteIndex];
            b = (byte)((b & ~(1 << bit)) | ((int)bitval << bit));
            p[byteIndex] = b;
            offset++;
        }
    }

    /// <summary>
    /// Redis's checkUnsignedBitfieldOverflow: nonzero when value + incr does not fit in an unsigned
    /// field of <paramref name="bits"/> bits; <paramref name="limit"/> gets the WRAP or SAT result.
    /// </summary>
    public static int CheckUnsignedOverflow(ulong value, long incr, int bits, BitfieldOverflow owtype, out ulong limit)
    {
        limit = 0;
        var max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        var maxincr = unchecked((long)(max - value));
        var minincr = unchecked(-(long)value);
        if (value > max || (incr > 0 && incr > maxincr))
        {
            if (owtype == BitfieldOverflow.Wrap)
            {
                limit = WrapUnsigned(value, incr, bits);
            }
            else if (owtype == BitfieldOverflow.Sat)
            {
                limit = max;
            }

            return 1;
        }

        if (incr < 0 && incr < minincr)
        {
            if (owtype == BitfieldOverflow.Wrap)
            {
                limit = WrapUnsigned(value, incr, bits);
            }
            else if (owtype == BitfieldOverflow.Sat)
            {
                limit = 0;
            }

            return -1;
        }

        return 0;
    }

    private static ulong WrapUnsigned(ulong value, long incr, int bits)
    {
        var res = unchecked(value + (ulong)incr);
        return bits == 64 ? res : res & ~(ulong.MaxValue << bits);
    }

    /// <summary>Redis's checkSignedBitfieldOverflow (see <see cref="CheckUnsignedOverflow"/>).</summary>
    public static int CheckSignedOverflow(long value, long incr, int bits, BitfieldOverflow owtype, out long limit)
    {
        limit = 0;
        var max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        var min = -max - 1;
        var maxincr = unchecked((long)((ulong)max - (ulong)value));
        var minincr = unchecked(min - value);
        if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
        {
            if (owtype == BitfieldOverflow.Wrap)
            {
                limit = WrapSigned(value, incr, bits);
            }
            else if (owtype == BitfieldOverflow.Sat)
            {
                limit = max;
            }

            return 1;
        }

        if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr))
        {
            if (owtype == BitfieldOverflow.Wrap)
            {
                limit = WrapSigned(value, incr, bits);
            }
            else if (owtype == BitfieldOverflow.Sat)
            {
                limit = min;
            }

            return -1;
        }

        return 0;
    }

    private static long WrapSigned(long value, long incr, int bits)
    {
        var c = unchecked((ulong)value + (ulong)incr);
        if (bits < 64)
        {
            var msb = 1UL << (bits - 1);
            var mask = ulong.MaxValue << bits;
            c = (c & msb) != 0 ? c | mask : c & ~mask;
        }

        return unchecked((long)c);
    }
}

/// <summary>BITFIELD's OVERFLOW modes.</summary>
internal enum BitfieldOverflow
{
    Wrap,
    Sat,
    Fail,
}
