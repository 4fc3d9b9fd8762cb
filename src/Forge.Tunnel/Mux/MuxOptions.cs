namespace Forge.Tunnel.Mux;

/// <summary>Tunables of one multiplexed session. Both ends use the same defaults.</summary>
internal sealed class MuxOptions
{
    /// <summary>Receive window every stream starts with (bytes the peer may send before a WINDOW_UPDATE).</summary>
    public int InitialWindow { get; init; } = 256 * 1024;

    /// <summary>Largest receive window auto-tuning may grow one stream to.</summary>
    public int MaxStreamWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>Session-wide cap on window growth beyond the initial windows (bytes).</summary>
    public long WindowGrowthBudget { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bytes of DATA frames queued for the transport before writers wait.</summary>
    public long MaxQueuedBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Concurrent streams one session carries; opens beyond are refused.</summary>
    public int MaxStreams { get; init; } = 1024;

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A session that hears nothing from its peer for this long is closed.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A send-side stall longer than this is logged at Debug when it ends (the client's --verbose).</summary>
    public TimeSpan StallLogThreshold { get; init; } = TimeSpan.FromMilliseconds(50);
}
