using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Forge.Tunnel.Protocol;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Mux;

internal sealed partial class MuxSession
{
    private async Task RunReaderAsync()
    {
        var reader = PipeReader.Create(_transport, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024, leaveOpen: true));
        var reason = "connection closed by peer";
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_cts.Token);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                }

                var ok = true;
                while (ok && TryReadFrame(ref buffer, out ok))
                {
                }

                FlushInbound();

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (!ok)
                {
                    reason = "protocol error";
                    return;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        reason = "connection closed in the middle of a frame";
                    }

                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            reason = ex.Message;
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "tunnel session reader failed");
            reason = ex.Message;
        }
        finally
        {
            await reader.CompleteAsync();
            if (reason != "protocol error")
            {
                Abort(reason);
            }
        }
    }

    /// <summary>
    /// Decodes one whole frame from the front of <paramref name="buffer"/> and handles it. Returns
    /// false, consuming nothing, when the frame is not complete yet; sets <paramref name="ok"/> to
    /// false on a protocol violation.
    /// </summary>
    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out bool ok)
    {
        ok = true;
        if (buffer.Length < FrameHeader.Size)
        {
            return false;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(headerBytes);
        var header = FrameHeader.TryRead(headerBytes, out var error);
        if (header is not { } h)
        {
            ProtocolError(error ?? "bad frame header");
            ok = false;
            return false;
        }

        var total = FrameHeader.Size + (long)h.PayloadLength;
        if (buffer.Length < total)
        {
            return false;
        }

        var payload = buffer.Slice(FrameHeader.Size, h.PayloadLength);
        ok = HandleFrame(h, payload);
        buffer = buffer.Slice(total);
        return ok;
    }

    /// <summary>Streams that got DATA in this transport read; only the reader loop touches it.</summary>
    private readonly List<MuxStream> _filled = [];

    private void FlushInbound()
    {
        foreach (var stream in _filled)
        {
            stream.AwaitsInboundFlush = false;
            stream.FlushInbound();
        }

        _filled.Clear();
    }

    private bool HandleFrame(FrameHeader h, ReadOnlySequence<byte> payload)
    {
        switch (h.Type)
        {
            case FrameType.Data:
                if (_streams.TryGetValue(h.StreamId, out var stream))
                {
                    if (!stream.OnData(payload, (h.Flags & FrameFlags.Fin) != 0))
                    {
                        ProtocolError($"stream {h.StreamId} exceeded its flow-control window");
                        return false;
                    }

                    if (!payload.IsEmpty && !stream.AwaitsInboundFlush)
                    {
                        stream.AwaitsInboundFlush = true;
                        _filled.Add(stream);
                    }
                }

                // DATA for a stream we already reset or never knew is dropped (it was in flight).
                return true;

            case FrameType.WindowUpdate:
                if (_streams.TryGetValue(h.StreamId, out stream))
                {
                    stream.OnWindowUpdate(h.Length);
                }

                return true;

            case FrameType.Ping:
                if ((h.Flags & FrameFlags.Ack) != 0)
                {
                    OnPingAck(h.Length);
                }
                else
                {
                    Enqueue(new OutFrame(new FrameHeader(FrameType.Ping, FrameFlags.Ack, 0, h.Length), null, 0, pooled: false), control: true);
                }

                return true;

            case FrameType.GoAway:
                _goAwayReceived = true;
                Logger.LogDebug("peer sent GO_AWAY ({Code})", (GoAwayCode)h.Length);
                if ((GoAwayCode)h.Length != GoAwayCode.Normal)
                {
                    Abort($"peer closed the session: {(GoAwayCode)h.Length}");
                    return false;
                }

                return true;

            case FrameType.Reset:
                if (_streams.TryGetValue(h.StreamId, out stream))
                {
                    // DATA that came in the same read goes to the reader before the reset does.
                    if (stream.AwaitsInboundFlush)
                    {
                        stream.FlushInbound();
                    }

                    stream.OnRemoteReset($"reset by peer ({(GoAwayCode)h.Length})");
                }

                return true;

            case FrameType.Open:
                return OnOpen(h.StreamId, payload);

            case FrameType.Control:
                var message = ControlMessage.TryDeserialize(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
                if (message is null)
                {
                    ProtocolError("malformed CONTROL message");
                    return false;
                }

                if (!_controlInbound.Writer.TryWrite(message))
                {
                    ProtocolError("too many CONTROL messages");
                    return false;
                }

                return true;

            default:
                ProtocolError($"unexpected frame type {h.Type}");
                return false;
        }
    }

    private bool OnOpen(uint id, ReadOnlySequence<byte> payload)
    {
        // Only the server opens streams (§4); even ids are reserved for later versions. A server
        // would never read client-opened streams, so accepting them would only buffer data.
        if (_isServer || (id & 1) != 1 || _streams.ContainsKey(id))
        {
            ProtocolError($"invalid OPEN of stream {id}");
            return false;
        }

        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        if (!OpenMetadata.TryParse(bytes, out var metadata))
        {
            ProtocolError($"malformed OPEN metadata on stream {id}");
            return false;
        }

        if (_closing || _streams.Count >= Options.MaxStreams)
        {
            Enqueue(new OutFrame(new FrameHeader(FrameType.Reset, FrameFlags.None, id, (uint)GoAwayCode.StreamRefused), null, 0, pooled: false), control: true);
            return true;
        }

        var stream = new MuxStream(this, id, metadata, Options);
        _streams[id] = stream;
        _accepted.Writer.TryWrite(stream);
        return true;
    }
}
