namespace Forge.Sniff.Capture;

/// <summary>
/// A packet predicate over the captured bytes and the link type, applied between the source and
/// the printer/writer. The coming pcap-filter compiler produces one (a classic BPF program run by an
/// interpreter for files, or attached in the kernel with SO_ATTACH_FILTER for live capture).
/// </summary>
internal interface IPacketFilter
{
    bool Matches(ReadOnlySpan<byte> packet, int wireLength, int linkType);
}
