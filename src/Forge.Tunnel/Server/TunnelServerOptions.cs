using System.Net;
using Forge.Tunnel.Http;

namespace Forge.Tunnel.Server;

internal sealed class TunnelServerOptions
{
    public required string Domain { get; init; }

    public IPEndPoint? Http { get; init; }

    public IPEndPoint? Https { get; init; }

    /// <summary>PEM certificate chains for the public HTTPS listener (and the control listener), chosen by SNI.</summary>
    public IReadOnlyList<string> CertPaths { get; init; } = [];

    public IReadOnlyList<string> KeyPaths { get; init; } = [];

    public required IPEndPoint Control { get; init; }

    public string? ControlCertPath { get; init; }

    public string? ControlKeyPath { get; init; }

    public (int Low, int High)? TcpPorts { get; init; }

    public IPAddress TcpBind { get; init; } = IPAddress.Any;

    public string? TokensPath { get; init; }

    public IReadOnlySet<string> Reserved { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public TimeSpan LeaseGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One deadline from accept to a complete hello (TLS, preamble and hello together, §2).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public HttpLimits Limits { get; init; } = new();

    /// <summary>Event loops (threads) that serve connections, handed out round-robin (docs/tunnel.md, "Threading").</summary>
    public int IoThreads { get; init; } = 1;
}
