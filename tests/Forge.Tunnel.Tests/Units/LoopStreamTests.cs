using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Forge.Io;
using Microsoft.Extensions.Logging.Abstractions;

namespace Forge.Tunnel.Tests.Units;

/// <summary>
/// The event-loop socket stream the tunnel's connections use (Forge.Io/LoopStream.cs): connect,
/// transfers larger than the socket buffers (waits for readability and writability), cancelled
/// reads, and leaving the loop on dispose.
/// </summary>
public class LoopStreamTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connect_to_a_closed_port_is_refused()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var ex = await Assert.ThrowsAsync<SocketException>(() => LoopStream.ConnectAsync(loop, "127.0.0.1", port, CancellationToken.None).WaitAsync(s_timeout));
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
        Assert.Equal(0, loop.Registered);
    }

    [Fact]
    public async Task Megabytes_pass_both_ways_at_once()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        var (stream, peerSocket) = await ConnectedAsync(loop, "localhost");
        await using var ownedStream = stream;
        using var ownedPeer = peerSocket;
        await using var peer = new NetworkStream(peerSocket, ownsSocket: false);

        // Far more than the socket buffers hold: both sides must wait for room and for data.
        var up = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var down = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var writeUp = stream.WriteAsync(up).AsTask();
        var writeDown = peer.WriteAsync(down).AsTask();
        var readUp = ReadExactlyAsync(peer, up.Length);
        var readDown = ReadExactlyAsync(stream, down.Length);
        await Task.WhenAll(writeUp, writeDown, readUp, readDown).WaitAsync(s_timeout);
        Assert.Equal(up, await readUp);
        Assert.Equal(down, await readDown);

        // A read waiting when the end of stream arrives takes its (one, edge-triggered) event.
        var eof = stream.ReadAsync(new byte[16]).AsTask();
        Assert.False(eof.IsCompleted); // nothing to read yet: it waits
        peerSocket.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await eof.WaitAsync(s_timeout));

        // The end-of-stream event came once; reading again must not wait for another.
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_cancelled_read_ends_and_the_stream_stays_usable()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        var (stream, peer) = await ConnectedAsync(loop, IPAddress.Loopback.ToString());
        using var ownedPeer = peer;

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var buffer = new byte[16];
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(buffer, cts.Token).AsTask().WaitAsync(s_timeout));

        await peer.SendAsync("late"u8.ToArray());
        var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(s_timeout);
        Assert.Equal("late"u8.ToArray(), buffer[..n]);

        Assert.Equal(1, loop.Registered);
        await stream.DisposeAsync();
        Assert.Equal(0, loop.Registered);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(buffer).AsTask());
    }

    [Fact]
    public async Task Off_loop_work_and_its_waits_run_on_the_thread_pool_then_the_loop_takes_over()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        var (stream, peer) = await ConnectedAsync(loop, "127.0.0.1");
        await using var ownedStream = stream;
        using var ownedPeer = peer;

        var outcome = new TaskCompletionSource<(bool Before, bool AfterWait, bool Back)>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task RunAsync()
        {
            try
            {
                await loop.SwitchTo();
                bool before = true, afterWait = true;
                await stream.OffLoopAsync(async () =>
                {
                    before = loop.IsCurrentThread;
                    var buffer = new byte[4];
                    var read = stream.ReadAsync(buffer).AsTask();
                    Assert.False(read.IsCompleted); // it has to wait for the loop's event
                    await peer.SendAsync("ping"u8.ToArray());
                    await read;
                    afterWait = loop.IsCurrentThread;
                });
                outcome.SetResult((before, afterWait, loop.IsCurrentThread));
            }
            catch (Exception ex)
            {
                outcome.SetException(ex);
            }
        }

        _ = RunAsync();
        var (beforeOnLoop, afterWaitOnLoop, backOnLoop) = await outcome.Task.WaitAsync(s_timeout);
        Assert.False(beforeOnLoop);
        Assert.False(afterWaitOnLoop);
        Assert.True(backOnLoop);
    }

    [Fact]
    public async Task Data_and_the_end_of_stream_in_one_event_both_reach_the_reader()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        var (stream, peer) = await ConnectedAsync(loop, "127.0.0.1");
        await using var ownedStream = stream;
        using var ownedPeer = peer;
        var buffer = new byte[64];
        var first = stream.ReadAsync(buffer).AsTask();
        Assert.False(first.IsCompleted);

        // Hold the loop's thread while the data and the FIN arrive, so that epoll reports them
        // as one edge (IN|RDHUP), the way a busy loop sees an app that writes and closes.
        using var gate = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            held.SetResult();
            gate.Wait(s_timeout);
        });
        await held.Task.WaitAsync(s_timeout);
        peer.Send("last words"u8);
        peer.Shutdown(SocketShutdown.Send);
        gate.Set();

        var n = await first.WaitAsync(s_timeout);
        Assert.Equal("last words"u8.ToArray(), buffer[..n]);
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(s_timeout)); // waited forever before
    }

    [Fact]
    public async Task An_interrupt_before_the_wait_starts_is_not_lost()
    {
        var waiter = new SocketReadiness.Waiter();
        waiter.Interrupt(); // the token fired between registering and waiting
        Assert.True(await waiter.WaitAsync().AsTask().WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Before_wait_work_runs_after_the_iteration_on_the_loop_thread()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        Assert.Throws<InvalidOperationException>(() => loop.RunBeforeWait(() => { }));

        var order = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            loop.RunBeforeWait(() =>
            {
                order.Add("before-wait " + loop.IsCurrentThread);
                done.SetResult();
            });
            order.Add("posted");
        });
        await done.Task.WaitAsync(s_timeout);
        Assert.Equal(["posted", "before-wait True"], order);
    }

    /// <summary>A LoopStream connected (through <paramref name="host"/>) to a plain socket, the peer.</summary>
    private static async Task<(LoopStream Stream, Socket Peer)> ConnectedAsync(EventLoop loop, string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptSocketAsync();
        var stream = await LoopStream.ConnectAsync(loop, host, ((IPEndPoint)listener.LocalEndpoint).Port, CancellationToken.None).WaitAsync(s_timeout);
        return (stream, await accept.WaitAsync(s_timeout));
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var data = new byte[count];
        await stream.ReadExactlyAsync(data);
        return data;
    }
}
