using System.Buffers;

namespace Forge.Tunnel.Http;

/// <summary>What <see cref="ChunkedBodyScanner.Scan(ReadOnlySpan{byte}, out int)"/> found.</summary>
internal enum ChunkedScanStatus
{
    /// <summary>All given bytes belong to the body and it has not ended yet.</summary>
    NeedMore,

    /// <summary>The body ended; the bytes after the consumed ones begin the next message.</summary>
    Complete,

    /// <summary>The chunked framing is invalid; the consumed bytes are the valid prefix.</summary>
    Malformed,
}

/// <summary>
/// Finds the end of a chunked body (RFC 9112 §7.1) in raw bytes as they stream by, without decoding
/// or copying them, so a relay can forward the bytes unchanged and know exactly where the next message
/// starts. Feed it consecutive pieces of the byte stream, split anywhere.
/// <code>
/// chunked-body    = *chunk last-chunk trailer-section CRLF
/// chunk           = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// chunk-size      = 1*HEXDIG
/// last-chunk      = 1*("0") [ chunk-ext ] CRLF
/// chunk-ext       = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
/// trailer-section = *( field-line CRLF )
/// </code>
/// Because the bytes are forwarded as they are to a server that parses them again, the scanner is
/// strict where parsers are known to disagree (request smuggling): every line must end in CRLF (a bare
/// LF is refused), the data must be followed by CRLF, sizes are bounded, and chunk extensions and
/// trailer lines may contain no control characters other than HTAB. Chunk extension syntax beyond that
/// is not checked (§7.1.1: unrecognised extensions are ignored).
/// </summary>
internal struct ChunkedBodyScanner
{
    /// <summary>Largest accepted chunk size, 2^62 (sizes are checked for overflow, RFC 9112 §7.1).</summary>
    public const long MaxChunkSize = 1L << 62;

    /// <summary>Longest chunk-size line (size and extensions, without CRLF) and longest trailer line accepted.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Most bytes accepted in the trailer section (RFC 9112 §7.1.2).</summary>
    public const int MaxTrailerBytes = 32 * 1024;

    private State _state;
    private long _size;
    private int _lineLength;
    private int _trailerBytes;

    private enum State : byte
    {
        SizeStart,
        Size,
        SizeSpace,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerStart,
        TrailerName,
        TrailerValue,
        TrailerLf,
        FinalLf,
        Done,
        Failed,
    }

    /// <summary>True once the whole body, trailers and final CRLF included, has been seen.</summary>
    public readonly bool IsComplete => _state == State.Done;

    /// <summary>True once invalid framing was seen; the scanner stays in this state.</summary>
    public readonly bool IsMalformed => _state == State.Failed;

    /// <summary>Why the framing is invalid, once <see cref="IsMalformed"/>.</summary>
    public string? Error { readonly get; private set; }

    /// <summary>
    /// Scans the next bytes of the body. <paramref name="consumed"/> is how many of them belong to
    /// the body: all of them for <see cref="ChunkedScanStatus.NeedMore"/>, up to and including the
    /// final LF for <see cref="ChunkedScanStatus.Complete"/>, the valid prefix for
    /// <see cref="ChunkedScanStatus.Malformed"/>.
    /// </summary>
    public ChunkedScanStatus Scan(ReadOnlySpan<byte> data, out int consumed)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Data:
                    {
                        // chunk-data: skip it in bulk, it is the body itself.
                        var take = (int)Math.Min(_size, data.Length - i);
                        i += take;
                        _size -= take;
                        if (_size == 0)
                        {
                            _state = State.DataCr;
                        }

                        continue;
                    }

                case State.Done:
                    consumed = i;
                    return ChunkedScanStatus.Complete;
                case State.Failed:
                    consumed = i;
                    return ChunkedScanStatus.Malformed;
                default:
                    break;
            }

            var b = data[i];
            if (!Step(b))
            {
                consumed = i;
                return ChunkedScanStatus.Malformed;
            }

            i++;
            if (_state == State.Done)
            {
                consumed = i;
                return ChunkedScanStatus.Complete;
            }
        }

        consumed = i;
        return _state switch
        {
            State.Done => ChunkedScanStatus.Complete,
            State.Failed => ChunkedScanStatus.Malformed,
            _ => ChunkedScanStatus.NeedMore,
        };
    }

    /// <summary>Scans a sequence; <paramref name="consumed"/> counts the bytes that belong to the body.</summary>
    public ChunkedScanStatus Scan(in ReadOnlySequence<byte> data, out long consumed)
    {
        consumed = 0;
        var status = _state switch
        {
            State.Done => ChunkedScanStatus.Complete,
            State.Failed => ChunkedScanStatus.Malformed,
            _ => ChunkedScanStatus.NeedMore,
        };
        foreach (var segment in data)
        {
            status = Scan(segment.Span, out var used);
            consumed += used;
            if (status != ChunkedScanStatus.NeedMore)
            {
                break;
            }
        }

        return status;
    }

    private bool Step(byte b)
    {
        switch (_state)
        {
            case State.SizeStart:
                // chunk-size = 1*HEXDIG
                _lineLength = 1;
                _size = 0;
                return HexValue(b) is var first && first >= 0
                    ? Accumulate(first, State.Size)
                    : Fail("chunk size is not hexadecimal");

            case State.Size:
                if (b == '\r')
                {
                    return Go(State.SizeLf);
                }

                if (!CountLine())
                {
                    return false;
                }

                if (HexValue(b) is var digit && digit >= 0)
                {
                    return Accumulate(digit, State.Size);
                }

                return b switch
                {
                    (byte)';' => Go(State.Extension),
                    (byte)' ' or (byte)'\t' => Go(State.SizeSpace), // BWS before ";"
                    _ => Fail("invalid character after the chunk size"),
                };

            case State.SizeSpace:
                if (b == '\r')
                {
                    return Go(State.SizeLf);
                }

                if (!CountLine())
                {
                    return false;
                }

                return b switch
                {
                    (byte)';' => Go(State.Extension),
                    (byte)' ' or (byte)'\t' => true,
                    _ => Fail("invalid character after the chunk size"),
                };

            case State.Extension:
                if (b == '\r')
                {
                    return Go(State.SizeLf);
                }

                if (!CountLine())
                {
                    return false;
                }

                return IsControl(b) ? Fail("control character in a chunk extension") : true;

            case State.SizeLf:
                if (b != '\n')
                {
                    return Fail("chunk size line does not end in CRLF");
                }

                // RFC 9112 §7.1: a zero size is the last-chunk; the trailer section follows.
                _state = _size == 0 ? State.TrailerStart : State.Data;
                _lineLength = 0;
                return true;

            case State.DataCr:
                return b == '\r' ? Go(State.DataLf) : Fail("chunk data not followed by CRLF");

            case State.DataLf:
                return b == '\n' ? Go(State.SizeStart) : Fail("chunk data not followed by CRLF");

            case State.TrailerStart:
                // RFC 9112 §7.1.2: trailer field lines, then the CRLF ending the body.
                _lineLength = 1;
                if (!CountTrailer())
                {
                    return false;
                }

                if (b == '\r')
                {
                    return Go(State.FinalLf);
                }

                return HttpSyntax.IsTChar(b) ? Go(State.TrailerName) : Fail("invalid trailer field line");

            case State.TrailerName:
                if (!CountTrailer())
                {
                    return false;
                }

                if (b == ':')
                {
                    return CountLine() && Go(State.TrailerValue);
                }

                return HttpSyntax.IsTChar(b) ? CountLine() : Fail("invalid trailer field name");

            case State.TrailerValue:
                if (!CountTrailer())
                {
                    return false;
                }

                if (b == '\r')
                {
                    return Go(State.TrailerLf);
                }

                return IsControl(b) ? Fail("control character in a trailer field") : CountLine();

            case State.TrailerLf:
                if (!CountTrailer())
                {
                    return false;
                }

                return b == '\n' ? Go(State.TrailerStart) : Fail("trailer field line does not end in CRLF");

            case State.FinalLf:
                return b == '\n' ? Go(State.Done) : Fail("chunked body does not end in CRLF");

            default:
                return Fail("invalid scanner state");
        }
    }

    private bool Accumulate(int digit, State next)
    {
        if (_size > (MaxChunkSize - digit) >> 4)
        {
            return Fail("chunk size too large");
        }

        _size = (_size << 4) + digit;
        _state = next;
        return true;
    }

    private bool CountLine() => ++_lineLength <= MaxLineLength || Fail("chunk size or trailer line too long");

    private bool CountTrailer() => ++_trailerBytes <= MaxTrailerBytes || Fail("trailer section too large");

    private bool Go(State next)
    {
        _state = next;
        return true;
    }

    private bool Fail(string error)
    {
        _state = State.Failed;
        Error = error;
        return false;
    }

    private static bool IsControl(byte b) => b == 0x7F || (b < 0x20 && b != '\t');

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
