using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>String, key and expiry commands against an in-process server, compared with Redis 7.0's replies.</summary>
public sealed class StringAndKeyCommandTests : IAsyncLifetime
{
    private InProcessServer _server = null!;
    private RespClient _c = null!;

    public Task InitializeAsync()
    {
        _server = InProcessServer.Start();
        _c = _server.Connect();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _c.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void SetGetAndOptions()
    {
        Assert.Equal("+OK\r\n", _c.CallRaw("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", _c.CallRaw("GET", "k"));
        Assert.Equal("$-1\r\n", _c.CallRaw("GET", "missing"));
        Assert.Equal("$-1\r\n", _c.CallRaw("SET", "k", "w", "NX"));
        Assert.Equal("$1\r\nv\r\n", _c.CallRaw("SET", "k", "w", "GET"));
        Assert.Equal("$-1\r\n", _c.CallRaw("SET", "nokey", "w", "XX"));
        Assert.Equal("-ERR syntax error\r\n", _c.CallRaw("SET", "k", "v", "NX", "XX"));
        Assert.Equal("-ERR syntax error\r\n", _c.CallRaw("SET", "k", "v", "EX", "10", "PX", "100"));
        Assert.Equal("-ERR invalid expire time in 'set' command\r\n", _c.CallRaw("SET", "k", "v", "EX", "0"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", _c.CallRaw("SET", "k", "v", "EX", "x"));
        Assert.Equal("+OK\r\n", _c.CallRaw("SET", "k", "v", "EX", "100"));
        Assert.InRange((long)_c.Call("TTL", "k")!, 99, 100); // 99 when the machine is slow enough for 500 ms to pass
        Assert.Equal("+OK\r\n", _c.CallRaw("SET", "k", "v2", "KEEPTTL"));
        Assert.InRange((long)_c.Call("TTL", "k")!, 99, 100); // 99 when the machine is slow enough for 500 ms to pass
        Assert.Equal("+OK\r\n", _c.CallRaw("SET", "k", "v3"));
        Assert.Equal(":-1\r\n", _c.CallRaw("TTL", "k"));
    }

    [Fact]
    public void ErrorTextsMatchRedis()
    {
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", _c.CallRaw("GET"));
        Assert.Equal("-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n", _c.CallRaw("NOSUCH", "a", "b"));
        Assert.Equal("-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n", _c.CallRaw("CLIENT", "nope"));
        Assert.Equal("-ERR wrong number of arguments for 'client|setname' command\r\n", _c.CallRaw("CLIENT", "SETNAME"));
        _c.Call("SET", "s", "abc");
        Assert.Equal("-ERR value is not an integer or out of range\r\n", _c.CallRaw("INCR", "s"));
        Assert.Equal("-ERR value is not a valid float\r\n", _c.CallRaw("INCRBYFLOAT", "s", "1"));
        _c.Call("SET", "max", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", _c.CallRaw("INCR", "max"));
        Assert.Equal("-ERR no such key\r\n", _c.CallRaw("RENAME", "nokey", "x"));
        Assert.Equal("-ERR DB index is out of range\r\n", _c.CallRaw("SELECT", "99"));
    }

    [Fact]
    public void IncrInPlaceDoesNotChangeAValueSortStoreCopied()
    {
        _c.Call("SET", "cnt1", "10");
        _c.Call("RPUSH", "ids", "1");
        Assert.Equal(1L, _c.Call("SORT", "ids", "BY", "nosort", "GET", "cnt*", "STORE", "snapshot"));
        Assert.Equal(11L, _c.Call("INCR", "cnt1"));
        Assert.Equal(new object[] { "10" }, _c.Call("LRANGE", "snapshot", "0", "-1"));
        _c.Call("COPY", "cnt1", "cnt2");
        Assert.Equal(12L, _c.Call("INCR", "cnt1"));
        Assert.Equal("11", _c.Call("GET", "cnt2"));
    }

    [Fact]
    public void CountersAndFloats()
    {
        Assert.Equal(":1\r\n", _c.CallRaw("INCR", "n"));
        Assert.Equal(":11\r\n", _c.CallRaw("INCRBY", "n", "10"));
        Assert.Equal(":9\r\n", _c.CallRaw("DECRBY", "n", "2"));
        Assert.Equal("$4\r\n10.5\r\n", _c.CallRaw("INCRBYFLOAT", "f", "10.5"));
        Assert.Equal("$4\r\n10.6\r\n", _c.CallRaw("INCRBYFLOAT", "f", "0.1"));
        Assert.Equal("$3\r\n5.0\r\n".Replace("5.0", "5", StringComparison.Ordinal).Replace("$3", "$1", StringComparison.Ordinal), _c.CallRaw("INCRBYFLOAT", "g", "5.0"));
        Assert.Equal("-ERR increment would produce NaN or Infinity\r\n", _c.CallRaw("INCRBYFLOAT", "f", "inf"));
    }

    [Fact]
    public void RangesAndAppend()
    {
        Assert.Equal(":5\r\n", _c.CallRaw("APPEND", "a", "hello"));
        Assert.Equal(":11\r\n", _c.CallRaw("APPEND", "a", " world"));
        Assert.Equal("$5\r\nworld\r\n", _c.CallRaw("GETRANGE", "a", "-5", "-1"));
        Assert.Equal("$0\r\n\r\n", _c.CallRaw("GETRANGE", "a", "5", "3"));
        Assert.Equal(":11\r\n", _c.CallRaw("SETRANGE", "a", "6", "WORLD"));
        Assert.Equal("$11\r\nhello WORLD\r\n", _c.CallRaw("GET", "a"));
        Assert.Equal(":8\r\n", _c.CallRaw("SETRANGE", "z", "5", "abc"));
        Assert.Equal("$8\r\n\0\0\0\0\0abc\r\n", _c.CallRaw("GET", "z"));
        Assert.Equal("-ERR offset is out of range\r\n", _c.CallRaw("SETRANGE", "z", "-1", "x"));
    }

    [Fact]
    public void MultiKeyCommands()
    {
        Assert.Equal("+OK\r\n", _c.CallRaw("MSET", "a", "1", "b", "2"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", _c.CallRaw("MGET", "a", "b", "c"));
        Assert.Equal(":0\r\n", _c.CallRaw("MSETNX", "c", "3", "a", "x"));
        Assert.Equal(":1\r\n", _c.CallRaw("MSETNX", "c", "3", "d", "4"));
        Assert.Equal(":3\r\n", _c.CallRaw("EXISTS", "a", "a", "c"));
        Assert.Equal(":2\r\n", _c.CallRaw("DEL", "a", "b", "nope"));
        Assert.Equal("-ERR wrong number of arguments for 'mset' command\r\n", _c.CallRaw("MSET", "a", "1", "b"));
    }

    [Fact]
    public void ExpiryIsLazyAndActive()
    {
        _c.Call("SET", "t", "v", "PX", "50");
        _c.Call("SET", "u", "v", "PX", "50");
        Thread.Sleep(120);
        Assert.Equal("$-1\r\n", _c.CallRaw("GET", "t")); // lazy
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_server.Server.Keyspace[0].Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50); // the cron's active cycle removes "u" without anyone reading it
        }

        Assert.Equal(0, _server.Server.Keyspace[0].Count);
        Assert.Equal(":-2\r\n", _c.CallRaw("TTL", "u"));
    }

    [Fact]
    public void ExpireOptions()
    {
        _c.Call("SET", "k", "v");
        Assert.Equal(":0\r\n", _c.CallRaw("EXPIRE", "k", "100", "XX"));
        Assert.Equal(":1\r\n", _c.CallRaw("EXPIRE", "k", "100", "NX"));
        Assert.Equal(":0\r\n", _c.CallRaw("EXPIRE", "k", "50", "GT"));
        Assert.Equal(":1\r\n", _c.CallRaw("EXPIRE", "k", "50", "LT"));
        Assert.Equal("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", _c.CallRaw("EXPIRE", "k", "5", "NX", "XX"));
        Assert.Equal(":1\r\n", _c.CallRaw("PERSIST", "k"));
        Assert.Equal(":-1\r\n", _c.CallRaw("PEXPIRETIME", "k"));
        Assert.Equal(":1\r\n", _c.CallRaw("EXPIRE", "k", "-1"));
        Assert.Equal(":0\r\n", _c.CallRaw("EXISTS", "k"));
    }

    [Fact]
    public void ScanVisitsEveryKeyOnce()
    {
        for (var i = 0; i < 1000; i++)
        {
            _c.Send("SET", "key:" + i, "v");
        }

        for (var i = 0; i < 1000; i++)
        {
            _c.Read();
        }

        var seen = new HashSet<string>();
        var cursor = "0";
        do
        {
            var reply = (object?[])_c.Call("SCAN", cursor, "COUNT", "37")!;
            cursor = (string)reply[0]!;
            foreach (var k in (object?[])reply[1]!)
            {
                Assert.True(seen.Add((string)k!));
            }
        }
        while (cursor != "0");

        Assert.Equal(1000, seen.Count);
        Assert.Equal(111, ((object?[])_c.Call("KEYS", "key:1*")!).Length);
        Assert.Equal("-ERR invalid cursor\r\n", _c.CallRaw("SCAN", "abc"));
    }

    [Fact]
    public void RenameCopyMoveSwapdb()
    {
        _c.Call("SET", "a", "1", "EX", "100");
        Assert.Equal("+OK\r\n", _c.CallRaw("RENAME", "a", "b"));
        Assert.InRange((long)_c.Call("TTL", "b")!, 99, 100); // 99 when the machine is slow enough for 500 ms to pass
        Assert.Equal(":1\r\n", _c.CallRaw("COPY", "b", "c"));
        Assert.Equal(":0\r\n", _c.CallRaw("COPY", "b", "c"));
        Assert.Equal(":1\r\n", _c.CallRaw("COPY", "b", "c", "REPLACE"));
        Assert.Equal(":1\r\n", _c.CallRaw("MOVE", "c", "1"));
        Assert.Equal("+OK\r\n", _c.CallRaw("SWAPDB", "0", "1"));
        Assert.Equal("$1\r\n1\r\n", _c.CallRaw("GET", "c"));
        Assert.Equal(":0\r\n", _c.CallRaw("EXISTS", "b"));
        Assert.Equal("+string\r\n", _c.CallRaw("TYPE", "c"));
        Assert.Equal("+none\r\n", _c.CallRaw("TYPE", "zz"));
    }

    [Fact]
    public void ObjectIdletimeAndFreqAreTracked()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        _c.Call("SET", "k", "v");
        // Idle time counts whole seconds of real time: wait (with a deadline) until two have passed.
        // OBJECT IDLETIME does not touch the key, so polling it leaves the clock running.
        long idle = 0;
        Assert.True(SpinWait.SpinUntil(() => (idle = (long)_c.Call("OBJECT", "IDLETIME", "k")!) >= 2, TimeSpan.FromSeconds(10)), "IDLETIME never reached 2");
        Assert.InRange(idle, 2, (long)sw.Elapsed.TotalSeconds + 1); // a loaded machine may answer late
        _c.Call("GET", "k");
        Assert.Equal(0L, _c.Call("OBJECT", "IDLETIME", "k"));
        Assert.StartsWith("-ERR An LFU maxmemory policy is not selected", _c.CallRaw("OBJECT", "FREQ", "k"), StringComparison.Ordinal);
        _c.Call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        _c.Call("SET", "hot", "v");
        Assert.Equal(5L, _c.Call("OBJECT", "FREQ", "hot"));
        for (var i = 0; i < 200; i++)
        {
            _c.Call("GET", "hot");
        }

        Assert.InRange((long)_c.Call("OBJECT", "FREQ", "hot")!, 6, 255);
        _c.Call("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }

    [Fact]
    public void BigValuesRoundTrip()
    {
        var big = new string('x', 4_000_000);
        Assert.Equal("OK", _c.Call("SET", "big", big));
        Assert.Equal(big, _c.Call("GET", "big"));
    }

    [Fact]
    public void LcsMatchesRedis()
    {
        _c.Call("MSET", "k1", "ohmytext", "k2", "mynewtext");
        Assert.Equal("$6\r\nmytext\r\n", _c.CallRaw("LCS", "k1", "k2"));
        Assert.Equal(":6\r\n", _c.CallRaw("LCS", "k1", "k2", "LEN"));
        Assert.Equal("*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", _c.CallRaw("LCS", "k1", "k2", "IDX"));
    }
}
