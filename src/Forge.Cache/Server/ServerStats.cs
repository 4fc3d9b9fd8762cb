namespace Forge.Cache.Server;

/// <summary>Counters for INFO stats and INFO errorstats. Changed under the server lock.</summary>
internal sealed class ServerStats
{
    public long Commands { get; set; }

    public long ConnectionsReceived { get; set; }

    public long RejectedConnections { get; set; }

    public long RejectedCalls { get; set; }

    public long OutputLimitDisconnections { get; set; }

    public long KeyspaceHits { get; set; }

    public long KeyspaceMisses { get; set; }

    public long TotalErrorReplies { get; set; }

    public Dictionary<string, long> ErrorCounts { get; } = new(StringComparer.Ordinal);

    public void CountError(string? prefix)
    {
        TotalErrorReplies++;
        prefix ??= "ERR";
        ErrorCounts[prefix] = ErrorCounts.GetValueOrDefault(prefix) + 1;
    }

    public void Reset()
    {
        Commands = 0;
        ConnectionsReceived = 0;
        RejectedConnections = 0;
        RejectedCalls = 0;
        KeyspaceHits = 0;
        KeyspaceMisses = 0;
        TotalErrorReplies = 0;
        ErrorCounts.Clear();
    }
}
