using System.Net;
using Forge.Tunnel.Protocol;

namespace Forge.Tunnel.Tests.Protocol;

public class FrameTests
{
    [Theory]
    [InlineData(FrameType.Data, FrameFlags.Fin, 7u, 65536u)]
    [InlineData(FrameType.WindowUpdate, FrameFlags.None, 3u, 1u)]
    [InlineData(FrameType.Ping, FrameFlags.Ack, 0u, 0xDEADBEEFu)]
    [InlineData(FrameType.GoAway, FrameFlags.None, 0u, 1u)]
    [InlineData(FrameType.Open, FrameFlags.None, 1u, 14u)]
    [InlineData(FrameType.Reset, FrameFlags.None, 9u, 7u)]
    [InlineData(FrameType.Control, FrameFlags.None, 0u, 100u)]
    internal void Header_round_trips(FrameType type, FrameFlags flags, uint stream, uint length)
    {
        var bytes = new byte[FrameHeader.Size];
        new FrameHeader(type, flags, stream, length).Write(bytes);
        var decoded = FrameHeader.TryRead(bytes, out var error);
        Assert.Null(error);
        Assert.Equal(new FrameHeader(type, flags, stream, length), decoded);
    }

    [Fact]
    public void Header_layout_is_big_endian_as_documented()
    {
        var bytes = new byte[FrameHeader.Size];
        new FrameHeader(FrameType.Data, FrameFlags.Fin, 0x01020304, 0x0000_1000).Write(bytes);
        Assert.Equal(new byte[] { 1, 0, 0, 1, 1, 2, 3, 4, 0, 0, 0x10, 0 }, bytes);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, "version")]
    [InlineData(new byte[] { 1, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, "unknown frame type")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, "stream 0")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1 }, "exceeds")]
    [InlineData(new byte[] { 1, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0 }, "flags")]
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, "WINDOW_UPDATE")]
    [InlineData(new byte[] { 1, 2, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0 }, "Ping")]
    [InlineData(new byte[] { 1, 6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 }, "CONTROL")]
    [InlineData(new byte[] { 1, 4, 0, 0, 0, 0, 0, 1, 0, 0, 8, 0 }, "OPEN")]
    public void Invalid_headers_are_refused_with_a_reason(byte[] bytes, string reason)
    {
        Assert.Null(FrameHeader.TryRead(bytes, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Preamble_round_trips_and_rejects_other_protocols()
    {
        var bytes = new byte[Preamble.Size];
        Preamble.Write(bytes);
        Assert.Equal((ushort)1, Preamble.TryRead(bytes));
        Assert.Null(Preamble.TryRead("GET / HT"u8));
        Assert.Null(Preamble.TryRead("SSH-2.0-"u8));
    }

    [Theory]
    [InlineData("203.0.113.7", 51000, "198.51.100.1", 443)]
    [InlineData("2001:db8::1", 1, "2001:db8::2", 65535)]
    public void Open_metadata_round_trips(string src, int srcPort, string dst, int dstPort)
    {
        var metadata = OpenMetadata.Create(StreamKind.Https, new IPEndPoint(IPAddress.Parse(src), srcPort), new IPEndPoint(IPAddress.Parse(dst), dstPort));
        Assert.True(OpenMetadata.TryParse(metadata.ToArray(), out var parsed));
        Assert.Equal(StreamKind.Https, parsed.Kind);
        Assert.Equal(metadata.Source, parsed.Source);
        Assert.Equal(metadata.Destination, parsed.Destination);
    }

    [Fact]
    public void Open_metadata_maps_ipv4_mapped_addresses_back_to_ipv4()
    {
        var metadata = OpenMetadata.Create(StreamKind.Tcp, new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 5), new IPEndPoint(IPAddress.Loopback, 6));
        Assert.Equal(IPAddress.Loopback, metadata.Source.Address);
        Assert.Equal(14, metadata.ToArray().Length);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 9, 4, 1, 2, 3, 4, 0, 1, 1, 2, 3, 4, 0, 1 })]
    [InlineData(new byte[] { 1, 5, 1, 2, 3, 4, 0, 1, 1, 2, 3, 4, 0, 1 })]
    [InlineData(new byte[] { 1, 4, 1, 2, 3, 4, 0, 1, 1, 2, 3, 4, 0 })]
    public void Open_metadata_rejects_malformed_payloads(byte[] payload) =>
        Assert.False(OpenMetadata.TryParse(payload, out _));

    [Fact]
    public void Control_messages_round_trip_and_garbage_is_null()
    {
        var hello = new ControlMessage { Type = "hello", Kind = "http", Subdomain = "app", Token = "t0ken-123" };
        var parsed = ControlMessage.TryDeserialize(hello.Serialize());
        Assert.NotNull(parsed);
        Assert.Equal("app", parsed.Subdomain);
        Assert.Null(ControlMessage.TryDeserialize("{not json"u8));
    }
}
