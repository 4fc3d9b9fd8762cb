using Forge.Sniff.Cli;

namespace Forge.Sniff.Tests;

/// <summary>tcpdump's command line as getopt_long reads it.</summary>
public class OptionParserTests
{
    private static SniffOptions Parse(params string[] args)
    {
        var o = OptionParser.Parse(args, out var error, out _);
        Assert.True(o is not null, error);
        return o!;
    }

    private static string Error(params string[] args)
    {
        Assert.Null(OptionParser.Parse(args, out var error, out _));
        return error!;
    }

    [Fact]
    public void Bundled_flags_count_each_letter()
    {
        var o = Parse("-nnvvv", "-XX", "-ttttt", "-#", "-e");
        Assert.Equal(2, o.Numeric);
        Assert.Equal(3, o.Verbose);
        Assert.Equal(2, o.HexAscii);
        Assert.Equal(5, o.TimeFormat);
        Assert.True(o.PacketNumbers);
        Assert.True(o.LinkHeader);
    }

    [Fact]
    public void Arguments_attach_or_follow()
    {
        Assert.Equal(5, Parse("-c5").Count);
        Assert.Equal(5, Parse("-c", "5").Count);
        Assert.Equal(7, Parse("-nc7").Count);
        Assert.Equal("f.pcap", Parse("-nr", "f.pcap").ReadFile);
        Assert.Equal("-", Parse("-r", "-").ReadFile);
        Assert.Equal("lo", Parse("-ilo").Interface);
        Assert.Equal(262144, Parse("-s", "0").SnapLen);
        Assert.Equal(96, Parse("-s96").SnapLen);
        Assert.Equal(2 * 1024 * 1024, Parse("-B", "2048").BufferSize);
        Assert.Equal(3_000_000, Parse("-C", "3").FileSize);
    }

    [Fact]
    public void Long_options_take_equals_or_the_next_word_and_unique_prefixes()
    {
        Assert.True(Parse("--time-stamp-precision=nano").NanoPrecision);
        Assert.True(Parse("--time-stamp-precision", "nano").NanoPrecision);
        Assert.True(Parse("--immediate-mode").Immediate);
        Assert.True(Parse("--print").PrintWhileWriting);
        Assert.True(Parse("--json").Json);
        Assert.True(Parse("--list-interfaces").ListInterfaces);
        Assert.True(Parse("--imm").Immediate);
        Assert.Equal("in", Parse("--direction=in").Direction);
    }

    [Fact]
    public void Options_and_expression_words_mix_and_double_dash_ends_options()
    {
        var o = Parse("-n", "tcp", "port", "80", "-v");
        Assert.Equal(["tcp", "port", "80"], o.Expression);
        Assert.Equal(1, o.Verbose);
        Assert.Equal(["-v"], Parse("--", "-v").Expression);
    }

    [Fact]
    public void Errors_use_getopt_and_tcpdump_wording()
    {
        Assert.Equal("invalid option -- 'k'", Error("-k"));
        Assert.Equal("option requires an argument -- 'c'", Error("-c"));
        Assert.Equal("unrecognized option '--bogus'", Error("--bogus"));
        Assert.Equal("option '--print' doesn't allow an argument", Error("--print=x"));
        Assert.Equal("invalid packet count 0", Error("-c", "0"));
        Assert.Equal("invalid packet count x", Error("-cx"));
        Assert.Equal("invalid snaplen x (must be >= 0 and <= 262144)", Error("-s", "x"));
        Assert.Equal("unknown capture direction `sideways'", Error("-Q", "sideways"));
        Assert.Equal("unsupported time stamp precision", Error("--time-stamp-precision=pico"));
        Assert.Equal("only -t, -tt, -ttt, -tttt and -ttttt are supported", Error("-tttttt"));
        Assert.Equal("invalid number of output files 0", Error("-W", "0"));
    }

    [Theory]
    [InlineData("-k", "invalid option -- 'k'")]
    [InlineData("-c", "option requires an argument -- 'c'")]
    [InlineData("--bogus", "unrecognized option '--bogus'")]
    public void Unknown_flags_exit_1_with_the_message_and_usage(string flag, string message)
    {
        var (exit, stdout, stderr) = Support.Peers.Forge(flag);
        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"forge sniff: {message}\n", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage: forge sniff", stderr, StringComparison.Ordinal);
    }
}
