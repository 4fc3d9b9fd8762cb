using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Forge.Io;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Server;

/// <summary>
/// `forge tunnel server`: the control listener where clients connect and hold subdomains or TCP
/// ports, the public HTTP/HTTPS listeners that route visitors by Host header, and one listener per
/// TCP tunnel. Public connections travel to their client as streams of its one session.
/// </summary>
internal sealed partial class TunnelServer : IAsyncDisposable
{
    private readonly TunnelServerOptions _options;
    private readonly ILogger _logger;
    private readonly TunnelRegistry _registry;
    private readonly LeaseSigner _leases = new();
    private readonly TokenStore? _tokens;
    private readonly CertificateStore _publicCerts;
    private readonly SslStreamCertificateContext? _controlCert;
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Socket> _listeners = [];
    private readonly MuxOptions _muxOptions = new();
    private readonly ConcurrentSet<MuxSession> _sessions = new();
    private readonly EventLoop.Group _loops;

    public TunnelServer(TunnelServerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _registry = new TunnelRegistry(options.LeaseGrace);
        _loops = new EventLoop.Group(options.IoThreads, logger, "tunnel-loop");
        if (options.TokensPath is not null)
        {
            _tokens = TokenStore.Load(options.TokensPath);
        }

        _publicCerts = CertificateStore.Load(options.CertPaths, options.KeyPaths);
        _controlCert = options.ControlCertPath is not null
            ? LoadCertificate(options.ControlCertPath, options.ControlKeyPath ?? options.ControlCertPath)
            : _publicCerts.IsEmpty ? null : _publicCerts.Select(null);
    }

    public IPEndPoint? HttpEndPoint { get; private set; }

    public IPEndPoint? HttpsEndPoint { get; private set; }

    public IPEndPoint? ControlEndPoint { get; private set; }

    private string Domain => _options.Domain;

    public static SslStreamCertificateContext LoadCertificate(string certPath, string keyPath)
    {
        using var leaf = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certPath);
        var intermediates = new X509Certificate2Collection();
        foreach (var cert in chain)
        {
            if (cert.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(cert);
            }
        }

        // Re-import through PKCS#12 so the private key is usable by the TLS stack on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(usable, intermediates, offline: true);
    }

    public void Start()
    {
        if (_controlCert is null)
        {
            _logger.LogWarning("no certificate: the control listener runs in plaintext development mode (pass --cert/--key or --control-cert/--control-key)");
        }

        if (_tokens is null)
        {
            _logger.LogWarning("no --tokens file: every client is accepted (development mode)");
        }
        else
        {
            _logger.LogInformation("{Count} tokens loaded", _tokens.Count);
        }

        ControlEndPoint = Listen(_options.Control, "control", socket => HandleControlAsync(socket));
        if (_options.Http is not null)
        {
            HttpEndPoint = Listen(_options.Http, "http", socket => HandlePublicAsync(socket, tls: false));
        }

        if (_options.Https is not null)
        {
            if (_publicCerts.IsEmpty)
            {
                throw new InvalidOperationException("--https needs --cert and --key");
            }

            HttpsEndPoint = Listen(_options.Https, "https", socket => HandlePublicAsync(socket, tls: true));
        }

        _logger.LogInformation("serving tunnels on *.{Domain}", Domain);
    }

    private IPEndPoint Listen(IPEndPoint endPoint, string name, Func<LoopStream, Task> handler)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // No ReuseAddress: on Linux .NET adds SO_REUSEPORT, letting two processes share the port.
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = true;
        }

        try
        {
            socket.Bind(endPoint);
            socket.Listen(1024);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            var hint = ex.SocketErrorCode switch
            {
                SocketError.AccessDenied => $" (ports below 1024 need root or CAP_NET_BIND_SERVICE; choose another with --{name} ADDR:PORT)",
                SocketError.AddressAlreadyInUse => $" (another program listens there; choose another with --{name} ADDR:PORT)",
                _ => "",
            };
            throw new IOException($"cannot listen for {name} on {endPoint}: {ex.Message}{hint}", ex);
        }

        _listeners.Add(socket);
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        _logger.LogInformation("{Name} listener on {EndPoint}", name, bound);
        _ = AcceptLoopAsync(socket, name, handler);
        return bound;
    }

    /// <summary>
    /// Accepts connections and hands each to an event loop (docs/tunnel.md, "Threading"): its
    /// socket is registered there and <paramref name="handler"/> starts on the loop's thread.
    /// </summary>
    private async Task AcceptLoopAsync(Socket listener, string name, Func<LoopStream, Task> handler)
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors (EMFILE) and the like: back off instead of spinning,
                // and let timeouts free connections meanwhile.
                _logger.LogWarning("{Name} accept failed: {Message}", name, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _cts.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            LoopStream connection;
            try
            {
                client.NoDelay = true;
                connection = LoopStream.Register(_loops.Next(), client);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                _logger.LogDebug("{Name} connection dropped: {Message}", name, ex.Message);
                client.Dispose();
                continue;
            }

            connection.Loop.Post(() => _ = ServeConnectionAsync(connection, name, handler));
        }
    }

    private async Task ServeConnectionAsync(LoopStream connection, string name, Func<LoopStream, Task> handler)
    {
        try
        {
            await handler(connection);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "{Name} connection failed", name);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// TLS server handshake with a deadline. The public HTTPS side picks its certificate by the SNI
    /// name the visitor sent; the control listener uses its one certificate.
    /// </summary>
    private async Task<Stream?> AuthenticateTlsAsync(LoopStream connection, SslStreamCertificateContext? certificate, string what)
    {
        // The control connection's writer flushes after each batch: coalesce its TLS records
        // into one send. Public connections are written by CopyToAsync, which never flushes.
        var inner = new CoalescingStream(connection);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            // The handshake's public-key work runs on the thread pool, not on the event loop
            // that serves every other connection (a burst of handshakes would stall them).
            await connection.OffLoopAsync(() => ssl.AuthenticateAsServerAsync(
                (_, hello, _, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificate ?? _publicCerts.Select(hello.ServerName),
                    ApplicationProtocols = what == "https" ? [SslApplicationProtocol.Http11] : null,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CipherSuitesPolicy = what == "control" ? ControlTls.CipherSuites : null,
                }),
                null,
                timeout.Token));
            inner.Coalesce = what == "control";
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            _logger.LogDebug("{What} TLS handshake from {Remote} failed: {Message}", what, connection.Socket.RemoteEndPoint, ex.Message);
            await ssl.DisposeAsync();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        foreach (var session in _sessions.Items)
        {
            await session.CloseAsync(GoAwayCode.Normal, "server shutting down");
        }

        _loops.Dispose();
        _cts.Dispose();
    }

    internal static string RandomName()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> chars = stackalloc char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(i == 0 ? 26 : Alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>A DNS label: 1–63 of [a-z0-9-], not starting or ending with '-'.</summary>
    internal static bool IsValidSubdomain(string name) =>
        name.Length is >= 1 and <= 63
        && name[0] != '-' && name[^1] != '-'
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}

/// <summary>A small thread-safe set.</summary>
internal sealed class ConcurrentSet<T>
    where T : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<T, byte> _items = new();

    public void Add(T item) => _items[item] = 0;

    public void Remove(T item) => _items.TryRemove(item, out _);

    public ICollection<T> Items => _items.Keys;
}
