using System.Buffers;

namespace Forge.Cache.Protocol;

/// <summary>
/// A client's pending reply bytes: a chain of pooled chunks, appended to by the command that runs
/// (and by other clients' PUBLISH or pushes that unblock it), drained by the connection's sender.
/// Not thread-safe: the server's execution lock guards appends, the sender swaps buffers under it.
/// </summary>
internal sealed class OutputBuffer
{
    public const int ChunkSize = 16 * 1024;

    private readonly List<byte[]> _chunks = [];   // full chunks, oldest first
    private readonly List<int> _chunkLengths = [];
    private byte[] _current = [];
    private int _position;
    private long _fullBytes;

    /// <summary>Bytes buffered and not yet taken by the sender.</summary>
    public long Length => _fullBytes + _position;

    public bool IsEmpty => _position == 0 && _chunks.Count == 0;

    public Span<byte> GetSpan(int sizeHint)
    {
        if (_current.Length - _position < sizeHint)
        {
            NewChunk(sizeHint);
        }

        return _current.AsSpan(_position);
    }

    public void Advance(int count) => _position += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_current.Length == _position)
            {
                NewChunk(1);
            }

            var n = Math.Min(bytes.Length, _current.Length - _position);
            bytes[..n].CopyTo(_current.AsSpan(_position));
            _position += n;
            bytes = bytes[n..];
        }
    }

    public void WriteByte(byte b)
    {
        if (_current.Length == _position)
        {
            NewChunk(1);
        }

        _current[_position++] = b;
    }

    private void NewChunk(int sizeHint)
    {
        if (_position > 0)
        {
            _chunks.Add(_current);
            _chunkLengths.Add(_position);
            _fullBytes += _position;
        }
        else if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }

        _current = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, ChunkSize));
        _position = 0;
    }

    /// <summary>Appends a copy of everything buffered in <paramref name="source"/>.</summary>
    public void AppendFrom(OutputBuffer source)
    {
        for (var i = 0; i < source.SegmentCount; i++)
        {
            Write(source.Segment(i).Span);
        }
    }

    /// <summary>Moves everything buffered here into <paramref name="target"/> (which must be empty).</summary>
    public void MoveTo(OutputBuffer target)
    {
        (target._current, _current) = (_current, target._current);
        (target._position, _position) = (_position, target._position);
        target._chunks.AddRange(_chunks);
        target._chunkLengths.AddRange(_chunkLengths);
        target._fullBytes = _fullBytes;
        _chunks.Clear();
        _chunkLengths.Clear();
        _fullBytes = 0;
    }

    /// <summary>The buffered segments, in order, for sending.</summary>
    public int SegmentCount => _chunks.Count + (_position > 0 ? 1 : 0);

    public ReadOnlyMemory<byte> Segment(int index) =>
        index < _chunks.Count ? _chunks[index].AsMemory(0, _chunkLengths[index]) : _current.AsMemory(0, _position);

    /// <summary>Forgets the content (after it was sent); keeps the current chunk for reuse.</summary>
    public void Reset()
    {
        foreach (var c in _chunks)
        {
            ArrayPool<byte>.Shared.Return(c);
        }

        _chunks.Clear();
        _chunkLengths.Clear();
        _fullBytes = 0;
        _position = 0;
        if (_current.Length > ChunkSize * 4)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = [];
        }
    }

    /// <summary>Returns every pooled chunk; the buffer is unusable afterwards until written again.</summary>
    public void Release()
    {
        Reset();
        if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = [];
        }
    }
}
