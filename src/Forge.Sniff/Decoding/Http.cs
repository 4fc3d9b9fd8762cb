namespace Forge.Sniff.Decoding;

/// <summary>
/// HTTP/1.x (RFC 9112) request and status lines: tcpdump's txtproto_print prints "HTTP: GET / HTTP/1.1"
/// when the first token is a known method or the second a three-digit status code; with -v every
/// header line up to the first non-text byte.
/// </summary>
internal static class Http
{
    private const int MaxToken = 128;

    private static readonly string[] s_methods =
    [
        "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE",
        "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT",
        "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND",
        "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT",
        "VERSION-CONTROL", "BASELINE-CONTROL",
    ];

    private static bool IsPrint(byte c) => c is >= 0x20 and <= 0x7e;

    public static bool Print(Printer p, ReadOnlySpan<byte> bp, int length)
    {
        p.Protocol = "http";
        var o = p.Out;
        var len = length;
        var show = false;
        var idx = Token(bp, 0, len, out var start, out var tokLen);
        if (idx != 0)
        {
            var token = bp.Slice(start, tokLen);
            foreach (var method in s_methods)
            {
                if (EqualsIgnoreCase(token, method))
                {
                    show = true;
                    break;
                }
            }

            idx = Token(bp, idx, len, out start, out tokLen);
            if (idx != 0 && tokLen == 3 && IsDigit(bp[start]) && IsDigit(bp[start + 1]) && IsDigit(bp[start + 2]))
            {
                show = true;
            }
        }

        o.Ascii("HTTP"u8);
        if (!show)
        {
            return true;
        }

        if (p.Verbose > 0)
        {
            o.Ascii(", length: "u8);
            o.U((ulong)(uint)len);
            idx = 0;
            while (idx < len)
            {
                var eol = Line(p, "\n\t"u8, bp, idx, len);
                if (eol < 0)
                {
                    return false;
                }

                if (eol == 0)
                {
                    break;
                }

                idx = eol;
            }

            return true;
        }

        return Line(p, ": "u8, bp, 0, len) >= 0;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> token, string s)
    {
        if (token.Length != s.Length)
        {
            return false;
        }

        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c is >= (byte)'a' and <= (byte)'z')
            {
                c -= 32;
            }

            if (c != s[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>fetch_token: the token at idx and the index after the blanks that follow it; 0 when none.</summary>
    private static int Token(ReadOnlySpan<byte> bp, int idx, int len, out int start, out int tokLen)
    {
        start = idx;
        tokLen = 0;
        for (; idx < len; idx++)
        {
            if (idx >= bp.Length)
            {
                return 0;
            }

            var c = bp[idx];
            if (c >= 0x80)
            {
                return 0;
            }

            if (c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                break;
            }

            if (!IsPrint(c) || tokLen + 2 > MaxToken + 1)
            {
                return 0;
            }

            tokLen++;
        }

        if (tokLen == 0)
        {
            return 0;
        }

        for (; idx < len; idx++)
        {
            if (idx >= bp.Length)
            {
                break;
            }

            var c = bp[idx];
            if (c is (byte)'\r' or (byte)'\n' || !IsPrint(c) || (c != ' ' && c != '\t'))
            {
                break;
            }
        }

        return idx;
    }

    /// <summary>print_txt_line: one CRLF- or LF-terminated printable line; returns the next index, 0 to stop, -1 when cut.</summary>
    private static int Line(Printer p, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> bp, int idx, int len)
    {
        var start = idx;
        int lineLen;
        while (idx < len)
        {
            if (idx >= bp.Length)
            {
                return -1;
            }

            var c = bp[idx];
            if (c == '\n')
            {
                lineLen = idx - start;
                idx++;
                Emit(p, prefix, bp.Slice(start, lineLen));
                return idx;
            }

            if (c == '\r')
            {
                if (idx + 1 >= len)
                {
                    return 0;
                }

                if (idx + 1 >= bp.Length)
                {
                    return -1;
                }

                if (bp[idx + 1] == '\n')
                {
                    lineLen = idx - start;
                    idx += 2;
                    Emit(p, prefix, bp.Slice(start, lineLen));
                    return idx;
                }

                return 0;
            }

            if (!IsPrint(c) && c != '\t')
            {
                return 0;
            }

            idx++;
        }

        lineLen = idx - start;
        Emit(p, prefix, bp.Slice(start, lineLen));
        p.PrintTrunc();
        return 0;
    }

    private static void Emit(Printer p, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> line)
    {
        p.Out.Ascii(prefix);
        p.Out.Ascii(line);
    }
}
