using System.IO.Pipelines;

namespace Forge.Tunnel.Tests.Http;

/// <summary>
/// A write-only destination that records what it is given, counts writes and flushes, can signal when
/// a number of bytes has been flushed, can hold writes behind a gate, and can fail.
/// </summary>
internal sealed class RecordingStream : Stream
{
    private readonly MemoryStream _bytes = new();
    private readonly object _lock = new();
    private long _flushedThreshold = long.MaxValue;
    private TaskCompletionSource? _flushedSignal;

    public Task? Gate { get; set; }

    public bool FailWrites { get; set; }

    public int Writes { get; private set; }

    public int Flushes { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public byte[] ToArray()
    {
        lock (_lock)
        {
            return _bytes.ToArray();
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> bytes have been written and flushed.</summary>
    public Task WhenFlushed(long count)
    {
        lock (_lock)
        {
            _flushedThreshold = count;
            _flushedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            CheckFlushed();
            return _flushedSignal.Task;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (FailWrites)
        {
            throw new IOException("destination gone");
        }

        lock (_lock)
        {
            Writes++;
            _bytes.Write(buffer);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        Write(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        lock (_lock)
        {
            Flushes++;
            CheckFlushed();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bytes.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CheckFlushed()
    {
        if (_bytes.Length >= _flushedThreshold)
        {
            _flushedSignal?.TrySetResult();
        }
    }
}

internal static class PipeFeeding
{
    /// <summary>Writes <paramref name="input"/> into <paramref name="writer"/> in pieces of at most <paramref name="pieceSize"/> bytes, flushing each.</summary>
    public static async Task FeedAsync(PipeWriter writer, byte[] input, int pieceSize, bool complete = true)
    {
        for (var at = 0; at < input.Length; at += pieceSize)
        {
            var result = await writer.WriteAsync(input.AsMemory(at, Math.Min(pieceSize, input.Length - at)));
            if (result.IsCompleted)
            {
                return;
            }
        }

        if (complete)
        {
            await writer.CompleteAsync();
        }
    }
}
