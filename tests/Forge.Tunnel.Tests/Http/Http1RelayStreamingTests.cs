using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Forge.Tunnel.Http;

namespace Forge.Tunnel.Tests.Http;

/// <summary>Tests that measure process-wide allocations run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}

/// <summary>
/// Large bodies stream through with bounded memory: the source pipe pauses its writer at a small threshold,
/// and the test checks that the bytes written but not yet at the destination never exceed that threshold
/// (the relay holds nothing beyond the pipe), that the bytes arrive intact, and that the whole transfer
/// allocates a small fraction of the body size.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public class Http1RelayStreamingTests
{
    private const int PauseThreshold = 256 * 1024;
    private const int PieceSize = 251 * 256; // a multiple of the pattern period, not of the pipe's segment size

    // Everything the process allocates during a transfer (test producer, pipe and relay), whatever the body size.
    private const long MaxAllocated = 4 * 1024 * 1024;

    [Fact]
    public async Task A_1_GiB_Content_Length_body_streams_with_constant_memory()
    {
        const long bodyLength = 1024L * 1024 * 1024;
        var head = $"POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: {bodyLength}\r\n\r\n";
        var result = await StreamAsync(head, bodyLength, chunked: false, requests: true);
        Assert.Equal(RelayOutcomeKind.SourceEnded, result.Outcome.Kind);
        Assert.Equal(head.Length + bodyLength, result.Received);
        AssertBounded(result, bodyLength);
    }

    [Fact]
    public async Task A_16_MiB_chunked_body_streams_unchanged_with_bounded_memory()
    {
        const long bodyLength = 16L * 1024 * 1024;
        var head = "POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n";
        var result = await StreamAsync(head, bodyLength, chunked: true, requests: true);
        Assert.Equal(RelayOutcomeKind.SourceEnded, result.Outcome.Kind);
        AssertBounded(result, bodyLength);
    }

    [Fact]
    public async Task A_64_MiB_response_read_until_close_streams_with_bounded_memory()
    {
        const long bodyLength = 64L * 1024 * 1024;
        var head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n";
        var result = await StreamAsync(head, bodyLength, chunked: false, requests: false);
        Assert.Equal(RelayOutcomeKind.SourceEnded, result.Outcome.Kind);
        Assert.Equal(head.Length + bodyLength, result.Received);
        AssertBounded(result, bodyLength);
    }

    private static void AssertBounded(StreamResult result, long bodyLength)
    {
        Assert.True(result.InputHash.SequenceEqual(result.OutputHash), "the destination did not receive the exact bytes");
        Assert.True(result.MaxInFlight <= PauseThreshold + PieceSize, $"{result.MaxInFlight} bytes were in flight");
        Assert.Equal(bodyLength, result.BodyBytes);
        Assert.True(result.Allocated < MaxAllocated, $"{result.Allocated} bytes allocated for a {bodyLength}-byte body in {result.Elapsed}");
    }

    private static async Task<StreamResult> StreamAsync(string head, long bodyLength, bool chunked, bool requests)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseThreshold, resumeWriterThreshold: PauseThreshold / 2, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        using var destination = new HashingStream();
        using var inputHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var piece = new byte[PieceSize];
        for (var i = 0; i < piece.Length; i++)
        {
            piece[i] = (byte)(i % 251);
        }

        var chunkLines = new byte[16][];
        for (var i = 0; i < chunkLines.Length; i++)
        {
            chunkLines[i] = Encoding.ASCII.GetBytes($"{(i * 997) + 1:x};n={i}\r\n");
        }

        long maxInFlight = 0;
        long written = 0;
        long sent = 0;

        async Task WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            inputHash.AppendData(bytes.Span);
            written += bytes.Length;
            await pipe.Writer.WriteAsync(bytes);
            maxInFlight = Math.Max(maxInFlight, written - destination.Received);
        }

        async Task ProduceAsync()
        {
            await WriteAsync(Encoding.ASCII.GetBytes(head));
            var next = 0;
            while (sent < bodyLength)
            {
                if (chunked)
                {
                    var size = (int)Math.Min((next * 997) + 1, bodyLength - sent);
                    var line = size == (next * 997) + 1 ? chunkLines[next] : Encoding.ASCII.GetBytes($"{size:X}\r\n");
                    await WriteAsync(line);
                    for (var at = 0; at < size; at += PieceSize)
                    {
                        await WriteAsync(piece.AsMemory(0, Math.Min(PieceSize, size - at)));
                    }

                    await WriteAsync("\r\n"u8.ToArray());
                    sent += size;
                    next = (next + 1) % chunkLines.Length;
                }
                else
                {
                    var size = (int)Math.Min(PieceSize, bodyLength - sent);
                    await WriteAsync(piece.AsMemory(0, size));
                    sent += size;
                }
            }

            if (chunked)
            {
                await WriteAsync("0\r\nX-Done: yes\r\n\r\n"u8.ToArray());
            }

            await pipe.Writer.CompleteAsync();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var producer = Task.Run(ProduceAsync);
        var outcome = requests
            ? await Http1Relay.RelayRequestsAsync(pipe.Reader, destination, _ => RequestDecision.Continue, HttpLimits.Default, CancellationToken.None)
            : await Http1Relay.RelayResponsesAsync(pipe.Reader, destination, () => "GET", _ => { }, HttpLimits.Default, CancellationToken.None);
        await producer.WaitAsync(TimeSpan.FromSeconds(60));
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await pipe.Reader.CompleteAsync();

        return new StreamResult(outcome, destination.Received, sent, maxInFlight, allocated, inputHash.GetHashAndReset(), destination.Hash(), clock.Elapsed);
    }

    private sealed record StreamResult(RelayOutcome Outcome, long Received, long BodyBytes, long MaxInFlight, long Allocated, byte[] InputHash, byte[] OutputHash, TimeSpan Elapsed);

    /// <summary>A destination that keeps only a running hash and a byte count.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _received;

        public long Received => Interlocked.Read(ref _received);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Interlocked.Add(ref _received, buffer.Length);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
