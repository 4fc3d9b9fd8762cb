using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Forge.Tunnel.Client;

/// <summary>
/// PROXY protocol version 2 header (haproxy's proxy-protocol.txt §2.2): the 12-byte signature,
/// version/command 0x21 (v2, PROXY), family/transport 0x11 (TCP over IPv4) or 0x21 (TCP over
/// IPv6), a big-endian length, then source address, destination address, source port,
/// destination port.
/// </summary>
internal static class ProxyProtocol
{
    private static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] BuildV2(IPEndPoint source, IPEndPoint destination)
    {
        var v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 16 : 4;
        var payload = (2 * addressLength) + 4;
        var header = new byte[16 + payload];
        Signature.CopyTo(header);
        header[12] = 0x21;
        header[13] = (byte)(v6 ? 0x21 : 0x11);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)payload);
        source.Address.TryWriteBytes(header.AsSpan(16, addressLength), out _);
        destination.Address.TryWriteBytes(header.AsSpan(16 + addressLength, addressLength), out _);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * addressLength)), (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * addressLength)), (ushort)destination.Port);
        return header;
    }
}
