using System.Buffers;
using Forge.Tunnel.Http;
using static Forge.Tunnel.Tests.Http.Sequences;

namespace Forge.Tunnel.Tests.Http;

public class ChunkedBodyScannerTests
{
    private const string Next = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

    public static TheoryData<string> ValidBodies => new()
    {
        "0\r\n\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "1a;name=value;flag\r\nabcdefghijklmnopqrstuvwxyz\r\n0;last=\"quoted ; value\"\r\n\r\n",
        "A\r\n0123456789\r\na\r\n0123456789\r\n00000\r\n\r\n",
        "5 ;ext\r\nhello\r\n5\t;\text\r\nworld\r\n0\r\n\r\n",
        "3\r\n\r\n\r\r\n0\r\n\r\n",
        "4\r\n0\r\n\r\r\n0\r\n\r\n",
        "5\r\nhello\r\n0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\nX-Checksum:\tabc def \r\nEmpty:\r\n\r\n",
        "000000000000000000000000000000001\r\nx\r\n0\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void A_valid_body_ends_exactly_at_its_final_CRLF_however_it_is_split(string body)
    {
        var bytes = Latin1(body + Next);

        // Whole, then every two-piece split, then byte by byte.
        AssertScansTo(body.Length, [bytes]);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            AssertScansTo(body.Length, [bytes[..cut], bytes[cut..]]);
        }

        AssertScansTo(body.Length, [.. bytes.Select(b => new[] { b })]);
    }

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void Every_three_piece_split_of_a_valid_body_scans_the_same(string body)
    {
        var bytes = Latin1(body);
        for (var a = 0; a <= bytes.Length; a++)
        {
            for (var b = a; b <= bytes.Length; b++)
            {
                AssertScansTo(body.Length, [bytes[..a], bytes[a..b], bytes[b..]]);
            }
        }
    }

    [Fact]
    public void A_truncated_body_needs_more()
    {
        var bytes = Latin1("5\r\nhello\r\n0\r\nX: y\r\n\r\n");
        for (var length = 0; length < bytes.Length; length++)
        {
            var scanner = new ChunkedBodyScanner();
            Assert.Equal(ChunkedScanStatus.NeedMore, scanner.Scan(bytes.AsSpan(0, length), out var consumed));
            Assert.Equal(length, consumed);
            Assert.False(scanner.IsComplete);
        }
    }

    [Fact]
    public void Sequence_overload_reports_the_body_length()
    {
        var bytes = Latin1("3\r\nabc\r\n0\r\n\r\nnext");
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(ChunkedScanStatus.Complete, scanner.Scan(OneBytePerSegment(bytes), out long consumed));
        Assert.Equal(bytes.Length - 4, consumed);
        Assert.True(scanner.IsComplete);

        // Once complete, nothing more belongs to the body.
        Assert.Equal(ChunkedScanStatus.Complete, scanner.Scan("more"u8, out int more));
        Assert.Equal(0, more);
    }

    [Fact]
    public void Sizes_up_to_two_to_the_62_are_accepted()
    {
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(ChunkedScanStatus.NeedMore, scanner.Scan(Latin1("4000000000000000\r\n"), out _));
        Assert.Equal(ChunkedScanStatus.NeedMore, scanner.Scan(new byte[100_000], out var consumed));
        Assert.Equal(100_000, consumed);

        var upper = new ChunkedBodyScanner();
        Assert.Equal(ChunkedScanStatus.NeedMore, upper.Scan(Latin1("3FFFFFFFFFFFFFFF;x\r\n"), out _));
    }

    [Theory]
    [InlineData("g\r\n")]
    [InlineData("\r\n")]
    [InlineData(";ext\r\n")]
    [InlineData("-1\r\n")]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\rhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\r\n0\r\n\r\n")]
    [InlineData("5;a=\u0001\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\nhello\r\n0\r\n\r\n")]
    [InlineData("4000000000000001\r\n")]
    [InlineData("10000000000000000\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF\r\n")]
    [InlineData("0\r\n\n")]
    [InlineData("0\r\n\r\r")]
    [InlineData("0\r\nX: y\n\r\n")]
    [InlineData("0\r\n folded: x\r\n\r\n")]
    [InlineData("0\r\nBad Name: x\r\n\r\n")]
    [InlineData("0\r\nX: a\u0000b\r\n\r\n")]
    [InlineData("0\r\nX: y\r\r\n\r\n")]
    public void Malformed_framing_is_detected_however_it_is_split(string body)
    {
        var bytes = Latin1(body);
        Assert.Equal(ChunkedScanStatus.Malformed, ScanPieces([bytes], out _));
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(ChunkedScanStatus.Malformed, ScanPieces([bytes[..cut], bytes[cut..]], out _));
        }

        Assert.Equal(ChunkedScanStatus.Malformed, ScanPieces([.. bytes.Select(b => new[] { b })], out _));
    }

    [Fact]
    public void A_size_line_longer_than_4_KiB_is_refused()
    {
        var fits = Latin1("5;" + new string('e', ChunkedBodyScanner.MaxLineLength - 2) + "\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(ChunkedScanStatus.Complete, ScanPieces([fits], out _));

        var tooLong = Latin1("5;" + new string('e', ChunkedBodyScanner.MaxLineLength - 1) + "\r\nhello\r\n0\r\n\r\n");
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(ChunkedScanStatus.Malformed, scanner.Scan(tooLong, out var consumed));
        Assert.Equal(ChunkedBodyScanner.MaxLineLength, consumed);
        Assert.True(scanner.IsMalformed);
        Assert.NotNull(scanner.Error);

        var zeros = Latin1(new string('0', 5000) + "\r\n\r\n");
        Assert.Equal(ChunkedScanStatus.Malformed, ScanPieces([zeros], out _));
    }

    [Fact]
    public void Endless_trailers_are_refused()
    {
        var trailers = string.Concat(Enumerable.Repeat("X-T: " + new string('v', 1000) + "\r\n", 40));
        Assert.Equal(ChunkedScanStatus.Malformed, ScanPieces([Latin1("0\r\n" + trailers + "\r\n")], out _));
    }

    [Fact]
    public void Malformed_stays_malformed_and_reports_the_valid_prefix()
    {
        var scanner = new ChunkedBodyScanner();
        Assert.Equal(ChunkedScanStatus.Malformed, scanner.Scan(Latin1("3\r\nabcX"), out var consumed));
        Assert.Equal(6, consumed);
        Assert.Equal(ChunkedScanStatus.Malformed, scanner.Scan(Latin1("\r\n0\r\n\r\n"), out consumed));
        Assert.Equal(0, consumed);
    }

    private static void AssertScansTo(int bodyLength, byte[][] pieces)
    {
        var status = ScanPieces(pieces, out var consumed);
        Assert.Equal(ChunkedScanStatus.Complete, status);
        Assert.Equal(bodyLength, consumed);
    }

    /// <summary>Feeds the pieces in order; stops at the first verdict. Checks NeedMore consumes everything.</summary>
    private static ChunkedScanStatus ScanPieces(byte[][] pieces, out long consumed)
    {
        var scanner = new ChunkedBodyScanner();
        consumed = 0;
        foreach (var piece in pieces)
        {
            var status = scanner.Scan(piece, out var used);
            consumed += used;
            if (status != ChunkedScanStatus.NeedMore)
            {
                Assert.True(used <= piece.Length);
                return status;
            }

            Assert.Equal(piece.Length, used);
        }

        return ChunkedScanStatus.NeedMore;
    }
}
