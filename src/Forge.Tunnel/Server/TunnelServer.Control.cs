using System.Net;
using System.Net.Sockets;
using Forge.Io;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Server;

internal sealed partial class TunnelServer
{
    private async Task HandleControlAsync(LoopStream connection)
    {
        var socket = connection.Socket;
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        var handshakeDeadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_options.HandshakeTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        TimeSpan Remaining() => TimeSpan.FromSeconds(Math.Max(0, (handshakeDeadline - System.Diagnostics.Stopwatch.GetTimestamp()) / (double)System.Diagnostics.Stopwatch.Frequency));
        Stream? stream = _controlCert is null
            ? connection
            : await AuthenticateTlsAsync(connection, _controlCert, "control");
        if (stream is null)
        {
            return;
        }

        await using var _ = stream;

        // §2: the preamble, read with an exact-length read and a deadline.
        var preamble = new byte[Preamble.Size];
        // §2: one deadline from accept covers TLS, the preamble and the hello.
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token))
        {
            timeout.CancelAfter(Remaining());
            try
            {
                await stream.ReadExactlyAsync(preamble, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or EndOfStreamException)
            {
                _logger.LogWarning("control connection from {Remote} closed: no protocol preamble ({Message})", remote, ex is OperationCanceledException ? "timed out" : ex.Message);
                return;
            }
        }

        var version = Preamble.TryRead(preamble);
        if (version is null)
        {
            _logger.LogWarning("control connection from {Remote} closed: not a forge tunnel client (bad preamble)", remote);
            return;
        }

        var ours = new byte[Preamble.Size];
        Preamble.Write(ours);
        await stream.WriteAsync(ours, _cts.Token);
        await stream.FlushAsync(_cts.Token);
        if (version != Preamble.ProtocolVersion)
        {
            _logger.LogWarning("control connection from {Remote} closed: unsupported protocol version {Version} (this server speaks {Ours})", remote, version, Preamble.ProtocolVersion);
            return;
        }

        var session = new MuxSession(stream, isServer: true, _muxOptions, _logger, connection.Loop);
        _sessions.Add(session);
        try
        {
            session.Start();
            var hello = await session.ReceiveControlAsync(Remaining());
            if (hello is null || hello.Type != ControlMessage.HelloType)
            {
                _logger.LogWarning("control connection from {Remote} closed: no hello within {Seconds} s", remote, _options.HandshakeTimeout.TotalSeconds);
                session.Abort("no hello");
                return;
            }

            var (entry, welcome, error) = Admit(hello, session, socket);
            if (entry is null)
            {
                _logger.LogWarning("client {Remote} refused: {Error}", remote, error!.Message);
                session.SendControl(error);
                await session.CloseAsync(error.Fatal == true ? GoAwayCode.Unauthorized : GoAwayCode.Normal, "refused");
                return;
            }

            session.SendControl(welcome!);
            _logger.LogInformation("client {Remote} holds {Kind} {Name}", remote, entry.Kind, entry.Kind == "tcp" ? welcome!.Address : welcome!.Urls![0]);
            var reason = await session.Completion;
            _logger.LogInformation("client {Remote} disconnected ({Reason}); {Kind} {Name} kept for {Grace} s", remote, reason, entry.Kind, entry.Name, _options.LeaseGrace.TotalSeconds);
            _registry.Disconnected(entry, session, OnEntryFreed);
            if (entry.Kind == "tcp" && entry.Session is null)
            {
                // Stop accepting visitors while the client is away; the port stays reserved.
                entry.Listener?.Dispose();
                entry.Listener = null;
            }
        }
        finally
        {
            _sessions.Remove(session);
            session.Abort("control connection ended");
        }
    }

    private void OnEntryFreed(TunnelEntry entry)
    {
        entry.Listener?.Dispose();
        entry.Listener = null;
        _logger.LogInformation("{Kind} {Name} released", entry.Kind, entry.Name);
    }

    private static ControlMessage Refuse(string message, bool fatal) =>
        new() { Type = ControlMessage.ErrorType, Message = message, Fatal = fatal };

    /// <summary>Checks a hello and claims what it asks for.</summary>
    private (TunnelEntry? Entry, ControlMessage? Welcome, ControlMessage? Error) Admit(ControlMessage hello, MuxSession session, Socket socket)
    {
        var owner = "";
        if (_tokens is not null)
        {
            var name = _tokens.Authenticate(hello.Token);
            if (name is null)
            {
                return (null, null, Refuse(string.IsNullOrEmpty(hello.Token) ? "authentication failed: a token is required (forge tunnel auth TOKEN)" : "authentication failed: invalid token", fatal: true));
            }

            owner = name;
        }

        return hello.Kind switch
        {
            "http" => AdmitHttp(hello, owner, session),
            "tcp" => AdmitTcp(hello, owner, session),
            _ => (null, null, Refuse($"unknown tunnel kind '{hello.Kind}'", fatal: true)),
        };
    }

    private (TunnelEntry?, ControlMessage?, ControlMessage?) AdmitHttp(ControlMessage hello, string owner, MuxSession session)
    {
        var leaseName = _leases.NameOf(hello.Lease, "http");
        var name = hello.Subdomain?.ToLowerInvariant() ?? leaseName;
        if (name is not null && !IsValidSubdomain(name))
        {
            return (null, null, Refuse($"invalid subdomain '{hello.Subdomain}': use 1-63 letters, digits and '-'", fatal: true));
        }

        if (name is not null && _options.Reserved.Contains(name))
        {
            return (null, null, Refuse($"subdomain '{name}' is reserved", fatal: true));
        }

        if (name is null)
        {
            do
            {
                name = RandomName();
            }
            while (_registry.IsTaken("http", name) || _options.Reserved.Contains(name));
        }

        var entry = _registry.TryClaim("http", name, owner, leaseName == name, session, out var error, out var previous);
        if (entry is null)
        {
            return (null, null, Refuse(error!, fatal: true));
        }

        previous?.Abort("replaced by a reconnecting client");
        var urls = new List<string>();
        if (HttpEndPoint is not null)
        {
            urls.Add($"http://{name}.{Domain}{(HttpEndPoint.Port == 80 ? "" : ":" + HttpEndPoint.Port)}");
        }

        if (HttpsEndPoint is not null)
        {
            urls.Insert(0, $"https://{name}.{Domain}{(HttpsEndPoint.Port == 443 ? "" : ":" + HttpsEndPoint.Port)}");
        }

        var welcome = new ControlMessage
        {
            Type = ControlMessage.WelcomeType,
            Subdomain = name,
            Urls = [.. urls],
            Lease = _leases.Sign("http", name, owner),
            LeaseSeconds = (int)_options.LeaseGrace.TotalSeconds,
        };
        return (entry, welcome, null);
    }

    private (TunnelEntry?, ControlMessage?, ControlMessage?) AdmitTcp(ControlMessage hello, string owner, MuxSession session)
    {
        if (_options.TcpPorts is not { } range)
        {
            return (null, null, Refuse("this server offers no TCP tunnels (it was started without --tcp-ports)", fatal: true));
        }

        var leasePort = _leases.NameOf(hello.Lease, "tcp");
        int? wanted = hello.Port ?? (int.TryParse(leasePort, out var p) ? p : null);
        if (wanted is { } w && (w < range.Low || w > range.High))
        {
            return (null, null, Refuse($"port {w} is outside this server's TCP range {range.Low}-{range.High}", fatal: true));
        }

        var candidates = wanted is { } one ? [one] : Shuffled(range.Low, range.High);
        foreach (var port in candidates)
        {
            var name = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (wanted is null && _registry.IsTaken("tcp", name))
            {
                continue;
            }

            var entry = _registry.TryClaim("tcp", name, owner, leasePort == name, session, out var error, out var previous);
            if (entry is null)
            {
                if (wanted is not null)
                {
                    return (null, null, Refuse(error!, fatal: true));
                }

                continue;
            }

            previous?.Abort("replaced by a reconnecting client");
            if (entry.Listener is null)
            {
                try
                {
                    entry.Listener = ListenTcpTunnel(entry, port);
                }
                catch (SocketException ex)
                {
                    _registry.Disconnected(entry, session, OnEntryFreed);
                    if (wanted is not null)
                    {
                        return (null, null, Refuse($"port {port} cannot be bound: {ex.Message}", fatal: false));
                    }

                    continue;
                }
            }

            var host = _options.TcpBind.Equals(IPAddress.Any) || _options.TcpBind.Equals(IPAddress.IPv6Any) ? Domain : _options.TcpBind.ToString();
            var welcome = new ControlMessage
            {
                Type = ControlMessage.WelcomeType,
                Port = port,
                Address = $"{host}:{port}",
                Urls = [$"tcp://{host}:{port}"],
                Lease = _leases.Sign("tcp", name, owner),
                LeaseSeconds = (int)_options.LeaseGrace.TotalSeconds,
            };
            return (entry, welcome, null);
        }

        return (null, null, Refuse("no free TCP port left on this server", fatal: false));
    }

    private static int[] Shuffled(int low, int high)
    {
        var ports = Enumerable.Range(low, high - low + 1).ToArray();
        Random.Shared.Shuffle(ports);
        return ports;
    }
}
