using System.Buffers.Binary;

namespace Forge.Sql.Records;

/// <summary>
/// Reads columns of one record lazily, the way the VM's Column op does: the header is parsed only as
/// far as the highest column asked for, and parsed serial types and offsets are cached for the next
/// column of the same row. One reader is reused for every row (<see cref="Reset"/>), so reading a row
/// allocates nothing. Columns past the end of the record read as NULL (SQLite's rule for rows written
/// before an ALTER TABLE ADD COLUMN). Text and blob values slice the record's memory.
/// </summary>
internal sealed class RecordReader
{
    private static readonly byte[] s_smallBodyLength = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 255, 255];

    private ReadOnlyMemory<byte> _record;

    // The record as (array, base) when its memory is an array (always, for b-tree payloads): spans
    // and slices are made from it directly instead of through ReadOnlyMemory's type checks.
    private byte[]? _array;
    private int _base;
    private int _length;
    private long[] _types = new long[16];
    private int[] _offsets = new int[17];
    private int _headerSize;
    private int _parsed;
    private int _headerPos;

    public ReadOnlyMemory<byte> Record => _array is { } array ? new ReadOnlyMemory<byte>(array, _base, _length) : _record;

    /// <summary>Starts reading the record at <paramref name="array"/>[<paramref name="offset"/>..+<paramref name="length"/>] (a b-tree cell's payload).</summary>
    public void Reset(byte[] array, int offset, int length)
    {
        // A scan resets the reader for every row, mostly on the same page: storing a reference
        // costs a GC write barrier, so store it only when the page changes, and make the
        // ReadOnlyMemory only when someone asks for it (Record).
        if (!ReferenceEquals(_array, array))
        {
            _array = array;
        }

        _base = offset;
        _length = length;
        int hs = length > 0 ? array[offset] : 0x80;
        var n = 1;
        if (hs >= 0x80)
        {
            n = Varint.Read(new ReadOnlySpan<byte>(array, offset, length), out var h);
            hs = n == 0 || h > length ? -1 : (int)h;
        }

        if (hs < n || hs > length)
        {
            SqliteCorruptException.Throw("record header size out of range");
        }

        _headerSize = hs;
        _headerPos = n;
        _parsed = 0;
        _offsets[0] = hs;
    }

    /// <summary>Starts reading <paramref name="record"/>; throws <see cref="SqliteCorruptException"/> for a bad header size.</summary>
    public void Reset(ReadOnlyMemory<byte> record)
    {
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(record, out var segment))
        {
            _array = segment.Array;
            _base = segment.Offset;
            _length = segment.Count;
        }
        else
        {
            _array = null;
            _record = record;
        }

        var span = record.Span;
        var n = Varint.Read(span, out var hs);
        if (n == 0 || hs < n || hs > span.Length)
        {
            SqliteCorruptException.Throw("record header size out of range");
        }

        _headerSize = (int)hs;
        _headerPos = n;
        _parsed = 0;
        _offsets[0] = _headerSize;
    }

    /// <summary>The number of columns in the record (parses the whole header).</summary>
    public int ColumnCount
    {
        get
        {
            ParseTo(int.MaxValue);
            return _parsed;
        }
    }

    public long SerialType(int column) => ParseTo(column) ? _types[column] : 0;

    public SqlType ColumnType(int column)
    {
        var st = SerialType(column);
        return st switch
        {
            0 => SqlType.Null,
            <= 6 or 8 or 9 => SqlType.Integer,
            7 => SqlType.Real,
            _ => (st & 1) == 0 ? SqlType.Blob : SqlType.Text,
        };
    }

    public SqlValue GetValue(int column)
    {
        if (!ParseTo(column))
        {
            return SqlValue.Null;
        }

        return Decode(column);
    }

    /// <summary>
    /// Reads <paramref name="column"/>; false when the record has fewer columns (a row written
    /// before ALTER TABLE ADD COLUMN), without parsing the header past the column.
    /// </summary>
    public bool TryGetValue(int column, out SqlValue value)
    {
        if (!ParseTo(column))
        {
            value = SqlValue.Null;
            return false;
        }

        value = Decode(column);
        return true;
    }

    private SqlValue Decode(int column)
    {
        var start = _offsets[column];
        var length = _offsets[column + 1] - start;
        var st = _types[column];
        if (_array is { } array)
        {
            var span = new ReadOnlySpan<byte>(array, _base + start, length);
            return st switch
            {
                0 => SqlValue.Null,
                7 => SqlValue.FromReal(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(span))),
                8 => SqlValue.FromInteger(0),
                9 => SqlValue.FromInteger(1),
                <= 6 => SqlValue.FromInteger(SqlValue.ReadBigEndianInt(span)),
                _ when (st & 1) == 0 => SqlValue.FromBlob(new ReadOnlyMemory<byte>(array, _base + start, length)),
                _ => SqlValue.FromText(new ReadOnlyMemory<byte>(array, _base + start, length)),
            };
        }

        return RecordFormat.Decode(st, _record.Slice(start, length));
    }

    public long GetInt64(int column)
    {
        var v = GetValue(column);
        return v.Type switch
        {
            SqlType.Integer => v.AsInteger,
            SqlType.Real => (long)v.AsReal,
            _ => 0,
        };
    }

    /// <summary>The body bytes of a column (text, blob, or the raw integer/real bytes).</summary>
    public ReadOnlySpan<byte> GetBytes(int column)
    {
        if (!ParseTo(column))
        {
            return default;
        }

        return Record.Span[_offsets[column].._offsets[column + 1]];
    }

    private bool ParseTo(int column) => column < _parsed || ParseMore(column);

    private bool ParseMore(int column)
    {
        var span = _array is { } array ? new ReadOnlySpan<byte>(array, _base, _length) : _record.Span;
        var parsed = _parsed;
        var pos = _headerPos;
        var headerSize = _headerSize;
        var types = _types;
        var offsets = _offsets;
        long end = offsets[parsed];
        while (parsed <= column && pos < headerSize)
        {
            // Serial types below 128 (every number, and text/blob up to 57 bytes) are one byte.
            int n;
            long st, len;
            if (span[pos] is var b and < 0x80)
            {
                n = 1;
                st = b;
                len = b < 12 ? s_smallBodyLength[b] : (b - 12) >> 1;
                if (len == 255)
                {
                    len = -1;
                }
            }
            else
            {
                n = Varint.Read(span[pos..headerSize], out st);
                len = RecordFormat.BodyLength(st);
            }

            if (n == 0 || len < 0)
            {
                SqliteCorruptException.Throw("bad serial type in record header");
            }

            end += len;
            if (end > span.Length)
            {
                SqliteCorruptException.Throw("record body shorter than its header says");
            }

            if (parsed + 1 >= types.Length)
            {
                Array.Resize(ref _types, types.Length * 2);
                Array.Resize(ref _offsets, _types.Length + 1);
                types = _types;
                offsets = _offsets;
            }

            types[parsed] = st;
            offsets[parsed + 1] = (int)end;
            parsed++;
            pos += n;
        }

        _parsed = parsed;
        _headerPos = pos;
        return column < parsed;
    }

    internal static double ReadReal(ReadOnlySpan<byte> body) => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(body));
}
