namespace Forge.Sql.Records;

/// <summary>
/// SQLite's variable-length big-endian integer (fileformat2 §1.6): 1–9 bytes, seven bits per byte with
/// the high bit meaning "more follows", and all eight bits of a ninth byte.
/// </summary>
internal static class Varint
{
    public const int MaxLength = 9;

    /// <summary>Reads a varint; returns the bytes consumed, or 0 when <paramref name="source"/> ends first.</summary>
    public static int Read(ReadOnlySpan<byte> source, out long value)
    {
        ulong v = 0;
        var n = Math.Min(source.Length, 8);
        for (var i = 0; i < n; i++)
        {
            var b = source[i];
            v = (v << 7) | (uint)(b & 0x7F);
            if (b < 0x80)
            {
                value = (long)v;
                return i + 1;
            }
        }

        if (source.Length < 9)
        {
            value = 0;
            return 0;
        }

        value = (long)((v << 8) | source[8]);
        return 9;
    }

    public static int Length(long value)
    {
        var v = (ulong)value;
        if (v <= 0x7F)
        {
            return 1;
        }

        if (v > 0x00FF_FFFF_FFFF_FFFF)
        {
            return 9;
        }

        var n = 1;
        while ((v >>= 7) != 0)
        {
            n++;
        }

        return n;
    }

    /// <summary>Writes a varint into <paramref name="destination"/> (at least <see cref="Length"/> bytes) and returns its length.</summary>
    public static int Write(Span<byte> destination, long value)
    {
        var v = (ulong)value;
        if (v <= 0x7F)
        {
            destination[0] = (byte)v;
            return 1;
        }

        if (v > 0x00FF_FFFF_FFFF_FFFF)
        {
            destination[8] = (byte)v;
            v >>= 8;
            for (var i = 7; i >= 0; i--)
            {
                destination[i] = (byte)((v & 0x7F) | 0x80);
                v >>= 7;
            }

            return 9;
        }

        var n = Length(value);
        for (var i = n - 1; i >= 0; i--)
        {
            destination[i] = (byte)((v & 0x7F) | (i == n - 1 ? 0u : 0x80u));
            v >>= 7;
        }

        return n;
    }
}
