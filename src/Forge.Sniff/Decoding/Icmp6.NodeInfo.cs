namespace Forge.Sniff.Decoding;

/// <summary>
/// Node information queries and replies (RFC 4620, ICMPv6 types 139 and 140), as tcpdump's
/// icmp6_nodeinfo_print prints them. Layout: 0 type, 1 code (query: subject kind 0 IPv6, 1 DNS
/// name, 2 IPv4; reply: 0 success, 1 refused, 2 unknown qtype), 2 checksum, 4 qtype, 6 flags,
/// 8 nonce(8), 16 subject (query) or data (reply: per address a TTL(4) and the address(16); for
/// a name a TTL(4) then the name). A 12-byte query is KAME's who-are-you.
/// The sizes compared are those of the captured bytes (tcpdump's snapend), not the ICMPv6 length.
/// </summary>
internal static partial class Icmp6
{
    private const int NodeInfoLength = 16;

    private static bool NodeInfo(Printer p, byte type, int icmpLength, ReadOnlySpan<byte> bp)
    {
        var o = p.Out;
        var siz = bp.Length;
        if (type == 139)
        {
            if (siz == 12)
            {
                o.Ascii(" who-are-you request"u8);
                return true;
            }

            o.Ascii(" node information query"u8);
            if (!Be.Has(bp, 0, NodeInfoLength))
            {
                return p.PrintTrunc();
            }

            o.Ascii(" ("u8);
            var qtype = Be.R16(bp, 4);
            var flags = Be.R16(bp, 6);
            switch (qtype)
            {
                case 0:
                    o.Ascii("noop"u8);
                    break;
                case 1:
                    o.Ascii("supported qtypes"u8);
                    SupportedQtypesFlags(o, flags);
                    break;
                case 2:
                    o.Ascii("DNS name"u8);
                    break;
                case 3:
                    o.Ascii("node addresses"u8);
                    if (flags != 0)
                    {
                        NodeAddressFlags(o, flags, truncateBit: false);
                    }

                    break;
                default:
                    o.Ascii("unknown"u8);
                    break;
            }

            if (qtype is 0 or 1)
            {
                if (siz != NodeInfoLength && p.Verbose > 0)
                {
                    o.Ascii(", invalid len"u8);
                }

                o.Byte((byte)')');
                return true;
            }

            if (siz == NodeInfoLength)
            {
                o.Ascii(", 03 draft)"u8);
                return true;
            }

            switch (bp[1])
            {
                case 0:
                    if (!Be.Has(bp, NodeInfoLength, 16))
                    {
                        break;
                    }

                    if (siz != NodeInfoLength + 16)
                    {
                        if (p.Verbose > 0)
                        {
                            o.Ascii(", invalid subject len"u8);
                        }

                        break;
                    }

                    o.Ascii(", subject="u8);
                    p.Names.Ipv6(o, bp.Slice(NodeInfoLength, 16));
                    break;
                case 1:
                    o.Ascii(", subject=DNS name"u8);
                    NiName(p, bp, NodeInfoLength);
                    break;
                case 2:
                    if (!Be.Has(bp, NodeInfoLength, 4))
                    {
                        break;
                    }

                    if (siz != NodeInfoLength + 4)
                    {
                        if (p.Verbose > 0)
                        {
                            o.Ascii(", invalid subject len"u8);
                        }

                        break;
                    }

                    o.Ascii(", subject="u8);
                    p.Names.Ipv4(o, bp.Slice(NodeInfoLength, 4));
                    break;
                default:
                    o.Ascii(", unknown subject"u8);
                    break;
            }

            o.Byte((byte)')');
            return true;
        }

        // Reply.
        if (icmpLength > siz || !Be.Has(bp, 0, NodeInfoLength))
        {
            return p.PrintTrunc();
        }

        o.Ascii(" node information reply ("u8);
        var code = bp[1];
        var needComma = false;
        switch (code)
        {
            case 0:
                if (p.Verbose > 0)
                {
                    o.Ascii("success"u8);
                    needComma = true;
                }

                break;
            case 1:
            case 2:
                o.Ascii(code == 1 ? "refused"u8 : "unknown"u8);
                needComma = true;
                if (siz != NodeInfoLength && p.Verbose > 0)
                {
                    o.Ascii(", invalid length"u8);
                }

                break;
        }

        if (code != 0)
        {
            o.Byte((byte)')');
            return true;
        }

        if (needComma)
        {
            o.Ascii(", "u8);
        }

        var rflags = Be.R16(bp, 6);
        switch (Be.R16(bp, 4))
        {
            case 0:
                o.Ascii("noop"u8);
                if (siz != NodeInfoLength && p.Verbose > 0)
                {
                    o.Ascii(", invalid length"u8);
                }

                break;
            case 1:
                o.Ascii("supported qtypes"u8);
                SupportedQtypesFlags(o, rflags);
                break;
            case 2:
                o.Ascii("DNS name"u8);
                if (!NiName(p, bp, NodeInfoLength + 4))
                {
                    return false;
                }

                if ((rflags & 0x01) != 0)
                {
                    if (!Be.U32(bp, NodeInfoLength, out var ttl))
                    {
                        return false;
                    }

                    o.Ascii(" [TTL="u8);
                    o.U(ttl);
                    o.Byte((byte)']');
                }

                break;
            case 3:
                o.Ascii("node addresses"u8);
                for (var i = NodeInfoLength; i + 20 <= siz; i += 20)
                {
                    o.Byte((byte)' ');
                    p.Names.Ipv6(o, bp.Slice(i + 4, 16));
                    o.Byte((byte)'(');
                    o.U(Be.R32(bp, i));
                    o.Byte((byte)')');
                }

                if (rflags != 0)
                {
                    NodeAddressFlags(o, rflags, truncateBit: true);
                }

                break;
            default:
                o.Ascii("unknown"u8);
                break;
        }

        o.Byte((byte)')');
        return true;
    }

    private static void SupportedQtypesFlags(Output.OutputBuffer o, ushort flags)
    {
        if (flags != 0)
        {
            o.Ascii((flags & 0x01) != 0 ? " [C]"u8 : " []"u8);
        }
    }

    /// <summary>" [aGSLCA]" (and T in replies) for the node-addresses flags that are set.</summary>
    private static void NodeAddressFlags(Output.OutputBuffer o, ushort flags, bool truncateBit)
    {
        o.Ascii(" ["u8);
        ReadOnlySpan<(ushort Bit, byte Letter)> letters =
        [
            (0x0040, (byte)'a'), (0x0020, (byte)'G'), (0x0010, (byte)'S'), (0x0008, (byte)'L'), (0x0004, (byte)'C'), (0x0002, (byte)'A'),
        ];
        foreach (var (bit, letter) in letters)
        {
            if ((flags & bit) != 0)
            {
                o.Byte(letter);
            }
        }

        if (truncateBit && (flags & 0x0001) != 0)
        {
            o.Byte((byte)'T');
        }

        o.Byte((byte)']');
    }

    /// <summary>
    /// A node-information name at <paramref name="at"/>: the draft-03 Pascal string when its length
    /// byte covers exactly the rest, otherwise DNS labels without compression (dnsname_print).
    /// False when even the first byte was not captured.
    /// </summary>
    private static bool NiName(Printer p, ReadOnlySpan<byte> bp, int at)
    {
        var o = p.Out;
        if (!Be.U8(bp, at, out var first))
        {
            return false;
        }

        var end = bp.Length;
        if (first == end - at - 1)
        {
            if (p.Verbose > 0)
            {
                o.Ascii(", 03 draft"u8);
            }

            o.Ascii(", \""u8);
            for (var i = at + 1; i < end; i++)
            {
                Text.PrintChar(o, bp[i]);
            }

            o.Byte((byte)'"');
            return true;
        }

        o.Ascii(", \""u8);
        var cp = at;
        while (cp < end)
        {
            int n = bp[cp++];
            if (n != 0)
            {
                if (n > end - cp)
                {
                    o.Ascii("???"u8);
                    break;
                }

                while (n-- > 0 && cp < end)
                {
                    Text.PrintChar(o, bp[cp++]);
                }

                if (cp + 1 < end && bp[cp] != 0)
                {
                    o.Byte((byte)'.');
                }
            }
            else
            {
                if (cp == end)
                {
                    o.Byte((byte)'.');
                }
                else if (!(cp + 1 == end && bp[cp] == 0))
                {
                    o.Ascii("???"u8);
                }

                break;
            }
        }

        o.Byte((byte)'"');
        return true;
    }
}
