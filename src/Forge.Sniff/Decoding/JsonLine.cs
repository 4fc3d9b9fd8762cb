using Forge.Sniff.Capture;
using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>
/// --json: each packet as one JSON object per line, {"n":1,"ts":"1700000000.123456","caplen":74,"len":74,
/// "link":1,"text":"..."}, where text is exactly the line tcpdump would print (so a pipeline gets both
/// structured fields and the familiar summary).
/// </summary>
internal static class JsonLine
{
    [ThreadStatic]
    private static byte[]? s_scratch;

    public static void Rewrite(OutputBuffer o, int mark, long number, in PacketHeader h, bool nano)
    {
        var text = o.Written(mark);
        var scratch = s_scratch ??= new byte[1 << 16];
        if (scratch.Length < text.Length)
        {
            scratch = s_scratch = new byte[text.Length * 2];
        }

        text.CopyTo(scratch);
        var len = text.Length;
        o.Truncate(mark);
        o.Ascii("{\"n\":"u8);
        o.U((ulong)number);
        o.Ascii(",\"ts\":\""u8);
        o.U((ulong)h.Seconds);
        o.Byte((byte)'.');
        if (nano)
        {
            o.UPad((ulong)h.Nanoseconds, 9);
        }
        else
        {
            o.UPad((ulong)(h.Nanoseconds / 1000), 6);
        }

        o.Ascii("\",\"caplen\":"u8);
        o.U((ulong)h.CapLen);
        o.Ascii(",\"len\":"u8);
        o.U((ulong)h.Length);
        o.Ascii(",\"link\":"u8);
        o.U((ulong)h.LinkType);
        o.Ascii(",\"text\":\""u8);
        foreach (var b in scratch.AsSpan(0, len))
        {
            switch (b)
            {
                case (byte)'"':
                    o.Ascii("\\\""u8);
                    break;
                case (byte)'\\':
                    o.Ascii("\\\\"u8);
                    break;
                case (byte)'\n':
                    o.Ascii("\\n"u8);
                    break;
                case (byte)'\t':
                    o.Ascii("\\t"u8);
                    break;
                default:
                    if (b < 0x20 || b >= 0x7f)
                    {
                        o.Ascii("\\u00"u8);
                        o.Hex2(b);
                    }
                    else
                    {
                        o.Byte(b);
                    }

                    break;
            }
        }

        o.Ascii("\"}"u8);
    }
}
