using Forge.Sniff.Tests.Support;
using Forge.Testing;

namespace Forge.Sniff.Tests;

/// <summary>
/// Capture files of crafted packets (every decoder, truncated and malformed cases) read by Debian's
/// tcpdump 4.99.3 and by forge sniff with the same flags: the outputs must be identical.
/// </summary>
public sealed class DifferentialTests : IDisposable
{
    private readonly TempDir _dir = new();

    public static TheoryData<string> FlagSets() =>
    [
        "-n", "-nn -v", "-n -vv", "-n -vvv", "-n -e", "-n -X", "-n -x", "-n -XX", "-n -xx", "-n -A", "-n -tttt", "-n -#",
        "-n -q", "-n -S", "-n -tt", "-n -ttt", "-n -ttttt", "-n -e -vv", "-n -t -v -e -X",
    ];

    private string Write(string name, int linkType, List<byte[]> packets)
    {
        var path = Path.Combine(_dir.Path, name);
        var n = 0;
        File.WriteAllBytes(path, PcapFile.Pcap(linkType, packets.Select(p => new PcapFile.Packet(p, 1700000000 + (n / 3), (uint)(n++ * 137_113 % 1_000_000)))));
        return path;
    }

    private static void AssertSame(string file, string flags)
    {
        var args = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var expected = Peers.TcpdumpRun(["-r", file, .. args]);
        var actual = Peers.Forge(["-r", file, .. args]);
        Assert.True(expected.Exit == 0, $"tcpdump failed: {expected.Stderr}");
        Assert.True(actual.Exit == 0, $"forge sniff failed ({actual.Exit}): {actual.Stderr}");
        var e = expected.Stdout.Split('\n');
        var a = actual.Stdout.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<none>";
            var al = i < a.Length ? a[i] : "<none>";
            Assert.True(el == al, $"{Path.GetFileName(file)} {flags}: line {i + 1} differs\n tcpdump: {el}\n   forge: {al}");
        }
    }

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void Ethernet_corpus_prints_as_tcpdump_does(string flags) => AssertSame(Write("ether.pcap", 1, Corpus.Ethernet()), flags);

    [Theory]
    [InlineData("-e")]
    [InlineData("-e -v")]
    [InlineData("")]
    public void Mac_addresses_without_n_carry_tcpdumps_vendor_names(string flags) =>
        AssertSame(Write("macs.pcap", 1, Corpus.MacNames()), flags);

    [Theory]
    [InlineData("")]
    [InlineData("-v")]
    public void Ports_without_n_carry_their_etc_services_names(string flags)
    {
        var file = Write("services.pcap", 1, Corpus.ServiceNames());
        AssertSame(file, flags);
        Assert.Contains(".http > ", Peers.TcpdumpRun("-r", file).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Mac_addresses_named_in_etc_ethers_print_by_their_names()
    {
        // /etc/ethers is system-wide: both programs read one that exists only inside a private mount
        // namespace, as an overlay on /etc (the test runs as root, as CI does).
        var file = Write("ethers.pcap", 1, Corpus.MacNames());
        var upper = Directory.CreateDirectory(Path.Combine(_dir.Path, "upper")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_dir.Path, "work")).FullName;
        File.WriteAllText(Path.Combine(upper, "ethers"), "0:0:c:7:ac:1 router-a\n# a comment\nff:ff:ff:ff:ff:ff everyone\nnot a line\n52:54:00:12:34:56\tvm-host # trailing\n");
        var expected = Path.Combine(_dir.Path, "tcpdump.txt");
        var actual = Path.Combine(_dir.Path, "forge.txt");
        var script = $"mount -t overlay overlay -o lowerdir=/etc,upperdir={upper},workdir={work} /etc && "
            + $"TZ=UTC {Peers.Tcpdump} -e -r {file} > {expected} 2>/dev/null && TZ=UTC {ForgeBinary.Path} sniff -e -r {file} > {actual}";
        Peers.Require(Peers.Tcpdump);
        var (exit, _, stderr) = Peers.Run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script]);
        Assert.True(exit == 0, $"unshare/mount/tcpdump/forge failed ({exit}): {stderr}");
        var text = File.ReadAllText(expected);
        Assert.Contains("router-a > ", text, StringComparison.Ordinal);
        Assert.Contains(" > vm-host", text, StringComparison.Ordinal);
        Assert.Contains("everyone", text, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(actual));
    }

    [Theory]
    [InlineData("-n")]
    [InlineData("-n -e")]
    [InlineData("-n -v -e")]
    [InlineData("-n -XX")]
    public void Cooked_loopback_and_raw_link_types_print_as_tcpdump_does(string flags)
    {
        AssertSame(Write("sll.pcap", 113, Corpus.Sll(v2: false)), flags);
        AssertSame(Write("null.pcap", 0, Corpus.Null()), flags);
        AssertSame(Write("raw.pcap", 101, Corpus.Raw()), flags);
    }

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void Icmp6_renumbering_node_information_and_rpl_print_as_tcpdump_does(string flags)
        => AssertSame(Write("icmp6.pcap", 1, Corpus.Icmp6Messages()), flags);

    [Theory]
    [InlineData("-n")]
    [InlineData("-n -v")]
    [InlineData("-n -vv")]
    [InlineData("-n -vvv")]
    public void Icmp6_messages_cut_by_the_snapshot_length_print_as_tcpdump_does(string flags)
    {
        // Every message cut after each of its first 72 bytes (past the 54 bytes of Ethernet and IPv6 headers):
        // tcpdump's [|icmp6] and the decoder's own markers, at every depth.
        var packets = new List<PcapFile.Packet>();
        foreach (var p in Corpus.Icmp6Messages())
        {
            for (var cut = 55; cut < Math.Min(p.Length, 54 + 72); cut += 3)
            {
                packets.Add(new PcapFile.Packet(p[..cut], 1700000000, (uint)packets.Count, p.Length));
            }
        }

        var path = Path.Combine(_dir.Path, "icmp6-cut.pcap");
        File.WriteAllBytes(path, PcapFile.Pcap(1, packets));
        AssertSame(path, flags);
    }

    [Fact]
    public void Sll2_prints_as_tcpdump_does() => AssertSame(Write("sll2.pcap", 276, Corpus.Sll(v2: true)), "-n -e");

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Pcap_byte_orders_and_precisions_read_the_same(bool bigEndian, bool nano)
    {
        var path = Path.Combine(_dir.Path, $"order-{bigEndian}-{nano}.pcap");
        File.WriteAllBytes(path, PcapFile.Pcap(1, Corpus.Ethernet().Take(6).Select((p, i) => new PcapFile.Packet(p, 1700000000 + i, (uint)(i * 250_001))), bigEndian, nano));
        AssertSame(path, "-n -tt");
        AssertSame(path, "-n -tt --time-stamp-precision nano");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Pcapng_sections_read_the_same(bool bigEndian, bool simple)
    {
        var path = Path.Combine(_dir.Path, $"ng-{bigEndian}-{simple}.pcapng");
        var packets = Corpus.Ethernet().Take(8).Select((p, i) => new PcapFile.Packet(p, 1700000000 + i, (uint)(i * 1000))).ToList();
        File.WriteAllBytes(path, PcapFile.Pcapng([1], packets, bigEndian, simple));
        AssertSame(path, simple ? "-n -t" : "-n -tt");
    }

    [Fact]
    public void Pcapng_with_nanosecond_resolution_reads_the_same()
    {
        var path = Path.Combine(_dir.Path, "ng-nano.pcapng");
        var packets = Corpus.Ethernet().Take(5).Select((p, i) => new PcapFile.Packet(p, 1700000000 + i, (uint)(i * 1234))).ToList();
        File.WriteAllBytes(path, PcapFile.Pcapng([1], packets, tsresol: 9));
        AssertSame(path, "-n -tt --time-stamp-precision nano");
        AssertSame(path, "-n -ttt");
    }

    [Fact]
    public void Snapped_packets_shorter_than_the_wire_print_as_tcpdump_does()
    {
        var path = Path.Combine(_dir.Path, "snap.pcap");
        var packets = Corpus.Ethernet().Select((p, i) => new PcapFile.Packet(p[..Math.Min(p.Length, 54)], 1700000000, (uint)i, p.Length)).ToList();
        File.WriteAllBytes(path, PcapFile.Pcap(1, packets, snapLen: 54));
        AssertSame(path, "-n");
        AssertSame(path, "-n -vv -X");
    }

    public void Dispose() => _dir.Dispose();
}
