using System.Net.Sockets;
using System.Text;
using Forge.Cache.Server;
using Forge.Cache.Tests.Support;
using Forge.Io;

namespace Forge.Cache.Tests;

/// <summary>
/// The connection event loops (Forge.Io/EventLoop.cs): readiness latching, replies larger than the
/// socket buffer, requests larger than the receive buffer, many connections across loops, and
/// shutdown with connections still waiting.
/// </summary>
public sealed class EventLoopTests
{
    [Fact]
    public async Task AnEventBeforeTheWaitIsKeptForIt()
    {
        var waiter = new SocketReadiness.Waiter();
        waiter.Signal();
        waiter.Signal(); // latched once, not counted
        var first = waiter.WaitAsync();
        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(await first);

        var second = waiter.WaitAsync();
        Assert.False(second.IsCompleted);
        waiter.Signal();
        Assert.True(second.IsCompleted);
        Assert.True(await second);
    }

    [Fact]
    public async Task ClosingEndsAPendingWaitAndLaterOnes()
    {
        var waiter = new SocketReadiness.Waiter();
        var pending = waiter.WaitAsync().AsTask();
        waiter.Close();
        Assert.False(await pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await waiter.WaitAsync());
        waiter.Signal(); // after close: ignored
        Assert.False(await waiter.WaitAsync());
    }

    [Fact]
    public async Task SwitchToContinuesOnTheLoopsThread()
    {
        using var loop = new EventLoop(0, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await Task.Run(async () =>
        {
            Assert.False(loop.IsCurrentThread);
            await loop.SwitchTo();
            Assert.True(loop.IsCurrentThread);
            await loop.SwitchTo(); // already there: completes at once
            Assert.True(loop.IsCurrentThread);
        }).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnUnsubscribeSentBeforeAPublishIsUsuallyRunFirst()
    {
        // Redis's pubsub unit sends UNSUBSCRIBE on one connection and at once PUBLISH on another,
        // expecting 0 receivers. Before connections were moved onto their loop's thread, a new
        // connection kept running on the accept thread and raced the loop for the lock: about 3%
        // of such PUBLISHes counted the subscriber. Epoll can still report the two sockets in the
        // other order now and then (docs/cache.md, Known limits), so the bound is loose.
        await using var server = InProcessServer.Start();
        using var publisher = server.Connect();
        const int Rounds = 600;
        var counted = 0;
        for (var i = 0; i < Rounds; i++)
        {
            using var subscriber = server.Connect();
            subscriber.Send("SUBSCRIBE", "chan1");
            Assert.Equal(new object[] { "subscribe", "chan1", 1L }, subscriber.Read());
            subscriber.Send("UNSUBSCRIBE");
            if ((long)publisher.Call("PUBLISH", "chan1", "hello")! != 0)
            {
                counted++;
            }
        }

        Assert.True(counted <= Rounds / 100, $"{counted} of {Rounds} PUBLISHes counted a subscriber that had sent UNSUBSCRIBE first");
    }

    [Fact]
    public async Task RepliesLargerThanTheSocketBufferArriveWhole()
    {
        await using var server = InProcessServer.Start();
        using var client = server.Connect();
        var value = new string('v', 1 << 20);
        client.Call("SET", "big", value);

        // 64 pipelined GETs of 1 MiB, sent before reading anything: the server's sends fill the
        // socket buffer and must wait for it to drain (the writable path), not drop or reorder.
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync("127.0.0.1", server.Port);
        const int Count = 64;
        var request = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", Count)));
        await raw.SendAsync(request);
        var expected = Encoding.ASCII.GetBytes($"${value.Length}\r\n{value}\r\n");
        var buffer = new byte[expected.Length * Count];
        var got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (got < buffer.Length)
        {
            var n = await raw.ReceiveAsync(buffer.AsMemory(got), cts.Token);
            Assert.True(n > 0, $"connection closed after {got} of {buffer.Length} bytes");
            got += n;
        }

        for (var i = 0; i < Count; i++)
        {
            Assert.True(buffer.AsSpan(i * expected.Length, expected.Length).SequenceEqual(expected), $"reply {i} differs");
        }
    }

    [Fact]
    public async Task ARequestLargerThanTheReceiveBufferIsReadWhole()
    {
        await using var server = InProcessServer.Start();

        // One SET of 8 MiB (the receive buffer starts at 16 KiB) followed by a PING in the same
        // write: everything must be read although the rest is queued before the server asks.
        var value = new string('x', 8 << 20);
        var request = RespClient.Encode("SET", "k", value).Concat(RespClient.Encode("PING")).ToArray();
        var reply = await ExchangeAsync(server.Port, request, "+OK\r\n+PONG\r\n".Length);
        Assert.Equal("+OK\r\n+PONG\r\n", Encoding.ASCII.GetString(reply));
        using var client = server.Connect();
        Assert.Equal((long)value.Length, client.Call("STRLEN", "k"));
    }

    [Fact]
    public async Task APipelineLargerThanTheReceiveBufferIsServedWithoutFurtherInput()
    {
        await using var server = InProcessServer.Start();
        // 5,000 PINGs (70,000 bytes) in one write, then nothing: the first receive fills the
        // 16 KiB buffer and the rest is already queued, so no new readiness event will come.
        const int Count = 5000;
        var request = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n$4\r\nPING\r\n", Count)));
        var expected = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("+PONG\r\n", Count)));
        var buffer = await ExchangeAsync(server.Port, request, expected.Length);
        Assert.True(buffer.AsSpan().SequenceEqual(expected));
    }

    /// <summary>
    /// Sends <paramref name="request"/> while reading <paramref name="replyLength"/> bytes, both with
    /// a deadline, so a server that stops reading fails the test instead of hanging it.
    /// </summary>
    private static async Task<byte[]> ExchangeAsync(int port, byte[] request, int replyLength)
    {
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync("127.0.0.1", port);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var send = raw.SendAsync(request, cts.Token).AsTask();
        var buffer = new byte[replyLength];
        var got = 0;
        try
        {
            while (got < buffer.Length)
            {
                var n = await raw.ReceiveAsync(buffer.AsMemory(got), cts.Token);
                Assert.True(n > 0, $"connection closed after {got} of {buffer.Length} bytes");
                got += n;
            }

            await send;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no complete reply within 30 s: {got} of {buffer.Length} bytes, request {(send.IsCompleted ? "sent" : "not sent in full")}");
        }

        return buffer;
    }

    [Fact]
    public async Task ManyConnectionsAcrossSeveralLoopsAreAllServed()
    {
        await using var server = InProcessServer.Start(("io-threads", "3"));
        var clients = Enumerable.Range(0, 40).Select(_ => server.Connect()).ToList();
        try
        {
            for (var round = 0; round < 20; round++)
            {
                for (var i = 0; i < clients.Count; i++)
                {
                    clients[i].Send("INCR", "n");
                }

                foreach (var c in clients)
                {
                    Assert.IsType<long>(c.Read());
                }
            }

            Assert.Equal(800L, clients[0].Call("GET", "n") is string s ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : -1);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task RefusedConnectionsDoNotStayRegisteredWithALoop()
    {
        await using var server = InProcessServer.Start(("maxclients", "1"));
        using var admitted = server.Connect();
        Assert.Equal("PONG", admitted.Call("PING"));
        for (var i = 0; i < 20; i++)
        {
            using var refused = server.Connect();
            Assert.Equal("-ERR max number of clients reached\r\n", refused.ReadRaw());
            Assert.True(refused.IsClosedByServer());
        }

        Assert.Equal(1, server.Server.Loops.Registered);

        // Closed connections give their registration back too.
        admitted.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Server.Loops.Registered != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{server.Server.Loops.Registered} sockets still registered");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task ACommandAndTheCloseInOneEventAreBothSeen()
    {
        await using var server = InProcessServer.Start();
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync("127.0.0.1", server.Port);
        var buffer = new byte[64];
        await raw.SendAsync("PING\r\n"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(buffer, 0, await raw.ReceiveAsync(buffer, cts.Token)));

        // Hold the loop's thread while a command and the FIN arrive: epoll reports them as one
        // edge (IN|RDHUP), as a busy loop sees a client that sends QUIT-like last words and closes.
        using var gate = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Server.Loops.Next().Post(() =>
        {
            held.SetResult();
            gate.Wait(TimeSpan.FromSeconds(20));
        });
        await held.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await raw.SendAsync("PING\r\n"u8.ToArray());
        raw.Shutdown(SocketShutdown.Send);
        gate.Set();

        // The command is answered, then the server sees the close and closes too (it used to
        // wait for another event that never came, keeping the connection forever).
        var got = new StringBuilder();
        while (true)
        {
            var n = await raw.ReceiveAsync(buffer, cts.Token);
            if (n == 0)
            {
                break;
            }

            got.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        Assert.Equal("+PONG\r\n", got.ToString());
    }

    [Fact]
    public async Task StoppingTheServerEndsBlockedAndIdleConnections()
    {
        var server = InProcessServer.Start(("io-threads", "2"));
        using var blocked = server.Connect();
        using var idle = server.Connect();
        blocked.Send("BLPOP", "never", "0");
        Assert.Equal("PONG", idle.Call("PING"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!((string)idle.Call("INFO", "clients")!).Contains("blocked_clients:1", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "BLPOP never blocked");
            await Task.Yield();
        }

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(blocked.IsClosedByServer());
        Assert.True(idle.IsClosedByServer());
    }

    [Fact]
    public async Task AClientThatHangsUpWhileBlockedIsRemoved()
    {
        await using var server = InProcessServer.Start();
        using var other = server.Connect();
        using (var blocked = server.Connect())
        {
            blocked.Send("BLPOP", "q", "0");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!((string)other.Call("INFO", "clients")!).Contains("blocked_clients:1", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "BLPOP never blocked");
                await Task.Yield();
            }
        }

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!((string)other.Call("INFO", "clients")!).Contains("connected_clients:1\r\n", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, "the hung-up client was never removed");
            await Task.Delay(10);
        }

        // The key a departed client waited for is not consumed by it.
        other.Call("RPUSH", "q", "x");
        Assert.Equal(1L, other.Call("LLEN", "q"));
    }
}
