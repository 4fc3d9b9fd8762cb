using System.Buffers.Binary;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Forge.Tunnel.Tests.Mux;

/// <summary>A peer sending garbage or mutated frames: the session closes (or carries on), never crashes or hangs.</summary>
public class MalformedFrameTests
{
    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // DATA on stream 0
    [InlineData(new byte[] { 7, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 })] // bad version
    [InlineData(new byte[] { 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, (byte)'{', (byte)'x' })] // bad JSON
    [InlineData(new byte[] { 1, 4, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 1 })] // OPEN with bad metadata
    [InlineData(new byte[] { 1, 4, 0, 0, 0, 0, 0, 2, 0, 0, 0, 14, 3, 4, 127, 0, 0, 1, 0, 1, 127, 0, 0, 1, 0, 2 })] // a client opening a stream
    [InlineData(new byte[] { 1, 4, 0, 0, 0, 0, 0, 3, 0, 0, 0, 14, 3, 4, 127, 0, 0, 1, 0, 1, 127, 0, 0, 1, 0, 2 })] // ...with an odd id
    public async Task Protocol_violations_close_the_session(byte[] bytes)
    {
        var (serverStream, rawPeer) = await SessionPair.ConnectedStreamsAsync();
        await using var session = new MuxSession(serverStream, isServer: true, new MuxOptions(), NullLogger.Instance);
        session.Start();
        await rawPeer.WriteAsync(bytes);
        var reason = await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("protocol error", reason, StringComparison.Ordinal);
        rawPeer.Dispose();
    }

    [Fact]
    public async Task Overrunning_the_window_is_a_flow_control_violation()
    {
        var (serverStream, rawPeer) = await SessionPair.ConnectedStreamsAsync();
        var options = new MuxOptions { InitialWindow = 1024 };
        await using var session = new MuxSession(serverStream, isServer: true, options, NullLogger.Instance);
        session.Start();
        var stream = session.OpenStream(SessionPair.Metadata)!;
        var frame = new byte[FrameHeader.Size + 2048];
        new FrameHeader(FrameType.Data, FrameFlags.None, stream.Id, 2048).Write(frame);
        await rawPeer.WriteAsync(frame);
        var reason = await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("protocol error", reason, StringComparison.Ordinal);
        rawPeer.Dispose();
    }

    [Fact]
    public async Task A_flood_of_control_messages_is_a_protocol_error_not_a_memory_leak()
    {
        var (serverStream, rawPeer) = await SessionPair.ConnectedStreamsAsync();
        await using var session = new MuxSession(serverStream, isServer: true, new MuxOptions(), NullLogger.Instance);
        session.Start();
        var payload = new ControlMessage { Type = "hello", Kind = "http" }.Serialize();
        var frame = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(FrameType.Control, FrameFlags.None, 0, (uint)payload.Length).Write(frame);
        payload.CopyTo(frame, FrameHeader.Size);
        try
        {
            for (var i = 0; i < 100 && !session.Completion.IsCompleted; i++)
            {
                await rawPeer.WriteAsync(frame);
            }
        }
        catch (IOException)
        {
        }

        var reason = await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("protocol error", reason, StringComparison.Ordinal);
        rawPeer.Dispose();
    }

    [Fact]
    public async Task A_peer_that_floods_pings_and_never_reads_is_disconnected()
    {
        var (serverStream, rawPeer) = await SessionPair.ConnectedStreamsAsync();
        await using var session = new MuxSession(serverStream, isServer: true, new MuxOptions(), NullLogger.Instance);
        session.Start();
        var chunk = new byte[FrameHeader.Size * 10_000];
        for (var i = 0; i < 10_000; i++)
        {
            new FrameHeader(FrameType.Ping, FrameFlags.None, 0, (uint)i).Write(chunk.AsSpan(i * FrameHeader.Size));
        }

        try
        {
            // Up to 3M pings (36 MB) while never reading one reply: the replies fill the socket
            // buffers, then the session's control queue, which has a cap.
            for (var i = 0; i < 300 && !session.Completion.IsCompleted; i++)
            {
                await rawPeer.WriteAsync(chunk).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (IOException)
        {
        }

        Assert.Equal("peer not reading", await session.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        rawPeer.Dispose();
    }

    [Fact]
    public async Task Random_and_mutated_frames_never_crash_or_hang_the_session()
    {
        var random = new Random(20261125);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var rounds = 0;
        while (DateTime.UtcNow < deadline)
        {
            rounds++;
            var (serverStream, rawPeer) = await SessionPair.ConnectedStreamsAsync();
            var session = new MuxSession(serverStream, isServer: true, new MuxOptions(), NullLogger.Instance);
            session.Start();
            var stream = session.OpenStream(SessionPair.Metadata);
            var bytes = ValidFrames(stream!.Id, random);
            Mutate(bytes, random);
            try
            {
                await rawPeer.WriteAsync(bytes);
                rawPeer.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                // the session may already have closed on us
            }

            // Whatever the bytes were, the session ends by itself (protocol error, or end of input
            // after processing them all) within a deadline: no crash, no hang.
            Assert.NotNull(await session.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
            await session.DisposeAsync();
            rawPeer.Dispose();
        }

        Assert.True(rounds > 5);
    }

    private static byte[] ValidFrames(uint streamId, Random random)
    {
        using var ms = new MemoryStream();
        var header = new byte[FrameHeader.Size];
        for (var i = 0; i < random.Next(1, 8); i++)
        {
            var kind = random.Next(4);
            var payload = kind == 0 ? new byte[random.Next(0, 300)] : [];
            random.NextBytes(payload);
            var h = kind switch
            {
                0 => new FrameHeader(FrameType.Data, FrameFlags.None, streamId, (uint)payload.Length),
                1 => new FrameHeader(FrameType.WindowUpdate, FrameFlags.None, streamId, (uint)random.Next(1, 100000)),
                2 => new FrameHeader(FrameType.Ping, FrameFlags.None, 0, (uint)random.Next()),
                _ => new FrameHeader(FrameType.Reset, FrameFlags.None, streamId, 0),
            };
            h.Write(header);
            ms.Write(header);
            ms.Write(payload);
        }

        return ms.ToArray();
    }

    private static void Mutate(byte[] bytes, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                random.NextBytes(bytes);
                break;
            case 1:
                for (var i = 0; i < 1 + random.Next(4); i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
            case 2:
                if (bytes.Length >= 12)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)random.Next());
                }

                break;
            default:
                break; // valid frames
        }
    }
}
