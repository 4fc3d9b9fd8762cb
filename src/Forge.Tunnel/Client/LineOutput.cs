using System.Threading.Channels;

namespace Forge.Tunnel.Client;

/// <summary>
/// Writes the client's per-request lines to stdout from one background task, so a burst of
/// requests costs a queue push each instead of a synchronous console write on the data path.
/// </summary>
internal sealed class LineOutput : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly TextWriter _writer;
    private readonly Task _pump;
    private static readonly TimeSpan s_batchInterval = TimeSpan.FromMilliseconds(50);

    public LineOutput(TextWriter writer)
    {
        _writer = writer;
        _pump = Task.Run(PumpAsync);
    }

    public void WriteLine(string line) => _lines.Writer.TryWrite(line);

    private async Task PumpAsync()
    {
        // Console.Out flushes on every write; gather what is queued into one write instead.
        var reader = _lines.Reader;
        var batch = new System.Text.StringBuilder();
        while (await reader.WaitToReadAsync())
        {
            while (batch.Length < 64 * 1024 && reader.TryRead(out var line))
            {
                batch.Append(line).Append('\n');
            }

            await _writer.WriteAsync(batch);
            await _writer.FlushAsync();
            batch.Clear();

            // At most ~20 writes a second: under load, a wake-up and a write per line would cost
            // the tunnel more CPU than relaying the request did. A person sees no difference.
            await Task.Delay(s_batchInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
    }
}
