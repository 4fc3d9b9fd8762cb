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

    [Theory]
    [InlineData("-C", "1", "-W", "3")]
    [InlineData("-C", "1")]
    [InlineData("-C", "1", "-W", "1")]
    [InlineData("-C", "1", "-W", "12")]
    [InlineData("-G", "3600", "-C", "1", "-W", "3")]
    [InlineData("-G", "3600", "-C", "1")]
    [InlineData("-G", "3600")]
    public void Rotation_makes_the_files_tcpdump_makes_byte_for_byte(params string[] flags)
    {
        var input = _dir.File("in.pcap");
        var big = Enumerable.Range(0, 25000).Select(i => new PcapFile.Packet(Corpus.Ethernet()[i % 20], 1700000000 + i)).ToList();
        File.WriteAllBytes(input, PcapFile.Pcap(1, big));

        // -G expands the name with strftime at the wall-clock time of the rotation: %Y keeps both
        // runs on the same name unless a new year starts between them.
        var pattern = flags.Contains("-G") ? "rot-%Y.pcap" : "rot.pcap";
        Directory.CreateDirectory(_dir.File("tcpdump"));
        Directory.CreateDirectory(_dir.File("forge"));
        // -Z root: as root, tcpdump would write as user tcpdump, which may not enter the test directory.
        var t = Peers.TcpdumpRun(["-Z", "root", "-r", input, "-w", Path.Combine(_dir.File("tcpdump"), pattern), .. flags]);
        Assert.True(t.Exit == 0, t.Stderr);
        var (exit, _, stderr) = Peers.Forge(["-r", input, "-w", Path.Combine(_dir.File("forge"), pattern), .. flags]);
        Assert.True(exit == 0, stderr);

        var expected = Directory.GetFiles(_dir.File("tcpdump")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        var actual = Directory.GetFiles(_dir.File("forge")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
        Assert.NotEmpty(expected);
        foreach (var name in expected)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(_dir.File("tcpdump"), name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_dir.File("forge"), name))),
                $"{name} differs from tcpdump's");
        }
    }

    [Fact]
    public void Time_rotation_restarts_the_size_counter_and_W_without_C_stops_after_W_files()
    {
        var packet = Corpus.Ethernet()[0];
        var header = new PacketHeader { Seconds = 1700000000, Length = packet.Length, LinkType = 1 };
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        var pattern = Path.Combine(_dir.Path, "t-%s-");

        // -G 10 -C 1 -W 3: size rotations count 0, 1, 2, 0 ...; a time rotation starts again at 0 under a new name.
        var both = new Cli.SniffOptions { RotateSeconds = 10, FileSize = 1_000_000, FileCount = 3 };
        using (var w = new RotatingWriter(pattern, both, 1, 262144, Stream.Null, clock))
        {
            Assert.EndsWith("t-1700000000-0", w.CurrentFile, StringComparison.Ordinal);
            while (w.CurrentFile.EndsWith("-0", StringComparison.Ordinal))
            {
                Assert.True(w.Write(header, packet));
            }

            Assert.EndsWith("t-1700000000-1", w.CurrentFile, StringComparison.Ordinal);
            clock.Now = clock.Now.AddSeconds(9);
            Assert.True(w.Write(header, packet));
            Assert.EndsWith("t-1700000000-1", w.CurrentFile, StringComparison.Ordinal);
            clock.Now = clock.Now.AddSeconds(1);
            Assert.True(w.Write(header, packet));
            Assert.EndsWith("t-1700000010-0", w.CurrentFile, StringComparison.Ordinal);
        }

        // -G 10 -W 2: the second rotation would open a third file, so the writer refuses the packet.
        var timeOnly = new Cli.SniffOptions { RotateSeconds = 10, FileCount = 2 };
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(1800000000);
        using (var w = new RotatingWriter(pattern, timeOnly, 1, 262144, Stream.Null, clock))
        {
            Assert.EndsWith("t-1800000000-", w.CurrentFile, StringComparison.Ordinal);
            clock.Now = clock.Now.AddSeconds(10);
            Assert.True(w.Write(header, packet));
            Assert.EndsWith("t-1800000010-", w.CurrentFile, StringComparison.Ordinal);
            clock.Now = clock.Now.AddSeconds(10);
            Assert.False(w.Write(header, packet));
        }

        Assert.Equal(
            ["t-1700000000-0", "t-1700000000-1", "t-1700000010-0", "t-1800000000-", "t-1800000010-"],
            Directory.GetFiles(_dir.Path, "t-*").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(101, 3)]
    public void The_counter_width_is_the_digits_of_W_minus_one(int w, int width) =>
        Assert.Equal(width, RotatingWriter.CounterWidth(w));

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    public void Dispose() => _dir.Dispose();
}
