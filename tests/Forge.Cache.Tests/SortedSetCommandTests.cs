using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Forge.Cache.Tests.Support;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>One forge cache server for the sorted set command tests (each test uses its own keys).</summary>
public sealed class SortedSetServerFixture : IDisposable
{
    private readonly ForgeCacheProcess _server;

    public SortedSetServerFixture()
    {
        _server = ForgeCacheProcess.Start();
        Port = _server.Port;
    }

    public int Port { get; }

    internal SortedSetRespClient Connect()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var tcp = new TcpClient { NoDelay = true };
                tcp.Connect("127.0.0.1", Port);
                return new SortedSetRespClient(tcp);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_server.Process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => _server.Dispose();
}

/// <summary>
/// A minimal RESP client that returns each reply as its raw protocol text (so RESP2/RESP3 types and
/// nil vs empty are visible): "+OK", ":3", "$1 a", "*2 $1 a $1 1", ",1.5", "_".
/// </summary>
internal sealed class SortedSetRespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    public SortedSetRespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _tcp.ReceiveTimeout = 10_000;
        _stream = new BufferedStream(tcp.GetStream());
    }

    public void Send(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        _stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        _stream.Flush();
    }

    public string Call(params string[] args)
    {
        Send(args);
        return Read();
    }

    public string Read()
    {
        var parts = new List<string>();
        ReadInto(parts);
        return string.Join(' ', parts);
    }

    private void ReadInto(List<string> parts)
    {
        var line = ReadLine();
        switch (line[0])
        {
            case '$':
                var n = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                if (n < 0)
                {
                    parts.Add(line);
                    return;
                }

                var buf = new byte[n + 2];
                _stream.ReadExactly(buf);
                parts.Add(line + " " + Encoding.UTF8.GetString(buf, 0, n));
                return;
            case '*':
            case '~':
            case '%':
                parts.Add(line);
                var count = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture) * (line[0] == '%' ? 2 : 1);
                for (var i = 0; i < count; i++)
                {
                    ReadInto(parts);
                }

                return;
            default:
                parts.Add(line);
                return;
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
                throw new EndOfStreamException();
            }

            if (b == '\r')
            {
                _stream.ReadByte();
                return sb.ToString();
            }

            sb.Append((char)b);
        }
    }

    public void Dispose() => _tcp.Dispose();
}

public class SortedSetCommandTests : IClassFixture<SortedSetServerFixture>
{
    private readonly SortedSetServerFixture _fixture;

    public SortedSetCommandTests(SortedSetServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public void AddScoreRankAndOptions()
    {
        using var r = _fixture.Connect();
        Assert.Equal(":3", r.Call("zadd", "t1", "1", "a", "2", "b", "3", "c"));
        Assert.Equal(":1", r.Call("zadd", "t1", "ch", "5", "a", "2", "b"));
        Assert.Equal("$1 5", r.Call("zscore", "t1", "a"));
        Assert.Equal(":2", r.Call("zrank", "t1", "a"));
        Assert.Equal(":0", r.Call("zrevrank", "t1", "a"));
        Assert.Equal("$-1", r.Call("zrank", "t1", "zz"));
        Assert.Equal("$-1", r.Call("zadd", "t1", "gt", "incr", "-1", "a"));
        Assert.Equal("$1 6", r.Call("zadd", "t1", "incr", "1", "a"));
        Assert.Equal("$3 7.5", r.Call("zincrby", "t1", "1.5", "a"));
        Assert.Equal("-ERR XX and NX options at the same time are not compatible", r.Call("zadd", "t1", "xx", "nx", "1", "a"));
        Assert.Equal("-ERR GT, LT, and/or NX options at the same time are not compatible", r.Call("zadd", "t1", "gt", "lt", "1", "a"));
        Assert.Equal("-ERR INCR option supports a single increment-element pair", r.Call("zadd", "t1", "incr", "1", "a", "2", "b"));
        Assert.Equal("-ERR syntax error", r.Call("zadd", "t1", "1", "a", "2"));
        Assert.Equal("-ERR value is not a valid float", r.Call("zadd", "t1", "nan", "a"));
        Assert.Equal("$3 inf", r.Call("zincrby", "t1", "+inf", "a"));
        Assert.Equal("-ERR resulting score is not a number (NaN)", r.Call("zincrby", "t1", "-inf", "a"));
        Assert.Equal("*3 $1 2 $-1 $1 3", r.Call("zmscore", "t1", "b", "zz", "c"));
        Assert.Equal(":2", r.Call("zrem", "t1", "a", "b", "zz"));
        Assert.Equal(":1", r.Call("zrem", "t1", "c"));
        Assert.Equal(":0", r.Call("exists", "t1"));
        Assert.Equal(":0", r.Call("zadd", "t1", "xx", "1", "a"));
        Assert.Equal(":0", r.Call("exists", "t1"));
    }

    [Fact]
    public void Ranges()
    {
        using var r = _fixture.Connect();
        r.Call("zadd", "t2", "-inf", "a", "1", "b", "2", "c", "3", "d", "+inf", "e");
        Assert.Equal("*3 $1 b $1 c $1 d", r.Call("zrange", "t2", "1", "-2"));
        Assert.Equal("*4 $1 c $1 2 $1 b $1 1", r.Call("zrange", "t2", "(3", "0", "byscore", "rev", "withscores"));
        Assert.Equal("*2 $1 c $1 d", r.Call("zrangebyscore", "t2", "(1", "+inf", "limit", "0", "2"));
        Assert.Equal("*0", r.Call("zrangebyscore", "t2", "(1", "+inf", "limit", "-1", "2"));
        Assert.Equal(":3", r.Call("zcount", "t2", "1", "3"));
        Assert.Equal("-ERR min or max is not a float", r.Call("zcount", "t2", "x", "3"));
        Assert.Equal("-ERR min or max not valid string range item", r.Call("zlexcount", "t2", "a", "+"));
        Assert.Equal("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX", r.Call("zrange", "t2", "0", "1", "limit", "0", "1"));
        Assert.Equal("-ERR syntax error, WITHSCORES not supported in combination with BYLEX", r.Call("zrange", "t2", "-", "+", "bylex", "withscores"));
        Assert.Equal(":2", r.Call("zremrangebyscore", "t2", "-inf", "(2"));
        Assert.Equal(":1", r.Call("zremrangebyrank", "t2", "-1", "-1"));
        Assert.Equal("*2 $1 c $1 d", r.Call("zrange", "t2", "0", "-1"));

        r.Call("zadd", "t2lex", "0", "a", "0", "b", "0", "c", "0", "d");
        Assert.Equal("*2 $1 c $1 b", r.Call("zrevrangebylex", "t2lex", "(d", "[b"));
        Assert.Equal(":4", r.Call("zlexcount", "t2lex", "-", "+"));
        Assert.Equal(":2", r.Call("zremrangebylex", "t2lex", "[b", "[c"));
        Assert.Equal("*2 $1 a $1 d", r.Call("zrange", "t2lex", "0", "-1"));
    }

    [Fact]
    public void SetOperationsAndStores()
    {
        using var r = _fixture.Connect();
        r.Call("zadd", "{t3}a", "1", "a", "2", "b", "3", "c");
        r.Call("zadd", "{t3}b", "1", "b", "2", "c", "3", "d");
        Assert.Equal(":4", r.Call("zunionstore", "{t3}u", "2", "{t3}a", "{t3}b", "weights", "2", "3"));
        Assert.Equal("*8 $1 a $1 2 $1 b $1 7 $1 d $1 9 $1 c $2 12", r.Call("zrange", "{t3}u", "0", "-1", "withscores"));
        Assert.Equal("*4 $1 b $1 1 $1 c $1 2", r.Call("zinter", "2", "{t3}a", "{t3}b", "aggregate", "min", "withscores"));
        Assert.Equal("*2 $1 a $1 1", r.Call("zdiff", "2", "{t3}a", "{t3}b", "withscores"));
        Assert.Equal(":1", r.Call("zintercard", "2", "{t3}a", "{t3}b", "limit", "1"));
        Assert.Equal("-ERR at least 1 input key is needed for 'zunion' command", r.Call("zunion", "0", "{t3}a"));
        Assert.Equal("-ERR weight value is not a float", r.Call("zunion", "2", "{t3}a", "{t3}b", "weights", "1", "nan"));
        Assert.Equal(":0", r.Call("zinterstore", "{t3}u", "2", "{t3}a", "{t3}none"));
        Assert.Equal(":0", r.Call("exists", "{t3}u"));
        Assert.Equal(":2", r.Call("zrangestore", "{t3}r", "{t3}a", "1", "2", "byscore"));
        Assert.Equal("$8 listpack", r.Call("object", "encoding", "{t3}r"));
        Assert.Equal("+OK", r.Call("config", "set", "zset-max-listpack-entries", "1"));
        Assert.Equal(":2", r.Call("zrangestore", "{t3}s", "{t3}a", "0", "1"));
        Assert.Equal("$8 skiplist", r.Call("object", "encoding", "{t3}s"));
        Assert.Equal("+OK", r.Call("config", "set", "zset-max-listpack-entries", "128"));
    }

    [Fact]
    public void PopsAndResp3Replies()
    {
        using var r = _fixture.Connect();
        r.Call("zadd", "t4", "1", "a", "2", "b", "3", "c", "4", "d");
        Assert.Equal("*2 $1 a $1 1", r.Call("zpopmin", "t4"));
        Assert.Equal("*4 $1 d $1 4 $1 c $1 3", r.Call("zpopmax", "t4", "2"));
        Assert.Equal("-ERR value is out of range, must be positive", r.Call("zpopmin", "t4", "-1"));
        Assert.Equal("*0", r.Call("zpopmin", "t4", "0"));
        Assert.Equal("*2 $2 t4 *1 *2 $1 b $1 2", r.Call("zmpop", "2", "t4none", "t4", "min", "count", "5"));
        Assert.Equal(":0", r.Call("exists", "t4"));
        Assert.Equal("*-1", r.Call("zmpop", "1", "t4", "max"));
        Assert.Equal("-ERR numkeys should be greater than 0", r.Call("zmpop", "0", "t4", "max"));
        Assert.Equal("-ERR count should be greater than 0", r.Call("zmpop", "1", "t4", "max", "count", "0"));

        r.Call("hello", "3");
        r.Call("zadd", "t4", "1.5", "a", "2", "b");
        Assert.Equal(",1.5", r.Call("zscore", "t4", "a"));
        Assert.Equal("*2 *2 $1 a ,1.5 *2 $1 b ,2", r.Call("zrange", "t4", "0", "-1", "withscores"));
        Assert.Equal("*1 *2 $1 a ,1.5", r.Call("zpopmin", "t4", "1"));
        Assert.Equal("_", r.Call("zmpop", "1", "t4none", "max"));
    }

    [Fact]
    public void BlockingPopIsServedByLaterAdd()
    {
        using var blocked = _fixture.Connect();
        using var r = _fixture.Connect();
        Assert.Equal("*-1", blocked.Call("bzpopmin", "t5", "0.05"));
        blocked.Send("bzpopmax", "t5none", "t5", "0");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!r.Call("info", "clients").Contains("blocked_clients:1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(":2", r.Call("zadd", "t5", "1", "a", "2", "b"));
        Assert.Equal("*3 $2 t5 $1 b $1 2", blocked.Read());
        Assert.Equal("*2 $1 a $1 1", r.Call("zrange", "t5", "0", "-1", "withscores"));

        blocked.Send("bzmpop", "0", "1", "t5b", "min", "count", "2");
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (!r.Call("info", "clients").Contains("blocked_clients:1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        // A *STORE destination wakes blocked clients too.
        Assert.Equal(":1", r.Call("zunionstore", "t5b", "1", "t5", "weights", "3"));
        Assert.Equal("*2 $3 t5b *1 *2 $1 a $1 3", blocked.Read());
    }

    [Fact]
    public void RandomMemberAndScan()
    {
        using var r = _fixture.Connect();
        r.Call("zadd", "t6", "1", "a", "2", "b", "3", "c");
        Assert.Equal("*3 $1 c $1 b $1 a", r.Call("zrandmember", "t6", "10"));
        Assert.Equal("*0", r.Call("zrandmember", "t6", "0"));
        Assert.Equal("*0", r.Call("zrandmember", "t6none", "3"));
        Assert.Equal("$-1", r.Call("zrandmember", "t6none"));
        Assert.Equal(5, r.Call("zrandmember", "t6", "-5").Split(' ').Count(p => p == "$1"));
        Assert.Equal("-ERR value is out of range", r.Call("zrandmember", "t6", "-9223372036854770000", "withscores"));
        Assert.Equal("*2 $1 0 *6 $1 a $1 1 $1 b $1 2 $1 c $1 3", r.Call("zscan", "t6", "0"));
        Assert.Equal("*2 $1 0 *2 $1 b $1 2", r.Call("zscan", "t6", "0", "match", "b*"));
        Assert.Equal("-ERR invalid cursor", r.Call("zscan", "t6", "x"));
        Assert.Equal("-ERR syntax error", r.Call("zscan", "t6", "0", "count", "0"));
    }
}
