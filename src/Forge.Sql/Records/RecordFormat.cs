using System.Buffers.Binary;

namespace Forge.Sql.Records;

/// <summary>
/// The record format (fileformat2 §2.1): a varint header size (counting itself), one varint serial type
/// per column, then the column bodies in order.
/// <code>
/// serial type  body   meaning
/// 0            0      NULL
/// 1,2,3,4,5,6  1,2,3,4,6,8  big-endian two's-complement integer
/// 7            8      IEEE 754 big-endian double
/// 8, 9         0      integer 0, integer 1 (schema format 4)
/// 10, 11       -      reserved (corrupt here)
/// N≥12 even    (N-12)/2  blob
/// N≥13 odd     (N-13)/2  text (UTF-8; the database's encoding)
/// </code>
/// </summary>
internal static class RecordFormat
{
    /// <summary>The serial type SQLite would choose for <paramref name="value"/>.</summary>
    public static long SerialTypeOf(in SqlValue value)
    {
        switch (value.Type)
        {
            case SqlType.Null:
                return 0;
            case SqlType.Integer:
                var i = value.AsInteger;
                if (i == 0)
                {
                    return 8;
                }

                if (i == 1)
                {
                    return 9;
                }

                if (i >= sbyte.MinValue && i <= sbyte.MaxValue)
                {
                    return 1;
                }

                if (i >= short.MinValue && i <= short.MaxValue)
                {
                    return 2;
                }

                if (i >= -8388608 && i <= 8388607)
                {
                    return 3;
                }

                if (i >= int.MinValue && i <= int.MaxValue)
                {
                    return 4;
                }

                if (i >= -140737488355328L && i <= 140737488355327L)
                {
                    return 5;
                }

                return 6;
            case SqlType.Real:
                return 7;
            case SqlType.Text:
                return (value.Bytes.Length * 2L) + 13;
            default:
                return (value.Bytes.Length * 2L) + 12;
        }
    }

    /// <summary>Body length of a serial type, or -1 for the reserved types 10 and 11.</summary>
    public static long BodyLength(long serialType) => serialType switch
    {
        0 or 8 or 9 => 0,
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 4,
        5 => 6,
        6 or 7 => 8,
        10 or 11 => -1,
        < 0 => -1,
        _ => (serialType - 12) / 2,
    };

    public static int EncodedLength(ReadOnlySpan<SqlValue> values)
    {
        long header = 0;
        long body = 0;
        foreach (ref readonly var v in values)
        {
            var st = SerialTypeOf(v);
            header += Varint.Length(st);
            body += BodyLength(st);
        }

        var total = HeaderSize(header) + body;
        if (total > int.MaxValue)
        {
            throw new InvalidOperationException("string or blob too big");
        }

        return (int)total;
    }

    private static long HeaderSize(long typesLength)
    {
        var h = typesLength + 1;
        while (Varint.Length(h) + typesLength != h)
        {
            h = typesLength + Varint.Length(h);
        }

        return h;
    }

    public static byte[] Encode(ReadOnlySpan<SqlValue> values)
    {
        var buffer = new byte[EncodedLength(values)];
        Encode(values, buffer);
        return buffer;
    }

    /// <summary>Encodes into <paramref name="destination"/> (at least <see cref="EncodedLength"/> bytes); returns the length.</summary>
    public static int Encode(ReadOnlySpan<SqlValue> values, Span<byte> destination)
    {
        long typesLength = 0;
        foreach (ref readonly var v in values)
        {
            typesLength += Varint.Length(SerialTypeOf(v));
        }

        var headerSize = (int)HeaderSize(typesLength);
        var h = Varint.Write(destination, headerSize);
        var b = headerSize;
        foreach (ref readonly var v in values)
        {
            var st = SerialTypeOf(v);
            h += Varint.Write(destination[h..], st);
            var body = destination[b..];
            switch (st)
            {
                case 0 or 8 or 9:
                    break;
                case 7:
                    BinaryPrimitives.WriteInt64BigEndian(body, BitConverter.DoubleToInt64Bits(v.AsReal));
                    break;
                case <= 6:
                    var len = (int)BodyLength(st);
                    var x = v.AsInteger;
                    for (var i = len - 1; i >= 0; i--)
                    {
                        body[i] = (byte)x;
                        x >>= 8;
                    }

                    break;
                default:
                    v.Bytes.CopyTo(body);
                    break;
            }

            b += (int)BodyLength(st);
        }

        return b;
    }

    /// <summary>Decodes one column body of a known serial type; text and blob slice <paramref name="memory"/>.</summary>
    public static SqlValue Decode(long serialType, ReadOnlyMemory<byte> memory)
    {
        var span = memory.Span;
        return serialType switch
        {
            0 => SqlValue.Null,
            8 => SqlValue.FromInteger(0),
            9 => SqlValue.FromInteger(1),
            7 => SqlValue.FromReal(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(span))),
            <= 6 => SqlValue.FromInteger(SqlValue.ReadBigEndianInt(span)),
            _ when (serialType & 1) == 0 => SqlValue.FromBlob(memory),
            _ => SqlValue.FromText(memory),
        };
    }

    /// <summary>Decodes every column of a record (allocates the array; for tests and tools, not the VM's hot path).</summary>
    public static SqlValue[] DecodeAll(ReadOnlyMemory<byte> record)
    {
        var reader = new RecordReader();
        reader.Reset(record);
        var values = new SqlValue[reader.ColumnCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.GetValue(i);
        }

        return values;
    }
}
