namespace Forge.Sniff.Capture;

/// <summary>
/// Where packets come from: a capture file or a live socket. <see cref="Next"/> hands out a span
/// into the source's own buffer, valid until the next call, so reading copies nothing per packet.
/// </summary>
internal interface IPacketSource : IDisposable
{
    /// <summary>The link type of the first interface (what tcpdump announces and what -w writes).</summary>
    int LinkType { get; }

    int SnapLen { get; }

    /// <summary>True when the source's timestamps carry nanoseconds.</summary>
    bool NanosecondPrecision { get; }

    /// <summary>Reads the next packet; false at the end. Throws <see cref="CaptureFileException"/> on corrupt or cut input.</summary>
    bool Next(out PacketHeader header, out ReadOnlySpan<byte> data);
}
