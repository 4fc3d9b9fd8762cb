namespace Forge.Sniff.Decoding;

/// <summary>
/// Router renumbering (RFC 2894, ICMPv6 type 138), as tcpdump's icmp6_rrenum_print prints it.
/// <code>
/// header        0 type, 1 code (0 command, 1 result, 255 sequence number reset), 2 checksum,
///               4 sequence(32), 8 segment, 9 flags T R A S P, 10 max delay(16), 12 reserved(32)
/// match prefix  16 op code (1 add, 2 change, 3 set-global), 17 length (8-byte units), 18 ordinal,
///               19 match length, 20 min length, 21 max length, 22 reserved, 24 prefix(16)
/// use prefix    (length - 3) / 4 of them from 40, 32 bytes each: 0 use length, 1 keep length,
///               2 RA mask, 3 RA flags, 4 valid lifetime, 8 preferred lifetime, 12 flags V P, 16 prefix
/// </code>
/// Only command messages have the prefix parts printed.
/// </summary>
internal static partial class Icmp6
{
    private const int RrHeaderLength = 16;
    private const int RrMatchLength = 24;
    private const int RrUseLength = 32;

    private static bool RouterRenumbering(Printer p, ReadOnlySpan<byte> bp)
    {
        var o = p.Out;
        if (!Be.Has(bp, 0, RrHeaderLength))
        {
            return p.PrintTrunc();
        }

        var code = bp[1];
        switch (code)
        {
            case 0:
                o.Ascii(", command"u8);
                break;
            case 1:
                o.Ascii(", result"u8);
                break;
            case 255:
                o.Ascii(", sequence number reset"u8);
                break;
            default:
                o.Ascii(", code-#"u8);
                o.U(code);
                break;
        }

        o.Ascii(", seq="u8);
        o.U(Be.R32(bp, 4));
        if (p.Verbose > 0)
        {
            var flags = bp[9];
            o.Byte((byte)'[');
            if (flags != 0)
            {
                Letter(o, flags, 0x80, 'T');
                Letter(o, flags, 0x40, 'R');
                Letter(o, flags, 0x20, 'A');
                Letter(o, flags, 0x10, 'S');
                Letter(o, flags, 0x08, 'P');
                o.Byte((byte)',');
            }

            o.Ascii("seg="u8);
            o.U(bp[8]);
            o.Ascii(",maxdelay="u8);
            o.U(Be.R16(bp, 10));
            var reserved = Be.R32(bp, 12);
            if (reserved != 0)
            {
                o.Ascii("rsvd=0x"u8);
                o.Hex(reserved);
            }

            o.Byte((byte)']');
        }

        if (code != 0)
        {
            return true;
        }

        var match = RrHeaderLength;
        if (!Be.Has(bp, match, RrMatchLength))
        {
            return p.PrintTrunc();
        }

        o.Ascii(p.Verbose > 1 ? "\n\tmatch("u8 : " match("u8);
        switch (bp[match])
        {
            case 1:
                o.Ascii("add"u8);
                break;
            case 2:
                o.Ascii("change"u8);
                break;
            case 3:
                o.Ascii("setglobal"u8);
                break;
            default:
                o.Byte((byte)'#');
                o.U(bp[match]);
                break;
        }

        if (p.Verbose > 0)
        {
            o.Ascii(",ord="u8);
            o.U(bp[match + 2]);
            o.Ascii(",min="u8);
            o.U(bp[match + 4]);
            o.Ascii(",max="u8);
            o.U(bp[match + 5]);
        }

        // The prefixes are printed numerically even without -n (tcpdump's addrtostr6).
        o.Byte((byte)',');
        o.Ipv6(bp.Slice(match + 8, 16));
        o.Byte((byte)'/');
        o.U(bp[match + 3]);
        o.Byte((byte)')');

        var n = bp[match + 1] - 3;
        if (n % 4 != 0)
        {
            return p.PrintTrunc();
        }

        var use = match + RrMatchLength;
        for (n /= 4; n > 0; n--, use += RrUseLength)
        {
            if (!Be.Has(bp, use, RrUseLength))
            {
                return p.PrintTrunc();
            }

            o.Ascii(p.Verbose > 1 ? "\n\tuse("u8 : " use("u8);

            // tcpdump tests the first byte of the flags word against htonl(0x80000000) and
            // htonl(0x40000000), which on a little-endian host are 0x80 and 0x40.
            var useFlags = bp[use + 12];
            if (useFlags != 0)
            {
                Letter(o, useFlags, 0x80, 'V');
                Letter(o, useFlags, 0x40, 'P');
                o.Byte((byte)',');
            }

            if (p.Verbose > 0)
            {
                o.Ascii("mask=0x"u8);
                o.Hex(bp[use + 2]);
                o.Ascii(",raflags=0x"u8);
                o.Hex(bp[use + 3]);
                o.Ascii(",vltime="u8);
                RrLifetime(o, Be.R32(bp, use + 4));
                o.Ascii(",pltime="u8);
                RrLifetime(o, Be.R32(bp, use + 8));
                o.Byte((byte)',');
            }

            o.Ipv6(bp.Slice(use + 16, 16));
            o.Byte((byte)'/');
            o.U(bp[use]);
            o.Byte((byte)'/');
            o.U(bp[use + 1]);
            o.Byte((byte)')');
        }

        return true;
    }

    private static void Letter(Output.OutputBuffer o, byte flags, byte bit, char letter)
    {
        if ((flags & bit) != 0)
        {
            o.Char(letter);
        }
    }

    private static void RrLifetime(Output.OutputBuffer o, uint v)
    {
        if (v == uint.MaxValue)
        {
            o.Ascii("infty"u8);
        }
        else
        {
            o.U(v);
        }
    }
}
