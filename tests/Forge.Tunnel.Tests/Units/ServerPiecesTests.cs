using System.Net;
using Forge.Testing;
using Forge.Tunnel.Client;
using Forge.Tunnel.Server;

namespace Forge.Tunnel.Tests.Units;

public class ServerPiecesTests
{
    [Fact]
    public void Leases_verify_only_for_their_kind_and_name_and_resist_tampering()
    {
        var signer = new LeaseSigner();
        var lease = signer.Sign("http", "shop", "alice");
        Assert.True(signer.Verify(lease, "http", "shop"));
        Assert.Equal("shop", signer.NameOf(lease, "http"));
        Assert.False(signer.Verify(lease, "http", "other"));
        Assert.False(signer.Verify(lease, "tcp", "shop"));
        Assert.False(new LeaseSigner().Verify(lease, "http", "shop")); // another server's key
        var tampered = lease[..^2] + (lease[^2] == 'A' ? "BA" : "AA");
        Assert.False(signer.Verify(tampered, "http", "shop"));
        Assert.Null(signer.NameOf("garbage", "http"));
        Assert.Null(signer.NameOf("a.b.c", "http"));
        Assert.Null(signer.NameOf(null, "http"));
    }

    [Fact]
    public void Token_file_accepts_named_tokens_and_ignores_comments()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t"), "# comment\n\nfirst-token-1 alice\n  second-token-2\t bob smith \nthird-token-3\n");
        var store = TokenStore.Load(dir.File("t"));
        Assert.Equal(3, store.Count);
        Assert.Equal("alice", store.Authenticate("first-token-1"));
        Assert.Equal("bob smith", store.Authenticate("second-token-2"));
        Assert.Equal("token#5", store.Authenticate("third-token-3"));
        Assert.Null(store.Authenticate("first-token-2"));
        Assert.Null(store.Authenticate(""));
        Assert.Null(store.Authenticate(null));
    }

    [Fact]
    public void Short_tokens_are_refused_when_loading()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t"), "abc\n");
        var ex = Assert.Throws<FormatException>(() => TokenStore.Load(dir.File("t")));
        Assert.Contains(":1:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tunnel.example.com", "tunnel.example.com", 4321, true)]
    [InlineData("tls://tunnel.example.com:443", "tunnel.example.com", 443, true)]
    [InlineData("tcp://127.0.0.1:4000", "127.0.0.1", 4000, false)]
    [InlineData("tcp://[::1]:4000/", "::1", 4000, false)]
    [InlineData("TLS://host", "host", 4321, true)]
    public void Server_addresses_parse(string text, string host, int port, bool tls)
    {
        Assert.True(ServerAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(new ServerAddress(host, port, tls), address);
    }

    [Theory]
    [InlineData("http://host:1")]
    [InlineData("tcp://host:99999")]
    [InlineData("tcp://:1")]
    [InlineData("tcp://host:x")]
    [InlineData("tcp://[::1")]
    public void Bad_server_addresses_are_refused_with_a_reason(string text)
    {
        Assert.False(ServerAddress.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("myapp", true)]
    [InlineData("a", true)]
    [InlineData("my-app-2", true)]
    [InlineData("-x", false)]
    [InlineData("x-", false)]
    [InlineData("My", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void Subdomains_are_single_dns_labels(string name, bool valid) =>
        Assert.Equal(valid, TunnelServer.IsValidSubdomain(name));

    [Fact]
    public void Proxy_v2_header_for_ipv6_has_the_documented_layout()
    {
        var header = ProxyProtocol.BuildV2(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1234), new IPEndPoint(IPAddress.Parse("2001:db8::2"), 443));
        Assert.Equal(16 + 36, header.Length);
        Assert.Equal(0x21, header[12]);
        Assert.Equal(0x21, header[13]);
        Assert.Equal(36, (header[14] << 8) | header[15]);
        Assert.Equal(1234, (header[48] << 8) | header[49]);
        Assert.Equal(443, (header[50] << 8) | header[51]);
    }

    [Fact]
    public void Registry_keeps_a_dropped_name_for_its_owner_during_the_grace_period()
    {
        var registry = new TunnelRegistry(TimeSpan.FromMinutes(1));
        var entry = registry.TryClaim("http", "shop", "alice", hasValidLease: false, session: null!, out var error, out _);
        Assert.NotNull(entry);
        Assert.Null(registry.TryClaim("http", "shop", "bob", false, null!, out error, out _));
        Assert.Contains("held by another token", error, StringComparison.Ordinal);
    }
}

public class CertificateStoreTests
{
    [Theory]
    [InlineData("*.example.com", "app.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("example.com", "example.com", false)]
    [InlineData("*.example.com", "app.example.org", false)]
    public void Wildcards_cover_exactly_one_label(string pattern, string name, bool matches) =>
        Assert.Equal(matches, Forge.Tunnel.Server.CertificateStore.MatchesWildcard(pattern, name));
}
