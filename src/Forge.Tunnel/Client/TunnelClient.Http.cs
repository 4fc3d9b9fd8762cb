using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Forge.Io;
using Forge.Tunnel.Http;
using Forge.Tunnel.Mux;

namespace Forge.Tunnel.Client;

internal sealed partial class TunnelClient
{
    /// <summary>
    /// The server already validated and timed the visitor's requests; toward the local app the
    /// client waits as long as the app takes (long polls, slow uploads), and allows larger heads.
    /// </summary>
    private static readonly HttpLimits s_localLimits = new()
    {
        MaxHeadBytes = 64 * 1024,
        MaxRequestLineBytes = 64 * 1024,
        MaxHeaderCount = 1000,
        HeadTimeout = Timeout.InfiniteTimeSpan,
        IdleTimeout = Timeout.InfiniteTimeSpan,
    };

    private readonly record struct PendingRequest(string Method, string Target, long Started, bool Upgrade);

    /// <summary>
    /// Relays one visitor connection: requests from the tunnel to the local app (rewriting Host when
    /// asked), responses back, one log line per exchange (method, path, status, duration).
    /// </summary>
    private async Task ServeHttpAsync(MuxStream stream, LoopStream localStream)
    {
        var local = localStream.Socket;
        var pending = new ConcurrentQueue<PendingRequest>();
        var requestReader = stream.Input;
        var responseReader = PipeReader.Create(localStream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024, leaveOpen: true));
        var localHost = _options.LocalPort == 80 ? _options.LocalHost : $"{_options.LocalHost}:{_options.LocalPort}";

        // Many HTTP servers (Kestrel among them) treat a half-close as the client going away and
        // abandon responses in progress, so the local connection is closed only once the visitor's
        // side has ended and every forwarded request has been answered in full.
        var gate = new Lock();
        var outstanding = 0;
        var requestsEnded = false;
        var declinedUpgrade = false;
        var upgradeAccepted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void CloseLocalIfIdle()
        {
            lock (gate)
            {
                if (!requestsEnded || outstanding > 0)
                {
                    return;
                }
            }

            try
            {
                local.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        // Both loops start here, on the event loop, not on the thread pool.
        async Task RelayRequestsAsync()
        {
            try
            {
                var outcome = await Http1Relay.RelayRequestsAsync(
                    requestReader,
                    localStream,
                    head =>
                    {
                        if (_options.HostHeader == HostHeaderMode.Rewrite)
                        {
                            head.Headers.Set("Host", localHost);
                        }

                        lock (gate)
                        {
                            outstanding++;
                        }

                        pending.Enqueue(new PendingRequest(head.Method, head.Target, Stopwatch.GetTimestamp(), head.IsUpgrade || head.IsConnect));
                        return RequestDecision.Continue;
                    },
                    s_localLimits,
                    CancellationToken.None);
                if (outcome.Kind == RelayOutcomeKind.Upgraded)
                {
                    // Bytes after an upgrade request are raw only if the app agrees (101, or 2xx
                    // to CONNECT); otherwise they would be requests that skipped the server's
                    // X-Forwarded-* and framing. Hold them until the app has answered.
                    if (!await upgradeAccepted.Task)
                    {
                        return;
                    }

                    // Raw bytes from here on (WebSocket): half-closes pass through as they are.
                    await requestReader.CopyToAsync(localStream);
                    try
                    {
                        local.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                    }

                    return;
                }
            }
            finally
            {
                await requestReader.CompleteAsync();
            }

            lock (gate)
            {
                requestsEnded = true;
            }

            CloseLocalIfIdle();
        }

        async Task RelayResponsesAsync()
        {
            try
            {
                var outcome = await Http1Relay.RelayResponsesAsync(
                    responseReader,
                    stream,
                    () => pending.TryPeek(out var p) ? p.Method : null,
                    head =>
                    {
                        if (!head.IsInterim && pending.TryDequeue(out var request))
                        {
                            var ms = Stopwatch.GetElapsedTime(request.Started).TotalMilliseconds;
                            _out.WriteLine($"{Now} {request.Method} {request.Target} {head.StatusCode} {ms:F0}ms");

                            // The request side switched to raw bytes when it forwarded an upgrade
                            // request. If the app declined it, later requests on this connection
                            // would travel raw (no X-Forwarded-*, no framing): end the connection
                            // after this answer instead.
                            if (request.Upgrade)
                            {
                                var accepted = head.StartsTunnel(request.Method);
                                if (!accepted)
                                {
                                    lock (gate)
                                    {
                                        declinedUpgrade = true;
                                    }
                                }

                                upgradeAccepted.TrySetResult(accepted);
                            }
                        }
                    },
                    s_localLimits,
                    CancellationToken.None,
                    onResponseComplete: () =>
                    {
                        bool endNow;
                        lock (gate)
                        {
                            outstanding--;
                            endNow = declinedUpgrade;
                        }

                        if (endNow)
                        {
                            try
                            {
                                local.Shutdown(SocketShutdown.Both);
                            }
                            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                            {
                            }

                            return;
                        }

                        CloseLocalIfIdle();
                    });
                if (outcome.Kind == RelayOutcomeKind.Upgraded)
                {
                    await responseReader.CopyToAsync(stream);
                }
            }
            finally
            {
                upgradeAccepted.TrySetResult(false); // the app never answered the upgrade
                await responseReader.CompleteAsync();
                stream.CompleteWrites();
            }
        }

        var requests = RelayRequestsAsync();
        var responses = RelayResponsesAsync();
        try
        {
            await Task.WhenAll(requests, responses);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            stream.Abort();
            await localStream.DisposeAsync(); // not local.Close(): the socket must leave its event loop first
        }
    }
}
