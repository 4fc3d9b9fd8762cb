using System.Buffers;
using System.Net.Sockets;
using Forge.Io;
using Forge.Tunnel.Mux;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Forge.Tunnel.Tests.Mux;

/// <summary>
/// The two batching rules of the event-loop data path (docs/tunnel.md, "Threading"): what many
/// streams queue in one loop iteration leaves in one transport write, and what one transport
/// read brings for a stream reaches the stream's reader in one piece.
/// </summary>
public class BatchingTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Frames_queued_in_one_loop_iteration_leave_in_one_transport_write()
    {
        using var loop = new EventLoop(0, NullLogger.Instance, "test-loop");
        var (ours, peer) = await SessionPair.ConnectedStreamsAsync();
        var transport = new CountingStream(ours);
        await using var session = new MuxSession(transport, isServer: true, new MuxOptions(), NullLogger.Instance, loop);
        const int Streams = 20;

        // Everything below runs on the loop's thread, as one iteration's work would.
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            try
            {
                for (var i = 0; i < Streams; i++)
                {
                    var stream = session.OpenStream(SessionPair.Metadata)!;
                    var write = stream.WriteAsync(new byte[] { (byte)i, 1, 2, 3 });
                    Assert.True(write.IsCompletedSuccessfully); // credit available: queued, not awaited
                }

                queued.SetResult();
            }
            catch (Exception ex)
            {
                queued.SetException(ex);
            }
        });
        await queued.Task.WaitAsync(s_timeout);

        // 20 OPEN frames and 20 DATA frames arrive...
        var frames = await ReadFramesAsync(peer, Streams * 2).WaitAsync(s_timeout);
        Assert.Equal(Streams, frames.Count(f => f == FrameType.Open));
        Assert.Equal(Streams, frames.Count(f => f == FrameType.Data));

        // ...from one write to the transport (a write per frame before the loop batched them).
        Assert.Equal(1, transport.Writes);
        peer.Dispose();
    }

    [Fact]
    public async Task Frames_that_arrive_in_one_read_reach_the_stream_reader_together()
    {
        var (ours, peer) = await SessionPair.ConnectedStreamsAsync();
        await using var session = new MuxSession(ours, isServer: true, new MuxOptions(), NullLogger.Instance);
        session.Start();
        var stream = session.OpenStream(SessionPair.Metadata)!;

        // The reader waits first, so a per-frame hand-over would wake it with the head alone.
        var read = stream.Input.ReadAsync();
        Assert.False(read.IsCompleted);
        var head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"u8.ToArray();
        var body = "hello"u8.ToArray();
        await peer.WriteAsync(Frames(Data(stream.Id, head), Data(stream.Id, body))); // one write

        var result = await read.AsTask().WaitAsync(s_timeout);
        Assert.Equal(head.Length + body.Length, result.Buffer.Length);
        Assert.Equal([.. head, .. body], result.Buffer.ToArray());
        stream.Input.AdvanceTo(result.Buffer.End);
        peer.Dispose();
    }

    [Fact]
    public async Task Data_followed_by_a_reset_in_one_read_reaches_the_reader_before_the_reset()
    {
        var (ours, peer) = await SessionPair.ConnectedStreamsAsync();
        await using var session = new MuxSession(ours, isServer: true, new MuxOptions(), NullLogger.Instance);
        session.Start();
        var stream = session.OpenStream(SessionPair.Metadata)!;
        var read = stream.Input.ReadAsync();
        Assert.False(read.IsCompleted);

        var tail = "the end of a response"u8.ToArray();
        var reset = (new FrameHeader(FrameType.Reset, FrameFlags.None, stream.Id, (uint)GoAwayCode.Normal), Array.Empty<byte>());
        await peer.WriteAsync(Frames(Data(stream.Id, tail), reset)); // one write

        var result = await read.AsTask().WaitAsync(s_timeout);
        Assert.Equal(tail, result.Buffer.ToArray());
        stream.Input.AdvanceTo(result.Buffer.End);
        await Assert.ThrowsAsync<IOException>(async () => await stream.Input.ReadAsync().AsTask().WaitAsync(s_timeout));
        peer.Dispose();
    }

    private static (FrameHeader, byte[]) Data(uint id, byte[] payload) =>
        (new FrameHeader(FrameType.Data, FrameFlags.None, id, (uint)payload.Length), payload);

    /// <summary>The frames' bytes back to back, for one write.</summary>
    private static byte[] Frames(params (FrameHeader Header, byte[] Payload)[] frames)
    {
        var bytes = new List<byte>();
        foreach (var (header, payload) in frames)
        {
            var head = new byte[FrameHeader.Size];
            header.Write(head);
            bytes.AddRange(head);
            bytes.AddRange(payload);
        }

        return [.. bytes];
    }

    /// <summary>Reads frames (header and payload) until <paramref name="count"/> have arrived; returns their types.</summary>
    private static async Task<List<FrameType>> ReadFramesAsync(Stream peer, int count)
    {
        var types = new List<FrameType>();
        var header = new byte[FrameHeader.Size];
        while (types.Count < count)
        {
            await peer.ReadExactlyAsync(header);
            var h = FrameHeader.TryRead(header, out var error) ?? throw new InvalidOperationException(error);
            if (h.Type is FrameType.Data or FrameType.Open or FrameType.Control)
            {
                await peer.ReadExactlyAsync(new byte[h.PayloadLength]);
            }

            if (h.Type != FrameType.Ping)
            {
                types.Add(h.Type);
            }
        }

        return types;
    }

    /// <summary>Passes everything through and counts the writes.</summary>
    private sealed class CountingStream(NetworkStream inner) : Stream
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref _writes);
            inner.Write(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
