using Forge.Sniff.Capture;
using Forge.Sniff.Tests.Support;
using Forge.Testing;

namespace Forge.Sniff.Tests;

/// <summary>The pcap/pcapng reader and writer: formats, cut and corrupt files (against tcpdump's messages), round trips through tcpdump and tshark.</summary>
public sealed class CaptureFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static List<(PacketHeader Header, byte[] Data)> ReadAll(byte[] file)
    {
        using var reader = new CaptureFileReader(new MemoryStream(file));
        var list = new List<(PacketHeader, byte[])>();
        while (reader.Next(out var h, out var d))
        {
            list.Add((h, d.ToArray()));
        }

        return list;
    }

    [Fact]
    public void Pcap_reader_reads_both_byte_orders_and_precisions()
    {
        var packets = Corpus.Ethernet().Take(3).Select((p, i) => new PcapFile.Packet(p, 1700000000 + i, 250_000u * (uint)i)).ToList();
        foreach (var be in new[] { false, true })
        {
            foreach (var nano in new[] { false, true })
            {
                var read = ReadAll(PcapFile.Pcap(1, packets, be, nano));
                Assert.Equal(3, read.Count);
                for (var i = 0; i < 3; i++)
                {
                    Assert.Equal(packets[i].Data, read[i].Data);
                    Assert.Equal(packets[i].Seconds, read[i].Header.Seconds);
                    Assert.Equal((250_000u * (uint)i * 1000) + (nano ? 123u : 0u), read[i].Header.Nanoseconds);
                    Assert.Equal(1, read[i].Header.LinkType);
                }
            }
        }
    }

    [Fact]
    public void Pcapng_reader_follows_interfaces_link_types_and_both_byte_orders()
    {
        var packets = new List<PcapFile.Packet>
        {
            new(Corpus.Ethernet()[0], 1700000000, 1, Interface: 0),
            new(Corpus.Raw()[0], 1700000001, 2, Interface: 1),
        };
        foreach (var be in new[] { false, true })
        {
            var read = ReadAll(PcapFile.Pcapng([1, 101], packets, be));
            Assert.Equal(2, read.Count);
            Assert.Equal(1, read[0].Header.LinkType);
            Assert.Equal(101, read[1].Header.LinkType);
            Assert.Equal(1, read[1].Header.Interface);
            Assert.Equal(2000u, read[1].Header.Nanoseconds);
            Assert.Equal(packets[1].Data, read[1].Data);
        }
    }

    [Fact]
    public void Writer_output_reads_back_identically()
    {
        var ms = new MemoryStream();
        var packets = Corpus.Ethernet();
        using (var w = new PcapWriter(ms, 1, 262144, nano: true))
        {
            for (var i = 0; i < packets.Count; i++)
            {
                var h = new PacketHeader { Seconds = 1700000000 + i, Nanoseconds = (uint)(i * 1001), Length = packets[i].Length + 3 };
                w.Write(h, packets[i]);
            }
        }

        var read = ReadAll(ms.ToArray());
        Assert.Equal(packets.Count, read.Count);
        for (var i = 0; i < packets.Count; i++)
        {
            Assert.Equal(packets[i], read[i].Data);
            Assert.Equal((uint)(i * 1001), read[i].Header.Nanoseconds);
            Assert.Equal(packets[i].Length + 3, read[i].Header.Length);
        }
    }

    public static TheoryData<string, int> CutPoints() => new()
    {
        { "empty", 0 },
        { "in the magic", 2 },
        { "in the file header", 10 },
        { "in a record header", 24 + 5 },
        { "in packet data", 24 + 16 + 20 },
        { "in a later packet", -7 },
    };

    [Theory]
    [MemberData(nameof(CutPoints))]
    public void Cut_pcap_files_print_up_to_the_cut_and_fail_as_tcpdump_does(string where, int cut)
    {
        _ = where;
        var whole = PcapFile.Pcap(1, Corpus.Ethernet().Take(4).Select((p, i) => new PcapFile.Packet(p, 1700000000, (uint)i)));
        var path = _dir.File("cut.pcap");
        File.WriteAllBytes(path, whole[..(cut >= 0 ? cut : whole.Length + cut)]);
        AssertSameOutcome(path);
    }

    [Fact]
    public void Cut_pcapng_files_fail_as_tcpdump_does()
    {
        var whole = PcapFile.Pcapng([1], Corpus.Ethernet().Take(4).Select((p, i) => new PcapFile.Packet(p, 1700000000, (uint)i)));
        var path = _dir.File("cut.pcapng");
        File.WriteAllBytes(path, whole[..(whole.Length - 10)]);
        AssertSameOutcome(path);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 })]
    [InlineData(new byte[] { 0xd4, 0xc3, 0xb2, 0xa1, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0 })]
    public void Corrupt_headers_fail_with_tcpdumps_message(byte[] bytes)
    {
        var path = _dir.File("bad.pcap");
        File.WriteAllBytes(path, bytes);
        AssertSameOutcome(path);
    }

    [Fact]
    public void Oversized_record_fails_with_tcpdumps_message()
    {
        var file = PcapFile.Pcap(1, [new PcapFile.Packet(Corpus.Ethernet()[0])]);
        BitConverter.GetBytes(300000u).CopyTo(file, 24 + 8);
        var path = _dir.File("big.pcap");
        File.WriteAllBytes(path, file);
        AssertSameOutcome(path);
    }

    [Fact]
    public void Missing_file_fails_with_tcpdumps_message()
    {
        AssertSameOutcome(_dir.File("does-not-exist.pcap"));
    }

    private static void AssertSameOutcome(string path)
    {
        var expected = Peers.TcpdumpRun("-n", "-r", path);
        var actual = Peers.Forge("-n", "-r", path);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.Exit, actual.Exit);
        Assert.Equal(expected.Stderr.Replace("tcpdump: ", "forge sniff: ", StringComparison.Ordinal), actual.Stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--time-stamp-precision=nano")]
    public void Files_written_by_forge_read_back_identically_in_tcpdump_and_tshark(string precision)
    {
        Peers.Require(Peers.Tshark);
        var input = _dir.File("in.pcap");
        File.WriteAllBytes(input, PcapFile.Pcap(1, Corpus.Ethernet().Select((p, i) => new PcapFile.Packet(p, 1700000000 + i, (uint)(i * 3331)))));
        var output = _dir.File("out.pcap");
        string[] args = precision.Length > 0 ? ["-r", input, "-w", output, precision] : ["-r", input, "-w", output];
        var (exit, _, stderr) = Peers.Forge(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal(Peers.TcpdumpRun("-n", "-r", input, "-tt", "-v").Stdout, Peers.TcpdumpRun("-n", "-r", output, "-tt", "-v").Stdout);
        string[] fields = ["-T", "fields", "-e", "frame.number", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.protocols", "-e", "_ws.col.Info"];
        var tsharkIn = Peers.Run(Peers.Tshark, ["-n", "-r", input, .. fields]);
        var tsharkOut = Peers.Run(Peers.Tshark, ["-n", "-r", output, .. fields]);
        Assert.Equal(0, tsharkOut.Exit);
        Assert.Equal(tsharkIn.Stdout, tsharkOut.Stdout);
    }

    [Fact]
    public void Writing_to_stdout_and_reading_from_stdin_pipe_through()
    {
        var input = _dir.File("in.pcap");
        File.WriteAllBytes(input, PcapFile.Pcap(1, Corpus.Ethernet().Select((p, i) => new PcapFile.Packet(p, 1700000000 + i))));
        var piped = _dir.File("piped.txt");
        var script = $"'{ForgeBinary.Path}' sniff -r '{input}' -w - | '{ForgeBinary.Path}' sniff -n -r - > '{piped}' 2>/dev/null";
        var (exit, _, err) = Peers.Run("/bin/sh", ["-c", script]);
        Assert.True(exit == 0, err);
        Assert.Equal(Peers.TcpdumpRun("-n", "-r", input).Stdout, File.ReadAllText(piped));
    }

    [Fact]
    public void Size_rotation_splits_into_numbered_files_that_tcpdump_reads()
    {
        var input = _dir.File("in.pcap");
        var big = Enumerable.Range(0, 25000).Select(i => new PcapFile.Packet(Corpus.Ethernet()[i % 20], 1700000000 + i)).ToList();
        File.WriteAllBytes(input, PcapFile.Pcap(1, big));
        var output = _dir.File("rot.pcap");
        var (exit, _, stderr) = Peers.Forge("-r", input, "-w", output, "-C", "1", "-W", "3");
        Assert.True(exit == 0, stderr);
        var files = Directory.GetFiles(_dir.Path, "rot.pcap*").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([output + "0", output + "1", output + "2"], files);
        foreach (var f in files)
        {
            Assert.Equal(0, Peers.TcpdumpRun("-n", "-r", f).Exit);
        }
    }

    public void Dispose() => _dir.Dispose();
}
