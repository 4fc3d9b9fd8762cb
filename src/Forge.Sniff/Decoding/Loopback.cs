namespace Forge.Sniff.Decoding;

/// <summary>
/// BSD loopback (LINKTYPE_NULL: a 4-byte address family in the capturing host's byte order; LOOP: in
/// network order) and raw IP (no link header; the version nibble picks IPv4 or IPv6).
/// </summary>
internal static class Loopback
{
    public static bool PrintNull(Printer p, ReadOnlySpan<byte> bp, int length, bool bigEndian)
    {
        p.Protocol = bigEndian ? "loop" : "null";
        if (bp.Length < 4)
        {
            return false;
        }

        p.LinkHeaderLength += 4;
        var family = bigEndian ? Be.R32(bp, 0) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bp);
        if ((family & 0xFFFF0000) != 0)
        {
            family = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(family);
        }

        if (p.Eflag)
        {
            Header(p, family, length);
        }

        var payload = bp[4..];
        switch (family)
        {
            case 2:
                return Ip.Print(p, payload, length - 4);
            case 24:
            case 28:
            case 30:
                return Ip6.Print(p, payload, length - 4);
            default:
                if (!p.Eflag)
                {
                    Header(p, family, length);
                }

                if (p.Quiet == 0 && p.Options.Hex == 0 && p.Options.HexAscii == 0)
                {
                    HexDump.HexAndAscii(p.Out, payload);
                }

                return true;
        }
    }

    private static void Header(Printer p, uint family, int length)
    {
        var name = family switch
        {
            2 => "IPv4",
            6 => "NS",
            7 => "ISO",
            16 => "Appletalk",
            23 => "IPX",
            24 or 28 or 30 => "IPv6",
            _ => null,
        };
        var o = p.Out;
        if (p.Quiet == 0)
        {
            o.Ascii("AF "u8);
            o.Str(name ?? "Unknown");
            o.Ascii(" ("u8);
            o.U(family);
            o.Byte((byte)')');
        }
        else if (name is not null)
        {
            o.Str(name);
        }
        else
        {
            o.Ascii("Unknown AF "u8);
            o.U(family);
        }

        o.Ascii(", length "u8);
        o.U((ulong)length);
        o.Ascii(": "u8);
    }

    public static bool PrintRaw(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "raw";
        if (p.Eflag)
        {
            p.Out.Ascii("ip: "u8);
        }

        p.Protocol = "ipn";
        if (length < 1)
        {
            p.Out.Ascii("truncated-ip "u8);
            p.Out.U((ulong)length);
            return true;
        }

        if (bp.Length < 1)
        {
            return false;
        }

        switch (bp[0] & 0xf0)
        {
            case 0x40:
                return Ip.Print(p, bp, length);
            case 0x60:
                return Ip6.Print(p, bp, length);
            default:
                p.Out.Ascii("unknown ip "u8);
                p.Out.U((ulong)((bp[0] & 0xf0) >> 4));
                return true;
        }
    }
}
