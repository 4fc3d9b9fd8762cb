using System.Text;
using Forge.Cache.Protocol;

namespace Forge.Cache.Tests;

/// <summary>HINCRBYFLOAT's 80-bit arithmetic; expected strings are what redis-server 7.0.15 printed.</summary>
public class HashLongDoubleTests
{
    private static LongDouble P(string s)
    {
        Assert.True(LongDouble.TryParse(Encoding.ASCII.GetBytes(s), out var v), s);
        return v;
    }

    private static string Sum(params string[] values)
    {
        var total = LongDouble.FromLong(0);
        foreach (var v in values)
        {
            total += P(v);
        }

        return total.ToHumanString();
    }

    [Theory]
    [InlineData("2", "1.23", "0.77")]
    [InlineData("1.9", "1.23", "0.77", "-0.1")]
    [InlineData("5000.00001000000000007", "1e-5", "5.0e3")]
    [InlineData("123456789.12345678899873747", "123456789.123456789")]
    [InlineData("0.00000000000000002", "0.000000000000000015")]
    [InlineData("0", "0.1", "0.1", "0.1", "0.1", "-0.4")]
    [InlineData("0", "-0.0")]
    [InlineData("34359738368", "17179869184", "17179869184")]
    [InlineData("8.5", "0x1p3", "0x.8")]
    [InlineData("9223372036854775808", "9223372036854775807", "1")]
    public void AddsAndPrintsAsRedis(string expected, params string[] values) => Assert.Equal(expected, Sum(values));

    [Fact]
    public void KeepsLongDoubleRangeBeyondDouble()
    {
        var s = Sum("1e308", "1e308");
        Assert.Equal(309, s.Length);
        Assert.StartsWith("19999999999999999999337175931169129132112019969483113441559", s, StringComparison.Ordinal);
        Assert.InRange(P("1e4000").ToHumanString().Length, 4000, 4001);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("nan")]
    [InlineData(".")]
    [InlineData("1e")]
    [InlineData("0x")]
    [InlineData("1e5000")]
    [InlineData("1e-4960")]
    [InlineData("1\u00002")]
    public void RefusesWhatString2ldRefuses(string text) => Assert.False(LongDouble.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    public void ReadsInfinity(string text) => Assert.True(P(text).IsInfinity);
}
