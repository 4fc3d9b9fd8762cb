namespace Forge.Sniff.Decoding;

/// <summary>
/// The organisationally unique identifiers (IEEE OUI registry) whose owners tcpdump names after a
/// MAC address when names are on ("00:00:0c:12:34:56 (oui Cisco)"); every other prefix prints as
/// "Unknown". The names are tcpdump's spellings, since scripts match on them.
/// </summary>
internal static class Oui
{
    private static readonly Dictionary<int, byte[]> s_names = Build();

    private static Dictionary<int, byte[]> Build()
    {
        (int Oui, string Name)[] entries =
        [
            (0x000000, "Ethernet"),
            (0x00000c, "Cisco"),
            (0x00005e, "IANA"),
            (0x000081, "Nortel Networks SONMP"),
            (0x0000f8, "Cisco bridged"),
            (0x0080c2, "Ethernet bridged"), // also IEEE 802.1's private prefix: tcpdump names the first
            (0x00a03e, "ATM Forum"),
            (0x00e02f, "DOCSIS Spanning Tree"),
            (0x080007, "Appletalk"),
            (0x009069, "Juniper"),
            (0x080009, "Hewlett-Packard"),
            (0x00120f, "IEEE 802.3 Private"),
            (0x0012bb, "ANSI/TIA"),
            (0x001b21, "DCBX"),
            (0x002320, "Nicira Networks"),
            (0x5c16c7, "Big Switch Networks"),
            (0xb0d2f5, "Vello Systems"),
            (0x002481, "HP"),
            (0x0004ea, "HP-Labs"),
            (0x748771, "Infoblox Inc"),
            (0xa42305, "Open Networking Lab"),
            (0x00049f, "Freescale"),
            (0x0015ad, "Netronome"),
            (0x001018, "Broadcom"),
            (0x00e004, "PMC-Sierra"),
            (0xd0f0db, "Ericsson"),
        ];
        var names = new Dictionary<int, byte[]>();
        foreach (var (oui, name) in entries)
        {
            names.TryAdd(oui, System.Text.Encoding.ASCII.GetBytes(name));
        }

        return names;
    }

    /// <summary>The name for the first three bytes of a MAC address, or "Unknown".</summary>
    public static ReadOnlySpan<byte> Name(ReadOnlySpan<byte> mac) =>
        s_names.TryGetValue((mac[0] << 16) | (mac[1] << 8) | mac[2], out var name) ? name : "Unknown"u8;
}
