using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Forge.Sql.Records;

/// <summary>SQLite's five storage classes.</summary>
internal enum SqlType : byte
{
    Null = 0,
    Integer = 1,
    Real = 2,
    Text = 3,
    Blob = 4,
}

/// <summary>
/// One SQL value without boxing: NULL, a 64-bit integer, a double, UTF-8 text or a blob. Text and blob
/// hold a <see cref="ReadOnlyMemory{T}"/> that may point into a page buffer or a cursor's payload
/// buffer: such a value is valid only until its cursor moves or the tree changes; copy it
/// (<see cref="Detach"/>) to keep it longer.
/// </summary>
internal readonly struct SqlValue
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _bits;

    private SqlValue(SqlType type, long bits, ReadOnlyMemory<byte> bytes)
    {
        Type = type;
        _bits = bits;
        _bytes = bytes;
    }

    public SqlType Type { get; }

    public static SqlValue Null => default;

    public bool IsNull => Type == SqlType.Null;

    public long AsInteger => _bits;

    public double AsReal => BitConverter.Int64BitsToDouble(_bits);

    /// <summary>The UTF-8 bytes of a text value or the bytes of a blob (empty for other types).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.Span;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public static SqlValue FromInteger(long value) => new(SqlType.Integer, value, default);

    public static SqlValue FromReal(double value) => new(SqlType.Real, BitConverter.DoubleToInt64Bits(value), default);

    public static SqlValue FromText(ReadOnlyMemory<byte> utf8) => new(SqlType.Text, 0, utf8);

    public static SqlValue FromText(string text) => new(SqlType.Text, 0, Encoding.UTF8.GetBytes(text));

    public static SqlValue FromBlob(ReadOnlyMemory<byte> bytes) => new(SqlType.Blob, 0, bytes);

    /// <summary>A copy whose bytes no longer point into a page or cursor buffer.</summary>
    public SqlValue Detach() => Type is SqlType.Text or SqlType.Blob ? new(Type, 0, _bytes.ToArray()) : this;

    public string AsString() => Type switch
    {
        SqlType.Null => "",
        SqlType.Integer => _bits.ToString(CultureInfo.InvariantCulture),
        SqlType.Real => AsReal.ToString("R", CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(_bytes.Span),
    };

    /// <summary>SQLite's quote() rendering for integers, text, blobs and NULL (reals: round-trip format).</summary>
    public override string ToString() => Type switch
    {
        SqlType.Null => "NULL",
        SqlType.Text => "'" + AsString().Replace("'", "''", StringComparison.Ordinal) + "'",
        SqlType.Blob => "X'" + Convert.ToHexString(_bytes.Span) + "'",
        _ => AsString(),
    };

    internal static long ReadBigEndianInt(ReadOnlySpan<byte> data)
    {
        // Sign-extended big-endian integer of 1, 2, 3, 4, 6 or 8 bytes.
        return data.Length switch
        {
            1 => (sbyte)data[0],
            2 => BinaryPrimitives.ReadInt16BigEndian(data),
            3 => ((sbyte)data[0] << 16) | (data[1] << 8) | data[2],
            4 => BinaryPrimitives.ReadInt32BigEndian(data),
            6 => ((long)BinaryPrimitives.ReadInt16BigEndian(data) << 32) | BinaryPrimitives.ReadUInt32BigEndian(data[2..]),
            8 => BinaryPrimitives.ReadInt64BigEndian(data),
            _ => 0,
        };
    }
}
