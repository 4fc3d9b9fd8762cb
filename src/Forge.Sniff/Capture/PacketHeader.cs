namespace Forge.Sniff.Capture;

/// <summary>
/// One captured packet's record header: when, how much was kept, how long it was on the wire,
/// and which link layer its bytes start with (per packet, since pcapng files mix interfaces).
/// </summary>
internal struct PacketHeader
{
    /// <summary>Seconds since the Unix epoch.</summary>
    public long Seconds;

    /// <summary>
    /// Nanoseconds within the second (a file's out-of-range fraction is kept as is, times 1000 for
    /// microsecond files, so it prints as tcpdump prints it).
    /// </summary>
    public long Nanoseconds;

    /// <summary>Bytes captured (the span the decoders see).</summary>
    public int CapLen;

    /// <summary>Bytes on the wire.</summary>
    public int Length;

    public int LinkType;

    /// <summary>pcapng interface id (0 for pcap and live capture).</summary>
    public int Interface;
}
