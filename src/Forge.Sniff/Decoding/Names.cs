using System.Net;
using System.Net.Sockets;
using System.Text;
using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>
/// Address and port names as tcpdump prints them: without -n, host names by reverse DNS through the
/// system resolver (cached, with a short timeout); without -n, port names from /etc/services too (tcpdump's -n turns both off; -nn is the same) (the
/// first entry for a port wins, as getservent's order does in tcpdump). Names are looked up once per
/// address and kept as UTF-8 bytes, so printing a known address allocates nothing. MAC addresses, as
/// tcpdump's etheraddr_string prints them without -n: the host name /etc/ethers gives (what glibc's
/// ether_ntohost reads), else "Broadcast" for ff:ff:ff:ff:ff:ff, else the address and " (oui Vendor)".
/// </summary>
internal sealed class Names
{
    private static readonly TimeSpan s_resolveTimeout = TimeSpan.FromMilliseconds(750);

    private readonly int _numeric;
    private readonly byte[]?[] _tcpPorts = new byte[]?[65536];
    private readonly byte[]?[] _udpPorts = new byte[]?[65536];
    private readonly Dictionary<UInt128, byte[]?> _hosts = [];
    private readonly Dictionary<ulong, byte[]> _ethers = [];

    public Names(int numeric, string servicesPath = "/etc/services", string ethersPath = "/etc/ethers")
    {
        _numeric = numeric;
        if (numeric == 0)
        {
            LoadServices(servicesPath);
            LoadEthers(ethersPath);
        }
    }

    /// <summary>/etc/ethers as glibc's ether_line reads it: "xx:xx:xx:xx:xx:xx name" (1 or 2 hex digits a byte), '#' comments; the first line for an address wins.</summary>
    private void LoadEthers(string path)
    {
        foreach (var parts in FieldsOfLines(path))
        {
            if (parts.Length >= 2 && ParseMac(parts[0]) is { } mac)
            {
                _ethers.TryAdd(mac, Encoding.UTF8.GetBytes(parts[1]));
            }
        }
    }

    /// <summary>The whitespace-separated fields of each line of a system table (/etc/services, /etc/ethers), '#' comments cut off; nothing when the file is missing or unreadable.</summary>
    private static List<string[]> FieldsOfLines(string path)
    {
        var lines = new List<string[]>();
        try
        {
            if (!File.Exists(path))
            {
                return lines;
            }

            foreach (var raw in File.ReadLines(path))
            {
                var hash = raw.IndexOf('#', StringComparison.Ordinal);
                var line = hash >= 0 ? raw[..hash] : raw;
                lines.Add(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return lines;
    }

    private static ulong? ParseMac(string text)
    {
        var bytes = text.Split(':');
        if (bytes.Length != 6)
        {
            return null;
        }

        ulong mac = 0;
        foreach (var b in bytes)
        {
            if (b.Length is < 1 or > 2 || !byte.TryParse(b, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var v))
            {
                return null;
            }

            mac = (mac << 8) | v;
        }

        return mac;
    }

    public void Mac(OutputBuffer o, ReadOnlySpan<byte> a)
    {
        if (_numeric != 0)
        {
            o.Mac(a);
            return;
        }

        if (_ethers.Count > 0)
        {
            ulong key = 0;
            foreach (var b in a)
            {
                key = (key << 8) | b;
            }

            if (_ethers.TryGetValue(key, out var name))
            {
                o.Ascii(name);
                return;
            }
        }

        if (a.IndexOfAnyExcept((byte)0xff) < 0)
        {
            // tcpdump's init_etherarray hardwires this one name (unless /etc/ethers names it).
            o.Ascii("Broadcast"u8);
            return;
        }

        o.Mac(a);
        o.Ascii(" (oui "u8);
        o.Ascii(Oui.Name(a));
        o.Byte((byte)')');
    }

    private void LoadServices(string path)
    {
        foreach (var parts in FieldsOfLines(path))
        {
            if (parts.Length < 2)
            {
                continue;
            }

            var slash = parts[1].IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !int.TryParse(parts[1].AsSpan(0, slash), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
            {
                continue;
            }

            var table = parts[1][(slash + 1)..] switch
            {
                "tcp" => _tcpPorts,
                "udp" => _udpPorts,
                _ => null,
            };
            if (table is not null && table[port] is null)
            {
                table[port] = Encoding.ASCII.GetBytes(parts[0]);
            }
        }
    }

    public void TcpPort(OutputBuffer o, ushort port)
    {
        if (_numeric == 0 && _tcpPorts[port] is { } name)
        {
            o.Ascii(name);
        }
        else
        {
            o.U(port);
        }
    }

    public void UdpPort(OutputBuffer o, ushort port)
    {
        if (_numeric == 0 && _udpPorts[port] is { } name)
        {
            o.Ascii(name);
        }
        else
        {
            o.U(port);
        }
    }

    public void Ipv4(OutputBuffer o, ReadOnlySpan<byte> a)
    {
        if (_numeric == 0 && HostName(a) is { } name)
        {
            o.Ascii(name);
            return;
        }

        o.Ipv4(a);
    }

    public void Ipv6(OutputBuffer o, ReadOnlySpan<byte> a)
    {
        if (_numeric == 0 && HostName(a) is { } name)
        {
            o.Ascii(name);
            return;
        }

        o.Ipv6(a);
    }

    private byte[]? HostName(ReadOnlySpan<byte> address)
    {
        Span<byte> key = stackalloc byte[16];
        address.CopyTo(key[(16 - address.Length)..]);
        if (address.Length == 4)
        {
            key[0] = 0xff; // keep IPv4 keys apart from IPv6 ones
        }

        var k = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(key);
        if (_hosts.TryGetValue(k, out var cached))
        {
            return cached;
        }

        byte[]? name = null;
        try
        {
            var ip = new IPAddress(address);
            var lookup = System.Net.Dns.GetHostEntryAsync(ip);
            if (lookup.Wait(s_resolveTimeout) && !string.IsNullOrEmpty(lookup.Result.HostName) && lookup.Result.HostName != ip.ToString())
            {
                name = Encoding.UTF8.GetBytes(lookup.Result.HostName);
            }
        }
        catch (AggregateException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ArgumentException)
        {
        }

        _hosts[k] = name;
        return name;
    }
}
