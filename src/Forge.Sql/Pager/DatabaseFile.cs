using Microsoft.Win32.SafeHandles;

namespace Forge.Sql.Pager;

/// <summary>
/// The OS layer (SQLite's sqlite3_file): positioned reads and writes, size, sync. No file locks are
/// taken yet: one process at a time may write a database (documented in docs/sql-storage.md).
/// </summary>
internal abstract class DatabaseFile : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; returns how many were read (short at end of file).</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public abstract void Write(long offset, ReadOnlySpan<byte> source);

    public abstract void SetLength(long length);

    public abstract void Sync();

    public abstract void Dispose();

    public static DatabaseFile Open(string path, bool readOnly = false) =>
        path == ":memory:" ? new MemoryDatabaseFile() : new OsDatabaseFile(path, readOnly);
}

internal sealed class OsDatabaseFile : DatabaseFile
{
    private readonly SafeFileHandle _handle;

    public OsDatabaseFile(string path, bool readOnly)
    {
        _handle = File.OpenHandle(
            path,
            readOnly ? FileMode.Open : FileMode.OpenOrCreate,
            readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            FileShare.ReadWrite | FileShare.Delete);
    }

    public override long Length => RandomAccess.GetLength(_handle);

    public override int Read(long offset, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    public override void Write(long offset, ReadOnlySpan<byte> source) => RandomAccess.Write(_handle, source, offset);

    public override void SetLength(long length) => RandomAccess.SetLength(_handle, length);

    public override void Sync() => RandomAccess.FlushToDisk(_handle);

    public override void Dispose() => _handle.Dispose();
}

/// <summary>A growable in-memory file for <c>:memory:</c> databases and tests.</summary>
internal sealed class MemoryDatabaseFile : DatabaseFile
{
    private byte[] _data;
    private long _length;

    public MemoryDatabaseFile(byte[]? initial = null)
    {
        _data = initial is null ? [] : (byte[])initial.Clone();
        _length = _data.Length;
    }

    public override long Length => _length;

    public byte[] ToArray() => _data.AsSpan(0, (int)_length).ToArray();

    public override int Read(long offset, Span<byte> destination)
    {
        if (offset >= _length)
        {
            return 0;
        }

        var n = (int)Math.Min(destination.Length, _length - offset);
        _data.AsSpan((int)offset, n).CopyTo(destination);
        return n;
    }

    public override void Write(long offset, ReadOnlySpan<byte> source)
    {
        var end = offset + source.Length;
        Grow(end);
        source.CopyTo(_data.AsSpan((int)offset));
        _length = Math.Max(_length, end);
    }

    public override void SetLength(long length)
    {
        Grow(length);
        if (length < _length)
        {
            Array.Clear(_data, (int)length, (int)(_length - length));
        }

        _length = length;
    }

    private void Grow(long size)
    {
        if (size > _data.Length)
        {
            Array.Resize(ref _data, (int)Math.Max(size, _data.Length * 2L));
        }
    }

    public override void Sync()
    {
    }

    public override void Dispose()
    {
    }
}
