using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Forge.Tunnel.Protocol;

/// <summary>What kind of public connection a stream carries.</summary>
internal enum StreamKind : byte
{
    Http = 1,
    Https = 2,
    Tcp = 3,
}

/// <summary>
/// The payload of an OPEN frame (docs/tunnel-protocol.md §4):
/// <code>
///  u8   kind           (StreamKind)
///  u8   address family (4 or 6)
///  4|16 source address (the visitor)
///  u16  source port
///  4|16 destination address (the public listener the visitor reached)
///  u16  destination port
/// </code>
/// The client uses it for its log and for PROXY protocol v2; the server has already added the
/// X-Forwarded-* headers to HTTP streams.
/// </summary>
internal readonly record struct OpenMetadata(StreamKind Kind, IPEndPoint Source, IPEndPoint Destination)
{
    public int Size => 2 + (2 * (AddressLength + 2));

    private int AddressLength => Source.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;

    public static OpenMetadata Create(StreamKind kind, IPEndPoint? source, IPEndPoint? destination)
    {
        var src = Normalize(source);
        var dst = Normalize(destination);
        if (src.AddressFamily != dst.AddressFamily)
        {
            // Mixed families (an IPv4 visitor on a dual-stack listener): map both to IPv6.
            src = new IPEndPoint(src.Address.MapToIPv6(), src.Port);
            dst = new IPEndPoint(dst.Address.MapToIPv6(), dst.Port);
        }

        return new OpenMetadata(kind, src, dst);
    }

    private static IPEndPoint Normalize(IPEndPoint? endPoint)
    {
        if (endPoint is null)
        {
            return new IPEndPoint(IPAddress.Any, 0);
        }

        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        bytes[0] = (byte)Kind;
        bytes[1] = (byte)(AddressLength == 16 ? 6 : 4);
        var offset = 2;
        foreach (var endPoint in (ReadOnlySpan<IPEndPoint>)[Source, Destination])
        {
            endPoint.Address.TryWriteBytes(bytes.AsSpan(offset, AddressLength), out _);
            offset += AddressLength;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)endPoint.Port);
            offset += 2;
        }

        return bytes;
    }

    public static bool TryParse(ReadOnlySpan<byte> payload, out OpenMetadata metadata)
    {
        metadata = default;
        if (payload.Length < 2 || payload[0] is < 1 or > 3 || payload[1] is not (4 or 6))
        {
            return false;
        }

        var addressLength = payload[1] == 6 ? 16 : 4;
        if (payload.Length != 2 + (2 * (addressLength + 2)))
        {
            return false;
        }

        var offset = 2;
        var source = ReadEndPoint(payload, ref offset, addressLength);
        var destination = ReadEndPoint(payload, ref offset, addressLength);
        metadata = new OpenMetadata((StreamKind)payload[0], source, destination);
        return true;
    }

    private static IPEndPoint ReadEndPoint(ReadOnlySpan<byte> payload, ref int offset, int addressLength)
    {
        var address = new IPAddress(payload.Slice(offset, addressLength));
        offset += addressLength;
        var port = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
        offset += 2;
        return new IPEndPoint(address, port);
    }
}
