using System.Text;
using Forge.Sniff.Capture;
using Forge.Sniff.Decoding;
using Forge.Sniff.Output;
using Forge.Sniff.Tests.Support;
using static Forge.Sniff.Tests.Support.Packets;

namespace Forge.Sniff.Tests;

/// <summary>Decoders in process, without tcpdump: exact lines for known packets, every prefix of a packet, JSON Lines.</summary>
public class DecoderTests
{
    private static string Print(byte[] packet, PrintOptions? options = null, int linkType = 1)
    {
        var ms = new MemoryStream();
        var output = new OutputBuffer(ms);
        var printer = new Printer(output, options ?? new PrintOptions { Numeric = 1, TimeFormat = 1 });
        printer.PrintPacket(new PacketHeader { Seconds = 1700000000, CapLen = packet.Length, Length = packet.Length, LinkType = linkType }, packet);
        output.Flush();
        Assert.Equal(0, printer.DecoderFaults);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void Tcp_syn_prints_flags_options_and_length()
    {
        var syn = Ether(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, 1000, 0, 0x02, 64240, SynOptions)));
        Assert.Equal("IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 64240, options [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0\n", Print(syn));
    }

    [Fact]
    public void Dns_query_and_answer_print_tcpdumps_summary()
    {
        var q = Ether(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(5000, 53, DnsQuery(0x1234, "example.com", 1))));
        Assert.Equal("IP 10.0.0.1.5000 > 10.0.0.2.53: 4660+ A? example.com. (29)\n", Print(q));
        var r = Ether(0x0800, Ipv4("10.0.0.2", "10.0.0.1", 17, Udp(53, 5000, DnsResponse(0x1234, "example.com", 1, [1, 2, 3, 4]))));
        Assert.Equal("IP 10.0.0.2.53 > 10.0.0.1.5000: 4660 1/0/0 A 1.2.3.4 (45)\n", Print(r));
    }

    [Fact]
    public void Every_prefix_of_every_corpus_packet_decodes_without_a_fault()
    {
        var options = new PrintOptions { Numeric = 1, Verbose = 2, LinkHeader = true, HexAscii = 1 };
        foreach (var packet in Corpus.Ethernet())
        {
            for (var n = 1; n <= packet.Length; n++)
            {
                var text = Print(packet[..n], options);
                Assert.EndsWith("\n", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Cut_packets_end_with_the_protocol_marker()
    {
        var syn = Ether(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, 3, 0, 0x02, 100, SynOptions)));
        Assert.EndsWith(" [|tcp]\n", Print(syn[..40]), StringComparison.Ordinal);
        Assert.EndsWith(" [|ip]\n", Print(syn[..30]), StringComparison.Ordinal);
        Assert.Equal(" [|ether]\n", Print(syn[..10]));
    }

    [Fact]
    public void Json_lines_carry_fields_and_the_escaped_text()
    {
        var http = Ether(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 80, 1, 1, 0x18, 100, payload: "GET /\"q\" HTTP/1.0\r\n\r\n"u8.ToArray())));
        var line = Print(http, new PrintOptions { Numeric = 1, TimeFormat = 2, Json = true });
        Assert.StartsWith($"{{\"n\":1,\"ts\":\"1700000000.000000\",\"caplen\":{http.Length},\"len\":{http.Length},\"link\":1,\"text\":\"1700000000.000000 IP 10.0.0.1.1 > 10.0.0.2.80: ", line, StringComparison.Ordinal);
        Assert.EndsWith("HTTP: GET /\\\"q\\\" HTTP/1.0\"}\n", line, StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        Assert.Contains("GET /\"q\" HTTP/1.0", doc.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_addresses_compress_as_inet_ntop_does()
    {
        string Format(string address)
        {
            var ms = new MemoryStream();
            using (var o = new OutputBuffer(ms))
            {
                o.Ipv6(System.Net.IPAddress.Parse(address).GetAddressBytes());
            }

            return Encoding.ASCII.GetString(ms.ToArray());
        }

        Assert.Equal("::1", Format("::1"));
        Assert.Equal("::", Format("::"));
        Assert.Equal("2001:db8::1", Format("2001:db8:0:0:0:0:0:1"));
        Assert.Equal("2001:db8:0:1::2", Format("2001:db8:0:1:0:0:0:2"));
        Assert.Equal("::ffff:1.2.3.4", Format("::ffff:1.2.3.4"));
        Assert.Equal("1:0:1:0:1:0:1:0", Format("1:0:1:0:1:0:1:0"));
        Assert.Equal("fe80::1:0:0:1", Format("fe80:0:0:0:1:0:0:1"));
    }
}
