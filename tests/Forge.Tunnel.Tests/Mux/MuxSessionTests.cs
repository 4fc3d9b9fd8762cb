using System.Security.Cryptography;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;

namespace Forge.Tunnel.Tests.Mux;

public class MuxSessionTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Data_flows_both_ways_and_fin_ends_reads()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (server, client) = await pair.OpenAsync();
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var send = Task.Run(async () =>
        {
            await server.WriteAsync(payload);
            server.CompleteWrites();
        });
        var received = await ReadAllAsync(client).WaitAsync(s_timeout);
        await send;
        Assert.Equal(payload, received);

        await client.WriteAsync("pong"u8.ToArray());
        client.CompleteWrites();
        Assert.Equal("pong"u8.ToArray(), await ReadAllAsync(server).WaitAsync(s_timeout));
        Assert.Equal(0, await server.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Open_metadata_reaches_the_peer()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (_, client) = await pair.OpenAsync();
        Assert.Equal(SessionPair.Metadata.Source, client.Metadata!.Value.Source);
        Assert.Equal(StreamKind.Tcp, client.Metadata!.Value.Kind);
    }

    [Fact]
    public async Task Many_concurrent_streams_each_arrive_intact()
    {
        await using var pair = await SessionPair.CreateAsync();
        var streams = new List<(MuxStream, MuxStream)>();
        for (var i = 0; i < 64; i++)
        {
            streams.Add(await pair.OpenAsync());
        }

        var tasks = streams.Select(async (ends, i) =>
        {
            var (server, client) = ends;
            var payload = RandomNumberGenerator.GetBytes(64 * 1024 + i);
            var echo = Task.Run(async () =>
            {
                await client.CopyToAsync(client);
                client.CompleteWrites();
            });
            var send = Task.Run(async () =>
            {
                await server.WriteAsync(payload);
                server.CompleteWrites();
            });
            var back = await ReadAllAsync(server);
            await Task.WhenAll(echo, send);
            Assert.Equal(payload, back);
        });
        await Task.WhenAll(tasks).WaitAsync(s_timeout);
        await WaitUntil(() => pair.Server.StreamCount == 0 && pair.Client.StreamCount == 0);
    }

    [Fact]
    public async Task A_stalled_reader_does_not_stall_other_streams_and_buffers_at_most_its_window()
    {
        var options = new MuxOptions { InitialWindow = 64 * 1024, MaxStreamWindow = 256 * 1024 };
        await using var pair = await SessionPair.CreateAsync(options);
        var (stalledServer, stalledClient) = await pair.OpenAsync();
        var (fastServer, fastClient) = await pair.OpenAsync();

        // Nobody reads stalledClient: its writer must block once the window is used up.
        var stalledWrite = stalledServer.WriteAsync(new byte[8 * 1024 * 1024]).AsTask();

        var payload = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        var send = Task.Run(async () =>
        {
            await fastServer.WriteAsync(payload);
            fastServer.CompleteWrites();
        });
        Assert.Equal(payload, await ReadAllAsync(fastClient).WaitAsync(s_timeout));
        await send;

        Assert.False(stalledWrite.IsCompleted);
        Assert.True(stalledServer.BytesWritten <= options.InitialWindow, $"sent {stalledServer.BytesWritten} into a {options.InitialWindow}-byte window");

        // Reading resumes the stalled stream.
        var drain = ReadExactlyAsync(stalledClient, 8 * 1024 * 1024);
        await stalledWrite.WaitAsync(s_timeout);
        await drain.WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Abort_resets_the_peer_side()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (server, client) = await pair.OpenAsync();
        var read = client.ReadAsync(new byte[10]).AsTask();
        server.Abort();
        await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(s_timeout));
        await WaitUntil(() => pair.Server.StreamCount == 0 && pair.Client.StreamCount == 0);
        await Assert.ThrowsAnyAsync<Exception>(async () => await client.WriteAsync(new byte[1]));
    }

    [Fact]
    public async Task Closing_the_session_fails_open_streams_and_completes()
    {
        var pair = await SessionPair.CreateAsync();
        var (_, client) = await pair.OpenAsync();
        var read = client.ReadAsync(new byte[10]).AsTask();
        await pair.Server.CloseAsync(GoAwayCode.Normal, "test");
        await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(s_timeout));
        Assert.NotNull(await pair.Client.Completion.WaitAsync(s_timeout));
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Rtt_is_measured_and_windows_grow_on_a_fast_bulk_transfer()
    {
        await using var pair = await SessionPair.CreateAsync(new MuxOptions { InitialWindow = 16 * 1024 });
        var (server, client) = await pair.OpenAsync();
        await WaitUntil(() => pair.Server.SmoothedRttTicks > 0);
        var send = Task.Run(async () =>
        {
            await server.WriteAsync(new byte[32 * 1024 * 1024]);
            server.CompleteWrites();
        });
        var total = 0L;
        var buffer = new byte[256 * 1024];
        int n;
        while ((n = await client.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        await send;
        Assert.Equal(32 * 1024 * 1024, total);
        Assert.True(client.ReceiveWindowSize > 16 * 1024, $"window stayed at {client.ReceiveWindowSize}");
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }

    private static async Task ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, count)));
            Assert.True(n > 0, "stream ended early");
            count -= n;
        }
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
