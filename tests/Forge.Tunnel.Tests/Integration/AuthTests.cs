using Forge.Testing;

namespace Forge.Tunnel.Tests.Integration;

public class AuthTests
{
    [Fact]
    public async Task A_client_without_a_valid_token_is_refused_clearly()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokens.txt"), "# team tokens\nalpha-token-0001 alice\nbeta-token-0002 bob\n");
        using var server = await ServerProcess.StartAsync("--tokens", dir.File("tokens.txt"));

        using var wrong = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--token", "not-a-real-token");
        Assert.Equal(1, await wrong.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("authentication failed: invalid token", wrong.Process.Stdout, StringComparison.Ordinal);

        using var none = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl);
        Assert.Equal(1, await none.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("a token is required", none.Process.Stdout, StringComparison.Ordinal);

        using var good = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--token", "alpha-token-0001");
        Assert.Contains(".forge.test", good.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subdomain_held_by_one_token_cannot_be_taken_by_another()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokens.txt"), "alpha-token-0001 alice\nbeta-token-0002 bob\n");
        using var server = await ServerProcess.StartAsync("--tokens", dir.File("tokens.txt"), "--lease-grace", "60");
        var alice = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--token", "alpha-token-0001", "--subdomain", "shop");

        using var bob = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--token", "beta-token-0002", "--subdomain", "shop");
        Assert.Equal(1, await bob.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("subdomain 'shop' is held by another token", bob.Process.Stdout, StringComparison.Ordinal);

        // Still refused while alice is away (grace period), and alice herself may come back.
        alice.Process.KillHard();
        alice.Dispose();
        await server.Process.WaitForLineAsync(l => l.Contains("disconnected", StringComparison.Ordinal));
        using var bobAgain = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--token", "beta-token-0002", "--subdomain", "shop");
        Assert.Equal(1, await bobAgain.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        using var aliceAgain = await ClientProcess.StartAsync("http", "9", "--server", server.PlainServerUrl, "--token", "alpha-token-0001", "--subdomain", "shop");
        Assert.StartsWith("http://shop.forge.test", aliceAgain.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reserved_and_invalid_subdomains_are_never_handed_out()
    {
        using var server = await ServerProcess.StartAsync("--reserved", "admin,www");
        using var admin = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--subdomain", "admin");
        Assert.Equal(1, await admin.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("subdomain 'admin' is reserved", admin.Process.Stdout, StringComparison.Ordinal);

        using var bad = ClientProcess.Start("http", "9", "--server", server.PlainServerUrl, "--subdomain", "-bad_name");
        Assert.Equal(1, await bad.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("invalid subdomain", bad.Process.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_saves_the_token_and_server_for_later_runs()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokens.txt"), "saved-token-0003 carol\n");
        using var server = await ServerProcess.StartAsync("--tokens", dir.File("tokens.txt"));
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = dir.Path };
        using (var auth = Forge.Testing.ForgeProcess.Start(["tunnel", "auth", "saved-token-0003", "--server", server.PlainServerUrl], env))
        {
            Assert.Equal(0, await auth.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.True(File.Exists(Path.Combine(dir.Path, "forge", "tunnel.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "forge", "tunnel.json")));
        using var client = Forge.Testing.ForgeProcess.Start(["tunnel", "http", "9"], env);
        var line = await client.WaitForLineAsync(l => l.StartsWith("Forwarding", StringComparison.Ordinal));
        Assert.Contains(".forge.test", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_without_any_server_address_is_a_usage_error()
    {
        var (code, _, stderr) = await Forge.Testing.ForgeProcess.RunAsync("tunnel", "http", "3000");
        Assert.Equal(2, code);
        Assert.Contains("no tunnel server", stderr, StringComparison.Ordinal);
    }
}
