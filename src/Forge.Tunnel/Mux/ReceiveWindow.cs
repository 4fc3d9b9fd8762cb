namespace Forge.Tunnel.Mux;

/// <summary>
/// The receive side of one stream's flow control, with auto-tuning (docs/tunnel-protocol.md §6).
///
/// The peer may send <see cref="Credit"/> more bytes. As the application consumes data, a
/// WINDOW_UPDATE returns the consumed bytes once half the window is used. Auto-tuning: when half a
/// window was consumed in less than two round-trips, the window, not the application or the link,
/// limits the stream, so the window doubles (up to the per-stream maximum, and only while the
/// session-wide growth budget allows), the way HTTP/2 and QUIC implementations tune theirs.
/// Not thread-safe: the owning stream serialises calls.
/// </summary>
internal sealed class ReceiveWindow
{
    private readonly int _maxWindow;
    private int _consumedUnacked;
    private long _epochStart;

    public ReceiveWindow(int initialWindow, int maxWindow, long now)
    {
        Window = initialWindow;
        Credit = initialWindow;
        _maxWindow = maxWindow;
        _epochStart = now;
    }

    /// <summary>The current window size (what the peer may have in flight).</summary>
    public int Window { get; private set; }

    /// <summary>Bytes the peer may still send before it must wait for an update.</summary>
    public long Credit { get; private set; }

    /// <summary>Bytes this window grew beyond its initial size (reserved from the session budget).</summary>
    public long Growth { get; private set; }

    /// <summary>Records received bytes; false when the peer sent more than it was allowed.</summary>
    public bool OnReceived(int bytes)
    {
        Credit -= bytes;
        return Credit >= 0;
    }

    /// <summary>
    /// Records bytes the application consumed and returns the WINDOW_UPDATE increment to send now
    /// (0 for none). <paramref name="tryReserve"/> asks the session budget for growth bytes.
    /// </summary>
    public int OnConsumed(int bytes, long now, long rttTicks, Func<long, bool> tryReserve)
    {
        _consumedUnacked += bytes;
        if (_consumedUnacked < Window / 2)
        {
            return 0;
        }

        var growth = 0;
        var elapsed = now - _epochStart;
        if (rttTicks > 0 && elapsed < 2 * rttTicks && Window < _maxWindow)
        {
            var wanted = Math.Min(Window, _maxWindow - Window);
            if (wanted > 0 && tryReserve(wanted))
            {
                growth = wanted;
                Window += wanted;
                Growth += wanted;
            }
        }

        var increment = _consumedUnacked + growth;
        _consumedUnacked = 0;
        _epochStart = now;
        Credit += increment;
        return increment;
    }
}
