using System.Buffers;
using System.IO.Pipelines;

namespace Forge.Tunnel.Mux;

internal sealed partial class MuxStream
{
    private InputReader? _input;

    /// <summary>
    /// The stream's received bytes as a <see cref="PipeReader"/> over the stream's own buffer: a
    /// consumer that parses (the client's HTTP relay) or forwards (the server's response copy)
    /// reads the payloads where the session's reader put them, instead of through
    /// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>'s copy into yet another buffer.
    /// Consumed bytes are credited to the flow-control window as with ReadAsync. Use either this
    /// or the Stream reads, not both; completing it does not end the stream (dispose does).
    /// </summary>
    public PipeReader Input => _input ??= new InputReader(this);

    private sealed class InputReader(MuxStream owner) : PipeReader
    {
        private readonly PipeReader _inner = owner._inbound.Reader;
        private ReadOnlySequence<byte> _last;
        private bool _completed;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            var result = await _inner.ReadAsync(cancellationToken);
            _last = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            if (_inner.TryRead(out result))
            {
                _last = result.Buffer;
                return true;
            }

            return false;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            var bytes = _last.Slice(_last.Start, consumed).Length;
            _last = default;
            _inner.AdvanceTo(consumed, examined);
            if (bytes > 0)
            {
                owner.Consumed((int)bytes);
            }
        }

        public override void CancelPendingRead() => _inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => _completed = true;
    }
}
