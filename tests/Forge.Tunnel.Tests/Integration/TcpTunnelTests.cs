using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Forge.Tunnel.Tests.Integration;

public class TcpTunnelTests
{
    [Fact]
    public async Task Tcp_tunnel_echoes_bytes_and_passes_half_close()
    {
        using var echo = new EchoServer();
        using var server = await ServerProcess.StartAsync(TcpArgs());
        using var client = await ClientProcess.StartAsync("tcp", echo.Port.ToString(), "--server", server.PlainServerUrl, "--local-host", "127.0.0.1");
        var port = new Uri(client.Url).Port;

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var payload = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var send = Task.Run(async () =>
        {
            await socket.SendAsync(payload);
            socket.Shutdown(SocketShutdown.Send);
        });
        var received = await PublicHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(30));
        await send;
        Assert.Equal(payload, System.Text.Encoding.Latin1.GetBytes(received));
        await client.Process.WaitForLineAsync(l => l.Contains("TCP 127.0.0.1:", StringComparison.Ordinal) && l.Contains("closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Proxy_protocol_v2_gives_the_app_the_visitor_address()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var server = await ServerProcess.StartAsync(TcpArgs());
        using var client = await ClientProcess.StartAsync("tcp", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "--server", server.PlainServerUrl, "--local-host", "127.0.0.1", "--proxy-protocol");
        var port = new Uri(client.Url).Port;

        using var visitor = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await visitor.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await visitor.SendAsync("after-header"u8.ToArray());
        using var app = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var header = new byte[28 + 12];
        var got = 0;
        while (got < header.Length)
        {
            got += await app.ReceiveAsync(header.AsMemory(got));
        }

        Assert.Equal(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A }, header[..12]);
        Assert.Equal(0x21, header[12]); // v2, PROXY
        Assert.Equal(0x11, header[13]); // TCP over IPv4
        Assert.Equal(12, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(14)));
        Assert.Equal(IPAddress.Loopback, new IPAddress(header.AsSpan(16, 4)));
        var visitorPort = ((IPEndPoint)visitor.LocalEndPoint!).Port;
        Assert.Equal(visitorPort, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(24)));
        Assert.Equal(port, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(26)));
        Assert.Equal("after-header"u8.ToArray(), header[28..]);
    }

    [Fact]
    public async Task A_visitor_reset_while_the_app_is_idle_ends_the_connection_on_both_sides()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var server = await ServerProcess.StartAsync(TcpArgs());
        using var client = await ClientProcess.StartAsync("tcp", ((IPEndPoint)listener.LocalEndpoint).Port.ToString(), "--server", server.PlainServerUrl, "--local-host", "127.0.0.1");
        var port = new Uri(client.Url).Port;

        var visitor = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await visitor.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        using var app = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await client.Process.WaitForLineAsync(l => l.Contains("TCP 127.0.0.1:", StringComparison.Ordinal) && l.Contains("connected", StringComparison.Ordinal));

        // RST from the visitor; the app sends nothing, so the client's read from it is waiting.
        visitor.LingerState = new LingerOption(true, 0);
        visitor.Close();

        // The app's connection is closed, and the client finishes the connection (its log line
        // comes when both directions have ended: a read left waiting on the app never did).
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            Assert.Equal(0, await app.ReceiveAsync(buffer, SocketFlags.None, cts.Token));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        await client.Process.WaitForLineAsync(l => l.Contains("TCP 127.0.0.1:", StringComparison.Ordinal) && l.Contains("closed after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_without_tcp_ports_refuses_tcp_tunnels()
    {
        using var server = await ServerProcess.StartAsync();
        using var client = ClientProcess.Start("tcp", "9", "--server", server.PlainServerUrl);
        Assert.Equal(1, await client.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("offers no TCP tunnels", client.Process.Stdout, StringComparison.Ordinal);
    }

    internal static string[] TcpArgs()
    {
        var low = Random.Shared.Next(30000, 40000);
        return ["--tcp-ports", $"{low}-{low + 50}", "--tcp-bind", "127.0.0.1"];
    }

    /// <summary>Echoes every connection's bytes and half-closes after the peer's FIN.</summary>
    private sealed class EchoServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public EchoServer()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    Socket s;
                    try
                    {
                        s = await _listener.AcceptSocketAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    _ = Task.Run(async () =>
                    {
                        using (s)
                        {
                            var buffer = new byte[64 * 1024];
                            int n;
                            while ((n = await s.ReceiveAsync(buffer)) > 0)
                            {
                                await s.SendAsync(buffer.AsMemory(0, n));
                            }

                            s.Shutdown(SocketShutdown.Send);
                        }
                    });
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void Dispose() => _listener.Stop();
    }
}
