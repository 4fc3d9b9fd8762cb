using System.Text;
using Forge.Cache.Protocol;

namespace Forge.Cache.Tests;

public class NumberFormatTests
{
    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("-1", true, -1L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("01", false, 0L)]
    [InlineData("-0", false, 0L)]
    [InlineData("+1", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1 ", false, 0L)]
    [InlineData("", false, 0L)]
    public void ParsesIntegersLikeString2ll(string text, bool ok, long value)
    {
        Assert.Equal(ok, NumberFormat.TryParseLong(Encoding.ASCII.GetBytes(text), out var v));
        if (ok)
        {
            Assert.Equal(value, v);
        }
    }

    [Theory]
    [InlineData("1.5", true)]
    [InlineData("-inf", true)]
    [InlineData("+inf", true)]
    [InlineData("1e10", true)]
    [InlineData(".5", true)]
    [InlineData("nan", false)]
    [InlineData("1e400", false)]
    [InlineData("1e-400", false)]
    [InlineData(" 1", false)]
    [InlineData("1a", false)]
    [InlineData("", false)]
    public void ParsesDoublesLikeStrtod(string text, bool ok) =>
        Assert.Equal(ok, NumberFormat.TryParseDouble(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("-0", -0.0)]
    [InlineData("007", 7.0)]
    [InlineData("-123456789012345", -123456789012345.0)]
    [InlineData("1234567890123456", 1234567890123456.0)]
    [InlineData("+5", 5.0)]
    public void IntegerScoresParseToTheSameDoubleAsStrtod(string text, double expected)
    {
        Assert.True(NumberFormat.TryParseDouble(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(3.0, "3")]
    public void FormatsDoublesLikePercent17g(double value, string expected) => Assert.Equal(expected, NumberFormat.FormatDouble(value));
}
