namespace Forge.Sniff.Decoding;

/// <summary>
/// DNS (RFC 1035 §4.1; EDNS0 RFC 6891; mDNS RFC 6762): a 12-byte header (id, flags, four counts), then
/// questions and resource records with compressed names. tcpdump's domain_print summary: queries as
/// "1234+ A? example.com. (29)", responses as "1234 1/0/0 A 1.2.3.4 (45)"; -vv adds the other sections.
/// </summary>
internal static class Dns
{
    private const int MaxName = 255;

    private static readonly string[] s_ops =
    [
        "", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
        " op8", " updateA", " updateD", " updateDA", " updateM", " updateMA", " zoneInit", " zoneRef",
    ];

    private static readonly string[] s_rcodes =
    [
        "", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused", " YXDomain", " YXRRSet",
        " NXRRSet", " NotAuth", " NotZone", " Resp11", " Resp12", " Resp13", " Resp14", " NoChange",
        " BadVers", "Resp17", " Resp18", " Resp19", " Resp20", "Resp21", " Resp22", " BadCookie",
    ];

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length, bool overTcp, bool multicast)
    {
        p.Protocol = "domain";
        var o = p.Out;
        if (overTcp)
        {
            if (length < 2)
            {
                o.Ascii(" [DNS over TCP: length "u8);
                o.U((ulong)(uint)length);
                o.Ascii(" < 2]"u8);
                p.Invalid();
                return true;
            }

            length -= 2;
            if (!Be.U16(bp, 0, out var prefix))
            {
                return false;
            }

            if (prefix != length)
            {
                o.Ascii(" [prefix length("u8);
                o.U(prefix);
                o.Ascii(") != length("u8);
                o.U((ulong)length);
                o.Ascii(")]"u8);
                p.Invalid();
                return true;
            }

            bp = bp[2..];
            o.Byte((byte)' ');
        }

        if (length < 12)
        {
            o.Ascii("domain [length "u8);
            o.U((ulong)(uint)length);
            o.Ascii(" < 12]"u8);
            p.Invalid();
            return true;
        }

        if (bp.Length < 12)
        {
            return p.PrintTrunc();
        }

        var end = bp.Length;
        var flags = Be.R16(bp, 2);
        var qdcount = (uint)Be.R16(bp, 4);
        var ancount = (uint)Be.R16(bp, 6);
        var nscount = (uint)Be.R16(bp, 8);
        var arcount = (uint)Be.R16(bp, 10);
        var rcode = (uint)(flags & 0xF);

        // First pass: find an OPT record's extended rcode (skipping everything before it).
        var cp = 12;
        var done = false;
        for (uint i = 0; i < qdcount && !done; i++)
        {
            cp = Skip(bp, cp);
            if (cp < 0 || (cp += 4) >= end)
            {
                done = true;
            }
        }

        for (uint i = 0; i < ancount + nscount && !done; i++)
        {
            cp = Skip(bp, cp);
            if (cp < 0 || (cp += 8) + 2 > end)
            {
                done = true;
                break;
            }

            cp += 2 + Be.R16(bp, cp);
            if (cp >= end)
            {
                done = true;
            }
        }

        for (uint i = 0; i < arcount && !done; i++)
        {
            cp = Skip(bp, cp);
            if (cp < 0 || cp + 2 > end)
            {
                break;
            }

            var type = Be.R16(bp, cp);
            cp += 4;
            if (cp + 1 > end)
            {
                break;
            }

            if (type == 41)
            {
                rcode |= (uint)bp[cp] << 4;
                break;
            }

            cp += 4;
            if (cp + 2 > end)
            {
                break;
            }

            cp += 2 + Be.R16(bp, cp);
            if (cp >= end)
            {
                break;
            }
        }

        var id = Be.R16(bp, 0);
        var opcode = (flags >> 11) & 0xF;
        if ((flags & 0x8000) != 0)
        {
            o.U(id);
            o.Str(s_ops[opcode]);
            if (rcode < s_rcodes.Length)
            {
                o.Str(s_rcodes[rcode]);
            }
            else
            {
                o.Ascii(" Resp"u8);
                o.U(rcode & 0xfff);
            }

            if ((flags & 0x0400) != 0)
            {
                o.Byte((byte)'*');
            }

            if ((flags & 0x0080) == 0)
            {
                o.Byte((byte)'-');
            }

            if ((flags & 0x0200) != 0)
            {
                o.Byte((byte)'|');
            }

            if ((flags & 0x0020) != 0)
            {
                o.Byte((byte)'$');
            }

            if (qdcount != 1)
            {
                o.Ascii(" ["u8);
                o.U(qdcount);
                o.Ascii("q]"u8);
            }

            cp = 12;
            for (uint i = 0; i < qdcount; i++)
            {
                if (i != 0)
                {
                    o.Byte((byte)',');
                }

                if (p.Verbose > 1)
                {
                    o.Ascii(" q:"u8);
                    if ((cp = Question(p, bp, cp, multicast)) < 0)
                    {
                        return p.PrintTrunc();
                    }
                }
                else
                {
                    if ((cp = Skip(bp, cp)) < 0)
                    {
                        return p.PrintTrunc();
                    }

                    cp += 4;
                }
            }

            o.Byte((byte)' ');
            o.U(ancount);
            o.Byte((byte)'/');
            o.U(nscount);
            o.Byte((byte)'/');
            o.U(arcount);
            if (!Section(p, bp, ref cp, ref ancount, multicast, first: true, " "u8))
            {
                return p.PrintTrunc();
            }

            if (p.Verbose > 1)
            {
                if (!Section(p, bp, ref cp, ref nscount, multicast, first: false, " ns:"u8)
                    || !Section(p, bp, ref cp, ref arcount, multicast, first: false, " ar:"u8))
                {
                    return p.PrintTrunc();
                }
            }
        }
        else
        {
            o.U(id);
            o.Str(s_ops[opcode]);
            if ((flags & 0x0100) != 0)
            {
                o.Byte((byte)'+');
            }

            if ((flags & 0x0010) != 0)
            {
                o.Byte((byte)'%');
            }

            if ((flags & 0x6cf) != 0)
            {
                o.Ascii(" [b2&3=0x"u8);
                o.Hex(flags);
                o.Byte((byte)']');
            }

            if (opcode == 1)
            {
                if (qdcount != 0)
                {
                    Count(o, qdcount, "q]"u8);
                }

                if (ancount != 1)
                {
                    Count(o, ancount, "a]"u8);
                }
            }
            else
            {
                if (ancount != 0)
                {
                    Count(o, ancount, "a]"u8);
                }

                if (qdcount != 1)
                {
                    Count(o, qdcount, "q]"u8);
                }
            }

            if (nscount != 0)
            {
                Count(o, nscount, "n]"u8);
            }

            if (arcount != 0)
            {
                Count(o, arcount, "au]"u8);
            }

            cp = 12;
            if (qdcount != 0)
            {
                if ((cp = Question(p, bp, cp, multicast)) < 0)
                {
                    return p.PrintTrunc();
                }

                qdcount--;
                while (cp < end && qdcount != 0)
                {
                    if ((cp = Question(p, bp, cp, multicast)) < 0)
                    {
                        return p.PrintTrunc();
                    }

                    qdcount--;
                }
            }

            if (qdcount != 0)
            {
                return p.PrintTrunc();
            }

            if (p.Verbose > 1)
            {
                if (!Section(p, bp, ref cp, ref ancount, multicast, first: true, " "u8)
                    || !Section(p, bp, ref cp, ref nscount, multicast, first: false, " ns:"u8)
                    || !Section(p, bp, ref cp, ref arcount, multicast, first: false, " ar:"u8))
                {
                    return p.PrintTrunc();
                }
            }
        }

        o.Ascii(" ("u8);
        o.U((ulong)(uint)length);
        o.Byte((byte)')');
        return true;
    }

    private static void Count(Output.OutputBuffer o, uint n, ReadOnlySpan<byte> suffix)
    {
        o.Ascii(" ["u8);
        o.U(n);
        o.Ascii(suffix);
    }

    /// <summary>Prints <paramref name="count"/> records, comma-separated (the answers follow the counts directly).</summary>
    private static bool Section(Printer p, ReadOnlySpan<byte> bp, ref int cp, ref uint count, bool multicast, bool first, ReadOnlySpan<byte> label)
    {
        if (count == 0)
        {
            return true;
        }

        if (!first)
        {
            if (cp >= bp.Length)
            {
                return false;
            }

            p.Out.Ascii(label);
        }

        if ((cp = Record(p, bp, cp, multicast)) < 0)
        {
            return false;
        }

        count--;
        while (cp < bp.Length && count != 0)
        {
            p.Out.Byte((byte)',');
            if ((cp = Record(p, bp, cp, multicast)) < 0)
            {
                return false;
            }

            count--;
        }

        return count == 0;
    }

    /// <summary>ns_nskip: the offset after a name (a compression pointer ends it), or -1 when cut or bad.</summary>
    private static int Skip(ReadOnlySpan<byte> bp, int cp)
    {
        if (!Be.U8(bp, cp, out var i))
        {
            return -1;
        }

        cp++;
        while (i != 0)
        {
            switch (i & 0xC0)
            {
                case 0xC0:
                    return cp + 1;
                case 0x40:
                    {
                        if ((i & 0x3F) != 1 || !Be.U8(bp, cp, out var bits))
                        {
                            return -1;
                        }

                        var bitlen = bits == 0 ? 256 : bits;
                        cp++;
                        cp += (bitlen + 7) / 8;
                        break;
                    }

                case 0x80:
                    return -1;
                default:
                    cp += i;
                    break;
            }

            if (!Be.U8(bp, cp, out i))
            {
                return -1;
            }

            cp++;
        }

        return cp;
    }

    private static int LabelLength(Printer p, ReadOnlySpan<byte> bp, int cp)
    {
        if (!Be.U8(bp, cp, out var i))
        {
            return -1;
        }

        switch (i & 0xC0)
        {
            case 0x40:
                {
                    var elt = i & 0x3F;
                    if (elt != 1)
                    {
                        p.Out.Ascii("<ELT "u8);
                        p.Out.U((ulong)elt);
                        p.Out.Byte((byte)'>');
                        return -1;
                    }

                    if (!Be.U8(bp, cp + 1, out var bits))
                    {
                        return -1;
                    }

                    var bitlen = bits == 0 ? 256 : bits;
                    return ((bitlen + 7) / 8) + 1;
                }

            case 0xC0:
            case 0:
                return i;
            default:
                p.Out.Ascii("<BAD LABEL TYPE>"u8);
                return -1;
        }
    }

    /// <summary>fqdn_print: a name with compression pointers followed; returns the offset after the name in place, or -1.</summary>
    public static int Name(Printer p, ReadOnlySpan<byte> bp, int cp)
    {
        var o = p.Out;
        var l = LabelLength(p, bp, cp);
        if (l < 0 || !Be.U8(bp, cp, out var i))
        {
            return -1;
        }

        var maxOffset = cp;
        cp++;
        var compress = false;
        var rp = -1;
        if ((i & 0xC0) != 0xC0)
        {
            rp = cp + l;
        }

        var nameChars = 0;
        if (i != 0)
        {
            while (i != 0 && cp < bp.Length)
            {
                switch (i & 0xC0)
                {
                    case 0xC0:
                        {
                            if (!compress)
                            {
                                rp = cp + 1;
                                compress = true;
                            }

                            if (!Be.U8(bp, cp, out var lo))
                            {
                                return -1;
                            }

                            var offset = ((i << 8) | lo) & 0x3fff;
                            if (offset >= maxOffset)
                            {
                                o.Ascii("<BAD PTR>"u8);
                                return -1;
                            }

                            maxOffset = offset;
                            cp = offset;
                            if (!Be.U8(bp, cp, out i))
                            {
                                return -1;
                            }

                            if ((l = LabelLength(p, bp, cp)) < 0)
                            {
                                return -1;
                            }

                            cp++;
                            continue;
                        }

                    case 0x40:
                        {
                            var elt = i & 0x3F;
                            if (elt != 1)
                            {
                                o.Ascii("<ELT "u8);
                                o.U((ulong)elt);
                                o.Byte((byte)'>');
                                return -1;
                            }

                            if (!BitLabel(o, bp, cp))
                            {
                                return -1;
                            }

                            break;
                        }

                    case 0x80:
                        o.Ascii("<BAD LABEL TYPE>"u8);
                        return -1;
                    default:
                        if (nameChars + l <= MaxName)
                        {
                            if (!PrintN(o, bp, cp, l))
                            {
                                return -1;
                            }
                        }
                        else if (nameChars < MaxName)
                        {
                            if (!PrintN(o, bp, cp, MaxName - nameChars))
                            {
                                return -1;
                            }
                        }

                        nameChars += l;
                        break;
                }

                cp += l;
                if (nameChars <= MaxName)
                {
                    o.Byte((byte)'.');
                }

                nameChars++;
                if (!Be.U8(bp, cp, out i))
                {
                    return -1;
                }

                if ((l = LabelLength(p, bp, cp)) < 0)
                {
                    return -1;
                }

                cp++;
                if (!compress)
                {
                    rp += l + 1;
                }
            }

            if (nameChars > MaxName)
            {
                o.Ascii("<DOMAIN NAME TOO LONG>"u8);
            }
        }
        else
        {
            o.Byte((byte)'.');
        }

        return rp;
    }

    private static bool BitLabel(Output.OutputBuffer o, ReadOnlySpan<byte> bp, int cp)
    {
        if (!Be.U8(bp, cp, out var bits))
        {
            return false;
        }

        var bitlen = bits == 0 ? 256 : bits;
        var slen = (bitlen + 3) / 4;
        var lim = cp + 1 + slen;
        o.Ascii("\\[x"u8);
        var bitp = cp + 1;
        var b = bitlen;
        for (; bitp < lim && b > 7; b -= 8, bitp++)
        {
            if (!Be.U8(bp, bitp, out var x))
            {
                return false;
            }

            o.Hex2(x);
        }

        if (b > 4)
        {
            if (!Be.U8(bp, bitp, out var tc))
            {
                return false;
            }

            o.Hex2((byte)(tc & (0xff << (8 - b))));
        }
        else if (b > 0)
        {
            if (!Be.U8(bp, bitp, out var tc))
            {
                return false;
            }

            o.Hex((ulong)(((tc >> 4) & 0x0f) & (0x0f << (4 - b))));
        }

        o.Byte((byte)'/');
        o.U((ulong)bitlen);
        o.Byte((byte)']');
        return true;
    }

    /// <summary>nd_printn: n bytes as text, escaped; false when the capture ends first.</summary>
    private static bool PrintN(Output.OutputBuffer o, ReadOnlySpan<byte> bp, int cp, int n)
    {
        for (var k = 0; k < n; k++)
        {
            if (cp + k >= bp.Length)
            {
                return false;
            }

            Text.PrintChar(o, bp[cp + k]);
        }

        return true;
    }

    private static void TypeName(Output.OutputBuffer o, ushort type)
    {
        var name = type switch
        {
            1 => "A",
            2 => "NS",
            3 => "MD",
            4 => "MF",
            5 => "CNAME",
            6 => "SOA",
            7 => "MB",
            8 => "MG",
            9 => "MR",
            10 => "NULL",
            11 => "WKS",
            12 => "PTR",
            13 => "HINFO",
            14 => "MINFO",
            15 => "MX",
            16 => "TXT",
            17 => "RP",
            18 => "AFSDB",
            19 => "X25",
            20 => "ISDN",
            21 => "RT",
            22 => "NSAP",
            23 => "NSAP_PTR",
            24 => "SIG",
            25 => "KEY",
            26 => "PX",
            27 => "GPOS",
            28 => "AAAA",
            29 => "LOC",
            30 => "NXT",
            31 => "EID",
            32 => "NIMLOC",
            33 => "SRV",
            34 => "ATMA",
            35 => "NAPTR",
            36 => "KX",
            37 => "CERT",
            38 => "A6",
            39 => "DNAME",
            40 => "SINK",
            41 => "OPT",
            42 => "APL",
            43 => "DS",
            44 => "SSHFP",
            45 => "IPSECKEY",
            46 => "RRSIG",
            47 => "NSEC",
            48 => "DNSKEY",
            99 => "SPF",
            100 => "UINFO",
            101 => "UID",
            102 => "GID",
            103 => "UNSPEC",
            104 => "UNSPECA",
            249 => "TKEY",
            250 => "TSIG",
            251 => "IXFR",
            252 => "AXFR",
            253 => "MAILB",
            254 => "MAILA",
            255 => "ANY",
            256 => "URI",
            _ => null,
        };
        if (name is null)
        {
            o.Ascii("Type"u8);
            o.U(type);
        }
        else
        {
            o.Str(name);
        }
    }

    private static void ClassName(Output.OutputBuffer o, uint cls)
    {
        var name = cls switch
        {
            1 => "IN",
            3 => "CHAOS",
            4 => "HS",
            255 => "ANY",
            _ => null,
        };
        if (name is null)
        {
            o.Ascii("(Class "u8);
            o.U(cls);
            o.Byte((byte)')');
        }
        else
        {
            o.Str(name);
        }
    }

    /// <summary>ns_qprint: " A? name." (mDNS adds " (QU)" or " (QM)"); returns the offset after the question or -1.</summary>
    private static int Question(Printer p, ReadOnlySpan<byte> bp, int cp, bool multicast)
    {
        var o = p.Out;
        var np = cp;
        cp = Skip(bp, cp);
        if (cp < 0 || !Be.Has(bp, cp, 4))
        {
            return -1;
        }

        var type = Be.R16(bp, cp);
        o.Byte((byte)' ');
        TypeName(o, type);
        uint i = Be.R16(bp, cp + 2);
        var cls = multicast ? i & ~0x8000u : i;
        if (cls != 1)
        {
            o.Byte((byte)' ');
            ClassName(o, cls);
        }

        if (multicast)
        {
            o.Ascii((i & 0x8000) != 0 ? " (QU)"u8 : " (QM)"u8);
        }

        o.Ascii("? "u8);
        var r = Name(p, bp, np);
        return r < 0 ? -1 : r + 4;
    }

    /// <summary>ns_rprint: one resource record's summary ("A 1.2.3.4", "CNAME x.", ...); returns the offset after it or -1.</summary>
    private static int Record(Printer p, ReadOnlySpan<byte> bp, int cp, bool multicast)
    {
        var o = p.Out;
        var end = bp.Length;
        if (p.Verbose > 0)
        {
            o.Byte((byte)' ');
            if ((cp = Name(p, bp, cp)) < 0)
            {
                return -1;
            }
        }
        else
        {
            cp = Skip(bp, cp);
        }

        if (cp < 0 || !Be.Has(bp, cp, 10))
        {
            return end;
        }

        var typ = Be.R16(bp, cp);
        uint i = Be.R16(bp, cp + 2);
        cp += 4;
        var cls = multicast ? i & ~0x8000u : i;
        if (cls != 1 && typ != 41)
        {
            o.Byte((byte)' ');
            ClassName(o, cls);
        }

        if (multicast && (i & 0x8000) != 0)
        {
            o.Ascii(" (Cache flush)"u8);
        }

        uint optFlags = 0;
        if (typ == 41)
        {
            cp += 2;
            optFlags = Be.R16(bp, cp);
            cp += 2;
        }
        else if (p.Verbose > 2)
        {
            o.Ascii(" ["u8);
            RelTime(o, Be.R32(bp, cp));
            o.Byte((byte)']');
            cp += 4;
        }
        else
        {
            cp += 4;
        }

        int len = Be.R16(bp, cp);
        cp += 2;
        var rp = cp + len;
        o.Byte((byte)' ');
        TypeName(o, typ);
        if (rp > end)
        {
            return -1;
        }

        switch (typ)
        {
            case 1:
                if (!Be.Has(bp, cp, 4))
                {
                    return -1;
                }

                o.Byte((byte)' ');
                o.Ipv4(bp.Slice(cp, 4));
                break;
            case 2:
            case 5:
            case 12:
            case 39:
                o.Byte((byte)' ');
                if (Name(p, bp, cp) < 0)
                {
                    return -1;
                }

                break;
            case 6:
                if (p.Verbose == 0)
                {
                    break;
                }

                o.Byte((byte)' ');
                if ((cp = Name(p, bp, cp)) < 0)
                {
                    return -1;
                }

                o.Byte((byte)' ');
                if ((cp = Name(p, bp, cp)) < 0 || !Be.Has(bp, cp, 20))
                {
                    return -1;
                }

                for (var k = 0; k < 5; k++)
                {
                    o.Byte((byte)' ');
                    o.U(Be.R32(bp, cp + (4 * k)));
                }

                break;
            case 15:
                o.Byte((byte)' ');
                if (!Be.Has(bp, cp, 2) || Name(p, bp, cp + 2) < 0)
                {
                    return -1;
                }

                o.Byte((byte)' ');
                o.U(Be.R16(bp, cp));
                break;
            case 16:
                while (cp < rp)
                {
                    o.Ascii(" \""u8);
                    if (!Be.U8(bp, cp, out var n) || !PrintN(o, bp, cp + 1, n))
                    {
                        return -1;
                    }

                    cp += 1 + n;
                    o.Byte((byte)'"');
                }

                break;
            case 33:
                o.Byte((byte)' ');
                if (!Be.Has(bp, cp, 6) || Name(p, bp, cp + 6) < 0)
                {
                    return -1;
                }

                o.Byte((byte)':');
                o.U(Be.R16(bp, cp + 4));
                o.Byte((byte)' ');
                o.U(Be.R16(bp, cp));
                o.Byte((byte)' ');
                o.U(Be.R16(bp, cp + 2));
                break;
            case 28:
                if (!Be.Has(bp, cp, 16))
                {
                    return -1;
                }

                o.Byte((byte)' ');
                o.Ipv6(bp.Slice(cp, 16));
                break;
            case 41:
                o.Ascii(" UDPsize="u8);
                o.U(cls);
                if ((optFlags & 0x8000) != 0)
                {
                    o.Ascii(" DO"u8);
                }

                if (cp < rp)
                {
                    o.Ascii(" ["u8);
                    while (cp < rp)
                    {
                        cp = EdnsOption(p, bp, cp);
                        if (cp < 0)
                        {
                            return -1;
                        }

                        if (cp < rp)
                        {
                            o.Byte((byte)',');
                        }
                    }

                    o.Byte((byte)']');
                }

                break;
            case 104:
                if (!Be.Has(bp, cp, len) || !PrintN(o, bp, cp, len))
                {
                    return -1;
                }

                break;
            case 256:
                if (!Be.Has(bp, cp, len) || len < 4)
                {
                    return -1;
                }

                o.Byte((byte)' ');
                o.U(Be.R16(bp, cp));
                o.Byte((byte)' ');
                o.U(Be.R16(bp, cp + 2));
                o.Byte((byte)' ');
                if (!PrintN(o, bp, cp + 4, len - 4))
                {
                    return -1;
                }

                break;
        }

        return rp;
    }

    private static int EdnsOption(Printer p, ReadOnlySpan<byte> bp, int cp)
    {
        var o = p.Out;
        if (!Be.U16(bp, cp, out var opt))
        {
            return -1;
        }

        cp += 2;
        var name = opt switch
        {
            1 => "LLQ",
            2 => "UL",
            3 => "NSID",
            5 => "DAU",
            6 => "DHU",
            7 => "N3U",
            8 => "ECS",
            9 => "EXPIRE",
            10 => "COOKIE",
            11 => "KEEPALIVE",
            12 => "PADDING",
            13 => "CHAIN",
            14 => "KEY-TAG",
            16 => "CLIENT-TAG",
            17 => "SERVER-TAG",
            _ => null,
        };
        if (name is null)
        {
            o.Ascii("Opt"u8);
            o.U(opt);
        }
        else
        {
            o.Str(name);
        }

        if (!Be.U16(bp, cp, out var dataLen))
        {
            return -1;
        }

        cp += 2;
        if (!Be.Has(bp, cp, dataLen))
        {
            return -1;
        }

        var data = bp.Slice(cp, dataLen);
        if (dataLen > 0)
        {
            o.Byte((byte)' ');
            switch (opt)
            {
                case 8:
                    Ecs(p, data);
                    break;
                case 10:
                    if (dataLen < 8 || (dataLen > 8 && dataLen < 16) || dataLen > 40)
                    {
                        p.Invalid();
                    }
                    else
                    {
                        for (var i = 0; i < dataLen; i++)
                        {
                            if (i == 8)
                            {
                                o.Byte((byte)' ');
                            }

                            o.Hex2(data[i]);
                        }
                    }

                    break;
                case 11:
                    if (dataLen != 2)
                    {
                        p.Invalid();
                    }
                    else
                    {
                        var v = Be.R16(data, 0);
                        o.U((ulong)(v / 10));
                        o.Byte((byte)'.');
                        o.U((ulong)(v % 10));
                        o.Ascii(" sec"u8);
                    }

                    break;
                case 9:
                    if (dataLen != 4)
                    {
                        p.Invalid();
                    }
                    else
                    {
                        o.U(Be.R32(data, 0));
                        o.Ascii(" sec"u8);
                    }

                    break;
                case 12:
                    o.Byte((byte)'(');
                    o.U(dataLen);
                    o.Byte((byte)')');
                    break;
                case 14:
                    if (dataLen % 2 != 0)
                    {
                        p.Invalid();
                    }
                    else
                    {
                        for (var i = 0; i < dataLen; i += 2)
                        {
                            if (i > 0)
                            {
                                o.Byte((byte)' ');
                            }

                            o.U(Be.R16(data, i));
                        }
                    }

                    break;
                case 13:
                    _ = Name(p, bp[..(cp + dataLen)], cp);
                    break;
                case 5:
                case 6:
                case 7:
                    for (var i = 0; i < dataLen; i++)
                    {
                        if (i > 0)
                        {
                            o.Byte((byte)' ');
                        }

                        Algorithm(o, opt, data[i]);
                    }

                    break;
                default:
                    foreach (var b in data)
                    {
                        o.Hex2(b);
                    }

                    break;
            }
        }

        return cp + dataLen;
    }

    private static void Algorithm(Output.OutputBuffer o, ushort opt, byte alg)
    {
        var name = opt switch
        {
            5 => alg switch
            {
                0 => "DELETE",
                1 => "RSAMD5",
                2 => "DH",
                3 => "DS",
                5 => "RSASHA1",
                6 => "DSA-NSEC3-SHA1",
                7 => "RSASHA1-NSEC3-SHA1",
                8 => "RSASHA256",
                10 => "RSASHA512",
                12 => "ECC-GOST",
                13 => "ECDSAP256SHA256",
                14 => "ECDSAP384SHA384",
                15 => "ED25519",
                16 => "ED448",
                252 => "INDIRECT",
                253 => "PRIVATEDNS",
                254 => "PRIVATEOID",
                _ => null,
            },
            6 => alg switch
            {
                1 => "SHA-1",
                2 => "SHA-256",
                3 => "GOST_R_34.11-94",
                4 => "SHA-384",
                _ => null,
            },
            _ => alg == 1 ? "SHA-1" : null,
        };
        if (name is null)
        {
            o.Ascii("Alg_"u8);
            o.U(alg);
        }
        else
        {
            o.Str(name);
        }
    }

    private static void Ecs(Printer p, ReadOnlySpan<byte> data)
    {
        var o = p.Out;
        if (data.Length < 4)
        {
            p.Invalid();
            return;
        }

        var family = Be.R16(data, 0);
        int srcLen = data[2];
        int scopeLen = data[3];
        int addrBits;
        if (family == 1)
        {
            addrBits = 32;
        }
        else if (family == 2)
        {
            addrBits = 128;
        }
        else
        {
            p.Invalid();
            return;
        }

        if (data.Length - 4 > addrBits / 8 || srcLen > addrBits || scopeLen > addrBits || ((srcLen + 7) / 8) != data.Length - 4)
        {
            p.Invalid();
            return;
        }

        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        data[4..].CopyTo(padded);
        if (family == 1)
        {
            o.Ipv4(padded[..4]);
        }
        else
        {
            o.Ipv6(padded);
        }

        o.Byte((byte)'/');
        o.U((ulong)srcLen);
        o.Byte((byte)'/');
        o.U((ulong)scopeLen);
    }

    /// <summary>unsigned_relts_print: 1y1w1d1h1m1s style, "0s" for zero.</summary>
    private static void RelTime(Output.OutputBuffer o, uint secs)
    {
        if (secs == 0)
        {
            o.Ascii("0s"u8);
            return;
        }

        ReadOnlySpan<uint> seconds = [31536000, 604800, 86400, 3600, 60, 1];
        ReadOnlySpan<byte> units = "ywdhms"u8;
        for (var k = 0; k < seconds.Length && secs > 0; k++)
        {
            if (secs >= seconds[k])
            {
                o.U(secs / seconds[k]);
                o.Byte(units[k]);
                secs -= secs / seconds[k] * seconds[k];
            }
        }
    }
}
