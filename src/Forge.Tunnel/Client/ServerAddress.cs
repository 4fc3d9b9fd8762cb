namespace Forge.Tunnel.Client;

/// <summary>A tunnel server address: <c>tls://host:port</c> (the default scheme) or <c>tcp://host:port</c>.</summary>
internal sealed record ServerAddress(string Host, int Port, bool Tls)
{
    public const int DefaultPort = 4321;

    public static bool TryParse(string text, out ServerAddress? address, out string? error)
    {
        address = null;
        error = null;
        var tls = true;
        var rest = text.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            switch (rest[..scheme].ToLowerInvariant())
            {
                case "tls":
                    break;
                case "tcp":
                    tls = false;
                    break;
                default:
                    error = $"unknown scheme '{rest[..scheme]}' in server address '{text}': use tls:// or tcp://";
                    return false;
            }

            rest = rest[(scheme + 3)..];
        }

        rest = rest.TrimEnd('/');
        string host;
        var port = DefaultPort;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"invalid server address '{text}'";
                return false;
            }

            host = rest[1..close];
            rest = rest[(close + 1)..];
            if (rest.StartsWith(':') && !int.TryParse(rest[1..], out port))
            {
                error = $"invalid port in server address '{text}'";
                return false;
            }
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            host = colon >= 0 ? rest[..colon] : rest;
            if (colon >= 0 && !int.TryParse(rest[(colon + 1)..], out port))
            {
                error = $"invalid port in server address '{text}'";
                return false;
            }
        }

        if (host.Length == 0 || port is < 1 or > 65535)
        {
            error = $"invalid server address '{text}'";
            return false;
        }

        address = new ServerAddress(host, port, tls);
        return true;
    }

    public override string ToString() => $"{(Tls ? "tls" : "tcp")}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}";
}
