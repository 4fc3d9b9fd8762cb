using System.Buffers;
using System.Text;

namespace Forge.Tunnel.Http;

/// <summary>What <see cref="HttpParser"/> made of the bytes it was given.</summary>
internal enum HttpParseStatus
{
    /// <summary>The head is not complete yet; nothing was consumed, read more and call again.</summary>
    Incomplete,

    /// <summary>A whole head was parsed; <c>consumed</c> is the first byte after its closing empty line.</summary>
    Complete,

    /// <summary>The bytes are not a valid HTTP/1.x head (400 for a request, 502 for a response).</summary>
    Malformed,

    /// <summary>The head exceeds <see cref="HttpLimits.MaxHeadBytes"/> or <see cref="HttpLimits.MaxHeaderCount"/> (431).</summary>
    HeadTooLarge,

    /// <summary>The request line exceeds <see cref="HttpLimits.MaxRequestLineBytes"/> (414).</summary>
    UriTooLong,
}

/// <summary>
/// Resumable HTTP/1.x head parser (RFC 9112 §2–§5). Each call looks at the whole buffer from its
/// start: on <see cref="HttpParseStatus.Incomplete"/> nothing is consumed and the caller reads more
/// (telling its PipeReader it examined everything). A verdict that cannot change with more input
/// (a malformed start line, a head already over a limit) is returned at once, without waiting for
/// the rest of the head. Field values are decoded as Latin-1 (RFC 9110 §5.5: obs-text is opaque).
/// </summary>
internal static class HttpParser
{
    /// <summary>RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line; we ignore up to this many.</summary>
    public const int MaxLeadingEmptyLines = 4;

    private const int StackCopyLimit = 512;

    private static readonly string[] s_commonNames =
    [
        "Host", "host", "User-Agent", "user-agent", "Accept", "accept", "Accept-Encoding", "accept-encoding",
        "Accept-Language", "accept-language", "Connection", "connection", "Content-Length", "content-length",
        "Content-Type", "content-type", "Transfer-Encoding", "transfer-encoding", "Cookie", "cookie",
        "Authorization", "authorization", "Upgrade", "upgrade", "Referer", "referer", "Origin", "origin",
        "Cache-Control", "cache-control", "Date", "date", "Server", "server", "Set-Cookie", "set-cookie",
        "Location", "location", "Last-Modified", "last-modified", "ETag", "etag", "Keep-Alive", "keep-alive",
        "Vary", "vary", "Content-Encoding", "content-encoding", "X-Forwarded-For", "X-Forwarded-Proto",
        "X-Forwarded-Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Accept",
    ];

    private static readonly byte[][] s_commonNameBytes = Array.ConvertAll(s_commonNames, Encoding.ASCII.GetBytes);

    public static HttpParseStatus TryParseRequestHead(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, out HttpRequestHead? head, out SequencePosition consumed) =>
        TryParseRequestHead(buffer, limits, out head, out consumed, out _);

    /// <summary>Parses one request head from the start of <paramref name="buffer"/>; <paramref name="error"/> says why on failure.</summary>
    public static HttpParseStatus TryParseRequestHead(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, out HttpRequestHead? head, out SequencePosition consumed, out string? error) =>
        TryParseHead(buffer, limits, request: true, ParseRequest, out head, out consumed, out error);

    public static HttpParseStatus TryParseResponseHead(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, out HttpResponseHead? head, out SequencePosition consumed) =>
        TryParseResponseHead(buffer, limits, out head, out consumed, out _);

    /// <summary>
    /// Parses one response head from the start of <paramref name="buffer"/>. The status line is bounded
    /// by <see cref="HttpLimits.MaxHeadBytes"/> only (a long one is <see cref="HttpParseStatus.HeadTooLarge"/>).
    /// </summary>
    public static HttpParseStatus TryParseResponseHead(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, out HttpResponseHead? head, out SequencePosition consumed, out string? error) =>
        TryParseHead(buffer, limits, request: false, ParseResponse, out head, out consumed, out error);

    private delegate HttpParseStatus HeadParser<THead>(ReadOnlySpan<byte> head, out THead? result, out string? error)
        where THead : class;

    /// <summary>Frames the head, then parses it from one contiguous span (pooled when the head spans segments).</summary>
    private static HttpParseStatus TryParseHead<THead>(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, bool request, HeadParser<THead> parse, out THead? head, out SequencePosition consumed, out string? error)
        where THead : class
    {
        ArgumentNullException.ThrowIfNull(limits);
        head = null;
        consumed = buffer.Start;
        var status = FrameHead(buffer, limits, request, out var headBytes, out error);
        if (status != HttpParseStatus.Complete)
        {
            return status;
        }

        byte[]? rented = null;
        try
        {
            status = parse(Contiguous(headBytes, ref rented), out head, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        if (status == HttpParseStatus.Complete)
        {
            consumed = headBytes.End;
        }

        return status;
    }

    /// <summary>
    /// Finds where the head ends without allocating, enforcing the limits and checking the start line
    /// (even a partial one), so that garbage and oversized input are refused before the head completes.
    /// Lines end with LF, optionally preceded by CR (RFC 9112 §2.2: a recipient MAY accept a bare LF);
    /// a CR anywhere else is refused later as a control character.
    /// </summary>
    private static HttpParseStatus FrameHead(
        in ReadOnlySequence<byte> buffer, HttpLimits limits, bool request, out ReadOnlySequence<byte> headBytes, out string? error)
    {
        headBytes = default;
        error = null;
        var maxHead = limits.MaxHeadBytes;
        var atLimit = buffer.Length >= maxHead;
        var window = atLimit ? buffer.Slice(0, maxHead) : buffer;
        var reader = new SequenceReader<byte>(window);

        // RFC 9112 §2.2: empty lines (CRLF or LF) before the start line are skipped.
        var emptyLines = 0;
        while (reader.TryPeek(out var first) && first is (byte)'\r' or (byte)'\n')
        {
            if (first == '\r')
            {
                if (!reader.TryPeek(1, out var next))
                {
                    return TooLargeOrIncomplete(atLimit, out error);
                }

                if (next != '\n')
                {
                    error = "bare CR before the start line";
                    return HttpParseStatus.Malformed;
                }

                reader.Advance(2);
            }
            else
            {
                reader.Advance(1);
            }

            if (++emptyLines > MaxLeadingEmptyLines)
            {
                error = "too many empty lines before the start line";
                return HttpParseStatus.Malformed;
            }
        }

        // RFC 9112 §3 (request-line) / §4 (status-line).
        var maxLine = request ? limits.MaxRequestLineBytes : limits.MaxHeadBytes;
        var complete = reader.TryReadTo(out ReadOnlySequence<byte> startLine, (byte)'\n');
        if (!complete)
        {
            startLine = reader.UnreadSequence;
        }

        if (EndsWithCr(startLine))
        {
            startLine = startLine.Slice(0, startLine.Length - 1);
        }

        if (startLine.Length > maxLine)
        {
            error = request ? "request line too long" : "status line too long";
            return request ? HttpParseStatus.UriTooLong : HttpParseStatus.HeadTooLarge;
        }

        if (!CheckStartLine(startLine, request, complete))
        {
            error = request ? "invalid request line" : "invalid status line";
            return HttpParseStatus.Malformed;
        }

        if (!complete)
        {
            return TooLargeOrIncomplete(atLimit, out error);
        }

        // RFC 9112 §2.1: the head ends with an empty line. Field lines are validated once it is all here.
        var fields = 0;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                return TooLargeOrIncomplete(atLimit, out error);
            }

            if (line.IsEmpty || (line.Length == 1 && line.FirstSpan[0] == '\r'))
            {
                break;
            }

            if (++fields > limits.MaxHeaderCount)
            {
                error = "too many header fields";
                return HttpParseStatus.HeadTooLarge;
            }
        }

        headBytes = window.Slice(0, reader.Position);
        return HttpParseStatus.Complete;
    }

    private static HttpParseStatus TooLargeOrIncomplete(bool atLimit, out string? error)
    {
        // Not finished within MaxHeadBytes: whatever follows, the head will be larger than allowed.
        error = atLimit ? "header section too large" : null;
        return atLimit ? HttpParseStatus.HeadTooLarge : HttpParseStatus.Incomplete;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        if (s.IsSingleSegment)
        {
            return s.FirstSpan[^1] == '\r';
        }

        var last = s.Slice(s.Length - 1);
        return last.FirstSpan[0] == '\r';
    }

    private static bool CheckStartLine(in ReadOnlySequence<byte> line, bool request, bool complete)
    {
        if (line.IsSingleSegment)
        {
            return request ? CheckRequestLine(line.FirstSpan, complete, out _, out _) : CheckStatusLine(line.FirstSpan, complete);
        }

        var length = (int)line.Length;
        byte[]? rented = null;
        var span = length <= StackCopyLimit ? stackalloc byte[StackCopyLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            span = span[..length];
            line.CopyTo(span);
            return request ? CheckRequestLine(span, complete, out _, out _) : CheckStatusLine(span, complete);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single SP separators
    /// (the lenient whitespace parsing §3 allows is not used: it is a smuggling vector behind a proxy).
    /// method is a token (RFC 9110 §9.1); the target is non-empty with no SP or CTL; only HTTP/1.0 and
    /// HTTP/1.1 are accepted (the HTTP/2 preface <c>PRI * HTTP/2.0</c> is therefore refused). With
    /// <paramref name="complete"/> false the line is a prefix still being received: it is accepted
    /// while some continuation could make it valid.
    /// </summary>
    private static bool CheckRequestLine(ReadOnlySpan<byte> line, bool complete, out int methodEnd, out int targetEnd)
    {
        methodEnd = line.IndexOf((byte)' ');
        targetEnd = -1;
        if (methodEnd < 0)
        {
            return !complete && (line.IsEmpty || HttpSyntax.IsToken(line));
        }

        if (!HttpSyntax.IsToken(line[..methodEnd]))
        {
            return false;
        }

        var rest = line[(methodEnd + 1)..];
        var space = rest.IndexOf((byte)' ');
        if (space < 0)
        {
            return !complete && (rest.IsEmpty || HttpSyntax.IsValidTarget(rest));
        }

        if (!HttpSyntax.IsValidTarget(rest[..space]))
        {
            return false;
        }

        targetEnd = methodEnd + 1 + space;
        var version = rest[(space + 1)..];
        return complete ? IsVersion(version) : IsVersionPrefix(version);
    }

    /// <summary>
    /// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ], status-code = 3DIGIT,
    /// reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ). As §4 suggests, a status line that ends right
    /// after the code (no SP before an empty reason) is accepted.
    /// </summary>
    private static bool CheckStatusLine(ReadOnlySpan<byte> line, bool complete)
    {
        if (line.Length < 8)
        {
            return !complete && IsVersionPrefix(line);
        }

        if (!IsVersion(line[..8]))
        {
            return false;
        }

        if (line.Length == 8)
        {
            return !complete;
        }

        if (line[8] != ' ')
        {
            return false;
        }

        var rest = line[9..];
        for (var i = 0; i < 3; i++)
        {
            if (i >= rest.Length)
            {
                return !complete;
            }

            if (rest[i] is < (byte)'0' or > (byte)'9' || (i == 0 && rest[i] == '0'))
            {
                return false;
            }
        }

        if (rest.Length == 3)
        {
            return true;
        }

        return rest[3] == ' ' && HttpSyntax.IsValidFieldValue(rest[4..]);
    }

    private static bool IsVersion(ReadOnlySpan<byte> v) => v.SequenceEqual("HTTP/1.1"u8) || v.SequenceEqual("HTTP/1.0"u8);

    private static bool IsVersionPrefix(ReadOnlySpan<byte> v) => "HTTP/1.1"u8.StartsWith(v) || "HTTP/1.0"u8.StartsWith(v);

    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> bytes, ref byte[]? rented)
    {
        if (bytes.IsSingleSegment)
        {
            return bytes.FirstSpan;
        }

        var length = (int)bytes.Length;
        rented = ArrayPool<byte>.Shared.Rent(length);
        bytes.CopyTo(rented);
        return rented.AsSpan(0, length);
    }

    /// <summary>Cuts the next line (LF-terminated, one CR before the LF stripped) off the front of <paramref name="rest"/>.</summary>
    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var lf = rest.IndexOf((byte)'\n');
        var line = rest[..lf];
        rest = rest[(lf + 1)..];
        return !line.IsEmpty && line[^1] == '\r' ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> SkipEmptyLines(ReadOnlySpan<byte> head)
    {
        var start = head.IndexOfAnyExcept("\r\n"u8);
        return start < 0 ? head : head[start..];
    }

    private static HttpParseStatus ParseRequest(ReadOnlySpan<byte> bytes, out HttpRequestHead? head, out string? error)
    {
        head = null;
        var rest = SkipEmptyLines(bytes);
        var line = NextLine(ref rest);
        if (!CheckRequestLine(line, complete: true, out var methodEnd, out var targetEnd))
        {
            error = "invalid request line";
            return HttpParseStatus.Malformed;
        }

        var method = MethodString(line[..methodEnd]);
        var target = Encoding.Latin1.GetString(line[(methodEnd + 1)..targetEnd]);
        var version = line[(targetEnd + 1)..].SequenceEqual("HTTP/1.1"u8) ? HttpRequestHead.Http11 : HttpRequestHead.Http10;
        var headers = new HttpHeaders(16);
        if (!ParseFields(ref rest, headers, out error))
        {
            return HttpParseStatus.Malformed;
        }

        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, for more than one Host field line,
        // and for an invalid Host value (Host routes the connection here, so it is checked strictly).
        var hosts = headers.CountOf("Host");
        if (hosts > 1)
        {
            error = "more than one Host header";
            return HttpParseStatus.Malformed;
        }

        if (hosts == 0 && version == HttpRequestHead.Http11)
        {
            error = "missing Host header";
            return HttpParseStatus.Malformed;
        }

        if (hosts == 1 && !HttpSyntax.IsValidHost(headers.Get("Host")))
        {
            error = "invalid Host header";
            return HttpParseStatus.Malformed;
        }

        var request = new HttpRequestHead(method, target, version, headers);
        if (!request.TryGetBodyFraming(out _, out error))
        {
            return HttpParseStatus.Malformed;
        }

        head = request;
        return HttpParseStatus.Complete;
    }

    private static HttpParseStatus ParseResponse(ReadOnlySpan<byte> bytes, out HttpResponseHead? head, out string? error)
    {
        head = null;
        var rest = SkipEmptyLines(bytes);
        var line = NextLine(ref rest);
        if (!CheckStatusLine(line, complete: true))
        {
            error = "invalid status line";
            return HttpParseStatus.Malformed;
        }

        var version = line[..8].SequenceEqual("HTTP/1.1"u8) ? HttpRequestHead.Http11 : HttpRequestHead.Http10;
        var status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        var reason = line.Length > 13 ? Encoding.Latin1.GetString(line[13..]) : string.Empty;
        var headers = new HttpHeaders(16);
        if (!ParseFields(ref rest, headers, out error))
        {
            return HttpParseStatus.Malformed;
        }

        head = new HttpResponseHead(version, status, reason, headers);
        return HttpParseStatus.Complete;
    }

    /// <summary>
    /// RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.
    /// <list type="bullet">
    /// <item>No whitespace between name and colon: 400 (§5.1).</item>
    /// <item>A line starting with SP/HTAB is obsolete line folding (§5.2) or whitespace before the
    /// first field (§2.2): refused with 400, one of the two options the RFC gives.</item>
    /// <item>The value may not contain CTLs other than HTAB; NUL, CR and LF are refused (RFC 9110 §5.5).</item>
    /// </list>
    /// </summary>
    private static bool ParseFields(ref ReadOnlySpan<byte> rest, HttpHeaders headers, out string? error)
    {
        while (true)
        {
            var line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                error = null;
                return true;
            }

            if (HttpSyntax.IsWhitespace(line[0]))
            {
                error = "obsolete line folding or whitespace before a header name";
                return false;
            }

            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                error = "header line without a colon";
                return false;
            }

            var name = line[..colon];
            if (!HttpSyntax.IsToken(name))
            {
                error = "invalid header name";
                return false;
            }

            var value = HttpSyntax.TrimOws(line[(colon + 1)..]);
            if (!HttpSyntax.IsValidFieldValue(value))
            {
                error = "invalid character in a header value";
                return false;
            }

            headers.AddParsed(NameString(name), value.IsEmpty ? string.Empty : Encoding.Latin1.GetString(value));
        }
    }

    private static string MethodString(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ when method.SequenceEqual("TRACE"u8) => "TRACE",
        _ => Encoding.ASCII.GetString(method),
    };

    private static string NameString(ReadOnlySpan<byte> name)
    {
        var names = s_commonNameBytes;
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == name.Length && name.SequenceEqual(names[i]))
            {
                return s_commonNames[i];
            }
        }

        return Encoding.ASCII.GetString(name);
    }
}
