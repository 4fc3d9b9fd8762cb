using System.Net;
using System.Net.Sockets;
using Forge.Io;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Server;

internal sealed partial class TunnelServer
{
    private Socket ListenTcpTunnel(TunnelEntry entry, int port)
    {
        var endPoint = new IPEndPoint(_options.TcpBind, port);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // No ReuseAddress: on Linux .NET adds SO_REUSEPORT, letting two processes share the port.
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _ = AcceptLoopAsync(socket, "tcp " + port, visitor => HandleTcpVisitorAsync(entry, visitor));
        return socket;
    }

    private async Task HandleTcpVisitorAsync(TunnelEntry entry, LoopStream connection)
    {
        var visitor = connection.Socket;
        var session = entry.Session;
        var stream = session?.OpenStream(OpenMetadata.Create(StreamKind.Tcp, visitor.RemoteEndPoint as IPEndPoint, visitor.LocalEndPoint as IPEndPoint));
        if (stream is null)
        {
            _logger.LogDebug("tcp {Port}: visitor {Remote} refused, client offline or at its stream limit", entry.Name, visitor.RemoteEndPoint);
            return;
        }

        await StreamPump.RunAsync(visitor, connection, stream);
    }
}
