using Forge.Sniff.Capture;
using Forge.Sniff.Decoding;
using Forge.Sniff.Output;
using Forge.Sniff.Tests.Support;

namespace Forge.Sniff.Tests;

/// <summary>Randomly mutated packets (fixed seed, bounded time) never crash a decoder: every read is bounds-checked.</summary>
public class MutationTests
{
    [Fact]
    public void Mutated_packets_never_throw()
    {
        var rng = new Random(20261126);
        var seeds = new List<(int Link, byte[] Data)>();
        seeds.AddRange(Corpus.Ethernet().Select(p => (1, p)));
        seeds.AddRange(Corpus.Icmp6Messages().Select(p => (1, p)));
        seeds.AddRange(Corpus.Sll(false).Select(p => (113, p)));
        seeds.AddRange(Corpus.Sll(true).Select(p => (276, p)));
        seeds.AddRange(Corpus.Null().Select(p => (0, p)));
        seeds.AddRange(Corpus.Raw().Select(p => (101, p)));
        var printers = new[]
        {
            new PrintOptions { Numeric = 1 },
            new PrintOptions { Numeric = 1, Verbose = 3, LinkHeader = true, HexAscii = 1 },
            new PrintOptions { Numeric = 1, Verbose = 2, Quiet = 0, Ascii = 2 },
            new PrintOptions { Numeric = 1, Quiet = 1, Hex = 2, Json = true },
        }.Select(o => new Printer(new OutputBuffer(Stream.Null), o)).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(3);
        long iterations = 0;
        while (DateTime.UtcNow < deadline)
        {
            var (link, original) = seeds[rng.Next(seeds.Count)];
            var data = (byte[])original.Clone();
            var edits = rng.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                switch (rng.Next(4))
                {
                    case 0:
                        data[rng.Next(data.Length)] = (byte)rng.Next(256);
                        break;
                    case 1:
                        data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 2:
                        data = data[..rng.Next(data.Length + 1)];
                        break;
                    default:
                        var at = rng.Next(data.Length);
                        data[at] = rng.Next(2) == 0 ? (byte)0 : (byte)0xff;
                        break;
                }

                if (data.Length == 0)
                {
                    data = [(byte)rng.Next(256)];
                }
            }

            var header = new PacketHeader
            {
                Seconds = 1700000000,
                CapLen = data.Length,
                Length = rng.Next(4) == 0 ? rng.Next(1, 70000) : data.Length,
                LinkType = link,
            };
            foreach (var printer in printers)
            {
                printer.PrintPacket(header, data);
                printer.Out.Drain();
            }

            iterations++;
        }

        Assert.True(iterations > 1000, $"only {iterations} mutations in the time budget");
        Assert.All(printers, p => Assert.True(p.DecoderFaults == 0, p.LastFault?.ToString()));
    }
}
