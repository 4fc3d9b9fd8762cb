using System.Buffers;

namespace Forge.Tunnel.Http;

/// <summary>Character classes of the HTTP grammar (RFC 9110 §5.6.2, §5.5; RFC 9112 §2.2, §3).</summary>
internal static class HttpSyntax
{
    // RFC 9110 §5.6.2: token = 1*tchar;
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static readonly SearchValues<byte> s_tchar = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly SearchValues<char> s_tcharChars = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // RFC 9110 §5.5: field-value = *field-content, made of VCHAR / obs-text with SP and HTAB inside.
    // Everything else is a control character (CTL = %x00-1F / %x7F) and is refused, NUL, CR and LF included.
    private static readonly SearchValues<byte> s_invalidInFieldValue = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    // RFC 9112 §3.2: the request-target is made of URI characters; as most servers do, any visible
    // byte (VCHAR / obs-text) is accepted and SP, CTLs and DEL are refused.
    private static readonly SearchValues<byte> s_invalidInTarget = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u0020\u007F"u8);

    // RFC 9110 §7.2 / RFC 3986 §3.2.2: Host = uri-host [ ":" port ]; reg-name, IP-literal, IPv4 and port characters.
    private static readonly SearchValues<byte> s_hostChars = SearchValues.Create(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._~!$&'()*+,;=:[]%"u8);

    public static bool IsTChar(byte b) => s_tchar.Contains(b);

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_tchar);

    public static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_tcharChars);

    public static bool IsValidFieldValue(ReadOnlySpan<byte> s) => !s.ContainsAny(s_invalidInFieldValue);

    /// <summary>True when a field value set by code can go on the wire: Latin-1, no CTL other than HTAB.</summary>
    public static bool IsValidFieldValue(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c > 0xFF || c == 0x7F || (c < 0x20 && c != '\t'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidTarget(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAny(s_invalidInTarget);

    public static bool IsValidTarget(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c > 0xFF || c <= 0x20 || c == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidHost(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F || !s_hostChars.Contains((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    public static bool IsWhitespace(char c) => c is ' ' or '\t';

    /// <summary>RFC 9110 §5.6.3: OWS = *( SP / HTAB ), trimmed from both ends of a value or list element.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s) => s.Trim(" \t"u8);

    public static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> s) => s.Trim(" \t");
}
