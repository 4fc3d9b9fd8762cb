using Forge.Testing;

namespace Forge.Tunnel.Tests.Integration;

public class ReconnectTests
{
    [Fact]
    public async Task Client_reconnects_after_a_server_restart_and_keeps_its_subdomain()
    {
        await using var app = await LocalApp.StartAsync();
        var httpPort = FreePort.Get();
        var controlPort = FreePort.Get();
        string[] args = ["--http", $"127.0.0.1:{httpPort}", "--control", $"127.0.0.1:{controlPort}"];
        var server = await ServerProcess.StartAsync(args);
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", $"tcp://127.0.0.1:{controlPort}");
        var url = client.Url;
        using var http = PublicHttp.Client(httpPort);
        Assert.Equal("hello from app", await http.GetStringAsync(url + "/hello"));

        server.Process.KillHard();
        server.Dispose();
        await client.Process.WaitForLineAsync(l => l.StartsWith("reconnecting in", StringComparison.Ordinal));

        using var restarted = await ServerProcess.StartAsync(args);
        await client.Process.WaitForLineAsync(l => l == "reconnected", TimeSpan.FromSeconds(60));
        var again = await client.Process.WaitForLineAsync(l => l.StartsWith("Forwarding ", StringComparison.Ordinal), skip: 1);
        Assert.Equal(url, again.Split(' ')[1]);
        using var http2 = PublicHttp.Client(httpPort);
        Assert.Equal("hello from app", await http2.GetStringAsync(url + "/hello"));
    }

    [Fact]
    public async Task Exit_on_disconnect_exits_with_1_when_the_server_goes_away()
    {
        var server = await ServerProcess.StartAsync();
        using var client = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--exit-on-disconnect");
        server.Process.KillHard();
        server.Dispose();
        Assert.Equal(1, await client.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Ctrl_c_closes_the_client_cleanly_and_frees_the_subdomain()
    {
        using var server = await ServerProcess.StartAsync("--lease-grace", "0");
        using var client = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--subdomain", "bye");
        client.Process.Interrupt();
        Assert.Equal(0, await client.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await server.Process.WaitForLineAsync(l => l.Contains("http bye released", StringComparison.Ordinal));
        using var next = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--subdomain", "bye");
        Assert.StartsWith("http://bye.forge.test", next.Url, StringComparison.Ordinal);
    }
}
