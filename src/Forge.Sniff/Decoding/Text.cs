using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>Printing packet bytes as text the way tcpdump's fn_print_char does (M- and ^ escapes).</summary>
internal static class Text
{
    public static void PrintChar(OutputBuffer o, byte c)
    {
        if (c >= 0x80)
        {
            o.Ascii("M-"u8);
            c &= 0x7f;
        }

        if (c < 0x20 || c == 0x7f)
        {
            o.Byte((byte)'^');
            o.Byte(c == 0x7f ? (byte)'?' : (byte)(c + '@'));
        }
        else
        {
            o.Byte(c);
        }
    }
}
