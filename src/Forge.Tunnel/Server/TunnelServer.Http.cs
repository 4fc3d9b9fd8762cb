using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Forge.Io;
using Forge.Tunnel.Http;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Server;

internal sealed partial class TunnelServer
{
    /// <summary>
    /// One visitor connection on the public HTTP or HTTPS listener: read the first request head
    /// (with the slowloris deadline), route it by Host, then relay requests (adding X-Forwarded-*)
    /// into one tunnel stream and the responses back, until either side closes.
    /// </summary>
    private async Task HandlePublicAsync(LoopStream connection, bool tls)
    {
        var socket = connection.Socket;
        var remote = socket.RemoteEndPoint as IPEndPoint;
        Stream? stream = tls ? await AuthenticateTlsAsync(connection, null, "https") : connection;
        if (stream is null)
        {
            return;
        }

        await using var _ = stream;
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        try
        {
            var (status, head) = await ReadHeadAsync(reader, _options.Limits.HeadTimeout);
            if (head is null)
            {
                if (status is { } code)
                {
                    await WriteErrorAsync(stream, code, $"The request could not be read: {StatusText(code)}.");
                    await LingerAsync(connection);
                }

                return;
            }

            var host = NormalizeHost(head.Host);
            var name = SubdomainOf(host);
            var entry = name is null ? null : _registry.Find("http", name);
            if (entry is null)
            {
                await WriteErrorAsync(stream, 404, $"Tunnel {host} not found.");
                await LingerAsync(connection);
                return;
            }

            var session = entry.Session;
            if (session is null)
            {
                await WriteErrorAsync(stream, 502, $"Tunnel {host} is offline: its client is not connected.");
                await LingerAsync(connection);
                return;
            }

            var tunnel = session.OpenStream(OpenMetadata.Create(tls ? StreamKind.Https : StreamKind.Http, remote, socket.LocalEndPoint as IPEndPoint));
            if (tunnel is null)
            {
                await WriteErrorAsync(stream, 503, $"Tunnel {host} is busy or reconnecting.");
                await LingerAsync(connection);
                return;
            }

            await RelayAsync(stream, connection, reader, head, host!, tunnel, remote, tls);
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task RelayAsync(Stream stream, LoopStream connection, PipeReader reader, HttpRequestHead first, string host, MuxStream tunnel, IPEndPoint? remote, bool tls)
    {
        var socket = connection.Socket;
        var visitor = remote?.Address.IsIPv4MappedToIPv6 == true ? remote.Address.MapToIPv4().ToString() : remote?.Address.ToString() ?? "unknown";
        var proto = tls ? "https" : "http";

        // Responses: raw bytes from the tunnel to the visitor. When the client's side ends, the
        // visitor's connection is closed (HTTP: the server closing ends the exchange), unless an
        // error response is still to be written after the last answer. On an upgraded (raw)
        // connection the end of the app's side is only a half-close, passed on as such.
        var holdOpen = false;
        var upgraded = false;
        // Started here, not on the thread pool: it runs on this connection's event loop.
        async Task ForwardResponsesAsync()
        {
            try
            {
                await ForwardAsync(tunnel.Input, stream);
            }
            finally
            {
                if (Volatile.Read(ref upgraded))
                {
                    ShutdownSend(socket);
                }
                else if (!Volatile.Read(ref holdOpen))
                {
                    CloseVisitor(socket);
                }
            }
        }

        var responses = ForwardResponsesAsync();

        RelayOutcome outcome;
        try
        {
            outcome = await Http1Relay.RelayRequestsAsync(
                reader,
                tunnel,
                head =>
                {
                    if (!string.Equals(NormalizeHost(head.Host), host, StringComparison.OrdinalIgnoreCase))
                    {
                        return RequestDecision.Reject(421, "this connection is bound to another host");
                    }

                    AddForwardedHeaders(head, visitor, proto);
                    return RequestDecision.Continue;
                },
                _options.Limits,
                _cts.Token,
                first);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            tunnel.Abort();
            await IgnoreErrors(responses);
            return;
        }

        switch (outcome.Kind)
        {
            case RelayOutcomeKind.Upgraded:
                // WebSocket and other upgrades: raw bytes from here on, both ways. (If the app
                // declines the upgrade, the client ends the stream after its answer.)
                Volatile.Write(ref upgraded, true);
                try
                {
                    await reader.CopyToAsync(tunnel);
                    tunnel.CompleteWrites();
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    tunnel.Abort();
                }

                break;
            case RelayOutcomeKind.SourceEnded:
                tunnel.CompleteWrites();
                break;
            case RelayOutcomeKind.DestinationFailed:
                tunnel.Abort();
                break;
            case RelayOutcomeKind.Timeout when !outcome.InsideMessage:
                // The visitor sent nothing more for the idle timeout. That is normal while a long
                // response (a download, a long poll, server-sent events) is still flowing, so end
                // only the request side: the client closes once everything asked is answered.
                tunnel.CompleteWrites();
                break;
            default:
                // A later request on this connection was malformed, too large, timed out or
                // rejected: let the app finish what it was answering, then say why and close.
                Volatile.Write(ref holdOpen, true);
                tunnel.CompleteWrites();
                await Task.WhenAny(responses, Task.Delay(TimeSpan.FromSeconds(5)));
                var answered = responses.IsCompletedSuccessfully;
                if (!responses.IsCompleted)
                {
                    tunnel.Abort();
                }

                // Only after complete answers: an error after a cut-off response would be read as
                // part of it.
                if (answered && outcome.StatusCode is > 0 and var status && outcome.Kind != RelayOutcomeKind.Timeout && !outcome.InsideMessage)
                {
                    await IgnoreErrors(WriteErrorAsync(stream, status, outcome.Reason ?? StatusText(status)));
                    await LingerAsync(connection);
                }

                CloseVisitor(socket);
                break;
        }

        await IgnoreErrors(responses);
        await tunnel.DisposeAsync();
    }

    /// <summary>
    /// Writes what the tunnel stream received to the visitor, straight from the stream's buffer
    /// (no intermediate copy), until the stream's FIN.
    /// </summary>
    private static async Task ForwardAsync(PipeReader source, Stream destination)
    {
        while (true)
        {
            var result = await source.ReadAsync();
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                await destination.WriteAsync(segment);
            }

            source.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await destination.FlushAsync();
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// After an error response: send FIN, then read and drop what the visitor still sends, for a
    /// bounded time and amount. Closing with unread input makes the kernel send RST, and a client
    /// that gets RST may discard the response it was about to read.
    /// </summary>
    private static async Task LingerAsync(LoopStream connection)
    {
        ShutdownSend(connection.Socket);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var drained = 0;
            while (drained < 256 * 1024)
            {
                var n = await connection.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    break;
                }

                drained += n;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CloseVisitor(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void AddForwardedHeaders(HttpRequestHead head, string visitor, string proto)
    {
        var existing = head.Headers.Get("X-Forwarded-For");
        head.Headers.Set("X-Forwarded-For", string.IsNullOrWhiteSpace(existing) ? visitor : existing + ", " + visitor);
        head.Headers.Set("X-Forwarded-Proto", proto);
        head.Headers.Set("X-Forwarded-Host", head.Host ?? "");
    }

    private static async Task IgnoreErrors(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Reads one request head with a deadline. Returns the head, or the status to answer with (null: just close).</summary>
    private async Task<(int? Status, HttpRequestHead? Head)> ReadHeadAsync(PipeReader reader, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cts.Token);
                var buffer = result.Buffer;
                var status = HttpParser.TryParseRequestHead(buffer, _options.Limits, out var head, out var consumed);
                switch (status)
                {
                    case HttpParseStatus.Complete:
                        reader.AdvanceTo(consumed);
                        return (null, head);
                    case HttpParseStatus.Incomplete:
                        if (result.IsCompleted)
                        {
                            reader.AdvanceTo(buffer.End);
                            return (buffer.IsEmpty ? null : 400, null);
                        }

                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    case HttpParseStatus.HeadTooLarge:
                        return (431, null);
                    case HttpParseStatus.UriTooLong:
                        return (414, null);
                    default:
                        return (400, null);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (408, null);
        }
    }

    private static string? NormalizeHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        host = host.Trim().ToLowerInvariant();
        if (host.StartsWith('['))
        {
            return host; // an IPv6 literal: never a tunnel
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        return host.TrimEnd('.');
    }

    private string? SubdomainOf(string? host)
    {
        if (host is null || !host.EndsWith("." + Domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var label = host[..^(Domain.Length + 1)];
        return IsValidSubdomain(label) ? label : null;
    }

    internal static string StatusText(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };

    private static async Task WriteErrorAsync(Stream stream, int status, string message)
    {
        var body = Encoding.UTF8.GetBytes(
            $"<!doctype html>\n<html><head><title>{status} {StatusText(status)}</title></head>" +
            $"<body><h1>{status} {StatusText(status)}</h1><p>{WebUtility.HtmlEncode(message)}</p><hr><p>forge tunnel</p></body></html>\n");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {StatusText(status)}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        try
        {
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
            await stream.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
