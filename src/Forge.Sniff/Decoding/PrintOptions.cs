namespace Forge.Sniff.Decoding;

/// <summary>The flags that change what the decoders print (tcpdump's ndo_*flag fields).</summary>
internal sealed class PrintOptions
{
    /// <summary>-n count: 1 numeric hosts, 2 numeric ports too.</summary>
    public int Numeric { get; init; }

    public int Verbose { get; init; }
    public int Quiet { get; init; }
    public bool LinkHeader { get; init; }
    public bool AbsoluteSeq { get; init; }
    public bool NoChecksum { get; init; }
    public int Hex { get; init; }
    public int HexAscii { get; init; }
    public int Ascii { get; init; }
    public int TimeFormat { get; init; }
    public bool PacketNumbers { get; init; }
    public bool Nano { get; init; }
    public bool Json { get; init; }
}
