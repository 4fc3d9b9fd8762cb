using System.Text;
using Forge.Sql.Records;

namespace Forge.Sql.Tests;

public class RecordTests
{
    public static TheoryData<long, int> VarintCases => new()
    {
        { 0, 1 }, { 0x7F, 1 }, { 0x80, 2 }, { 0x3FFF, 2 }, { 0x4000, 3 }, { 0x1FFFFF, 3 }, { 0x200000, 4 },
        { 0xFFFFFFF, 4 }, { 0x10000000, 5 }, { 0x7FFFFFFFF, 5 }, { 0x800000000, 6 }, { 0x3FFFFFFFFFF, 6 },
        { 0x40000000000, 7 }, { 0x1FFFFFFFFFFFF, 7 }, { 0x2000000000000, 8 }, { 0xFFFFFFFFFFFFFF, 8 },
        { 0x100000000000000, 9 }, { long.MaxValue, 9 }, { -1, 9 }, { long.MinValue, 9 },
    };

    [Theory]
    [MemberData(nameof(VarintCases))]
    public void Varint_round_trips_at_every_length_boundary(long value, int length)
    {
        Assert.Equal(length, Varint.Length(value));
        var buffer = new byte[9];
        Assert.Equal(length, Varint.Write(buffer, value));
        Assert.Equal(length, Varint.Read(buffer, out var back));
        Assert.Equal(value, back);
        Assert.Equal(0, Varint.Read(buffer.AsSpan(0, length - 1), out _));
    }

    [Fact]
    public void Varint_300_is_82_2c()
    {
        var buffer = new byte[9];
        Assert.Equal(2, Varint.Write(buffer, 300));
        Assert.Equal(new byte[] { 0x82, 0x2C }, buffer[..2]);
    }

    public static TheoryData<long, long> IntegerSerialTypes => new()
    {
        { 0, 8 }, { 1, 9 }, { 2, 1 }, { -1, 1 }, { 127, 1 }, { -128, 1 }, { 128, 2 }, { -129, 2 }, { 32767, 2 },
        { -32768, 2 }, { 32768, 3 }, { -32769, 3 }, { 8388607, 3 }, { -8388608, 3 }, { 8388608, 4 }, { -8388609, 4 },
        { int.MaxValue, 4 }, { int.MinValue, 4 }, { 1L + int.MaxValue, 5 }, { -1L + int.MinValue, 5 },
        { 140737488355327, 5 }, { -140737488355328, 5 }, { 140737488355328, 6 }, { -140737488355329, 6 },
        { long.MaxValue, 6 }, { long.MinValue, 6 },
    };

    [Theory]
    [MemberData(nameof(IntegerSerialTypes))]
    public void Integers_use_the_smallest_serial_type_and_round_trip(long value, long serialType)
    {
        var v = SqlValue.FromInteger(value);
        Assert.Equal(serialType, RecordFormat.SerialTypeOf(v));
        var bytes = RecordFormat.Encode([v]);
        var back = RecordFormat.DecodeAll(bytes);
        Assert.Single(back);
        Assert.Equal(SqlType.Integer, back[0].Type);
        Assert.Equal(value, back[0].AsInteger);
    }

    [Fact]
    public void Every_serial_type_round_trips_and_columns_read_lazily()
    {
        var big = new string('x', 300);
        SqlValue[] values =
        [
            SqlValue.Null, SqlValue.FromInteger(0), SqlValue.FromInteger(1), SqlValue.FromInteger(-5),
            SqlValue.FromReal(3.25), SqlValue.FromReal(-0.0), SqlValue.FromText(""), SqlValue.FromText("héllo"),
            SqlValue.FromBlob(Array.Empty<byte>()), SqlValue.FromBlob(new byte[] { 1, 2, 3 }), SqlValue.FromText(big),
        ];
        var bytes = RecordFormat.Encode(values);
        Assert.Equal(RecordFormat.EncodedLength(values), bytes.Length);
        var reader = new RecordReader();
        reader.Reset(bytes);
        // Reading column 9 first parses only that far.
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.GetBytes(9).ToArray());
        Assert.Equal(values.Length, reader.ColumnCount);
        for (var i = 0; i < values.Length; i++)
        {
            var v = reader.GetValue(i);
            Assert.Equal(values[i].Type, v.Type);
            Assert.Equal(0, SqlComparer.Compare(values[i], v));
        }

        Assert.Equal(big, reader.GetValue(10).AsString());
        Assert.Equal(SqlType.Null, reader.GetValue(11).Type); // past the end reads as NULL
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(reader.GetValue(5).AsReal));
    }

    [Fact]
    public void Header_size_grows_to_two_bytes_with_many_columns()
    {
        var values = Enumerable.Range(0, 200).Select(i => SqlValue.FromInteger(i * 1000)).ToArray();
        var bytes = RecordFormat.Encode(values);
        Assert.Equal(2, Varint.Read(bytes, out var hs));
        Assert.True(hs > 127);
        var back = RecordFormat.DecodeAll(bytes);
        Assert.Equal(values.Select(v => v.AsInteger), back.Select(v => v.AsInteger));
    }

    [Fact]
    public void Corrupt_records_throw_the_sqlite_error()
    {
        var reader = new RecordReader();
        Assert.Throws<SqliteCorruptException>(() => reader.Reset(new byte[] { 0x05, 0x01 }));
        reader.Reset(new byte[] { 0x02, 0x0A }); // reserved serial type 10
        Assert.Throws<SqliteCorruptException>(() => reader.GetValue(0));
        reader.Reset(new byte[] { 0x02, 0x06, 0x01 }); // 8-byte int with 1 byte of body
        var e = Assert.Throws<SqliteCorruptException>(() => reader.GetValue(0));
        Assert.Equal("database disk image is malformed", e.Message);
    }

    [Fact]
    public void Values_order_null_numbers_text_blob()
    {
        SqlValue[] ordered =
        [
            SqlValue.Null, SqlValue.FromReal(double.NegativeInfinity), SqlValue.FromInteger(long.MinValue), SqlValue.FromReal(-1.5),
            SqlValue.FromInteger(-1), SqlValue.FromInteger(0), SqlValue.FromReal(0.5), SqlValue.FromInteger(1),
            SqlValue.FromInteger(9007199254740992), SqlValue.FromInteger(9007199254740993), SqlValue.FromReal(9007199254740994.0),
            SqlValue.FromInteger(long.MaxValue), SqlValue.FromReal(9223372036854775808.0), SqlValue.FromText(""), SqlValue.FromText("A"),
            SqlValue.FromText("a"), SqlValue.FromText("ab"), SqlValue.FromBlob(Array.Empty<byte>()), SqlValue.FromBlob(new byte[] { 0 }),
        ];
        for (var i = 0; i < ordered.Length; i++)
        {
            for (var j = 0; j < ordered.Length; j++)
            {
                Assert.Equal(i.CompareTo(j), SqlComparer.Compare(ordered[i], ordered[j]));
            }
        }

        Assert.Equal(0, SqlComparer.Compare(SqlValue.FromInteger(3), SqlValue.FromReal(3.0)));
        // 2^53+1 as an integer is larger than the double 2^53 (no rounding to double).
        Assert.Equal(1, SqlComparer.Compare(SqlValue.FromInteger(9007199254740993), SqlValue.FromReal(9007199254740992.0)));
    }

    [Fact]
    public void Collations_fold_ascii_only_and_trim_spaces()
    {
        static int C(string a, string b, Collation c) => SqlComparer.CompareText(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b), c);
        Assert.Equal(0, C("HeLLo", "hello", Collation.NoCase));
        Assert.NotEqual(0, C("HeLLo", "hello", Collation.Binary));
        Assert.NotEqual(0, C("É", "é", Collation.NoCase));
        Assert.Equal(-1, C("a", "B", Collation.NoCase));
        Assert.Equal(1, C("a", "B", Collation.Binary));
        Assert.Equal(0, C("abc  ", "abc", Collation.RTrim));
        Assert.Equal(-1, C("abc", "abc ", Collation.Binary));
        Assert.Equal(-1, C("ab", "abc", Collation.RTrim));
    }

    [Fact]
    public void Record_compare_follows_desc_flags_prefixes_and_default_result()
    {
        var info = new KeyInfo([Collation.NoCase, Collation.Binary], [false, true]);
        var rec = RecordFormat.Encode([SqlValue.FromText("Bob"), SqlValue.FromInteger(5), SqlValue.FromInteger(77)]);
        Assert.Equal(0, SqlComparer.CompareRecord(rec, [SqlValue.FromText("bob")], info));
        Assert.Equal(-1, SqlComparer.CompareRecord(rec, [SqlValue.FromText("bob")], info, -1));
        Assert.Equal(1, SqlComparer.CompareRecord(rec, [SqlValue.FromText("bob"), SqlValue.FromInteger(9)], info)); // DESC: 5 after 9
        Assert.Equal(-1, SqlComparer.CompareRecord(rec, [SqlValue.FromText("bob"), SqlValue.FromInteger(1)], info));
        Assert.Equal(-1, SqlComparer.CompareRecord(rec, [SqlValue.FromText("carl")], info));
        Assert.Equal(0, SqlComparer.CompareRecord(rec, [SqlValue.FromText("BOB"), SqlValue.FromInteger(5), SqlValue.FromInteger(77), SqlValue.FromInteger(1)], info));
    }
}
