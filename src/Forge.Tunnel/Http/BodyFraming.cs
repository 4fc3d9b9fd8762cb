namespace Forge.Tunnel.Http;

/// <summary>How the end of a message body is found (RFC 9112 §6.3).</summary>
internal enum BodyKind
{
    /// <summary>No body: the message ends with its head.</summary>
    None,

    /// <summary>Exactly <see cref="BodyFraming.ContentLength"/> bytes follow the head.</summary>
    ContentLength,

    /// <summary>The chunked transfer coding (RFC 9112 §7.1) delimits the body.</summary>
    Chunked,

    /// <summary>The body runs until the sender closes the connection (responses only).</summary>
    UntilClose,
}

/// <summary>The framing of one message body: its kind, and its length for <see cref="BodyKind.ContentLength"/>.</summary>
internal readonly record struct BodyFraming(BodyKind Kind, long ContentLength)
{
    public static BodyFraming None => new(BodyKind.None, 0);

    public static BodyFraming Chunked => new(BodyKind.Chunked, 0);

    public static BodyFraming UntilClose => new(BodyKind.UntilClose, 0);

    public static BodyFraming Length(long length) => new(BodyKind.ContentLength, length);
}

/// <summary>The framing fields, Content-Length and Transfer-Encoding, read strictly.</summary>
internal static class HttpFraming
{
    public const string ContentLengthName = "Content-Length";
    public const string TransferEncodingName = "Transfer-Encoding";

    internal enum ContentLengthState
    {
        Absent,
        Valid,
        Invalid,
    }

    /// <summary>
    /// RFC 9110 §8.6: Content-Length = 1*DIGIT. A list of identical values (from repeated fields or a
    /// comma list) may be treated as one value; differing values, an empty element, a sign, any
    /// non-digit or a value beyond <see cref="long.MaxValue"/> make the framing invalid (RFC 9112 §6.3 rule 5).
    /// </summary>
    public static ContentLengthState ReadContentLength(HttpHeaders headers, out long length)
    {
        length = -1;
        foreach (var field in headers)
        {
            if (!string.Equals(field.Name, ContentLengthName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = field.Value.AsSpan();
            foreach (var range in value.Split(','))
            {
                if (!TryParseDigits(HttpSyntax.TrimOws(value[range]), out var parsed))
                {
                    length = -1;
                    return ContentLengthState.Invalid;
                }

                if (length >= 0 && parsed != length)
                {
                    length = -1;
                    return ContentLengthState.Invalid;
                }

                length = parsed;
            }
        }

        return length < 0 ? ContentLengthState.Absent : ContentLengthState.Valid;
    }

    /// <summary>
    /// RFC 9112 §6.1: Transfer-Encoding lists the codings in the order applied; the message is framed
    /// by chunked only when chunked is the final coding. Empty list elements are ignored (RFC 9110
    /// §5.6.1); parameters after ';' are ignored. Returns false when the field holds no coding at all.
    /// </summary>
    public static bool TryReadFinalCoding(HttpHeaders headers, out bool finalIsChunked)
    {
        finalIsChunked = false;
        var sawCoding = false;
        foreach (var field in headers)
        {
            if (!string.Equals(field.Name, TransferEncodingName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = field.Value.AsSpan();
            foreach (var range in value.Split(','))
            {
                var element = value[range];
                var semicolon = element.IndexOf(';');
                if (semicolon >= 0)
                {
                    element = element[..semicolon];
                }

                element = HttpSyntax.TrimOws(element);
                if (element.IsEmpty)
                {
                    continue;
                }

                sawCoding = true;
                finalIsChunked = element.Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }

        return sawCoding;
    }

    private static bool TryParseDigits(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            var digit = c - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
