using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Forge.Io;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Client;

/// <summary>
/// `forge tunnel http|tcp PORT`: holds one control connection to the server, serves every stream
/// the server opens by connecting to the local port, and reconnects with exponential backoff and
/// jitter (reclaiming its subdomain or port with the server-signed lease) when the connection drops.
/// </summary>
internal sealed partial class TunnelClient : IDisposable
{
    private readonly TunnelClientOptions _options;
    private readonly ILogger _logger;
    private readonly LineOutput _out;
    private readonly MuxOptions _muxOptions = new();
    private readonly EventLoop _loop;
    private string? _lease;
    private string? _subdomain;
    private int? _port;

    public TunnelClient(TunnelClientOptions options, ILogger logger, LineOutput output)
    {
        _options = options;
        _logger = logger;
        _out = output;
        _subdomain = options.Subdomain;
        _port = options.RemotePort;
        _loop = new EventLoop(0, logger, "tunnel-loop");
    }

    /// <summary>Runs until cancelled (exit 0), refused for good (1), or disconnected with --exit-on-disconnect (1).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            MuxSession? session = null;
            try
            {
                session = await ConnectAsync(cancellationToken);
                var welcome = await HandshakeAsync(session, cancellationToken);
                if (welcome.Type == ControlMessage.ErrorType)
                {
                    _out.WriteLine($"error: the server refused the tunnel: {welcome.Message}");
                    if (welcome.Fatal == true || !everConnected)
                    {
                        return 1;
                    }

                    throw new IOException(welcome.Message);
                }

                attempt = 0;
                AnnounceWelcome(welcome, everConnected);
                everConnected = true;
                var reason = await ServeAsync(session, cancellationToken);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                _out.WriteLine($"disconnected: {reason}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or TimeoutException or OperationCanceledException)
            {
                if (ex is AuthenticationException)
                {
                    _out.WriteLine($"error: TLS with {_options.Server} failed: {ex.Message}{(_options.Insecure ? "" : " (use --ca FILE to trust a private CA, or --insecure for testing)")}");
                    if (!everConnected)
                    {
                        return 1;
                    }
                }
                else
                {
                    _out.WriteLine($"cannot reach {_options.Server}: {ex.Message}");
                }
            }
            finally
            {
                if (session is not null)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        await session.CloseAsync(GoAwayCode.Normal, "client stopped");
                    }

                    await session.DisposeAsync();
                }
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (_options.ExitOnDisconnect)
            {
                return 1;
            }

            var delay = Backoff(attempt++);
            _out.WriteLine($"reconnecting in {delay.TotalSeconds:F1} s");
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return 0;
    }

    /// <summary>Stops the event loop; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _loop.Dispose();

    /// <summary>Exponential backoff with "equal jitter": half the capped delay plus a random half.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var capped = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    private void AnnounceWelcome(ControlMessage welcome, bool reconnected)
    {
        _lease = welcome.Lease;
        _subdomain = welcome.Subdomain ?? _subdomain;
        _port = welcome.Port ?? _port;
        var target = _options.Kind == "tcp" ? $"{_options.LocalHost}:{_options.LocalPort}" : $"http://{_options.LocalHost}:{_options.LocalPort}";
        if (reconnected)
        {
            _out.WriteLine("reconnected");
        }

        foreach (var url in welcome.Urls ?? [])
        {
            _out.WriteLine($"Forwarding {url} -> {target}");
        }
    }

    private async Task<MuxSession> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        LoopStream? connection = null;
        try
        {
            connection = await LoopStream.ConnectAsync(_loop, _options.Server.Host, _options.Server.Port, timeout.Token);
            Stream stream = connection;
            if (_options.Server.Tls)
            {
                var coalescing = new CoalescingStream(stream);
                var ssl = new SslStream(coalescing, leaveInnerStreamOpen: false);
                // Off the event loop, which serves the local connections meanwhile.
                await connection.OffLoopAsync(() => ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = _options.Server.Host,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        CipherSuitesPolicy = ControlTls.CipherSuites,
                        RemoteCertificateValidationCallback = ValidateServerCertificate,
                    },
                    timeout.Token));
                coalescing.Coalesce = true; // the session's writer flushes after every batch
                stream = ssl;
            }

            var preamble = new byte[Preamble.Size];
            Preamble.Write(preamble);
            await stream.WriteAsync(preamble, timeout.Token);
            await stream.FlushAsync(timeout.Token);
            await stream.ReadExactlyAsync(preamble, timeout.Token);
            var version = Preamble.TryRead(preamble) ?? throw new IOException($"{_options.Server} is not a forge tunnel server");
            if (version != Preamble.ProtocolVersion)
            {
                throw new IOException($"the server speaks tunnel protocol version {version}, this client speaks {Preamble.ProtocolVersion}");
            }

            return new MuxSession(stream, isServer: false, _muxOptions, _logger, _loop);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            connection?.Dispose();
            throw new TimeoutException("timed out connecting");
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_options.Insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (_options.CaFile is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        // Trust the given CA bundle: rebuild the chain with it as the only custom root.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(_options.CaFile);
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    private async Task<ControlMessage> HandshakeAsync(MuxSession session, CancellationToken cancellationToken)
    {
        session.Start();
        session.SendControl(new ControlMessage
        {
            Type = ControlMessage.HelloType,
            Kind = _options.Kind,
            Token = _options.Token,
            Subdomain = _options.Kind == "http" ? _subdomain : null,
            Port = _options.Kind == "tcp" ? _port : null,
            Lease = _lease,
            Client = "forge/" + typeof(TunnelClient).Assembly.GetName().Version?.ToString(3),
        });
        var reply = await session.ReceiveControlAsync(TimeSpan.FromSeconds(15)).WaitAsync(cancellationToken);
        if (reply is null)
        {
            var reason = session.Completion.IsCompleted ? await session.Completion : "no answer to hello within 15 s";
            throw new IOException(reason);
        }

        return reply;
    }

    private async Task<string> ServeAsync(MuxSession session, CancellationToken cancellationToken)
    {
        var handlers = new List<Task>();
        try
        {
            await foreach (var stream in session.AcceptedStreams.ReadAllAsync(cancellationToken))
            {
                var task = HandleStreamAsync(stream);
                handlers.Add(task);
                if (handlers.Count > 256)
                {
                    handlers.RemoveAll(t => t.IsCompleted);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "stopped";
        }

        return session.Completion.IsCompleted ? await session.Completion : "session ended";
    }

    private async Task HandleStreamAsync(MuxStream stream)
    {
        var metadata = stream.Metadata!.Value;
        LoopStream local;
        try
        {
            local = await LoopStream.ConnectAsync(_loop, _options.LocalHost, _options.LocalPort, CancellationToken.None);
            await _loop.SwitchTo(); // the relay runs on the event loop (a name lookup ends on the thread pool)
        }
        catch (SocketException ex)
        {
            await LocalUnreachableAsync(stream, metadata, ex.Message);
            return;
        }

        try
        {
            if (metadata.Kind == StreamKind.Tcp)
            {
                await ServeTcpAsync(stream, metadata, local);
            }
            else
            {
                await ServeHttpAsync(stream, local);
            }
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "stream {Id} failed", stream.Id);
            stream.Abort();
        }
        finally
        {
            local.Dispose();
            await stream.DisposeAsync();
        }
    }

    private async Task LocalUnreachableAsync(MuxStream stream, OpenMetadata metadata, string error)
    {
        var what = $"{_options.LocalHost}:{_options.LocalPort}";
        if (metadata.Kind == StreamKind.Tcp)
        {
            _out.WriteLine($"{Now} TCP {metadata.Source} -> local {what} unreachable: {error}");
            stream.Abort(GoAwayCode.StreamRefused, "local port unreachable");
        }
        else
        {
            _out.WriteLine($"{Now} local app at {what} unreachable: {error} (answered 502)");
            var body = $"forge tunnel: the tunnel's local app at {what} did not answer: {error}\n";
            var response = $"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
            try
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(response));
                stream.CompleteWrites();
                // Drain what the visitor sent so the server can finish the exchange.
                await stream.CopyToAsync(Stream.Null);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
            }
        }

        await stream.DisposeAsync();
    }

    private async Task ServeTcpAsync(MuxStream stream, OpenMetadata metadata, LoopStream localStream)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _out.WriteLine($"{Now} TCP {metadata.Source} connected");
        if (_options.ProxyProtocol)
        {
            await localStream.WriteAsync(ProxyProtocol.BuildV2(metadata.Source, metadata.Destination));
        }

        await StreamPump.RunAsync(localStream.Socket, localStream, stream, (received, sent) =>
            _out.WriteLine($"{Now} TCP {metadata.Source} closed after {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s ({received} B in, {sent} B out)"));
    }

    private static string Now => DateTime.Now.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
