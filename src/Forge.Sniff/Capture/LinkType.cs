namespace Forge.Sniff.Capture;

/// <summary>
/// Link-layer header types as capture files number them (LINKTYPE_* of tcpdump.org/linktypes.html).
/// The value decides which decoder reads the first bytes of a packet, and later which offsets a
/// compiled filter uses.
/// </summary>
internal static class LinkType
{
    public const int Null = 0;
    public const int Ethernet = 1;
    public const int Raw = 101;
    public const int LinuxSll = 113;
    public const int Loop = 108;
    public const int Ipv4 = 228;
    public const int Ipv6 = 229;
    public const int LinuxSll2 = 276;

    /// <summary>libpcap's name and description, as tcpdump's "link-type EN10MB (Ethernet)" shows them.</summary>
    public static (string Name, string Description) Describe(int linkType) => linkType switch
    {
        Null => ("NULL", "BSD loopback"),
        Ethernet => ("EN10MB", "Ethernet"),
        Raw => ("RAW", "Raw IP"),
        Loop => ("LOOP", "OpenBSD loopback"),
        LinuxSll => ("LINUX_SLL", "Linux cooked v1"),
        Ipv4 => ("IPV4", "Raw IPv4"),
        Ipv6 => ("IPV6", "Raw IPv6"),
        LinuxSll2 => ("LINUX_SLL2", "Linux cooked v2"),
        _ => ("DLT_" + linkType.ToString(System.Globalization.CultureInfo.InvariantCulture), "DLT_" + linkType.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    /// <summary>tcpdump's "link-type NAME (DESCRIPTION)".</summary>
    public static string Text(int linkType)
    {
        var (name, description) = Describe(linkType);
        return $"{name} ({description})";
    }
}
