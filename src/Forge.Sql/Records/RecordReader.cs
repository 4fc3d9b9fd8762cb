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
    private ReadOnlyMemory<byte> _record;
    private long[] _types = new long[16];
    private int[] _offsets = new int[17];
    private int _headerSize;
    private int _parsed;
    private int _headerPos;
    private bool _headerDone;

    public ReadOnlyMemory<byte> Record => _record;

    /// <summary>Starts reading <paramref name="record"/>; throws <see cref="SqliteCorruptException"/> for a bad header size.</summary>
    public void Reset(ReadOnlyMemory<byte> record)
    {
        _record = record;
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
        _headerDone = _headerPos >= _headerSize;
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

        var start = _offsets[column];
        return RecordFormat.Decode(_types[column], _record.Slice(start, _offsets[column + 1] - start));
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

        return _record.Span[_offsets[column].._offsets[column + 1]];
    }

    private bool ParseTo(int column)
    {
        if (column < _parsed)
        {
            return true;
        }

        var span = _record.Span;
        while (_parsed <= column && !_headerDone)
        {
            var n = Varint.Read(span[_headerPos.._headerSize], out var st);
            var len = RecordFormat.BodyLength(st);
            if (n == 0 || len < 0)
            {
                SqliteCorruptException.Throw("bad serial type in record header");
            }

            var end = _offsets[_parsed] + len;
            if (end > span.Length)
            {
                SqliteCorruptException.Throw("record body shorter than its header says");
            }

            if (_parsed + 1 >= _types.Length)
            {
                Array.Resize(ref _types, _types.Length * 2);
                Array.Resize(ref _offsets, (_types.Length) + 1);
            }

            _types[_parsed] = st;
            _offsets[_parsed + 1] = (int)end;
            _parsed++;
            _headerPos += n;
            _headerDone = _headerPos >= _headerSize;
        }

        return column < _parsed;
    }

    internal static double ReadReal(ReadOnlySpan<byte> body) => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(body));
}
