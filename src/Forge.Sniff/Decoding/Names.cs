using System.Net;
using System.Net.Sockets;
using System.Text;
using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>
/// Address and port names as tcpdump prints them: without -n, host names by reverse DNS through the
/// system resolver (cached, with a short timeout); without -n, port names from /etc/services too (tcpdump's -n turns both off; -nn is the same) (the
/// first entry for a port wins, as getservent's order does in tcpdump). Names are looked up once per
/// address and kept as UTF-8 bytes, so printing a known address allocates nothing.
/// </summary>
internal sealed class Names
{
    private static readonly TimeSpan s_resolveTimeout = TimeSpan.FromMilliseconds(750);

    private readonly int _numeric;
    private readonly byte[]?[] _tcpPorts = new byte[]?[65536];
    private readonly byte[]?[] _udpPorts = new byte[]?[65536];
    private readonly Dictionary<UInt128, byte[]?> _hosts = [];

    public Names(int numeric, string servicesPath = "/etc/services")
    {
        _numeric = numeric;
        if (numeric == 0)
        {
            LoadServices(servicesPath);
        }
    }

    private void LoadServices(string path)
    {
        try
        {
            foreach (var raw in File.ReadLines(path))
            {
                var line = raw;
                var hash = line.IndexOf('#', StringComparison.Ordinal);
                if (hash >= 0)
                {
                    line = line[..hash];
                }

                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
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
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
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
