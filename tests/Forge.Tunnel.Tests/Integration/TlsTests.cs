using System.Net;

namespace Forge.Tunnel.Tests.Integration;

public class TlsTests
{
    [Fact]
    public async Task Https_is_terminated_at_the_server_with_a_wildcard_certificate_and_the_control_connection_uses_tls()
    {
        using var certs = new TestCertificates(ServerProcess.Domain);
        await using var app = await LocalApp.StartAsync();
        using var server = await ServerProcess.StartAsync("--https", "127.0.0.1:0", "--cert", certs.CertPath, "--key", certs.KeyPath);
        Assert.DoesNotContain("plaintext development mode", server.Process.Stderr, StringComparison.Ordinal);
        using var client = await ClientProcess.StartAsync("http", app.Port.ToString(), "--server", $"tls://127.0.0.1:{server.ControlPort}", "--ca", certs.CaPath, "--subdomain", "secure");
        Assert.Equal($"https://secure.forge.test:{server.HttpsPort}", client.Url);

        using var https = PublicHttp.Client(server.HttpsPort, tls: true, validate: certs.Validate);
        Assert.Equal("hello from app", await https.GetStringAsync(client.Url + "/hello"));
        var headers = await https.GetStringAsync(client.Url + "/headers");
        Assert.Contains("X-Forwarded-Proto: https", headers, StringComparison.Ordinal);

        // Plain HTTP still works on the same tunnel.
        using var http = PublicHttp.Client(server.HttpPort);
        Assert.Equal("hello from app", await http.GetStringAsync($"http://secure.forge.test:{server.HttpPort}/hello"));
    }

    [Fact]
    public async Task Https_picks_the_certificate_by_sni_exact_name_before_wildcard()
    {
        using var certs = new TestCertificates(ServerProcess.Domain);
        var (specialCert, specialKey) = certs.Issue("special.forge.test");
        using var server = await ServerProcess.StartAsync("--https", "127.0.0.1:0", "--cert", certs.CertPath, "--key", certs.KeyPath, "--cert", specialCert, "--key", specialKey);
        Assert.Equal("CN=special.forge.test", await PresentedSubjectAsync(server.HttpsPort, "special.forge.test"));
        Assert.Equal("CN=*.forge.test", await PresentedSubjectAsync(server.HttpsPort, "app.forge.test"));
        Assert.Equal("CN=*.forge.test", await PresentedSubjectAsync(server.HttpsPort, "unknown.example"));
    }

    private static async Task<string> PresentedSubjectAsync(int port, string serverName)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using var ssl = new System.Net.Security.SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null, // the test only reads which certificate was presented
        });
        return ssl.RemoteCertificate!.Subject;
    }

    [Fact]
    public async Task A_client_that_cannot_verify_the_server_certificate_refuses_to_connect()
    {
        using var certs = new TestCertificates(ServerProcess.Domain);
        using var server = await ServerProcess.StartAsync("--cert", certs.CertPath, "--key", certs.KeyPath);
        using var client = ClientProcess.Start("http", "9", "--server", $"tls://127.0.0.1:{server.ControlPort}");
        Assert.Equal(1, await client.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("TLS with", client.Process.Stdout, StringComparison.Ordinal);

        using var insecure = await ClientProcess.StartAsync("http", "9", "--server", $"tls://127.0.0.1:{server.ControlPort}", "--insecure");
        Assert.Contains(".forge.test", insecure.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plaintext_client_against_a_tls_control_port_fails_cleanly()
    {
        using var certs = new TestCertificates(ServerProcess.Domain);
        using var server = await ServerProcess.StartAsync("--cert", certs.CertPath, "--key", certs.KeyPath);
        using var client = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--exit-on-disconnect");
        Assert.Equal(1, await client.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
