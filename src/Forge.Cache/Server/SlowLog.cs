using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Protocol;

namespace Forge.Cache.Server;

/// <summary>One SLOWLOG entry, as SLOWLOG GET prints it.</summary>
internal sealed record SlowLogEntry(long Id, long UnixTime, long Micros, byte[][] Args, string ClientAddress, string ClientName);

/// <summary>SLOWLOG: commands slower than slowlog-log-slower-than µs, newest first, at most slowlog-max-len.</summary>
internal sealed class SlowLog
{
    private const int MaxArgs = 32;
    private const int MaxArgLength = 128;
    private readonly LinkedList<SlowLogEntry> _entries = new();
    private long _nextId;

    public IEnumerable<SlowLogEntry> Entries => _entries;

    public int Count => _entries.Count;

    public long Threshold { get; set; } = 10000;

    public long MaxLength { get; set; } = 128;

    public void Reset() => _entries.Clear();

    public void Consider(Client client, ArgList args, long micros, CommandDef cmd)
    {
        if (Threshold < 0 || micros < Threshold || cmd.Is(CommandFlags.SkipSlowlog) || (cmd.Parent?.Is(CommandFlags.SkipSlowlog) ?? false))
        {
            return;
        }

        var n = Math.Min(args.Count, MaxArgs);
        var stored = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            if (n < args.Count && i == n - 1)
            {
                stored[i] = Encoding.ASCII.GetBytes($"... ({args.Count - MaxArgs + 1} more arguments)");
            }
            else if (args[i].Length > MaxArgLength)
            {
                stored[i] = [.. args[i][..MaxArgLength], .. Encoding.ASCII.GetBytes($"... ({args[i].Length - MaxArgLength} more bytes)")];
            }
            else
            {
                stored[i] = args[i].ToArray();
            }
        }

        _entries.AddFirst(new SlowLogEntry(_nextId++, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), micros, stored, client.Address, client.Name));
        while (_entries.Count > MaxLength)
        {
            _entries.RemoveLast();
        }
    }
}
