using System.Net;
using System.Net.Sockets;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Forge.Tunnel.Tests.Mux;

/// <summary>A server and a client session joined by a real loopback TCP connection.</summary>
internal sealed class SessionPair : IAsyncDisposable
{
    private SessionPair(MuxSession server, MuxSession client)
    {
        Server = server;
        Client = client;
    }

    public MuxSession Server { get; }

    public MuxSession Client { get; }

    public static async Task<SessionPair> CreateAsync(MuxOptions? options = null)
    {
        var (a, b) = await ConnectedStreamsAsync();
        var server = new MuxSession(a, isServer: true, options ?? new MuxOptions(), NullLogger.Instance);
        var client = new MuxSession(b, isServer: false, options ?? new MuxOptions(), NullLogger.Instance);
        server.Start();
        client.Start();
        return new SessionPair(server, client);
    }

    public static async Task<(NetworkStream, NetworkStream)> ConnectedStreamsAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connect = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptSocketAsync();
        await connect.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var accepted = await accept;
        accepted.NoDelay = true;
        return (new NetworkStream(accepted, ownsSocket: true), new NetworkStream(connect, ownsSocket: true));
    }

    public static OpenMetadata Metadata => OpenMetadata.Create(StreamKind.Tcp, new IPEndPoint(IPAddress.Loopback, 1000), new IPEndPoint(IPAddress.Loopback, 2000));

    /// <summary>Opens a stream from the server and returns both ends.</summary>
    public async Task<(MuxStream ServerEnd, MuxStream ClientEnd)> OpenAsync()
    {
        var serverEnd = Server.OpenStream(Metadata) ?? throw new InvalidOperationException("open refused");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var clientEnd = await Client.AcceptedStreams.ReadAsync(cts.Token);
        return (serverEnd, clientEnd);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Client.DisposeAsync();
    }
}
