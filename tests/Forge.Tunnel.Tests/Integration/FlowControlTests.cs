using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Forge.Tunnel.Tests.Integration;

public class FlowControlTests
{
    [Fact]
    public async Task A_slow_visitor_stalls_only_its_stream_and_the_verbose_client_reports_the_stall()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "slow", "--verbose");
        var host = $"slow.forge.test:{server.HttpPort}";

        // A visitor asks for 64 MiB and does not read for a while: its stream's window fills up.
        using var slow = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await slow.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.HttpPort));
        await slow.SendAsync(Encoding.ASCII.GetBytes($"GET /download?size={64 << 20} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));

        // Meanwhile other requests on the same tunnel are answered at once.
        using var http = PublicHttp.Client(server.HttpPort);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("hello from app", await http.GetStringAsync($"http://{host}/hello"));
        }

        // Being slow is the behaviour under test (not a wait for some condition): the visitor
        // keeps not reading a little longer, so the stall outlasts the 50 ms the log reports.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var total = 0L;
        var buffer = new byte[256 * 1024];
        int n;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((n = await slow.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            total += n;
        }

        Assert.True(total > 64 << 20, $"received {total} bytes");
        await client.Process.WaitForLineAsync(l => l.Contains("send window stalled", StringComparison.Ordinal));
    }
}
