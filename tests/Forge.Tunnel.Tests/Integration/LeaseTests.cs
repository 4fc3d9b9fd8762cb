using System.Net;
using System.Net.Sockets;

namespace Forge.Tunnel.Tests.Integration;

public class LeaseTests
{
    [Fact]
    public async Task A_dropped_connection_reclaims_its_random_subdomain_with_the_lease_and_nobody_else_can()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--lease-grace", "60");
        using var proxy = new DroppingProxy(server.ControlPort);
        // No --subdomain: only the lease can bring the same random name back.
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", $"tcp://127.0.0.1:{proxy.Port}");
        var name = client.Host.Split('.')[0];

        proxy.DropAll();
        await server.Process.WaitForLineAsync(l => l.Contains("disconnected", StringComparison.Ordinal));

        // While the name is leased (or already reclaimed), another client asking for it is refused...
        using var thief = ClientProcess.Start("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", name);
        Assert.Equal(1, await thief.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Matches("grace period|already in use", thief.Process.Stdout);

        // ...and the original client comes back to the same URL.
        await client.Process.WaitForLineAsync(l => l == "reconnected", TimeSpan.FromSeconds(60));
        var again = await client.Process.WaitForLineAsync(l => l.StartsWith("Forwarding ", StringComparison.Ordinal), skip: 1);
        Assert.Equal(client.Url, again.Split(' ')[1]);
        using var http = PublicHttp.Client(server.HttpPort);
        Assert.Equal("hello from app", await http.GetStringAsync(client.Url + "/hello"));
    }

    /// <summary>A loopback TCP forwarder whose connections the test can cut, like a network drop.</summary>
    private sealed class DroppingProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _open = [];
        private readonly Lock _gate = new();

        public DroppingProxy(int target)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    Socket inbound;
                    try
                    {
                        inbound = await _listener.AcceptSocketAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await outbound.ConnectAsync(new IPEndPoint(IPAddress.Loopback, target));
                    lock (_gate)
                    {
                        _open.Add(inbound);
                        _open.Add(outbound);
                    }

                    _ = Pump(inbound, outbound);
                    _ = Pump(outbound, inbound);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private static async Task Pump(Socket from, Socket to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int n;
                while ((n = await from.ReceiveAsync(buffer)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, n));
                }
            }
            catch (Exception)
            {
            }

            from.Close();
            to.Close();
        }

        public void DropAll()
        {
            lock (_gate)
            {
                foreach (var socket in _open)
                {
                    socket.Close(0);
                }

                _open.Clear();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            DropAll();
        }
    }
}
