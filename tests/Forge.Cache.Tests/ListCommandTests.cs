using System.Net.Sockets;
using System.Text;
using Forge.Cache.Tests.Support;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>One `forge cache` process shared by the list command tests (each test uses its own keys).</summary>
public sealed class ListServerFixture : IAsyncLifetime, IDisposable
{
    private ForgeCacheProcess? _process;

    public int Port { get; private set; }

    public Task InitializeAsync()
    {
        _process = ForgeCacheProcess.Start();
        Port = _process.Port;
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
    }
}

/// <summary>The list commands over a real connection, in RESP2 (replies compared as raw RESP).</summary>
public sealed class ListCommandTests : IClassFixture<ListServerFixture>
{
    private readonly ListServerFixture _server;

    public ListCommandTests(ListServerFixture server)
    {
        _server = server;
    }

    private ListRespConnection Connect() => new(_server.Port);

    /// <summary>Waits (with a deadline) until INFO reports <paramref name="count"/> blocked clients, so the order of blocking is known.</summary>
    private async Task WaitForBlocked(int count)
    {
        using var info = Connect();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await info.Call("INFO", "clients")).Contains($"blocked_clients:{count}\r\n", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} blocked client(s) not seen within 10 s");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task PushRangeIndexAndPops()
    {
        using var r = Connect();
        Assert.Equal(":4\r\n", await r.Call("RPUSH", "t1", "a", "b", "c", "d"));
        Assert.Equal(":5\r\n", await r.Call("LPUSH", "t1", "z"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", await r.Call("LRANGE", "t1", "1", "-2"));
        Assert.Equal("*0\r\n", await r.Call("LRANGE", "t1", "3", "1"));
        Assert.Equal("$1\r\nd\r\n", await r.Call("LINDEX", "t1", "-1"));
        Assert.Equal("$-1\r\n", await r.Call("LINDEX", "t1", "5"));
        Assert.Equal("*2\r\n$1\r\nz\r\n$1\r\na\r\n", await r.Call("LPOP", "t1", "2"));
        Assert.Equal("$1\r\nd\r\n", await r.Call("RPOP", "t1"));
        Assert.Equal("*0\r\n", await r.Call("RPOP", "t1", "0"));
        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nb\r\n", await r.Call("RPOP", "t1", "10"));
        Assert.Equal(":0\r\n", await r.Call("LLEN", "t1"));
        Assert.Equal("*-1\r\n", await r.Call("LPOP", "t1", "0"));
        Assert.Equal("$-1\r\n", await r.Call("LPOP", "t1"));
        Assert.Equal("-ERR value is out of range, must be positive\r\n", await r.Call("LPOP", "t1", "-1"));
        Assert.Equal("-ERR wrong number of arguments for 'lpop' command\r\n", await r.Call("LPOP", "t1", "1", "1"));
        Assert.Equal(":0\r\n", await r.Call("LPUSHX", "t1", "a"));
    }

    [Fact]
    public async Task EditingCommands()
    {
        using var r = Connect();
        await r.Call("RPUSH", "t2", "a", "b", "c", "b", "a");
        Assert.Equal("+OK\r\n", await r.Call("LSET", "t2", "-1", "z"));
        Assert.Equal("-ERR index out of range\r\n", await r.Call("LSET", "t2", "5", "z"));
        Assert.Equal("-ERR no such key\r\n", await r.Call("LSET", "t2-missing", "0", "z"));
        Assert.Equal(":6\r\n", await r.Call("LINSERT", "t2", "AFTER", "c", "x"));
        Assert.Equal(":-1\r\n", await r.Call("LINSERT", "t2", "before", "nope", "x"));
        Assert.Equal("-ERR syntax error\r\n", await r.Call("LINSERT", "t2", "aft3r", "c", "x"));
        Assert.Equal(":2\r\n", await r.Call("LREM", "t2", "0", "b"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nx\r\n$1\r\nz\r\n", await r.Call("LRANGE", "t2", "0", "-1"));
        Assert.Equal("+OK\r\n", await r.Call("LTRIM", "t2", "1", "-2"));
        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nx\r\n", await r.Call("LRANGE", "t2", "0", "-1"));
        Assert.Equal("+OK\r\n", await r.Call("LTRIM", "t2", "5", "1"));
        Assert.Equal(":0\r\n", await r.Call("LLEN", "t2"));
    }

    [Fact]
    public async Task LPosOptions()
    {
        using var r = Connect();
        await r.Call("RPUSH", "t3", "a", "b", "c", "1", "2", "3", "c", "c");
        Assert.Equal(":2\r\n", await r.Call("LPOS", "t3", "c"));
        Assert.Equal(":7\r\n", await r.Call("LPOS", "t3", "c", "RANK", "-1"));
        Assert.Equal("*2\r\n:7\r\n:6\r\n", await r.Call("LPOS", "t3", "c", "COUNT", "2", "RANK", "-1"));
        Assert.Equal("*1\r\n:2\r\n", await r.Call("LPOS", "t3", "c", "COUNT", "0", "MAXLEN", "3"));
        Assert.Equal("$-1\r\n", await r.Call("LPOS", "t3", "c", "RANK", "4"));
        Assert.StartsWith("-ERR RANK can't be zero", await r.Call("LPOS", "t3", "c", "RANK", "0"), StringComparison.Ordinal);
        Assert.Equal("-ERR COUNT can't be negative\r\n", await r.Call("LPOS", "t3", "c", "COUNT", "-1"));
        Assert.Equal("-ERR syntax error\r\n", await r.Call("LPOS", "t3", "c", "RANK"));
        Assert.Equal("*0\r\n", await r.Call("LPOS", "t3-missing", "c", "COUNT", "1"));
    }

    [Fact]
    public async Task MoveAndMultiPop()
    {
        using var r = Connect();
        await r.Call("RPUSH", "{t4}a", "1", "2", "3");
        Assert.Equal("$1\r\n3\r\n", await r.Call("RPOPLPUSH", "{t4}a", "{t4}b"));
        Assert.Equal("$1\r\n1\r\n", await r.Call("LMOVE", "{t4}a", "{t4}b", "LEFT", "RIGHT"));
        Assert.Equal("$1\r\n2\r\n", await r.Call("LMOVE", "{t4}a", "{t4}a", "left", "right"));
        Assert.Equal("-ERR syntax error\r\n", await r.Call("LMOVE", "{t4}a", "{t4}b", "UP", "RIGHT"));
        Assert.Equal("*2\r\n$5\r\n{t4}b\r\n*2\r\n$1\r\n1\r\n$1\r\n3\r\n", await r.Call("LMPOP", "2", "{t4}x", "{t4}b", "RIGHT", "COUNT", "5"));
        Assert.Equal("*-1\r\n", await r.Call("LMPOP", "1", "{t4}b", "LEFT"));
        Assert.Equal("-ERR numkeys should be greater than 0\r\n", await r.Call("LMPOP", "0", "{t4}b", "LEFT"));
        Assert.Equal("-ERR count should be greater than 0\r\n", await r.Call("LMPOP", "1", "{t4}b", "LEFT", "COUNT", "0"));
        Assert.Equal("-ERR syntax error\r\n", await r.Call("LMPOP", "1", "{t4}b", "LEFT", "COUNT", "1", "COUNT", "2"));
    }

    [Fact]
    public async Task BlockedClientsAreServedFirstComeFirstServed()
    {
        using var first = Connect();
        using var second = Connect();
        using var pusher = Connect();
        await first.Send("BLPOP", "t5", "0");
        await WaitForBlocked(1);
        await second.Send("BRPOP", "t5", "0");
        await WaitForBlocked(2);
        Assert.Equal(":2\r\n", await pusher.Call("RPUSH", "t5", "x", "y"));
        Assert.Equal("*2\r\n$2\r\nt5\r\n$1\r\nx\r\n", await first.Read());
        Assert.Equal("*2\r\n$2\r\nt5\r\n$1\r\ny\r\n", await second.Read());
        Assert.Equal(":0\r\n", await pusher.Call("LLEN", "t5"));
    }

    [Fact]
    public async Task BlockingMoveChainsAndTimesOut()
    {
        using var mover = Connect();
        using var popper = Connect();
        using var pusher = Connect();
        await popper.Send("BLPOP", "{t6}dst", "0");
        await WaitForBlocked(1);
        await mover.Send("BLMOVE", "{t6}src", "{t6}dst", "RIGHT", "LEFT", "0");
        await WaitForBlocked(2);
        await pusher.Call("RPUSH", "{t6}src", "v");
        Assert.Equal("$1\r\nv\r\n", await mover.Read());
        Assert.Equal("*2\r\n$7\r\n{t6}dst\r\n$1\r\nv\r\n", await popper.Read());
        Assert.Equal(":0\r\n", await pusher.Call("LLEN", "{t6}dst"));

        var started = Environment.TickCount64;
        Assert.Equal("*-1\r\n", await mover.Call("BRPOPLPUSH", "{t6}src", "{t6}dst", "0.2"));
        Assert.InRange(Environment.TickCount64 - started, 150, 3000);
        Assert.Equal("*-1\r\n", await mover.Call("BLMPOP", "0.05", "1", "{t6}src", "LEFT", "COUNT", "2"));
        Assert.Equal("-ERR timeout is negative\r\n", await mover.Call("BLPOP", "{t6}src", "-1"));
        Assert.Equal("-ERR timeout is not a float or out of range\r\n", await mover.Call("BLPOP", "{t6}src", "x"));
    }

    [Fact]
    public async Task NotificationsFollowRedisOrder()
    {
        using var r = Connect();
        using var sub = Connect();
        Assert.Equal("+OK\r\n", await r.Call("CONFIG", "SET", "notify-keyspace-events", "El"));
        await sub.Call("SUBSCRIBE", "__keyevent@0__:rpush", "__keyevent@0__:lpop");
        await sub.Read();
        await r.Call("RPUSH", "{t8}a", "x");
        await r.Call("LMOVE", "{t8}a", "{t8}b", "LEFT", "RIGHT");
        await r.Call("CONFIG", "SET", "notify-keyspace-events", "");
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:rpush\r\n$5\r\n{t8}a\r\n", await sub.Read());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:rpush\r\n$5\r\n{t8}b\r\n", await sub.Read());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$19\r\n__keyevent@0__:lpop\r\n$5\r\n{t8}a\r\n", await sub.Read());
    }

    [Fact]
    public async Task BlockedMultiPopTakesUpToCount()
    {
        using var waiter = Connect();
        using var pusher = Connect();
        await waiter.Send("BLMPOP", "0", "2", "{t7}a", "{t7}b", "RIGHT", "COUNT", "2");
        await WaitForBlocked(1);
        await pusher.Call("LPUSH", "{t7}b", "1", "2", "3");
        Assert.Equal("*2\r\n$5\r\n{t7}b\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n", await waiter.Read());
        Assert.Equal(":1\r\n", await pusher.Call("LLEN", "{t7}b"));
    }
}

/// <summary>A minimal RESP2 client for these tests: sends commands, reads one whole reply as raw text.</summary>
internal sealed class ListRespConnection : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public ListRespConnection(int port)
    {
        _tcp = new TcpClient();
        _tcp.Connect("127.0.0.1", port);
        _stream = _tcp.GetStream();
    }

    public async Task<string> Call(params string[] args)
    {
        await Send(args);
        return await Read();
    }

    public async Task Send(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>Reads one complete reply (nested arrays included) within 5 s.</summary>
    public async Task<string> Read()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var length = Complete(_start);
            if (length > 0)
            {
                var text = Encoding.UTF8.GetString(_buffer, _start, length);
                _start += length;
                return text;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            if (n == 0)
            {
                throw new IOException("connection closed");
            }

            _end += n;
        }
    }

    /// <summary>Length of the complete reply starting at <paramref name="at"/>, or 0 when more bytes are needed.</summary>
    private int Complete(int at)
    {
        var lineEnd = IndexOfCrlf(at);
        if (lineEnd < 0)
        {
            return 0;
        }

        var type = (char)_buffer[at];
        var header = Encoding.ASCII.GetString(_buffer, at + 1, lineEnd - at - 1);
        var next = lineEnd + 2;
        switch (type)
        {
            case '$':
                {
                    var n = int.Parse(header, System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return next - at;
                    }

                    return _end - next >= n + 2 ? next + n + 2 - at : 0;
                }

            case '*':
                {
                    var n = int.Parse(header, System.Globalization.CultureInfo.InvariantCulture);
                    for (var i = 0; i < n; i++)
                    {
                        var len = Complete(next);
                        if (len == 0)
                        {
                            return 0;
                        }

                        next += len;
                    }

                    return next - at;
                }

            default:
                return next - at;
        }
    }

    private int IndexOfCrlf(int from)
    {
        for (var i = from; i + 1 < _end; i++)
        {
            if (_buffer[i] == '\r' && _buffer[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
