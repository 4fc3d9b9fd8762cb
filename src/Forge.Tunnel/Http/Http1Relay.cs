using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Forge.Tunnel.Http;

/// <summary>
/// The HTTP/1.1 relay loops of the tunnel: read heads from a <see cref="PipeReader"/>, let the caller
/// inspect or rewrite them, write each head re-serialised to the destination, then forward the body
/// bytes unchanged as they arrive (never the whole body at once), message after message on a
/// keep-alive connection (RFC 9112 §9.3), pipelined messages included (§9.3.2).
/// </summary>
internal static class Http1Relay
{
    /// <summary>
    /// Relays requests from <paramref name="source"/> to <paramref name="destination"/>.
    /// <list type="bullet">
    /// <item>The first head must be complete within <see cref="HttpLimits.HeadTimeout"/> of the call; later
    /// ones may take <see cref="HttpLimits.IdleTimeout"/> to start and <see cref="HttpLimits.HeadTimeout"/>
    /// from their first byte to complete. Body reads time out after <see cref="HttpLimits.IdleTimeout"/> of silence.</item>
    /// <item><paramref name="onRequest"/> sees every head before it is forwarded; it may change fields other
    /// than the framing ones (Content-Length, Transfer-Encoding) and may reject the request.</item>
    /// <item>After an Upgrade request (RFC 9110 §7.8) or CONNECT (§9.3.6), the head and any declared body are
    /// forwarded and the loop returns <see cref="RelayOutcomeKind.Upgraded"/>; the bytes after them stay in
    /// <paramref name="source"/> for the caller's raw copy.</item>
    /// <item><paramref name="firstHead"/> is a head the caller already parsed (and consumed from the source).</item>
    /// </list>
    /// Cancelling <paramref name="ct"/> throws <see cref="OperationCanceledException"/>; every other ending is an outcome.
    /// </summary>
    public static async Task<RelayOutcome> RelayRequestsAsync(
        PipeReader source,
        Stream destination,
        Func<HttpRequestHead, RequestDecision> onRequest,
        HttpLimits limits,
        CancellationToken ct,
        HttpRequestHead? firstHead = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(onRequest);
        ArgumentNullException.ThrowIfNull(limits);

        using var deadline = new Deadline(ct);
        var headBytes = new ArrayBufferWriter<byte>(2048);
        var messages = 0;
        var first = true;
        while (true)
        {
            HttpRequestHead head;
            if (firstHead is not null)
            {
                head = firstHead;
                firstHead = null;
            }
            else
            {
                // The first head is due HeadTimeout after the connection arrived; a later one may wait
                // IdleTimeout for its first byte, then has HeadTimeout to complete.
                var read = await ReadHeadAsync(
                    source, request: true, limits, deadline,
                    first ? limits.HeadTimeout : limits.IdleTimeout,
                    first ? null : limits.HeadTimeout,
                    ct);
                if (read.Outcome is { } stop)
                {
                    return stop with { Messages = messages };
                }

                head = read.Request!;
            }

            first = false;
            if (!head.TryGetBodyFraming(out var framing, out var framingError))
            {
                return new RelayOutcome(RelayOutcomeKind.Malformed, 400, framingError!) { Messages = messages };
            }

            var decision = onRequest(head);
            if (decision.IsReject)
            {
                return new RelayOutcome(RelayOutcomeKind.Rejected, decision.StatusCode, decision.Message ?? "request rejected")
                {
                    Messages = messages,
                };
            }

            headBytes.ResetWrittenCount();
            head.WriteTo(headBytes);
            try
            {
                await destination.WriteAsync(headBytes.WrittenMemory, ct);
            }
            catch (Exception ex) when (IsStreamFailure(ex))
            {
                return DestinationFailed(messages, insideMessage: false);
            }

            messages++;
            var body = await ForwardBodyAsync(source, destination, framing, request: true, deadline, limits.IdleTimeout, ct);
            if (body is { } stopped)
            {
                return stopped with { Messages = messages };
            }

            if (head.IsUpgrade || head.IsConnect)
            {
                return new RelayOutcome(RelayOutcomeKind.Upgraded, 0, head.IsConnect ? "CONNECT" : "upgrade requested")
                {
                    Messages = messages,
                };
            }
        }
    }

    /// <summary>
    /// Relays responses from <paramref name="source"/> to <paramref name="destination"/>.
    /// <paramref name="nextRequestMethod"/> is asked, once per final response, for the method of the request
    /// it answers (the caller's FIFO filled by the request loop; null is treated as GET), because HEAD and
    /// CONNECT change the framing (RFC 9112 §6.3). Interim 1xx responses other than 101 are forwarded
    /// without asking and without calling <paramref name="onResponse"/>, which sees every final response
    /// (and 101) before it is forwarded. 101, and a 2xx to CONNECT, end the loop with
    /// <see cref="RelayOutcomeKind.Upgraded"/>. There is no head timeout (the server may think for long),
    /// but <see cref="HttpLimits.MaxHeadBytes"/> applies; every parse failure is <see cref="RelayOutcomeKind.Malformed"/> (502).
    /// </summary>
    public static async Task<RelayOutcome> RelayResponsesAsync(
        PipeReader source,
        Stream destination,
        Func<string?> nextRequestMethod,
        Action<HttpResponseHead> onResponse,
        HttpLimits limits,
        CancellationToken ct,
        Action? onResponseComplete = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(nextRequestMethod);
        ArgumentNullException.ThrowIfNull(onResponse);
        ArgumentNullException.ThrowIfNull(limits);

        var headBytes = new ArrayBufferWriter<byte>(1024);
        var messages = 0;
        while (true)
        {
            var read = await ReadHeadAsync(source, request: false, limits, deadline: null, Timeout.InfiniteTimeSpan, null, ct);
            if (read.Outcome is { } stop)
            {
                return stop with { Messages = messages };
            }

            var head = read.Response!;
            string? method = null;
            var framing = BodyFraming.None;
            if (!head.IsInterim)
            {
                method = nextRequestMethod() ?? "GET";
                if (!head.TryGetBodyFraming(method, out framing, out var error))
                {
                    return new RelayOutcome(RelayOutcomeKind.Malformed, 502, error!) { Messages = messages };
                }

                // RFC 9112 §6.3 rule 3: Transfer-Encoding overrides Content-Length, and an intermediary
                // forwarding such a message MUST first remove the Content-Length field.
                if (framing.Kind != BodyKind.None && head.Headers.Contains(HttpFraming.TransferEncodingName))
                {
                    head.Headers.Remove(HttpFraming.ContentLengthName);
                }

                onResponse(head);
            }

            headBytes.ResetWrittenCount();
            head.WriteTo(headBytes);
            try
            {
                await destination.WriteAsync(headBytes.WrittenMemory, ct);
            }
            catch (Exception ex) when (IsStreamFailure(ex))
            {
                return DestinationFailed(messages, insideMessage: false);
            }

            messages++;
            var body = await ForwardBodyAsync(source, destination, framing, request: false, deadline: null, Timeout.InfiniteTimeSpan, ct);
            if (body is { } stopped)
            {
                return stopped with { Messages = messages };
            }

            if (!head.IsInterim && head.StartsTunnel(method))
            {
                return new RelayOutcome(RelayOutcomeKind.Upgraded, 0, head.StatusCode == 101 ? "switching protocols" : "CONNECT established")
                {
                    Messages = messages,
                };
            }

            if (!head.IsInterim)
            {
                onResponseComplete?.Invoke();
            }
        }
    }

    /// <summary>
    /// Writes a small complete response: <c>HTTP/1.1 status reason</c>, <c>Content-Type: text/plain; charset=utf-8</c>,
    /// <c>Content-Length</c>, <c>Connection: close</c> and <paramref name="bodyText"/> as UTF-8.
    /// </summary>
    public static void WriteErrorResponse(Stream stream, int status, string reason, string bodyText)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(FormatErrorResponse(status, reason, bodyText));
        stream.Flush();
    }

    /// <inheritdoc cref="WriteErrorResponse"/>
    public static async Task WriteErrorResponseAsync(Stream stream, int status, string reason, string bodyText, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(FormatErrorResponse(status, reason, bodyText), ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>The bytes <see cref="WriteErrorResponse"/> writes. A reason that could not go on the wire is replaced by the standard one.</summary>
    public static byte[] FormatErrorResponse(int status, string reason, string bodyText)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 999);
        ArgumentNullException.ThrowIfNull(bodyText);
        if (string.IsNullOrEmpty(reason) || !HttpSyntax.IsValidFieldValue(reason))
        {
            reason = ReasonPhrase(status);
        }

        var body = Encoding.UTF8.GetBytes(bodyText);
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        var bytes = new byte[Encoding.Latin1.GetByteCount(head) + body.Length];
        var written = Encoding.Latin1.GetBytes(head, bytes);
        body.CopyTo(bytes, written);
        return bytes;
    }

    /// <summary>The standard reason phrase of the statuses a relay sends (RFC 9110 §15), or "Error".</summary>
    public static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };

    private static async ValueTask<HeadRead> ReadHeadAsync(
        PipeReader source,
        bool request,
        HttpLimits limits,
        Deadline? deadline,
        TimeSpan firstByteTimeout,
        TimeSpan? timeoutFromFirstByte,
        CancellationToken ct)
    {
        var token = deadline?.Arm(firstByteTimeout) ?? ct;
        var started = false;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await source.ReadAsync(token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new HeadRead(new RelayOutcome(RelayOutcomeKind.Timeout, 408, started ? "request head not received in time" : "no request received in time"));
            }
            catch (Exception ex) when (IsStreamFailure(ex))
            {
                return new HeadRead(started
                    ? new RelayOutcome(RelayOutcomeKind.Malformed, request ? 400 : 502, "connection failed in the middle of a head")
                    : new RelayOutcome(RelayOutcomeKind.SourceEnded, 0, "connection failed"));
            }

            var buffer = result.Buffer;
            if (!started && !buffer.IsEmpty)
            {
                started = true;
                if (deadline is not null && timeoutFromFirstByte is { } headTimeout)
                {
                    token = deadline.Arm(headTimeout);
                }
            }

            HttpParseStatus status;
            SequencePosition consumed;
            string? error;
            HttpRequestHead? requestHead = null;
            HttpResponseHead? responseHead = null;
            status = request
                ? HttpParser.TryParseRequestHead(buffer, limits, out requestHead, out consumed, out error)
                : HttpParser.TryParseResponseHead(buffer, limits, out responseHead, out consumed, out error);

            if (status == HttpParseStatus.Complete)
            {
                source.AdvanceTo(consumed);
                deadline?.Disarm();
                return new HeadRead(null, requestHead, responseHead);
            }

            var ended = result.IsCompleted || result.IsCanceled;
            var onlyLineBreaks = ended && IsOnlyLineBreaks(buffer);

            // Nothing consumed; everything examined, so the next read waits for new bytes.
            source.AdvanceTo(buffer.Start, buffer.End);
            if (status != HttpParseStatus.Incomplete)
            {
                return new HeadRead(ParseFailure(status, request, error));
            }

            if (ended)
            {
                return new HeadRead(onlyLineBreaks
                    ? new RelayOutcome(RelayOutcomeKind.SourceEnded, 0, "connection closed")
                    : new RelayOutcome(RelayOutcomeKind.Malformed, request ? 400 : 502, "connection closed in the middle of a head"));
            }
        }
    }

    /// <summary>
    /// Forwards one body (RFC 9112 §6.3) from the bytes the reader holds, a ReadResult at a time, flushing after
    /// each; the head written just before is flushed with the first body bytes, or alone before waiting for them
    /// (a client sending <c>Expect: 100-continue</c> waits for the response before sending its body).
    /// Returns null when the body ended and the next message may follow.
    /// </summary>
    private static async ValueTask<RelayOutcome?> ForwardBodyAsync(
        PipeReader source,
        Stream destination,
        BodyFraming framing,
        bool request,
        Deadline? deadline,
        TimeSpan inactivity,
        CancellationToken ct)
    {
        var errorStatus = request ? 400 : 502;
        var remaining = framing.Kind == BodyKind.ContentLength ? framing.ContentLength : 0;
        if (framing.Kind == BodyKind.None || (framing.Kind == BodyKind.ContentLength && remaining == 0))
        {
            try
            {
                await destination.FlushAsync(ct);
                return null;
            }
            catch (Exception ex) when (IsStreamFailure(ex))
            {
                return DestinationFailed(0, insideMessage: true);
            }
        }

        var scanner = new ChunkedBodyScanner();
        var headUnflushed = true;
        while (true)
        {
            if (!source.TryRead(out var result))
            {
                if (headUnflushed)
                {
                    headUnflushed = false;
                    try
                    {
                        await destination.FlushAsync(ct);
                    }
                    catch (Exception ex) when (IsStreamFailure(ex))
                    {
                        return DestinationFailed(0, insideMessage: true);
                    }
                }

                try
                {
                    result = await source.ReadAsync(deadline?.Arm(inactivity) ?? ct);
                    deadline?.Disarm();
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return new RelayOutcome(RelayOutcomeKind.Timeout, 408, "body not received in time") { InsideMessage = true };
                }
                catch (Exception ex) when (IsStreamFailure(ex))
                {
                    return Truncated(framing, errorStatus);
                }
            }

            var buffer = result.Buffer;
            ReadOnlySequence<byte> forward;
            var done = false;
            string? malformed = null;
            switch (framing.Kind)
            {
                case BodyKind.ContentLength:
                    forward = buffer.Length > remaining ? buffer.Slice(0, remaining) : buffer;
                    remaining -= forward.Length;
                    done = remaining == 0;
                    break;
                case BodyKind.Chunked:
                    var scan = scanner.Scan(buffer, out var used);
                    forward = buffer.Slice(0, used);
                    done = scan == ChunkedScanStatus.Complete;
                    malformed = scan == ChunkedScanStatus.Malformed ? scanner.Error : null;
                    break;
                default:
                    forward = buffer;
                    break;
            }

            var writeFailed = false;
            if (!forward.IsEmpty)
            {
                try
                {
                    foreach (var segment in forward)
                    {
                        await destination.WriteAsync(segment, ct);
                    }

                    await destination.FlushAsync(ct);
                    headUnflushed = false;
                }
                catch (Exception ex) when (IsStreamFailure(ex))
                {
                    writeFailed = true;
                }
            }

            // Consumed what was forwarded; when more is needed, that is the whole buffer (examined = end).
            var ended = result.IsCompleted || result.IsCanceled;
            source.AdvanceTo(forward.End);
            if (writeFailed)
            {
                return DestinationFailed(0, insideMessage: true);
            }

            if (malformed is not null)
            {
                return new RelayOutcome(RelayOutcomeKind.Malformed, errorStatus, "invalid chunked body: " + malformed) { InsideMessage = true };
            }

            if (done)
            {
                if (headUnflushed)
                {
                    try
                    {
                        await destination.FlushAsync(ct);
                    }
                    catch (Exception ex) when (IsStreamFailure(ex))
                    {
                        return DestinationFailed(0, insideMessage: true);
                    }
                }

                return null;
            }

            if (ended)
            {
                return Truncated(framing, errorStatus);
            }
        }
    }

    private static RelayOutcome Truncated(BodyFraming framing, int errorStatus) =>
        framing.Kind == BodyKind.UntilClose
            ? new RelayOutcome(RelayOutcomeKind.SourceEnded, 0, "body ended with the connection")
            : new RelayOutcome(RelayOutcomeKind.Malformed, errorStatus, "connection closed in the middle of a body") { InsideMessage = true };

    private static RelayOutcome DestinationFailed(int messages, bool insideMessage) =>
        new(RelayOutcomeKind.DestinationFailed, 502, "writing to the destination failed") { Messages = messages, InsideMessage = insideMessage };

    private static RelayOutcome ParseFailure(HttpParseStatus status, bool request, string? error)
    {
        if (!request)
        {
            // A bad response head is the upstream's fault: 502 (RFC 9110 §15.6.3).
            return new RelayOutcome(RelayOutcomeKind.Malformed, 502, error ?? "invalid response head");
        }

        return status switch
        {
            HttpParseStatus.HeadTooLarge => new RelayOutcome(RelayOutcomeKind.HeadTooLarge, 431, error ?? "request head too large"),
            HttpParseStatus.UriTooLong => new RelayOutcome(RelayOutcomeKind.UriTooLong, 414, error ?? "request line too long"),
            _ => new RelayOutcome(RelayOutcomeKind.Malformed, 400, error ?? "invalid request head"),
        };
    }

    private static bool IsOnlyLineBreaks(in ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            if (segment.Span.IndexOfAnyExcept("\r\n"u8) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsStreamFailure(Exception ex) => ex is IOException or ObjectDisposedException or SocketException;

    private readonly record struct HeadRead(RelayOutcome? Outcome, HttpRequestHead? Request = null, HttpResponseHead? Response = null);

    /// <summary>
    /// One timer per connection, re-armed for each wait (CancelAfter on a linked source, no allocation),
    /// and disarmed while the relay itself is busy writing so a slow destination is never taken for a slow
    /// source. A source that already fired is replaced.
    /// </summary>
    private sealed class Deadline(CancellationToken outer) : IDisposable
    {
        private CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);

        public CancellationToken Arm(TimeSpan timeout)
        {
            if (_cts.IsCancellationRequested)
            {
                _cts.Dispose();
                _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
            }

            _cts.CancelAfter(Clamp(timeout));
            return _cts.Token;
        }

        public void Disarm()
        {
            if (!_cts.IsCancellationRequested)
            {
                _cts.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }

        public void Dispose() => _cts.Dispose();

        private static TimeSpan Clamp(TimeSpan timeout) =>
            timeout < TimeSpan.Zero || timeout.TotalMilliseconds >= uint.MaxValue - 1 ? Timeout.InfiniteTimeSpan : timeout;
    }
}
