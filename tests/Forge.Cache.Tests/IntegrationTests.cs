using System.Diagnostics;
using Forge.Cache.Tests.Support;
using Forge.Testing;
using StackExchange.Redis;

namespace Forge.Cache.Tests;

/// <summary>A real `forge cache` process used by real clients: StackExchange.Redis and redis-cli.</summary>
[Collection("forge cache process")]
public sealed class IntegrationTests
{
    [Fact]
    public async Task StackExchangeRedisWorksUnmodified()
    {
        using var server = ForgeCacheProcess.Start();
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}");
        var db = mux.GetDatabase();
        Assert.True(await db.StringSetAsync("user:1", "ada", TimeSpan.FromMinutes(5)));
        Assert.Equal("ada", (string?)await db.StringGetAsync("user:1"));
        Assert.Equal(3, await db.StringIncrementAsync("hits", 3));
        var ttl = await db.KeyTimeToLiveAsync("user:1");
        Assert.InRange(ttl!.Value.TotalSeconds, 290, 300);

        var tran = db.CreateTransaction();
        tran.AddCondition(Condition.StringEqual("user:1", "ada"));
        _ = tran.StringSetAsync("user:1", "grace");
        Assert.True(await tran.ExecuteAsync());
        Assert.Equal("grace", (string?)await db.StringGetAsync("user:1"));

        var sub = mux.GetSubscriber();
        var got = new TaskCompletionSource<string>();
        await sub.SubscribeAsync(RedisChannel.Literal("events"), (_, msg) => got.TrySetResult(msg!));
        await sub.PublishAsync(RedisChannel.Literal("events"), "hello");
        Assert.Equal("hello", await got.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        // Many concurrent operations over the one multiplexed connection.
        var tasks = Enumerable.Range(0, 1000).Select(i => db.StringSetAsync($"k{i}", i)).ToArray();
        await Task.WhenAll(tasks);
        Assert.Equal(999, (int)await db.StringGetAsync("k999"));
    }

    [Fact]
    public async Task StackExchangeRedisOverResp3()
    {
        using var server = ForgeCacheProcess.Start();
        var options = ConfigurationOptions.Parse($"127.0.0.1:{server.Port}");
        options.Protocol = RedisProtocol.Resp3;
        await using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var db = mux.GetDatabase();
        await db.StringSetAsync("a", "1");
        Assert.Equal("1", (string?)await db.StringGetAsync("a"));
        Assert.False((await db.StringGetAsync("missing")).HasValue);
        Assert.Equal(RedisProtocol.Resp3, mux.GetServer(mux.GetEndPoints()[0]).Protocol);
    }

    private static string RedisCli(int port, params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/redis-cli"), "redis-cli is missing (./test.sh installs Debian's redis-tools)");
        var psi = new ProcessStartInfo("/usr/bin/redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "redis-cli did not finish");
        return output;
    }

    [Fact]
    public void RedisCliWorksUnmodified()
    {
        using var server = ForgeCacheProcess.Start();
        Assert.Equal("OK\n", RedisCli(server.Port, "SET", "greeting", "hello world"));
        Assert.Equal("hello world\n", RedisCli(server.Port, "GET", "greeting"));
        Assert.Equal("(integer) 1\n", RedisCli(server.Port, "--no-raw", "EXISTS", "greeting"));
        Assert.Equal("ERR unknown command 'FOO', with args beginning with: \n\n", RedisCli(server.Port, "FOO"));
        Assert.Contains("redis_version:7.0.15", RedisCli(server.Port, "INFO", "server"), StringComparison.Ordinal);
        // --pipe mass insertion, as the Redis docs describe it.
        var file = Path.Combine(Path.GetTempPath(), $"forge-pipe-{Environment.ProcessId}.txt");
        try
        {
            File.WriteAllLines(file, Enumerable.Range(0, 5000).Select(i => $"SET key:{i} value:{i}"));
            var psi = new ProcessStartInfo("/bin/sh", ["-c", $"cat {file} | /usr/bin/redis-cli -p {server.Port} --pipe"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(30_000);
            Assert.Contains("errors: 0, replies: 5000", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal("5001\n", RedisCli(server.Port, "DBSIZE"));
    }

    [Fact]
    public void ConfigFileAndCommandLineDirectives()
    {
        using var dir = new TempDir();
        var conf = Path.Combine(dir.Path, "forge-cache.conf");
        File.WriteAllText(conf, "# comment\ndatabases 4\nmaxclients 77\nsave \"\"\n");
        using var server = ForgeCacheProcess.Start("--config", conf, "--hz", "20");
        using var c = new RespClient(server.Port);
        Assert.Equal(new object?[] { "databases", "4" }, (object?[])c.Call("CONFIG", "GET", "databases")!);
        Assert.Equal(new object?[] { "maxclients", "77" }, (object?[])c.Call("CONFIG", "GET", "maxclients")!);
        Assert.Equal(new object?[] { "hz", "20" }, (object?[])c.Call("CONFIG", "GET", "hz")!);
        Assert.Equal("-ERR DB index is out of range\r\n", c.CallRaw("SELECT", "4"));
    }

    [Fact]
    public async Task UnknownDirectiveIsRefusedWithRedisWording()
    {
        using var dir = new TempDir();
        var conf = Path.Combine(dir.Path, "bad.conf");
        File.WriteAllText(conf, "port 7000\nfoo bar\n");
        var (exit, _, stderr) = await ForgeProcess.RunAsync("cache", "--config", conf);
        Assert.Equal(1, exit);
        Assert.Contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", stderr, StringComparison.Ordinal);
        Assert.Contains("Reading the configuration file, at line 2", stderr, StringComparison.Ordinal);
        Assert.Contains(">>> 'foo bar'", stderr, StringComparison.Ordinal);
        Assert.Contains("Bad directive or wrong number of arguments", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShutdownStopsTheProcess()
    {
        using var server = ForgeCacheProcess.Start();
        using var c = new RespClient(server.Port);
        c.Send("SHUTDOWN", "NOSAVE");
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
