using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Forge.Tunnel.Tests.Integration;

/// <summary>Malformed, oversized, slow and vanishing peers on both the public and the control side.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.forge.test\r\nBad Header\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")] // HTTP/1.1 without Host
    [InlineData("POST / HTTP/1.1\r\nHost: a.forge.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET / HTTP/9.9\r\nHost: a.forge.test\r\n\r\n")]
    public async Task Malformed_requests_get_400_and_the_connection_closed(string request)
    {
        using var server = await ServerProcess.StartAsync();
        var answer = await PublicHttp.RawAsync(server.HttpPort, Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_headers_get_431()
    {
        using var server = await ServerProcess.StartAsync();
        var request = $"GET / HTTP/1.1\r\nHost: a.forge.test\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n";
        var answer = await PublicHttp.RawAsync(server.HttpPort, Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 431 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_request_later_on_a_keep_alive_connection_gets_400()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "later");
        var host = $"later.forge.test:{server.HttpPort}";
        var answer = await PublicHttp.RawAsync(server.HttpPort, Encoding.ASCII.GetBytes($"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\nNOT HTTP AT ALL\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("hello from app", answer, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slowloris_clients_are_timed_out()
    {
        using var server = await ServerProcess.StartAsync("--header-timeout", "1");
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.HttpPort));
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.forge.test\r\nX-Slow: "u8.ToArray());
        // ...and never finish the head. The server answers 408 and closes within its deadline.
        var started = DateTime.UtcNow;
        var answer = await PublicHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(15));
        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Garbage_on_the_control_port_is_closed_and_logged_and_other_clients_carry_on()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "calm");
        using var http = PublicHttp.Client(server.HttpPort);

        // Not our protocol at all.
        var answer = await PublicHttp.RawAsync(server.ControlPort, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.Equal("", answer);
        await server.Process.WaitForLineAsync(l => l.Contains("bad preamble", StringComparison.Ordinal));

        // Our preamble with a future version.
        answer = await PublicHttp.RawAsync(server.ControlPort, [.. "FTUN"u8, 0, 9, 0, 0]);
        Assert.StartsWith("FTUN", answer, StringComparison.Ordinal);
        await server.Process.WaitForLineAsync(l => l.Contains("unsupported protocol version 9", StringComparison.Ordinal));

        // Right preamble, then mutated frames.
        var frames = new byte[64];
        new Random(7).NextBytes(frames);
        answer = await PublicHttp.RawAsync(server.ControlPort, [.. "FTUN"u8, 0, 1, 0, 0, .. frames]);
        await server.Process.WaitForLineAsync(l => l.Contains("protocol error", StringComparison.Ordinal) || l.Contains("no hello", StringComparison.Ordinal));

        Assert.Equal("hello from app", await http.GetStringAsync(client.Url + "/hello"));
    }

    [Fact]
    public async Task A_client_that_vanishes_mid_stream_frees_its_streams_and_subdomain()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--lease-grace", "1");
        var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "vanish");
        using var http = PublicHttp.Client(server.HttpPort);
        var response = await http.GetAsync(client.Url + "/download?size=1073741824", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        Assert.True(await body.ReadAsync(new byte[1024]) > 0);

        client.Process.KillHard();
        client.Dispose();

        // The visitor's download ends (with an error) instead of hanging.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await body.CopyToAsync(Stream.Null, cts.Token);
        });
        await server.Process.WaitForLineAsync(l => l.Contains("http vanish released", StringComparison.Ordinal));

        // The subdomain is free for anybody after the grace period.
        using var other = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "vanish");
        Assert.Equal("hello from app", await http.GetStringAsync(other.Url + "/hello"));
    }

    [Fact]
    public async Task A_response_outlasting_the_idle_timeout_is_delivered_whole()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--idle-timeout", "1");
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "longpoll");
        using var http = PublicHttp.Client(server.HttpPort);
        // The visitor sends nothing while the app thinks for 7 s: the idle timeout (1 s) must not
        // cut the answer off (it did, after idle + 5 s, before the fix).
        Assert.Equal("slow done", await http.GetStringAsync(client.Url + "/slow?ms=7000"));
    }

    [Fact]
    public async Task A_declined_upgrade_does_not_let_later_requests_through_raw()
    {
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", server.PlainServerUrl, "--subdomain", "noupgrade");
        var host = $"noupgrade.forge.test:{server.HttpPort}";
        var answer = await PublicHttp.RawAsync(server.HttpPort, Encoding.ASCII.GetBytes(
            $"GET /hello HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n" +
            $"GET /headers HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"));
        Assert.Contains("hello from app", answer, StringComparison.Ordinal);
        // The spoofed header never reaches the app un-appended: the connection ends after the
        // declined upgrade's answer (or the request is relayed with the visitor's address added).
        Assert.DoesNotMatch(@"X-Forwarded-For: 6\.6\.6\.6\s*\n", answer);
    }

    [Fact]
    public async Task A_listen_address_in_use_is_a_clear_runtime_error()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, stderr) = await Forge.Testing.ForgeProcess.RunAsync("tunnel", "server", "--http", $"127.0.0.1:{port}", "--control", "127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains($"cannot listen for http on 127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.Contains("--http ADDR:PORT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_command_line_values_are_usage_errors()
    {
        var (code, _, stderr) = await Forge.Testing.ForgeProcess.RunAsync("tunnel", "server", "--domain", "x.test", "--http", "nonsense");
        Assert.Equal(2, code);
        Assert.Contains("--http", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Forge.Testing.ForgeProcess.RunAsync("tunnel", "http", "70000", "--server", "tcp://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.Contains("PORT", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Forge.Testing.ForgeProcess.RunAsync("tunnel", "http", "80", "--server", "ftp://x:1");
        Assert.Equal(2, code);
        Assert.Contains("scheme", stderr, StringComparison.Ordinal);
    }
}
