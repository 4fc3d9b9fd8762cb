namespace Forge.Cache.Tests;

/// <summary>One server for all hash and set command tests (each test uses its own keys).</summary>
public sealed class HashSetServerFixture : IDisposable
{
    internal HashSetRespClient Client { get; } = HashSetRespClient.Start();

    public void Dispose() => Client.Dispose();
}

public class HashSetCommandTests : IClassFixture<HashSetServerFixture>
{
    private readonly HashSetRespClient _r;

    public HashSetCommandTests(HashSetServerFixture fixture)
    {
        _r = fixture.Client;
    }

    [Fact]
    public void HashBasics()
    {
        Assert.Equal(":3", _r.Call("hset", "hb", "a", "1", "b", "2", "c", "3"));
        Assert.Equal(":1", _r.Call("hset", "hb", "a", "10", "d", "4"));
        Assert.Equal(["a", "10", "b", "2", "c", "3", "d", "4"], _r.Strings("hgetall", "hb"));
        Assert.Equal(["10", "(nil)", "2"], _r.Strings("hmget", "hb", "a", "zz", "b"));
        Assert.Equal("OK", _r.Call("hmset", "hb", "e", "5"));
        Assert.Equal(":0", _r.Call("hsetnx", "hb", "a", "x"));
        Assert.Equal(":2", _r.Call("hstrlen", "hb", "a"));
        Assert.Equal(":1", _r.Call("hexists", "hb", "e"));
        Assert.Equal(":5", _r.Call("hlen", "hb"));
        Assert.Equal("-ERR wrong number of arguments for 'hset' command", _r.Call("hset", "hb", "a", "1", "b"));
        Assert.Equal(":5", _r.Call("hdel", "hb", "a", "b", "c", "d", "e", "f"));
        Assert.Equal(":0", _r.Call("hlen", "hb"));

        // The emptied hash left the keyspace: the key can now hold a set.
        Assert.Equal(":1", _r.Call("sadd", "hb", "x"));
        Assert.StartsWith("-WRONGTYPE", (string)_r.Call("hget", "hb", "a")!, StringComparison.Ordinal);
    }

    [Fact]
    public void HashIncrements()
    {
        Assert.Equal(":5", _r.Call("hincrby", "hi", "n", "5"));
        Assert.Equal("-ERR increment or decrement would overflow", _r.Call("hincrby", "hi", "n", "9223372036854775807"));
        Assert.Equal("1.23", _r.Call("hincrbyfloat", "hi", "f", "1.23"));
        Assert.Equal("2", _r.Call("hincrbyfloat", "hi", "f", "0.77"));
        Assert.Equal("1.9", _r.Call("hincrbyfloat", "hi", "f", "-0.1"));
        Assert.Equal(":1", _r.Call("hset", "hi", "s", " 11"));
        Assert.Equal("-ERR hash value is not an integer", _r.Call("hincrby", "hi", "s", "1"));
        Assert.Equal("-ERR hash value is not a float", _r.Call("hincrbyfloat", "hi", "s", "1"));
        Assert.Equal("-ERR value is NaN or Infinity", _r.Call("hincrbyfloat", "hnan", "f", "+inf"));
        Assert.Equal(":0", _r.Call("hlen", "hnan"));
    }

    [Fact]
    public void HashRandomFieldAndScan()
    {
        _r.Call("hset", "hr", "a", "1", "b", "2", "c", "3");
        Assert.Equal(6, _r.Strings("hrandfield", "hr", "5", "withvalues").Length);
        Assert.Equal(20, _r.Strings("hrandfield", "hr", "-10", "withvalues").Length);
        var two = _r.Strings("hrandfield", "hr", "2");
        Assert.Equal(2, two.Distinct().Count());
        Assert.Empty(_r.Strings("hrandfield", "hr", "0"));
        Assert.Empty(_r.Strings("hrandfield", "nohash", "3"));
        Assert.Null(_r.Call("hrandfield", "nohash"));
        Assert.StartsWith("-ERR value is out of range", (string)_r.Call("hrandfield", "hr", "-9223372036854775808")!, StringComparison.Ordinal);
        Assert.Equal("-ERR syntax error", _r.Call("hrandfield", "hr", "1", "withvalue"));

        var scan = (object?[])_r.Call("hscan", "hr", "0", "match", "b*")!;
        Assert.Equal("0", scan[0]);
        Assert.Equal(new object?[] { "b", "2" }, (object?[])scan[1]!);
        Assert.Equal("-ERR invalid cursor", _r.Call("hscan", "hr", "x"));
        Assert.Equal("-ERR syntax error", _r.Call("hscan", "hr", "0", "count", "0"));
    }

    [Fact]
    public void HashtableScanVisitsEveryFieldOnce()
    {
        var args = new List<string> { "hset", "hbig" };
        for (var i = 0; i < 300; i++)
        {
            args.Add("f" + i);
            args.Add("v" + i);
        }

        _r.Call([.. args]);
        var seen = new List<string>();
        var cursor = "0";
        do
        {
            var reply = (object?[])_r.Call("hscan", "hbig", cursor, "count", "7")!;
            cursor = (string)reply[0]!;
            var items = (object?[])reply[1]!;
            for (var i = 0; i < items.Length; i += 2)
            {
                seen.Add((string)items[i]!);
            }
        }
        while (cursor != "0");
        Assert.Equal(300, seen.Count);
        Assert.Equal(300, seen.Distinct().Count());
    }

    [Fact]
    public void SetBasics()
    {
        Assert.Equal(":3", _r.Call("sadd", "sb", "3", "1", "2"));
        Assert.Equal(["1", "2", "3"], _r.Strings("smembers", "sb"));
        Assert.Equal([":1", ":0"], _r.Strings("smismember", "sb", "2", "x"));
        Assert.Equal(":1", _r.Call("sismember", "sb", "3"));
        Assert.Equal(":2", _r.Call("srem", "sb", "1", "x", "2"));
        Assert.Equal(":1", _r.Call("smove", "sb", "sb2", "3"));
        Assert.Equal(":0", _r.Call("scard", "sb"));
        Assert.Equal(":1", _r.Call("hset", "sb", "f", "v"));
        Assert.Equal(":0", _r.Call("smove", "nosuchset", "sb", "x"));
        Assert.StartsWith("-WRONGTYPE", (string)_r.Call("smove", "sb2", "sb", "3")!, StringComparison.Ordinal);
    }

    [Fact]
    public void SetAlgebra()
    {
        _r.Call("sadd", "sa1", "1", "2", "3", "a");
        _r.Call("sadd", "sa2", "2", "3", "4");
        Assert.Equal(["2", "3"], _r.Strings("sinter", "sa1", "sa2").Order());
        Assert.Equal(":2", _r.Call("sintercard", "2", "sa1", "sa2"));
        Assert.Equal(":1", _r.Call("sintercard", "2", "sa1", "sa2", "limit", "1"));
        Assert.Equal("-ERR numkeys should be greater than 0", _r.Call("sintercard", "0", "sa1"));
        Assert.Equal("-ERR Number of keys can't be greater than number of args", _r.Call("sintercard", "3", "sa1", "sa2"));
        Assert.Equal("-ERR LIMIT can't be negative", _r.Call("sintercard", "1", "sa1", "limit", "-1"));
        Assert.Equal(["1", "2", "3", "4", "a"], _r.Strings("sunion", "sa1", "nokey", "sa2").Order());
        Assert.Equal(["1", "a"], _r.Strings("sdiff", "sa1", "sa2").Order());
        Assert.Equal(":2", _r.Call("sinterstore", "sadst", "sa1", "sa2"));
        Assert.Equal(["2", "3"], _r.Strings("smembers", "sadst"));
        Assert.Equal(":0", _r.Call("sdiffstore", "sadst", "sa2", "sa1", "sa2"));
        Assert.Equal(":0", _r.Call("scard", "sadst"));
        Assert.Equal(":5", _r.Call("sunionstore", "sadst", "sa1", "sa2"));
    }

    [Fact]
    public void SetPopAndRandom()
    {
        _r.Call("sadd", "sp", "a", "b", "c", "d", "e");
        Assert.Equal(3, _r.Strings("srandmember", "sp", "3").Distinct().Count());
        Assert.Equal(5, _r.Strings("srandmember", "sp", "10").Length);
        Assert.Equal(10, _r.Strings("srandmember", "sp", "-10").Length);
        Assert.Equal("-ERR value is out of range, must be positive", _r.Call("spop", "sp", "-1"));
        Assert.Equal("-ERR syntax error", _r.Call("spop", "sp", "1", "2"));
        var popped = _r.Strings("spop", "sp", "2");
        Assert.Equal(2, popped.Distinct().Count());
        Assert.Equal(":3", _r.Call("scard", "sp"));
        var rest = _r.Strings("spop", "sp", "10");
        Assert.Equal(5, popped.Concat(rest).Distinct().Count());
        Assert.Null(_r.Call("spop", "sp"));
        Assert.Empty(_r.Strings("srandmember", "sp", "3"));
    }
}
