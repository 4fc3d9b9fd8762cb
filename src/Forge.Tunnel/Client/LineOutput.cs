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

    public LineOutput(TextWriter writer)
    {
        _writer = writer;
        _pump = Task.Run(PumpAsync);
    }

    public void WriteLine(string line) => _lines.Writer.TryWrite(line);

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line);
            }

            await _writer.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
    }
}
