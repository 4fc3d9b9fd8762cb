using System.Text;
using Forge.Cache.Protocol;

namespace Forge.Cache.Tests;

/// <summary>The reply encoder's framing, around the small-length fast paths and chunk boundaries.</summary>
public sealed class ReplyWriterTests
{
    private static string Contents(OutputBuffer buffer)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < buffer.SegmentCount; i++)
        {
            sb.Append(Encoding.Latin1.GetString(buffer.Segment(i).Span));
        }

        return sb.ToString();
    }

    [Fact]
    public void BulkStringsOfEveryLengthAroundTheFastPathAreFramedExactly()
    {
        var buffer = new OutputBuffer();
        var writer = new ReplyWriter(buffer);
        var expected = new StringBuilder();
        foreach (var length in Enumerable.Range(0, 1100).Concat([9999, 10000, 16 * 1024, 70000]))
        {
            var value = new string((char)('a' + (length % 26)), length);
            writer.Bulk(Encoding.ASCII.GetBytes(value));
            expected.Append('$').Append(length).Append("\r\n").Append(value).Append("\r\n");
        }

        // Several 16 KiB chunks were filled on the way: the bytes must still be contiguous and exact.
        Assert.True(buffer.SegmentCount > 1);
        Assert.Equal(expected.ToString(), Contents(buffer));
    }

    [Fact]
    public void ArrayHeadersOfEveryCountAroundTheFastPathAreExact()
    {
        var buffer = new OutputBuffer();
        var writer = new ReplyWriter(buffer);
        var expected = new StringBuilder();
        foreach (var count in Enumerable.Range(0, 1100).Concat([9999, 123456789, int.MaxValue]))
        {
            writer.ArrayHeader(count);
            expected.Append('*').Append(count).Append("\r\n");
        }

        Assert.Equal(expected.ToString(), Contents(buffer));
    }
}
