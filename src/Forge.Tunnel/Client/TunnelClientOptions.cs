namespace Forge.Tunnel.Client;

internal enum HostHeaderMode
{
    /// <summary>Pass the public Host header to the local app unchanged (ngrok's default).</summary>
    Preserve,

    /// <summary>Replace Host with the local address, for apps that check it (vhosts, dev servers).</summary>
    Rewrite,
}

internal sealed class TunnelClientOptions
{
    /// <summary>"http" or "tcp".</summary>
    public required string Kind { get; init; }

    public required int LocalPort { get; init; }

    public string LocalHost { get; init; } = "localhost";

    public required ServerAddress Server { get; init; }

    public string? Token { get; init; }

    public string? Subdomain { get; init; }

    public HostHeaderMode HostHeader { get; init; } = HostHeaderMode.Preserve;

    public bool Insecure { get; init; }

    /// <summary>A PEM bundle of CA certificates to trust for the server, besides the system's.</summary>
    public string? CaFile { get; init; }

    public bool ExitOnDisconnect { get; init; }

    public bool ProxyProtocol { get; init; }

    public int? RemotePort { get; init; }

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
