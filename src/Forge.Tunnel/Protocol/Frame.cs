using System.Buffers.Binary;

namespace Forge.Tunnel.Protocol;

/// <summary>Frame types of the tunnel protocol (docs/tunnel-protocol.md §3).</summary>
internal enum FrameType : byte
{
    /// <summary>Stream payload. Flag FIN half-closes the sender's side after this payload.</summary>
    Data = 0,

    /// <summary>Grants the peer <c>Length</c> more bytes of send window on <c>StreamId</c>. No payload.</summary>
    WindowUpdate = 1,

    /// <summary>Keep-alive and RTT probe; <c>Length</c> carries an opaque value echoed with flag ACK. No payload.</summary>
    Ping = 2,

    /// <summary>The sender will open no new streams and is closing; <c>Length</c> is a <see cref="GoAwayCode"/>.</summary>
    GoAway = 3,

    /// <summary>Opens stream <c>StreamId</c>; the payload is the stream's open metadata (§4).</summary>
    Open = 4,

    /// <summary>Aborts stream <c>StreamId</c> in both directions; <c>Length</c> is an error code. No payload.</summary>
    Reset = 5,

    /// <summary>A control message on stream 0 (handshake, §5); the payload is UTF-8 JSON.</summary>
    Control = 6,
}

[Flags]
internal enum FrameFlags : ushort
{
    None = 0,

    /// <summary>On DATA: the sender will send no more data on this stream (half-close).</summary>
    Fin = 0x1,

    /// <summary>On PING: this is the reply.</summary>
    Ack = 0x2,
}

/// <summary>GO_AWAY and RESET codes.</summary>
internal enum GoAwayCode : uint
{
    Normal = 0,
    ProtocolError = 1,
    InternalError = 2,
    UnsupportedVersion = 3,
    Unauthorized = 4,
    KeepAliveTimeout = 5,
    FlowControlError = 6,
    StreamRefused = 7,
}

/// <summary>
/// The 12-byte frame header, all integers big-endian (docs/tunnel-protocol.md §3):
/// <code>
///  offset 0  u8   version   (1)
///  offset 1  u8   type      (FrameType)
///  offset 2  u16  flags     (FrameFlags)
///  offset 4  u32  stream id (0 = the session itself)
///  offset 8  u32  length    (payload bytes for DATA/OPEN/CONTROL; the value itself for the others)
/// </code>
/// </summary>
internal readonly record struct FrameHeader(FrameType Type, FrameFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;
    public const byte Version = 1;

    private const int VersionOffset = 0;
    private const int TypeOffset = 1;
    private const int FlagsOffset = 2;
    private const int StreamIdOffset = 4;
    private const int LengthOffset = 8;

    /// <summary>Largest DATA payload a peer may send in one frame.</summary>
    public const int MaxDataPayload = 64 * 1024;

    /// <summary>Largest OPEN metadata payload.</summary>
    public const int MaxOpenPayload = 1024;

    /// <summary>Largest CONTROL payload.</summary>
    public const int MaxControlPayload = 16 * 1024;

    /// <summary>Whether the payload that follows the header is <see cref="Length"/> bytes long.</summary>
    public bool HasPayload => Type is FrameType.Data or FrameType.Open or FrameType.Control;

    public int PayloadLength => HasPayload ? (int)Length : 0;

    public void Write(Span<byte> destination)
    {
        destination[VersionOffset] = Version;
        destination[TypeOffset] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[FlagsOffset..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[StreamIdOffset..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[LengthOffset..], Length);
    }

    /// <summary>
    /// Decodes and validates a header. Returns null with a reason for anything a correct peer never
    /// sends; the session answers that with GO_AWAY(ProtocolError) and closes.
    /// </summary>
    public static FrameHeader? TryRead(ReadOnlySpan<byte> source, out string? error)
    {
        error = null;
        if (source[VersionOffset] != Version)
        {
            error = $"unsupported frame version {source[VersionOffset]}";
            return null;
        }

        var type = (FrameType)source[TypeOffset];
        var flags = (FrameFlags)BinaryPrimitives.ReadUInt16BigEndian(source[FlagsOffset..]);
        var streamId = BinaryPrimitives.ReadUInt32BigEndian(source[StreamIdOffset..]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(source[LengthOffset..]);
        var header = new FrameHeader(type, flags, streamId, length);

        switch (type)
        {
            case FrameType.Data:
                if (streamId == 0 || length > MaxDataPayload)
                {
                    error = streamId == 0 ? "DATA on stream 0" : $"DATA payload {length} exceeds {MaxDataPayload}";
                }

                break;
            case FrameType.WindowUpdate:
                if (streamId == 0 || length == 0 || length > int.MaxValue)
                {
                    error = "invalid WINDOW_UPDATE";
                }

                break;
            case FrameType.Ping:
            case FrameType.GoAway:
                if (streamId != 0)
                {
                    error = $"{type} on stream {streamId}";
                }

                break;
            case FrameType.Open:
                if (streamId == 0 || length > MaxOpenPayload)
                {
                    error = "invalid OPEN";
                }

                break;
            case FrameType.Reset:
                if (streamId == 0)
                {
                    error = "RESET on stream 0";
                }

                break;
            case FrameType.Control:
                if (streamId != 0 || length > MaxControlPayload)
                {
                    error = "invalid CONTROL";
                }

                break;
            default:
                error = $"unknown frame type {(byte)type}";
                break;
        }

        if (error is null && (flags & ~(FrameFlags.Fin | FrameFlags.Ack)) != 0)
        {
            error = $"unknown flags 0x{(ushort)flags:x4}";
        }

        return error is null ? header : null;
    }
}

/// <summary>
/// The 8-byte preamble each side sends first: ASCII "FTUN", u16 protocol version, u16 reserved (0).
/// </summary>
internal static class Preamble
{
    public const int Size = 8;
    public const ushort ProtocolVersion = 1;

    public static void Write(Span<byte> destination, ushort version = ProtocolVersion)
    {
        "FTUN"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], version);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
    }

    /// <summary>Returns the peer's protocol version, or null when the bytes are not a Forge tunnel preamble.</summary>
    public static ushort? TryRead(ReadOnlySpan<byte> source) =>
        source.Length >= Size && source[..4].SequenceEqual("FTUN"u8)
            ? BinaryPrimitives.ReadUInt16BigEndian(source[4..])
            : null;
}
