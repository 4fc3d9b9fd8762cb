using System.Buffers;
using System.Text;

namespace Forge.Tunnel.Http;

/// <summary>
/// A parsed request head: request-line (RFC 9112 §3) and field lines (RFC 9112 §5). Fields may be
/// rewritten (X-Forwarded-*, Host) before <see cref="WriteTo"/> serialises the head again; the body
/// framing fields must not be changed, because the body is forwarded as it was framed on the wire.
/// </summary>
internal sealed class HttpRequestHead
{
    public const string Http11 = "HTTP/1.1";
    public const string Http10 = "HTTP/1.0";

    private string _target;

    public HttpRequestHead(string method, string target, string version, HttpHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(headers);
        if (!HttpSyntax.IsToken(method))
        {
            throw new ArgumentException("The method must be a token (RFC 9110 §9.1).", nameof(method));
        }

        if (version is not (Http11 or Http10))
        {
            throw new ArgumentException("The version must be HTTP/1.1 or HTTP/1.0.", nameof(version));
        }

        Method = method;
        _target = ValidTarget(target);
        Version = version;
        Headers = headers;
    }

    public string Method { get; }

    /// <summary>The request-target as received (origin-, absolute-, authority- or asterisk-form, RFC 9112 §3.2).</summary>
    public string Target
    {
        get => _target;
        set => _target = ValidTarget(value);
    }

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Version { get; }

    public HttpHeaders Headers { get; }

    /// <summary>The Host field value, or null when absent (RFC 9112 §3.2).</summary>
    public string? Host => Headers.Get("Host");

    /// <summary>
    /// RFC 9110 §7.8: a protocol upgrade is requested with an Upgrade field listed in Connection
    /// (<c>Connection: Upgrade</c>), e.g. for WebSocket (RFC 6455 §4.1).
    /// </summary>
    public bool IsUpgrade => Headers.Contains("Upgrade") && Headers.ContainsToken("Connection", "upgrade");

    /// <summary>RFC 9110 §9.3.6: CONNECT turns the connection into a tunnel once a 2xx answers it.</summary>
    public bool IsConnect => string.Equals(Method, "CONNECT", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body framing; throws when the framing fields are invalid (the parser never returns such a head).</summary>
    public BodyKind BodyKind => Framing.Kind;

    /// <summary>The declared body length when <see cref="BodyKind"/> is <see cref="BodyKind.ContentLength"/>, else 0.</summary>
    public long ContentLength => Framing.ContentLength;

    private BodyFraming Framing => TryGetBodyFraming(out var framing, out var error)
        ? framing
        : throw new InvalidOperationException(error);

    /// <summary>
    /// The request body framing of RFC 9112 §6.3, refusing what a front end must not pass on:
    /// <list type="bullet">
    /// <item>Transfer-Encoding in an HTTP/1.0 request: the framing is faulty (§6.1).</item>
    /// <item>Transfer-Encoding together with Content-Length: refused as a request smuggling attempt (§6.1, §11.2).</item>
    /// <item>Transfer-Encoding whose final coding is not chunked: 400, the length cannot be determined (§6.3 rule 4).</item>
    /// <item>Invalid or differing Content-Length values: 400 (§6.3 rule 5).</item>
    /// <item>Neither field: no body (§6.3 rule 7); a request never reads until close.</item>
    /// </list>
    /// </summary>
    public bool TryGetBodyFraming(out BodyFraming framing, out string? error)
    {
        framing = BodyFraming.None;
        error = null;
        var hasTransferEncoding = Headers.Contains(HttpFraming.TransferEncodingName);
        if (hasTransferEncoding)
        {
            if (Version == Http10)
            {
                error = "Transfer-Encoding in an HTTP/1.0 request";
                return false;
            }

            if (Headers.Contains(HttpFraming.ContentLengthName))
            {
                error = "both Content-Length and Transfer-Encoding";
                return false;
            }

            if (!HttpFraming.TryReadFinalCoding(Headers, out var chunked) || !chunked)
            {
                error = "Transfer-Encoding does not end in chunked";
                return false;
            }

            framing = BodyFraming.Chunked;
            return true;
        }

        switch (HttpFraming.ReadContentLength(Headers, out var length))
        {
            case HttpFraming.ContentLengthState.Invalid:
                error = "invalid Content-Length";
                return false;
            case HttpFraming.ContentLengthState.Valid:
                framing = BodyFraming.Length(length);
                return true;
            default:
                return true;
        }
    }

    /// <summary>Serialises <c>method SP target SP version CRLF *(name ": " value CRLF) CRLF</c> in Latin-1.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = Method.Length + 1 + _target.Length + 1 + Version.Length + 2 + Headers.WireLength() + 2;
        var span = writer.GetSpan(length);
        var at = Latin1(Method, span);
        span[at++] = (byte)' ';
        at += Latin1(_target, span[at..]);
        span[at++] = (byte)' ';
        at += Latin1(Version, span[at..]);
        at += HttpWire.WriteFields(Headers, span[at..]);
        writer.Advance(at);
    }

    /// <summary>The serialised head as text, for logs and tests.</summary>
    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer);
        return Encoding.Latin1.GetString(buffer.WrittenSpan);
    }

    private static int Latin1(string s, Span<byte> destination) => Encoding.Latin1.GetBytes(s, destination);

    private static string ValidTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return HttpSyntax.IsValidTarget(target)
            ? target
            : throw new ArgumentException("The request-target must be non-empty visible Latin-1 text (RFC 9112 §3.2).", nameof(target));
    }
}
