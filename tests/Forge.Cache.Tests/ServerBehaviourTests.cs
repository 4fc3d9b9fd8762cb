using System.Text;
using Forge.Cache.Tests.Support;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>Connection-level behaviour: protocol errors, pipelining, RESP3, auth, limits, MULTI, pub/sub.</summary>
public sealed class ServerBehaviourTests
{
    [Fact]
    public async Task ABlockedCommandCountsOnceInCommandstats()
    {
        await using var server = InProcessServer.Start();
        using var waiter = server.Connect();
        using var other = server.Connect();
        waiter.Send("BLPOP", "q", "0");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!((string)other.Call("INFO", "clients")!).Contains("blocked_clients:1", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "BLPOP never blocked");
            await Task.Yield();
        }

        other.Call("RPUSH", "q", "x");
        Assert.Equal(new object[] { "q", "x" }, waiter.Read());
        waiter.Send("BLPOP", "q", "0.05");
        Assert.Null(waiter.Read()); // timed out
        var stats = (string)other.Call("INFO", "commandstats")!;
        Assert.Contains("cmdstat_blpop:calls=2,", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondServerOnTheSamePortIsRefused()
    {
        using var first = ForgeCacheProcess.Start("--save", "");
        var dir = Directory.CreateTempSubdirectory("forge-cache-test-").FullName;
        try
        {
            using var second = ForgeProcess.Start(["cache", "--port", first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir, "--save", ""]);
            Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Address already in use", second.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ProtocolErrorClosesOnlyThatConnection()
    {
        await using var server = InProcessServer.Start();
        using var good = server.Connect();
        good.Call("SET", "k", "v");
        using var bad = server.Connect();
        bad.SendRaw("*1\r\n$foo\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", bad.ReadRaw());
        Assert.True(bad.IsClosedByServer());
        Assert.Equal("v", good.Call("GET", "k"));
    }

    [Fact]
    public async Task OversizedMultibulkAndBulkAreRefused()
    {
        await using var server = InProcessServer.Start();
        using var a = server.Connect();
        a.SendRaw("*2000000\r\n");
        Assert.Equal("-ERR Protocol error: invalid multibulk length\r\n", a.ReadRaw());
        Assert.True(a.IsClosedByServer());
        using var b = server.Connect();
        b.SendRaw("*1\r\n$536870913\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", b.ReadRaw());
        Assert.True(b.IsClosedByServer());
    }

    [Fact]
    public async Task RandomGarbageNeverTakesTheServerDown()
    {
        await using var server = InProcessServer.Start();
        var random = new Random(42);
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < deadline)
        {
            using var c = server.Connect();
            var junk = new byte[random.Next(1, 2000)];
            random.NextBytes(junk);
            if (random.Next(2) == 0)
            {
                junk[0] = (byte)'*';
            }

            try
            {
                c.SendRaw(junk);
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        using var check = server.Connect();
        Assert.Equal("PONG", check.Call("PING"));
    }

    [Fact]
    public async Task DeepPipelinesAndInlineCommands()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        var sb = new StringBuilder();
        for (var i = 0; i < 10000; i++)
        {
            sb.Append(Encoding.UTF8.GetString(RespClient.Encode("INCR", "counter")));
        }

        c.SendRaw(sb.ToString());
        for (var i = 1; i <= 10000; i++)
        {
            Assert.Equal((long)i, c.Read());
        }

        c.SendRaw("SET greeting \"hello world\"\r\nGET greeting\r\n");
        Assert.Equal("OK", c.Read());
        Assert.Equal("hello world", c.Read());
    }

    [Fact]
    public async Task Resp3HelloChangesReplyTypes()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        var hello = (object?[])c.Call("HELLO", "3")!;
        Assert.Equal("server", hello[0]);
        Assert.Equal("_\r\n", c.CallRaw("GET", "missing"));
        Assert.StartsWith("%", c.CallRaw("CONFIG", "GET", "port"), StringComparison.Ordinal);
        Assert.Equal("-NOPROTO unsupported protocol version\r\n", c.CallRaw("HELLO", "4"));
        c.Call("HELLO", "2");
        Assert.Equal("$-1\r\n", c.CallRaw("GET", "missing"));
    }

    [Fact]
    public async Task RequirePass()
    {
        await using var server = InProcessServer.Start(("requirepass", "s3cret"));
        using var c = server.Connect();
        Assert.Equal("-NOAUTH Authentication required.\r\n", c.CallRaw("GET", "k"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.CallRaw("AUTH", "nope"));
        Assert.Equal("+OK\r\n", c.CallRaw("AUTH", "s3cret"));
        Assert.Equal("$-1\r\n", c.CallRaw("GET", "k"));
    }

    [Fact]
    public async Task MaxClientsRefusesTheExtraConnection()
    {
        await using var server = InProcessServer.Start(("maxclients", "2"));
        using var a = server.Connect();
        using var b = server.Connect();
        a.Call("PING");
        b.Call("PING");
        using var c = server.Connect();
        Assert.Equal("-ERR max number of clients reached\r\n", c.ReadRaw());
    }

    [Fact]
    public async Task IdleClientsTimeOut()
    {
        await using var server = InProcessServer.Start(("timeout", "1"));
        using var c = server.Connect();
        c.Call("PING");
        Assert.True(c.IsClosedByServer(10_000));
    }

    [Fact]
    public async Task MultiExecAndQueuedErrors()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        Assert.Equal("+OK\r\n", c.CallRaw("MULTI"));
        Assert.Equal("+QUEUED\r\n", c.CallRaw("INCR", "a"));
        Assert.Equal("+QUEUED\r\n", c.CallRaw("INCR", "a"));
        Assert.Equal("*2\r\n:1\r\n:2\r\n", c.CallRaw("EXEC"));
        c.Call("MULTI");
        c.Call("INCR", "a");
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", c.CallRaw("GET"));
        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", c.CallRaw("EXEC"));
        Assert.Equal("2", c.Call("GET", "a"));
        Assert.Equal("-ERR EXEC without MULTI\r\n", c.CallRaw("EXEC"));
    }

    [Fact]
    public async Task WatchAbortsExecWhenAnotherClientWrites()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        using var other = server.Connect();
        c.Call("SET", "w", "1");
        c.Call("WATCH", "w");
        other.Call("SET", "w", "2");
        c.Call("MULTI");
        c.Call("SET", "w", "3");
        Assert.Equal("*-1\r\n", c.CallRaw("EXEC"));
        Assert.Equal("2", c.Call("GET", "w"));
        c.Call("WATCH", "w");
        c.Call("MULTI");
        c.Call("SET", "w", "3");
        Assert.Equal("*1\r\n+OK\r\n", c.CallRaw("EXEC"));
    }

    [Fact]
    public async Task PubSubDeliversToChannelsAndPatterns()
    {
        await using var server = InProcessServer.Start();
        using var sub = server.Connect();
        using var pub = server.Connect();
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", sub.CallRaw("SUBSCRIBE", "news"));
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", sub.CallRaw("PSUBSCRIBE", "n*"));
        Assert.Equal(":2\r\n", pub.CallRaw("PUBLISH", "news", "hi"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n", sub.ReadRaw());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n", sub.ReadRaw());
        Assert.StartsWith("-ERR Can't execute 'get'", sub.CallRaw("GET", "x"), StringComparison.Ordinal);
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", sub.CallRaw("PING"));
    }

    [Fact]
    public async Task SlowSubscriberIsDisconnectedAtTheOutputLimit()
    {
        await using var server = InProcessServer.Start(("client-output-buffer-limit", "pubsub 100kb 0 0"));
        using var sub = server.Connect();
        sub.Call("SUBSCRIBE", "c");
        using var pub = server.Connect();
        var payload = new string('x', 10_000);
        // The subscriber never reads: its socket buffers fill, then its output buffer passes 100 KB.
        for (var i = 0; i < 2000 && server.Server.ClientCount > 1; i++)
        {
            pub.Call("PUBLISH", "c", payload);
        }

        Assert.Equal(1, server.Server.ClientCount);
        Assert.Equal("PONG", pub.Call("PING"));
    }

    [Fact]
    public async Task BlockedClientGetsItsReplyWhenWokenWithoutSendingAnythingElse()
    {
        // Regression: a client woken from a block (here by CLIENT UNBLOCK, which needs no data type)
        // must have its reply sent even though it sends nothing more.
        await using var server = InProcessServer.Start();
        using var blocked = server.Connect();
        using var other = server.Connect();
        var id = (long)blocked.Call("CLIENT", "ID")!;
        blocked.Send("BLPOP", "nothing", "0");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Server.Blocking.BlockedClients == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(":1\r\n", other.CallRaw("CLIENT", "UNBLOCK", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("*-1\r\n", blocked.ReadRaw());
    }

    [Fact]
    public async Task ClientCommands()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        using var victim = server.Connect();
        victim.Call("CLIENT", "SETNAME", "victim");
        var id = (long)victim.Call("CLIENT", "ID")!;
        var list = (string)c.Call("CLIENT", "LIST")!;
        Assert.Contains("name=victim", list, StringComparison.Ordinal);
        Assert.Equal(":1\r\n", c.CallRaw("CLIENT", "KILL", "ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(victim.IsClosedByServer());
        Assert.Equal("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", c.CallRaw("CLIENT", "SETNAME", "a b"));
    }

    [Fact]
    public async Task ConfigGetSet()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        Assert.Equal("+OK\r\n", c.CallRaw("CONFIG", "SET", "maxmemory", "10mb"));
        Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n", c.CallRaw("CONFIG", "GET", "maxmemory"));
        Assert.Equal("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", c.CallRaw("CONFIG", "SET", "nosuch", "1"));
        Assert.Equal("*0\r\n", c.CallRaw("CONFIG", "GET", "nosuch"));
        Assert.Equal("+OK\r\n", c.CallRaw("CONFIG", "SET", "notify-keyspace-events", "KA"));
        Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nAK\r\n", c.CallRaw("CONFIG", "GET", "notify-keyspace-events"));
    }

    [Fact]
    public async Task KeyspaceNotifications()
    {
        await using var server = InProcessServer.Start(("notify-keyspace-events", "KEA"));
        using var sub = server.Connect();
        using var c = server.Connect();
        sub.Call("PSUBSCRIBE", "*");
        c.Call("SET", "foo", "bar");
        Assert.Equal(new object?[] { "pmessage", "*", "__keyspace@0__:foo", "set" }, (object?[])sub.Read()!);
        Assert.Equal(new object?[] { "pmessage", "*", "__keyevent@0__:set", "foo" }, (object?[])sub.Read()!);
    }
}
