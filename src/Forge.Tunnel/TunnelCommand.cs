using System.CommandLine;
using System.Globalization;
using System.Net;
using Forge.Tunnel.Client;
using Forge.Tunnel.Server;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel;

/// <summary>`forge tunnel`: the command tree this library gives the host.</summary>
public static class TunnelCommand
{
    private const int ExitUsage = 2;

    public static Command Create(Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var tunnel = new Command("tunnel", "Expose a local port on a public URL through a tunnel server (like ngrok or jprq)");
        tunnel.Subcommands.Add(CreateServer(loggerFactory));
        tunnel.Subcommands.Add(CreateClient("http", "Expose a local HTTP port on a public subdomain", loggerFactory));
        tunnel.Subcommands.Add(CreateClient("tcp", "Expose a local TCP port on a public port of the server", loggerFactory));
        tunnel.Subcommands.Add(CreateAuth());
        return tunnel;
    }

    private static Command CreateServer(Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        var domain = new Option<string>("--domain")
        {
            Description = "Public domain; tunnels are <name>.DOMAIN (needs a wildcard DNS record). The default, localhost, needs none: *.localhost is loopback",
            DefaultValueFactory = _ => "localhost",
        };
        var http = new Option<string?>("--http") { Description = "Public HTTP listener (ADDR:PORT, or 'off')", DefaultValueFactory = _ => "0.0.0.0:80" };
        var https = new Option<string?>("--https") { Description = "Public HTTPS listener (ADDR:PORT); needs --cert and --key" };
        var cert = new Option<string[]>("--cert") { Description = "PEM certificate chain (e.g. fullchain.pem, a wildcard certificate for *.DOMAIN); repeat for more names, chosen by SNI", Arity = ArgumentArity.ZeroOrMore };
        var key = new Option<string[]>("--key") { Description = "PEM private key for each --cert, in the same order", Arity = ArgumentArity.ZeroOrMore };
        var control = new Option<string>("--control") { Description = "Control listener clients connect to (ADDR:PORT)", DefaultValueFactory = _ => "0.0.0.0:4321" };
        var controlCert = new Option<string?>("--control-cert") { Description = "PEM certificate for the control listener (default: --cert)" };
        var controlKey = new Option<string?>("--control-key") { Description = "PEM private key for --control-cert" };
        var tcpPorts = new Option<string?>("--tcp-ports") { Description = "Port range handed to TCP tunnels, e.g. 20000-20999" };
        var tcpBind = new Option<string>("--tcp-bind") { Description = "Address TCP tunnel listeners bind", DefaultValueFactory = _ => "0.0.0.0" };
        var tokens = new Option<string?>("--tokens") { Description = "File of accepted tokens, one per line with an optional name; without it every client is accepted" };
        var reserved = new Option<string[]>("--reserved") { Description = "Subdomains never handed out (comma-separated or repeated)", DefaultValueFactory = _ => ["www"], AllowMultipleArgumentsPerToken = true };
        var grace = new Option<double>("--lease-grace") { Description = "Seconds a dropped client's subdomain or port stays reserved for it", DefaultValueFactory = _ => 30 };
        var headTimeout = new Option<double>("--header-timeout") { Description = "Seconds a visitor has to send a complete request head", DefaultValueFactory = _ => 10 };
        var idleTimeout = new Option<double>("--idle-timeout") { Description = "Seconds a visitor may send nothing (between requests, or inside a request body)", DefaultValueFactory = _ => 60 };
        var ioThreads = new Option<int>("--io-threads") { Description = "Event-loop threads serving connections (1-64), handed out round-robin", DefaultValueFactory = _ => 1 };
        ioThreads.Validators.Add(r =>
        {
            if (r.GetValue(ioThreads) is < 1 or > 64)
            {
                r.AddError("--io-threads must be between 1 and 64");
            }
        });

        var command = new Command("server", "Run the tunnel server: public HTTP/HTTPS listeners, the control listener, TCP tunnel ports")
        {
            domain, http, https, cert, key, control, controlCert, controlKey, tcpPorts, tcpBind, tokens, reserved, grace, headTimeout, idleTimeout, ioThreads,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var httpText = result.GetValue(http);
                var options = new TunnelServerOptions
                {
                    Domain = result.GetValue(domain)!.Trim().TrimEnd('.').ToLowerInvariant(),
                    Http = httpText is null || httpText == "off" ? null : ParseEndPoint(httpText, "--http"),
                    Https = result.GetValue(https) is { } h ? ParseEndPoint(h, "--https") : null,
                    CertPaths = result.GetValue(cert) ?? [],
                    KeyPaths = result.GetValue(key) ?? [],
                    Control = ParseEndPoint(result.GetValue(control)!, "--control"),
                    ControlCertPath = result.GetValue(controlCert),
                    ControlKeyPath = result.GetValue(controlKey),
                    TcpPorts = result.GetValue(tcpPorts) is { } range ? ParseRange(range) : null,
                    TcpBind = IPAddress.TryParse(result.GetValue(tcpBind), out var bind) ? bind : throw new UsageException($"--tcp-bind: '{result.GetValue(tcpBind)}' is not an IP address"),
                    TokensPath = result.GetValue(tokens),
                    Reserved = result.GetValue(reserved)!.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        .ToHashSet(StringComparer.OrdinalIgnoreCase),
                    LeaseGrace = TimeSpan.FromSeconds(Math.Max(0, result.GetValue(grace))),
                    IoThreads = result.GetValue(ioThreads),
                    Limits = new Http.HttpLimits
                    {
                        HeadTimeout = TimeSpan.FromSeconds(Math.Max(0.1, result.GetValue(headTimeout))),
                        IdleTimeout = TimeSpan.FromSeconds(Math.Max(0.1, result.GetValue(idleTimeout))),
                    },
                };
                if (options.CertPaths.Count != options.KeyPaths.Count || (options.ControlCertPath is null) != (options.ControlKeyPath is null))
                {
                    throw new UsageException("--cert and --key (and --control-cert and --control-key) go together, one --key per --cert");
                }

                using var factory = loggerFactory(result);
                var logger = factory.CreateLogger("tunnel.server");
                await using var server = new TunnelServer(options, logger);
                server.Start();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                logger.LogInformation("shutting down");
                return 0;
            }
            catch (UsageException ex)
            {
                await Console.Error.WriteLineAsync($"forge tunnel server: {ex.Message}");
                return ExitUsage;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Cryptography.CryptographicException or FormatException or UnauthorizedAccessException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"forge tunnel server: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Command CreateClient(string kind, string description, Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        var port = new Argument<int>("PORT") { Description = "Local port to expose" };
        var server = new Option<string?>("--server") { Description = "Tunnel server: tls://host:port (default scheme) or tcp://host:port; also FORGE_TUNNEL_SERVER or the saved config" };
        var token = new Option<string?>("--token") { Description = "Auth token (default: FORGE_TUNNEL_TOKEN or the one saved by 'forge tunnel auth')" };
        var insecure = new Option<bool>("--insecure") { Description = "Skip verification of the server's TLS certificate" };
        var ca = new Option<string?>("--ca") { Description = "PEM file of CA certificates to trust for the server" };
        var exitOnDisconnect = new Option<bool>("--exit-on-disconnect") { Description = "Exit with status 1 when the connection drops instead of reconnecting" };
        var localHost = new Option<string>("--local-host") { Description = "Host the local port is on", DefaultValueFactory = _ => "localhost" };
        var command = new Command(kind, description) { port, server, token, insecure, ca, exitOnDisconnect, localHost };

        var subdomain = new Option<string?>("--subdomain", "-s") { Description = "Subdomain to ask for (default: a random one)" };
        var hostHeader = new Option<string>("--host-header") { Description = "Host header for the local app: preserve (default) or rewrite to the local address", DefaultValueFactory = _ => "preserve" };
        hostHeader.AcceptOnlyFromAmong("preserve", "rewrite");
        var proxyProtocol = new Option<bool>("--proxy-protocol") { Description = "Send a PROXY protocol v2 header with the visitor's address to the local app" };
        var remotePort = new Option<int?>("--remote-port") { Description = "Public port to ask for (default: any free one)" };
        if (kind == "http")
        {
            command.Options.Add(subdomain);
            command.Options.Add(hostHeader);
        }
        else
        {
            command.Options.Add(proxyProtocol);
            command.Options.Add(remotePort);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var config = ClientConfig.Load(ClientConfig.DefaultPath);
            var serverText = result.GetValue(server) ?? Environment.GetEnvironmentVariable("FORGE_TUNNEL_SERVER") ?? config.Server;
            if (string.IsNullOrEmpty(serverText))
            {
                await Console.Error.WriteLineAsync($"forge tunnel {kind}: no tunnel server: pass --server tls://HOST:PORT, set FORGE_TUNNEL_SERVER, or save one with 'forge tunnel auth TOKEN --server URL'");
                return ExitUsage;
            }

            if (!ServerAddress.TryParse(serverText, out var address, out var error))
            {
                await Console.Error.WriteLineAsync($"forge tunnel {kind}: {error}");
                return ExitUsage;
            }

            var localPort = result.GetValue(port);
            if (localPort is < 1 or > 65535)
            {
                await Console.Error.WriteLineAsync($"forge tunnel {kind}: PORT must be 1-65535, not {localPort}");
                return ExitUsage;
            }

            var options = new TunnelClientOptions
            {
                Kind = kind,
                LocalPort = localPort,
                LocalHost = result.GetValue(localHost)!,
                Server = address!,
                Token = result.GetValue(token) ?? Environment.GetEnvironmentVariable("FORGE_TUNNEL_TOKEN") ?? config.Token,
                Subdomain = kind == "http" ? result.GetValue(subdomain)?.ToLowerInvariant() : null,
                HostHeader = kind == "http" && result.GetValue(hostHeader) == "rewrite" ? HostHeaderMode.Rewrite : HostHeaderMode.Preserve,
                Insecure = result.GetValue(insecure),
                CaFile = result.GetValue(ca),
                ExitOnDisconnect = result.GetValue(exitOnDisconnect),
                ProxyProtocol = kind == "tcp" && result.GetValue(proxyProtocol),
                RemotePort = kind == "tcp" ? result.GetValue(remotePort) : null,
            };

            using var factory = loggerFactory(result);
            await using var output = new LineOutput(Console.Out);
            using var client = new TunnelClient(options, factory.CreateLogger("tunnel.client"), output);
            return await client.RunAsync(cancellationToken);
        });
        return command;
    }

    private static Command CreateAuth()
    {
        var token = new Argument<string>("TOKEN") { Description = "The token the server operator gave you" };
        var server = new Option<string?>("--server") { Description = "Also save the server address" };
        var command = new Command("auth", "Save a token (and optionally a server) for later 'forge tunnel http|tcp' runs") { token, server };
        command.SetAction(result =>
        {
            var path = ClientConfig.DefaultPath;
            var config = ClientConfig.Load(path);
            config.Token = result.GetValue(token);
            if (result.GetValue(server) is { } s)
            {
                if (!ServerAddress.TryParse(s, out _, out var error))
                {
                    Console.Error.WriteLine($"forge tunnel auth: {error}");
                    return ExitUsage;
                }

                config.Server = s;
            }

            config.Save(path);
            Console.WriteLine($"Token saved to {path}");
            return 0;
        });
        return command;
    }

    internal static IPEndPoint ParseEndPoint(string text, string option)
    {
        var t = text.Trim();
        if (t.StartsWith(':'))
        {
            t = "0.0.0.0" + t;
        }

        if (IPEndPoint.TryParse(t, out var endPoint) && t.Contains(':', StringComparison.Ordinal) && endPoint.Port is >= 0 and <= 65535)
        {
            return endPoint;
        }

        if (t.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(t.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        throw new UsageException($"{option}: '{text}' is not ADDRESS:PORT (e.g. 0.0.0.0:80 or 127.0.0.1:8080)");
    }

    internal static (int, int) ParseRange(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var low) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var high)
            && low is >= 1 and <= 65535 && high >= low && high <= 65535)
        {
            return (low, high);
        }

        throw new UsageException($"--tcp-ports: '{text}' is not a range like 20000-20999");
    }

    private sealed class UsageException(string message) : Exception(message);
}
