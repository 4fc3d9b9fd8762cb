using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Forge.Tunnel.Tests.Integration;

/// <summary>HTTP tunnels end to end: real forge server and client processes, a Kestrel app, HttpClient.</summary>
public class HttpTunnelTests
{
    [Fact]
    public async Task Two_clients_are_routed_by_subdomain()
    {
        await using var appA = await LocalApp.StartAsync("alpha");
        await using var appB = await LocalApp.StartAsync("beta");
        using var server = await ServerProcess.StartAsync();
        using var clientA = await ClientProcess.StartAsync("http", appA.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "alpha");
        using var clientB = await ClientProcess.StartAsync("http", appB.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "beta");
        Assert.Equal($"http://alpha.forge.test:{server.HttpPort}", clientA.Url);

        using var http = PublicHttp.Client(server.HttpPort);
        Assert.Equal("hello from alpha", await http.GetStringAsync($"http://alpha.forge.test:{server.HttpPort}/hello"));
        Assert.Equal("hello from beta", await http.GetStringAsync($"http://beta.forge.test:{server.HttpPort}/hello"));

        // The client prints one line per request: method, path, status, duration.
        await clientA.Process.WaitForLineAsync(l => l.Contains("GET /hello 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Random_subdomain_is_handed_out_when_none_is_asked_for()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl);
        Assert.Matches(@"^[a-z][a-z0-9]{9}\.forge\.test$", client.Host);
        using var http = PublicHttp.Client(server.HttpPort);
        Assert.Equal("hello from app", await http.GetStringAsync(client.Url + "/hello"));
    }

    [Fact]
    public async Task Forwarded_headers_are_added_and_host_is_preserved_by_default()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "hdr");
        using var http = PublicHttp.Client(server.HttpPort);
        using var request = new HttpRequestMessage(HttpMethod.Get, client.Url + "/headers");
        request.Headers.Add("X-Forwarded-For", "198.51.100.9");
        var headers = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("X-Forwarded-For: 198.51.100.9, 127.0.0.1", headers, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-Proto: http", headers, StringComparison.Ordinal);
        Assert.Contains($"X-Forwarded-Host: hdr.forge.test:{server.HttpPort}", headers, StringComparison.Ordinal);
        Assert.Contains($"Host: hdr.forge.test:{server.HttpPort}", headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_header_rewrite_gives_the_app_its_local_address()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "rw", "--host-header", "rewrite", "--local-host", "127.0.0.1");
        using var http = PublicHttp.Client(server.HttpPort);
        var headers = await http.GetStringAsync(client.Url + "/headers");
        Assert.Contains($"Host: 127.0.0.1:{app.Port}", headers, StringComparison.Ordinal);
        Assert.Contains($"X-Forwarded-Host: rw.forge.test:{server.HttpPort}", headers, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)] // visitors on other event loops than their client's session: frames cross by Post
    public async Task Two_hundred_concurrent_requests_share_one_control_connection(int ioThreads)
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--io-threads", ioThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "many");
        using var http = PublicHttp.Client(server.HttpPort, maxConnections: 200);
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => http.GetStringAsync(client.Url + "/slow?ms=200")));
        Assert.All(responses, r => Assert.Equal("slow done", r));

        // Exactly one TCP connection from anybody to the control port.
        Assert.Equal(1, EstablishedConnectionsTo(server.ControlPort));
    }

    [Fact]
    public async Task Keep_alive_and_chunked_responses_pass_through()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "ka");
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.HttpPort));
        using var stream = new NetworkStream(socket);
        var host = $"ka.forge.test:{server.HttpPort}";
        // Two pipelined requests on one connection, then one more after reading.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\nGET /chunked HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        var text = await ReadUntilAsync(stream, "part4;");
        Assert.Contains("hello from app", text, StringComparison.Ordinal);
        Assert.Contains("Transfer-Encoding: chunked", text, StringComparison.OrdinalIgnoreCase);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        var last = await ReadUntilAsync(stream, "hello from app");
        Assert.StartsWith("HTTP/1.1 200", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_echo_passes_through_the_upgrade()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "ws");
        using var ws = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(PublicHttpHandler(server.HttpPort));
        await ws.ConnectAsync(new Uri($"ws://ws.forge.test:{server.HttpPort}/ws"), invoker, CancellationToken.None);
        foreach (var message in new[] { "hello", new string('w', 200_000), "bye" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            using var received = new MemoryStream();
            var buffer = new byte[64 * 1024];
            WebSocketReceiveResult result;
            do
            {
                result = await ws.ReceiveAsync(buffer, CancellationToken.None);
                received.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            Assert.Equal(message, Encoding.UTF8.GetString(received.ToArray()));
        }

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, ws.State);
    }

    [Fact]
    public async Task Unknown_subdomain_is_a_404_naming_it_and_an_offline_holder_is_a_502()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--lease-grace", "60");
        using var http = PublicHttp.Client(server.HttpPort);
        var missing = await http.GetAsync($"http://nobody.forge.test:{server.HttpPort}/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nobody.forge.test", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "gone");
        Assert.Equal("hello from app", await http.GetStringAsync(client.Url + "/hello"));
        client.Process.KillHard();
        client.Dispose();
        await server.Process.WaitForLineAsync(l => l.Contains("disconnected", StringComparison.Ordinal));
        var offline = await http.GetAsync(client.Url + "/hello");
        Assert.Equal(HttpStatusCode.BadGateway, offline.StatusCode);
    }

    [Fact]
    public async Task Local_app_down_is_answered_with_502_by_the_client()
    {
        using var server = await ServerProcess.StartAsync();
        var deadPort = Forge.Testing.FreePort.Get();
        using var client = await ClientProcess.StartAsync("http", deadPort.ToString(), "--server", server.PlainServerUrl, "--subdomain", "down", "--local-host", "127.0.0.1");
        using var http = PublicHttp.Client(server.HttpPort);
        var response = await http.GetAsync(client.Url + "/");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("did not answer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static SocketsHttpHandler PublicHttpHandler(int port) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    private static async Task<string> ReadUntilAsync(Stream stream, string marker)
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cts.Token);
            Assert.True(n > 0, "connection closed before: " + marker + "\n" + text);
            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    /// <summary>Established TCP connections whose remote port is <paramref name="port"/> (from /proc/net/tcp and tcp6).</summary>
    internal static int EstablishedConnectionsTo(int port)
    {
        var hex = port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var count = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == "01" && fields[2].EndsWith(":" + hex, StringComparison.Ordinal))
                {
                    count++;
                }
            }
        }

        return count;
    }
}
