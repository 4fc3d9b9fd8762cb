using System.Net;
using System.Net.Sockets;

namespace Forge.Testing;

/// <summary>Ports the OS assigns on loopback.</summary>
public static class FreePort
{
    /// <summary>
    /// A port that was free a moment ago. For servers that must be told a port on their command
    /// line; prefer binding port 0 where the code under test allows it.
    /// </summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
