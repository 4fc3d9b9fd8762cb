using System.Text;
using Forge.Cache.Protocol;

namespace Forge.Cache.Tests;

public class RequestParserTests
{
    private static (ParseStatus Status, string[] Args, int Consumed, string? Error) Parse(string input)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var parser = new RequestParser();
        var args = new ArgList();
        var status = parser.TryParse(bytes, 0, bytes.Length, args, out var consumed);
        var list = new string[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            list[i] = Encoding.UTF8.GetString(args[i]);
        }

        return (status, list, consumed, parser.Error);
    }

    [Theory]
    [InlineData("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", new[] { "GET", "k" })]
    [InlineData("*1\r\n$0\r\n\r\n", new[] { "" })]
    [InlineData("PING\r\n", new[] { "PING" })]
    [InlineData("SET a \"b c\"\r\n", new[] { "SET", "a", "b c" })]
    [InlineData("SET a 'it\\'s'\n", new[] { "SET", "a", "it's" })]
    [InlineData("SET a \"\\x41\\n\"\r\n", new[] { "SET", "a", "A\n" })]
    [InlineData("  GET   k  \r\n", new[] { "GET", "k" })]
    public void ParsesWholeCommands(string input, string[] expected)
    {
        var (status, args, consumed, _) = Parse(input);
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(expected, args);
        Assert.Equal(Encoding.UTF8.GetByteCount(input), consumed);
    }

    [Fact]
    public void EveryPrefixOfAMultibulkIsIncompleteAndConsumesNothing()
    {
        const string Full = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
        for (var n = 0; n < Full.Length; n++)
        {
            var (status, _, consumed, _) = Parse(Full[..n]);
            Assert.Equal(ParseStatus.Incomplete, status);
            Assert.Equal(0, consumed);
        }

        Assert.Equal(ParseStatus.Complete, Parse(Full).Status);
    }

    [Fact]
    public void PipelinedCommandsParseOneAtATime()
    {
        var bytes = Encoding.UTF8.GetBytes("*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n");
        var parser = new RequestParser();
        var args = new ArgList();
        var start = 0;
        var names = new List<string>();
        while (parser.TryParse(bytes, start, bytes.Length, args, out var consumed) == ParseStatus.Complete)
        {
            names.Add(Encoding.UTF8.GetString(args[0]) + (args.Count > 1 ? " " + Encoding.UTF8.GetString(args[1]) : ""));
            start += consumed;
        }

        Assert.Equal(["PING", "ECHO hi", "ECHO yo"], names);
        Assert.Equal(bytes.Length, start);
    }

    [Theory]
    [InlineData("*abc\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*3000000000\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*2000000\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\nfoo\r\n", "Protocol error: expected '$', got 'f'")]
    [InlineData("*1\r\n$-5\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$x\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$600000000\r\n", "Protocol error: invalid bulk length")]
    [InlineData("SET a \"b\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET a \"b\"c\r\n", "Protocol error: unbalanced quotes in request")]
    public void MalformedInputGivesRedisProtocolErrors(string input, string error)
    {
        var (status, _, _, message) = Parse(input);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(error, message);
    }

    [Fact]
    public void OverlongLinesAreRefused()
    {
        Assert.Equal("Protocol error: too big inline request", Parse(new string('a', 70 * 1024)).Error);
        Assert.Equal("Protocol error: too big mbulk count string", Parse("*" + new string('1', 70 * 1024)).Error);
    }

    [Fact]
    public void EmptyCommandsAreSkipped()
    {
        Assert.Equal((ParseStatus.Complete, 4), (Parse("*0\r\n").Status, Parse("*0\r\n").Consumed));
        Assert.Empty(Parse("\r\n").Args);
        Assert.Empty(Parse("*-1\r\n").Args);
    }

    [Fact]
    public void LargeBulkReportsTheBytesItNeeds()
    {
        var bytes = Encoding.UTF8.GetBytes("*2\r\n$3\r\nSET\r\n$100000\r\nabc");
        var parser = new RequestParser();
        Assert.Equal(ParseStatus.Incomplete, parser.TryParse(bytes, 0, bytes.Length, new ArgList(), out _));
        Assert.Equal(13 + 9 + 100000 + 2, parser.NeededBytes);
    }

    [Fact]
    public void RandomAndMutatedInputNeverThrows()
    {
        var random = new Random(1234);
        var seeds = new[]
        {
            "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "PING\r\n", "SET a \"b \\x41 c\" 'd'\r\n", "*1\r\n$4\r\nPING\r\n",
        };
        var deadline = DateTime.UtcNow.AddSeconds(2);
        var parser = new RequestParser();
        var args = new ArgList();
        while (DateTime.UtcNow < deadline)
        {
            var input = Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]);
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations; m++)
            {
                switch (random.Next(3))
                {
                    case 0:
                        input[random.Next(input.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        input = input[..random.Next(input.Length)];
                        break;
                    default:
                        var extra = new byte[random.Next(1, 8)];
                        random.NextBytes(extra);
                        input = [.. input, .. extra];
                        break;
                }

                if (input.Length == 0)
                {
                    input = [(byte)'*'];
                }
            }

            var start = 0;
            for (var guard = 0; guard < 100 && start < input.Length; guard++)
            {
                var status = parser.TryParse(input, start, input.Length, args, out var consumed);
                if (status != ParseStatus.Complete)
                {
                    break;
                }

                Assert.True(consumed > 0);
                start += consumed;
            }
        }
    }
}
