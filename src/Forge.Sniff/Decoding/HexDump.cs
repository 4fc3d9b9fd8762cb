using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>tcpdump's -x (hex), -X (hex and ASCII) and -A (ASCII) dumps of packet bytes.</summary>
internal static class HexDump
{
    private static bool IsGraph(byte b) => b is > 0x20 and < 0x7f;

    /// <summary>-x: "\n\t0x0000:  4500 0054 ..." eight 16-bit groups per line.</summary>
    public static void Hex(OutputBuffer o, ReadOnlySpan<byte> p, int offset = 0)
    {
        var i = 0;
        var n = 0;
        for (; n + 1 < p.Length; n += 2)
        {
            if (i++ % 8 == 0)
            {
                Prefix(o, offset);
                offset += 16;
            }

            o.Byte((byte)' ');
            o.Hex2(p[n]);
            o.Hex2(p[n + 1]);
        }

        if ((p.Length & 1) != 0)
        {
            if (i % 8 == 0)
            {
                Prefix(o, offset);
            }

            o.Byte((byte)' ');
            o.Hex2(p[n]);
        }
    }

    private static void Prefix(OutputBuffer o, int offset)
    {
        o.Ascii("\n\t0x"u8);
        o.Hex4((uint)offset);
        o.Ascii(": "u8);
    }

    /// <summary>-X: hex groups padded to 40 columns, two spaces, then the bytes as ASCII ('.' for non-graphic).</summary>
    public static void HexAndAscii(OutputBuffer o, ReadOnlySpan<byte> p, int offset = 0)
    {
        for (var line = 0; line < p.Length; line += 16)
        {
            var chunk = p.Slice(line, Math.Min(16, p.Length - line));
            Prefix(o, offset + line);
            var written = 0;
            var k = 0;
            for (; k + 1 < chunk.Length; k += 2)
            {
                o.Byte((byte)' ');
                o.Hex2(chunk[k]);
                o.Hex2(chunk[k + 1]);
                written += 5;
            }

            if (k < chunk.Length)
            {
                o.Byte((byte)' ');
                o.Hex2(chunk[k]);
                written += 3;
            }

            for (; written < 40; written++)
            {
                o.Byte((byte)' ');
            }

            o.Ascii("  "u8);
            foreach (var b in chunk)
            {
                o.Byte(IsGraph(b) ? b : (byte)'.');
            }
        }
    }

    /// <summary>-A: a newline, then the bytes with CR dropped before LF and non-printing bytes as '.'.</summary>
    public static void Ascii(OutputBuffer o, ReadOnlySpan<byte> p)
    {
        o.Byte((byte)'\n');
        for (var i = 0; i < p.Length; i++)
        {
            var s = p[i];
            var left = p.Length - i - 1;
            if (s == '\r')
            {
                if (left > 1 && p[i + 1] != '\n')
                {
                    o.Byte((byte)'.');
                }
            }
            else if (!IsGraph(s) && s != '\t' && s != ' ' && s != '\n')
            {
                o.Byte((byte)'.');
            }
            else
            {
                o.Byte(s);
            }
        }
    }
}
