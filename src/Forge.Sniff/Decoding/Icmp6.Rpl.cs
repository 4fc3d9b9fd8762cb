namespace Forge.Sniff.Decoding;

/// <summary>
/// RPL control messages (RFC 6550 section 6, ICMPv6 type 155), as tcpdump's rpl_print prints them.
/// The code says which message: bit 7 secured (not decoded: "(SEC) [worktodo]"), then 0 DIS,
/// 1 DIO, 2 DAO, 3 DAO-ACK. The message body starts at ICMPv6 offset 4; its layouts:
/// <code>
/// DIO      0 instance, 1 version, 2 rank(16), 4 G|MOP(3)|PRF(3), 5 DTSN, 6 flags, 7 reserved, 8 DODAGID(16), 24 options
/// DAO      0 instance, 1 K|D flags, 2 reserved, 3 sequence, [4 DODAGID(16) when D], options
/// DAO-ACK  0 instance, 1 D flag, 2 sequence, 3 status, [4 DODAGID(16) when D], options
/// option   0 type (0: Pad1, one byte), 1 length (not counting type and length), value
/// </code>
/// </summary>
internal static partial class Icmp6
{
    private const int RplDioLength = 24;
    private const int RplDaoMinLength = 4;
    private const int RplDaoStructLength = 20;
    private const int RplDagIdLength = 16;

    /// <summary>rpl_print: <paramref name="bp"/> is the message body (ICMPv6 offset 4), <paramref name="length"/> the ICMPv6 length minus 4 (u_int arithmetic, as tcpdump's).</summary>
    private static bool Rpl(Printer p, byte code, ReadOnlySpan<byte> bp, uint length)
    {
        var o = p.Out;
        if ((code & 0x80) != 0)
        {
            o.Ascii(", (SEC) [worktodo]"u8);
            return true;
        }

        o.Ascii(", (CLR)"u8);
        switch (code & 0x7f)
        {
            case 0:
                o.Ascii("DODAG Information Solicitation"u8);
                return true;
            case 1:
                o.Ascii("DODAG Information Object"u8);
                return p.Verbose == 0 || RplDio(p, bp, length);
            case 2:
                o.Ascii("Destination Advertisement Object"u8);
                return p.Verbose == 0 || RplDao(p, bp, length);
            case 3:
                o.Ascii("Destination Advertisement Object Ack"u8);
                return p.Verbose == 0 || RplDaoAck(p, bp, length);
            default:
                o.Ascii("RPL message, unknown code "u8);
                o.U(code);
                return true;
        }
    }

    private static bool RplDio(Printer p, ReadOnlySpan<byte> bp, uint length)
    {
        var o = p.Out;
        if (length < RplDioLength)
        {
            // ND_LCHECK_ZU: the length, named as tcpdump's source names it, then " (invalid)".
            o.Ascii(" [length "u8);
            o.U(length);
            o.Ascii(" < 24]"u8);
            p.Invalid();
            return true;
        }

        if (!Be.Has(bp, 0, RplDioLength))
        {
            return false;
        }

        var mopPrf = bp[4];
        o.Ascii(" [dagid:"u8);
        p.Names.Ipv6(o, bp.Slice(8, RplDagIdLength));
        o.Ascii(",seq:"u8);
        o.U(bp[5]);
        o.Ascii(",instance:"u8);
        o.U(bp[0]);
        o.Ascii(",rank:"u8);
        o.U(Be.R16(bp, 2));
        o.Byte((byte)',');
        if ((mopPrf & 0x80) != 0)
        {
            o.Ascii("grounded,"u8);
        }

        o.Ascii("mop:"u8);
        var mop = (mopPrf >> 3) & 7;
        switch (mop)
        {
            case 0:
                o.Ascii("nonstoring"u8);
                break;
            case 1:
                o.Ascii("storing"u8);
                break;
            case 2:
                o.Ascii("nonstoring-multicast"u8);
                break;
            case 3:
                o.Ascii("storing-multicast"u8);
                break;
            default:
                o.Ascii("mop"u8);
                o.U((ulong)mop);
                break;
        }

        o.Ascii(",prf:"u8);
        o.U((ulong)(mopPrf & 7));
        o.Byte((byte)']');
        return p.Verbose <= 1 || RplOptions(p, bp[RplDioLength..], length - RplDioLength);
    }

    private static bool RplDao(Printer p, ReadOnlySpan<byte> bp, uint length)
    {
        // tcpdump checks the whole struct (DODAGID included) is captured before looking at the D flag.
        if (!Be.Has(bp, 0, RplDaoStructLength))
        {
            return p.PrintTrunc();
        }

        var o = p.Out;
        if (length < RplDaoMinLength)
        {
            o.Ascii(" [|length too short]"u8);
            return true;
        }

        var at = RplDaoMinLength;
        length -= RplDaoMinLength;
        var flags = bp[1];
        var hasDagId = (flags & 0x40) != 0;
        if (hasDagId)
        {
            if (length < RplDagIdLength)
            {
                o.Ascii(" [|length too short]"u8);
                return true;
            }

            at += RplDagIdLength;
            length -= RplDagIdLength;
        }

        o.Ascii(" [dagid:"u8);
        RplDagId(p, bp, hasDagId);
        o.Ascii(",seq:"u8);
        o.U(bp[3]);
        o.Ascii(",instance:"u8);
        o.U(bp[0]);
        if ((flags & 0x80) != 0)
        {
            o.Ascii(",acK"u8);
        }

        if (hasDagId)
        {
            o.Ascii(",Dagid"u8);
        }

        o.Byte((byte)',');
        o.Hex2(flags);
        o.Byte((byte)']');
        return p.Verbose <= 1 || RplOptions(p, bp[at..], length);
    }

    private static bool RplDaoAck(Printer p, ReadOnlySpan<byte> bp, uint length)
    {
        if (!Be.Has(bp, 0, RplDaoMinLength))
        {
            return p.PrintTrunc();
        }

        var o = p.Out;
        if (length < RplDaoMinLength)
        {
            o.Ascii(" [|dao-length too short]"u8);
            return true;
        }

        var at = RplDaoMinLength;
        length -= RplDaoMinLength;
        var hasDagId = (bp[1] & 0x80) != 0;
        if (hasDagId)
        {
            if (!Be.Has(bp, RplDaoMinLength, RplDagIdLength))
            {
                return p.PrintTrunc();
            }

            if (length < RplDagIdLength)
            {
                o.Ascii(" [|dao-length too short]"u8);
                return true;
            }

            at += RplDagIdLength;
            length -= RplDagIdLength;
        }

        o.Ascii(" [dagid:"u8);
        RplDagId(p, bp, hasDagId);
        o.Ascii(",seq:"u8);
        o.U(bp[2]);
        o.Ascii(",instance:"u8);
        o.U(bp[0]);
        o.Ascii(",status:"u8);
        o.U(bp[3]);
        o.Byte((byte)']');
        return p.Verbose <= 1 || RplOptions(p, bp[at..], length);
    }

    private static void RplDagId(Printer p, ReadOnlySpan<byte> bp, bool present)
    {
        if (present)
        {
            p.Names.Ipv6(p.Out, bp.Slice(RplDaoMinLength, RplDagIdLength));
        }
        else
        {
            p.Out.Ascii("<elided>"u8);
        }
    }

    /// <summary>rpl_printopts: " opt:NAME len:N " per option (-vvv adds the value's hex); a cut option ends in [|icmp6].</summary>
    private static bool RplOptions(Printer p, ReadOnlySpan<byte> bp, uint length)
    {
        var o = p.Out;
        var at = 0;
        while (length != 0)
        {
            if (!Be.U8(bp, at, out var type))
            {
                return false;
            }

            uint optLen;
            if (type == 0)
            {
                optLen = 1;
                o.Ascii(" opt:pad1"u8);
            }
            else
            {
                if (length < 2)
                {
                    return p.PrintTrunc();
                }

                if (!Be.U8(bp, at + 1, out var len))
                {
                    return false;
                }

                optLen = len + 2u;
                o.Ascii(" opt:"u8);
                ReadOnlySpan<byte> name = type switch
                {
                    1 => "padN"u8,
                    2 => "metrics"u8,
                    3 => "routinginfo"u8,
                    4 => "config"u8,
                    5 => "rpltarget"u8,
                    6 => "transitinfo"u8,
                    8 => "destprefix"u8,
                    9 => "rpltargetdesc"u8,
                    _ => default,
                };
                if (name.IsEmpty)
                {
                    o.Ascii("subopt:"u8);
                    o.U(type);
                }
                else
                {
                    o.Ascii(name);
                }

                o.Ascii(" len:"u8);
                o.U(optLen);
                o.Byte((byte)' ');
                if (!Be.Has(bp, at, (int)optLen) || length < optLen)
                {
                    return p.PrintTrunc();
                }

                if (p.Verbose > 2)
                {
                    HexIndent(o, bp.Slice(at + 2, (int)optLen - 2), " "u8);
                }
            }

            at += (int)optLen;
            length -= optLen;
        }

        return true;
    }
}
