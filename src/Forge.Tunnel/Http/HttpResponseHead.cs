using System.Buffers;
using System.Globalization;
using System.Text;

namespace Forge.Tunnel.Http;

/// <summary>A parsed response head: status-line (RFC 9112 §4) and field lines (RFC 9112 §5).</summary>
internal sealed class HttpResponseHead
{
    private string _reason;

    public HttpResponseHead(string version, int statusCode, string reason, HttpHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (version is not (HttpRequestHead.Http11 or HttpRequestHead.Http10))
        {
            throw new ArgumentException("The version must be HTTP/1.1 or HTTP/1.0.", nameof(version));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        Version = version;
        StatusCode = statusCode;
        _reason = ValidReason(reason);
        Headers = headers;
    }

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Version { get; }

    /// <summary>The three-digit status code (RFC 9112 §4).</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase, possibly empty (RFC 9112 §4: <c>[ reason-phrase ]</c>).</summary>
    public string Reason
    {
        get => _reason;
        set => _reason = ValidReason(value);
    }

    public HttpHeaders Headers { get; }

    /// <summary>An interim 1xx response other than 101: more responses to the same request follow (RFC 9110 §15.2).</summary>
    public bool IsInterim => StatusCode is >= 100 and < 200 && StatusCode != 101;

    /// <summary>
    /// True when the connection stops carrying HTTP after this head: 101 Switching Protocols
    /// (RFC 9110 §15.2.2) or a 2xx answering CONNECT (RFC 9110 §9.3.6).
    /// </summary>
    public bool StartsTunnel(string? requestMethod) =>
        StatusCode == 101 || (StatusCode is >= 200 and < 300 && string.Equals(requestMethod, "CONNECT", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The response body framing of RFC 9112 §6.3, given the method of the request it answers
    /// (null is treated as GET):
    /// <list type="number">
    /// <item>Any response to HEAD, and every 1xx, 204 and 304, ends with its head (rule 1).</item>
    /// <item>A 2xx to CONNECT ends with its head; the connection becomes a tunnel (rule 2).</item>
    /// <item>Transfer-Encoding with chunked final => chunked; any other coding, or Transfer-Encoding in
    /// HTTP/1.0 (§6.1), => read until close (rule 4). Transfer-Encoding overrides Content-Length (rule 3).</item>
    /// <item>A valid Content-Length gives the length; an invalid one is an unrecoverable error (rule 5).</item>
    /// <item>Otherwise the body runs until the server closes (rule 8).</item>
    /// </list>
    /// </summary>
    public bool TryGetBodyFraming(string? requestMethod, out BodyFraming framing, out string? error)
    {
        framing = BodyFraming.None;
        error = null;
        if (string.Equals(requestMethod, "HEAD", StringComparison.OrdinalIgnoreCase)
            || StatusCode < 200 || StatusCode is 204 or 304 || StartsTunnel(requestMethod))
        {
            return true;
        }

        if (Headers.Contains(HttpFraming.TransferEncodingName))
        {
            framing = Version == HttpRequestHead.Http11
                && HttpFraming.TryReadFinalCoding(Headers, out var chunked) && chunked
                ? BodyFraming.Chunked
                : BodyFraming.UntilClose;
            return true;
        }

        switch (HttpFraming.ReadContentLength(Headers, out var length))
        {
            case HttpFraming.ContentLengthState.Invalid:
                error = "invalid Content-Length in the response";
                return false;
            case HttpFraming.ContentLengthState.Valid:
                framing = BodyFraming.Length(length);
                return true;
            default:
                framing = BodyFraming.UntilClose;
                return true;
        }
    }

    /// <summary>Serialises <c>version SP status SP reason CRLF *(name ": " value CRLF) CRLF</c> in Latin-1.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = Version.Length + 1 + 3 + 1 + _reason.Length + 2 + Headers.WireLength() + 2;
        var span = writer.GetSpan(length);
        var at = Encoding.Latin1.GetBytes(Version, span);
        span[at++] = (byte)' ';
        StatusCode.TryFormat(span[at..], out var written, default, CultureInfo.InvariantCulture);
        at += written;
        span[at++] = (byte)' ';
        at += Encoding.Latin1.GetBytes(_reason, span[at..]);
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

    private static string ValidReason(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return HttpSyntax.IsValidFieldValue(reason)
            ? reason
            : throw new ArgumentException("The reason phrase must be Latin-1 text without control characters (RFC 9112 §4).", nameof(reason));
    }
}
