using Forge.Cache.Commands;

namespace Forge.Cache.Tests;

/// <summary>The bit primitives behind SETBIT/BITCOUNT/BITPOS/BITFIELD, checked directly.</summary>
public class BitOpsTests
{
    [Fact]
    public void PopCountCountsWordsAndTail()
    {
        var data = new byte[19];
        data[0] = 0xFF;
        data[8] = 0x01;
        data[18] = 0x81;
        Assert.Equal(8 + 1 + 2, BitOps.PopCount(data));
        Assert.Equal(0, BitOps.PopCount([]));
    }

    [Fact]
    public void FirstBitFollowsRedisBitpos()
    {
        Assert.Equal(12, BitOps.FirstBit([0x00, 0x08, 0x00], 1));
        Assert.Equal(12, BitOps.FirstBit([0xFF, 0xF7], 0));
        Assert.Equal(-1, BitOps.FirstBit([0x00, 0x00], 1));

        // No clear bit: the position just past the end (zero padding on the right).
        Assert.Equal(16, BitOps.FirstBit([0xFF, 0xFF], 0));
        Assert.Equal(0, BitOps.FirstBit([], 0));
    }

    [Fact]
    public void FieldsAreMostSignificantBitFirst()
    {
        var data = new byte[3];
        BitOps.SetUnsigned(data, 4, 8, 0xAB);
        Assert.Equal(new byte[] { 0x0A, 0xB0, 0x00 }, data);
        Assert.Equal(0xABUL, BitOps.GetUnsigned(data, 4, 8));
        Assert.Equal(-85, BitOps.GetSigned(data, 4, 8));

        // Reads past the end see zeros.
        Assert.Equal(0xB000UL, BitOps.GetUnsigned(data, 8, 16));
        Assert.Equal(0UL, BitOps.GetUnsigned(data, 100, 64));
    }

    [Fact]
    public void UnsignedOverflowWrapsSaturatesOrFails()
    {
        Assert.Equal(1, BitOps.CheckUnsignedOverflow(255, 100, 8, BitfieldOverflow.Wrap, out var wrapped));
        Assert.Equal(99UL, wrapped);
        Assert.Equal(1, BitOps.CheckUnsignedOverflow(100, 257, 8, BitfieldOverflow.Sat, out var sat));
        Assert.Equal(255UL, sat);
        Assert.Equal(-1, BitOps.CheckUnsignedOverflow(100, -255, 8, BitfieldOverflow.Sat, out sat));
        Assert.Equal(0UL, sat);
        Assert.Equal(0, BitOps.CheckUnsignedOverflow(100, 155, 8, BitfieldOverflow.Fail, out _));
        Assert.NotEqual(0, BitOps.CheckUnsignedOverflow(100, 156, 8, BitfieldOverflow.Fail, out _));
    }

    [Fact]
    public void SignedOverflowWrapsSaturatesOrFails()
    {
        Assert.Equal(1, BitOps.CheckSignedOverflow(100, 257, 8, BitfieldOverflow.Wrap, out var wrapped));
        Assert.Equal(101, wrapped);
        Assert.Equal(1, BitOps.CheckSignedOverflow(100, 257, 8, BitfieldOverflow.Sat, out var sat));
        Assert.Equal(127, sat);
        Assert.Equal(-1, BitOps.CheckSignedOverflow(-100, -255, 8, BitfieldOverflow.Sat, out sat));
        Assert.Equal(-128, sat);
        Assert.Equal(1, BitOps.CheckSignedOverflow(long.MaxValue, 1, 64, BitfieldOverflow.Wrap, out wrapped));
        Assert.Equal(long.MinValue, wrapped);
        Assert.Equal(0, BitOps.CheckSignedOverflow(long.MinValue, long.MaxValue, 64, BitfieldOverflow.Fail, out _));
    }

    /// <summary>
    /// A fixed-seed random sequence of field writes and reads on a byte array, checked against a
    /// model that keeps one bool per bit; popcount and first-bit searches are checked on the way.
    /// </summary>
    [Fact]
    public void RandomFieldsMatchABitModel()
    {
        var random = new Random(20261125);
        var data = new byte[64];
        var model = new bool[data.Length * 8];
        for (var step = 0; step < 5000; step++)
        {
            var bits = random.Next(1, 65);
            var offset = random.Next(0, model.Length - bits + 1);
            var value = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            if (random.Next(2) == 0)
            {
                BitOps.SetUnsigned(data, offset, bits, value);
                for (var j = 0; j < bits; j++)
                {
                    model[offset + j] = ((value >> (bits - 1 - j)) & 1) != 0;
                }
            }

            ulong expected = 0;
            for (var j = 0; j < bits; j++)
            {
                expected = (expected << 1) | (model[offset + j] ? 1UL : 0UL);
            }

            Assert.Equal(expected, BitOps.GetUnsigned(data, offset, bits));
            var signedExpected = bits < 64 && model[offset] ? (long)expected | (-1L << bits) : (long)expected;
            Assert.Equal(signedExpected, BitOps.GetSigned(data, offset, bits));

            if (step % 50 == 0)
            {
                Assert.Equal(model.Count(b => b), BitOps.PopCount(data));
                var firstOne = Array.IndexOf(model, true);
                Assert.Equal(firstOne, BitOps.FirstBit(data, 1));
                var firstZero = Array.IndexOf(model, false);
                Assert.Equal(firstZero < 0 ? model.Length : firstZero, BitOps.FirstBit(data, 0));
            }
        }
    }
}
