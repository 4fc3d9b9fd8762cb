using System.Net.Sockets;
using System.Text;
using Forge.Cache.Tests.Support;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>One `forge cache` process shared by the bit command tests (each test uses its own keys).</summary>
public sealed class BitServerFixture : IDisposable
{
    private readonly ForgeCacheProcess _server;

    public BitServerFixture()
    {
        _server = ForgeCacheProcess.Start();
        Client = BitRespClient.Connect(_server.Port, TimeSpan.FromSeconds(60));
    }

    internal BitRespClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        _server.Dispose();
    }
}

/// <summary>The bit commands through a real `forge cache` process and a minimal RESP client.</summary>
public sealed class BitCommandTests(BitServerFixture fixture) : IClassFixture<BitServerFixture>
{
    private readonly BitRespClient _client = fixture.Client;

    private string Run(params string[] args) => _client.Call(args);

    [Fact]
    public void SetBitGrowsTheStringAndGetBitReadsIt()
    {
        Assert.Equal(":0", Run("setbit", "k", "7", "1"));
        Assert.Equal(":1", Run("setbit", "k", "7", "0"));
        Assert.Equal(":0", Run("setbit", "k", "17", "1"));
        Assert.Equal(":3", Run("strlen", "k"));
        Assert.Equal(":1", Run("getbit", "k", "17"));
        Assert.Equal(":0", Run("getbit", "k", "1000"));
        Assert.Equal(":0", Run("getbit", "missing", "3"));
        Assert.Equal("-ERR bit is not an integer or out of range", Run("setbit", "k", "0", "2"));
        Assert.Equal("-ERR bit offset is not an integer or out of range", Run("setbit", "k", "-1", "1"));
        Assert.Equal("-ERR bit offset is not an integer or out of range", Run("setbit", "k", "4294967296", "1"));
    }

    [Fact]
    public void SetBitKeepsTheTtlWhenGrowing()
    {
        Run("set", "t", "a");
        Run("expire", "t", "100");
        Run("setbit", "t", "100", "1");
        Assert.Equal(":13", Run("strlen", "t"));
        Assert.Equal(":100", Run("ttl", "t"));
    }

    [Fact]
    public void BitCountAndBitPosUseByteAndBitRanges()
    {
        Run("set", "s", "foobar");
        Assert.Equal(":26", Run("bitcount", "s"));
        Assert.Equal(":6", Run("bitcount", "s", "1", "1"));
        Assert.Equal(":17", Run("bitcount", "s", "5", "30", "bit"));
        Assert.Equal(":0", Run("bitcount", "s", "-1", "-2"));
        Assert.Equal("-ERR syntax error", Run("bitcount", "s", "0"));
        Assert.Equal("-ERR syntax error", Run("bitcount", "s", "0", "1", "word"));

        Run("set", "p", "\u0000\u00ff\u0000".Replace("\u00ff", "\u007f", StringComparison.Ordinal));
        Assert.Equal(":9", Run("bitpos", "p", "1"));
        Assert.Equal(":0", Run("bitpos", "p", "0"));
        Assert.Equal(":8", Run("bitpos", "p", "0", "1"));
        Assert.Equal(":-1", Run("bitpos", "p", "1", "2"));
        Assert.Equal(":10", Run("bitpos", "p", "1", "10", "-1", "bit"));
        Assert.Equal(":-1", Run("bitpos", "missing", "1"));
        Assert.Equal(":0", Run("bitpos", "missing", "0"));
        Assert.Equal("-ERR The bit argument must be 1 or 0.", Run("bitpos", "p", "2"));
    }

    [Fact]
    public void BitOpCombinesZeroPaddedSources()
    {
        Run("set", "a", "ab");
        Run("del", "d");
        Run("set", "b", "A");
        Assert.Equal(":2", Run("bitop", "or", "d", "a", "b"));
        Assert.Equal("$2 ab", Run("get", "d"));
        Assert.Equal(":2", Run("bitop", "and", "d", "a", "b", "nokey"));
        Assert.Equal(":0", Run("bitcount", "d"));
        Assert.Equal(":0", Run("bitop", "xor", "d", "nokey"));
        Assert.Equal(":0", Run("exists", "d"));
        Assert.Equal("-ERR BITOP NOT must be called with a single source key.", Run("bitop", "not", "d", "a", "b"));
        Assert.Equal("-ERR syntax error", Run("bitop", "nand", "d", "a"));
    }

    [Fact]
    public void BitFieldGetSetIncrByAndOverflow()
    {
        Assert.Equal("*3 :0 :-1 :100", Run("bitfield", "f", "set", "i8", "0", "255", "set", "i8", "0", "100", "get", "i8", "0"));
        Assert.Equal("*2 :0 :66", Run("bitfield", "g", "set", "u8", "#1", "66", "get", "u8", "#1"));
        Assert.Equal("$2 \0B", Run("get", "g"));
        Assert.Equal("*2 :255 :0", Run("bitfield", "h", "overflow", "sat", "incrby", "u8", "0", "300", "incrby", "u8", "0", "-300"));
        Assert.Equal("*2 :(nil) :0", Run("bitfield", "h2", "overflow", "fail", "incrby", "u8", "0", "256", "get", "u8", "0"));
        Assert.Equal("*0", Run("bitfield", "f"));
        Assert.Equal("*1 :100", Run("bitfield_ro", "f", "get", "i8", "0"));
        Assert.Equal("-ERR BITFIELD_RO only supports the GET subcommand", Run("bitfield_ro", "f", "set", "i8", "0", "1"));
        Assert.StartsWith("-ERR Invalid bitfield type", Run("bitfield", "f", "get", "u64", "0"), StringComparison.Ordinal);
        Assert.Equal("-ERR Invalid OVERFLOW type specified", Run("bitfield", "f", "overflow", "up"));
        Assert.Equal("-ERR syntax error", Run("bitfield", "f", "get", "u8"));
    }
}

/// <summary>Just enough RESP for these tests: replies are flattened to one line ("*2 :1 $3 abc").</summary>
internal sealed class BitRespClient : IDisposable
{
    private readonly Socket _socket;
    private readonly BufferedStream _stream;

    private BitRespClient(Socket socket)
    {
        _socket = socket;
        _stream = new BufferedStream(new NetworkStream(socket, ownsSocket: false));
    }

    public static BitRespClient Connect(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect("127.0.0.1", port);
                socket.ReceiveTimeout = 10_000;
                return new BitRespClient(socket);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                Thread.Sleep(100);
            }
        }
    }

    public string Call(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            sb.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        var bytes = Encoding.Latin1.GetBytes(sb.ToString());
        _stream.Write(bytes);
        _stream.Flush();
        return ReadReply();
    }

    private string ReadReply()
    {
        var line = ReadLine();
        switch (line[0])
        {
            case '*':
                var n = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                var parts = new List<string> { line };
                for (var i = 0; i < n; i++)
                {
                    var item = ReadReply();
                    parts.Add(item.StartsWith("$-1", StringComparison.Ordinal) ? ":(nil)" : item);
                }

                return string.Join(' ', parts);
            case '$':
                var len = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                if (len < 0)
                {
                    return "$-1";
                }

                var data = new byte[len + 2];
                _stream.ReadExactly(data);
                return line + " " + Encoding.Latin1.GetString(data, 0, len);
            default:
                return line;
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("connection closed");
            }

            if (b == '\r')
            {
                _stream.ReadByte();
                return sb.ToString();
            }

            sb.Append((char)b);
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
