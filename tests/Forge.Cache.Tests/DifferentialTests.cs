using System.Text;
using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>
/// Plays the same randomized command sequences (every data type, expiry, errors, transactions)
/// against the real redis-server and forge cache and compares every reply byte for byte. Replies
/// whose element order Redis does not define (HGETALL, SMEMBERS, KEYS ...) are compared sorted.
/// </summary>
[Collection("forge cache process")]
public sealed class DifferentialTests
{
    private static readonly string[] s_keys = ["k0", "k1", "k2", "k3", "k4", "k5"];
    private static readonly string[] s_fields = ["a", "b", "c", "d", "10", "-3", "1.5", ""];

    /// <summary>Commands whose aggregate reply is unordered in Redis.</summary>
    private static readonly HashSet<string> s_unordered = new(StringComparer.OrdinalIgnoreCase)
    {
        "HGETALL", "HKEYS", "HVALS", "SMEMBERS", "SUNION", "SINTER", "SDIFF", "KEYS", "HRANDFIELD", "SRANDMEMBER", "SPOP",
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomSequencesGiveTheSameRepliesAsRedis(int seed)
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        var random = new Random(seed);
        var history = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var cmd = Generate(random);
            history.Add(string.Join(' ', cmd));
            var expected = r.CallRaw(cmd);
            var actual = f.CallRaw(cmd);
            if (s_unordered.Contains(cmd[0]) && !expected.StartsWith('-'))
            {
                expected = Normalise(expected);
                actual = Normalise(actual);
            }

            if (expected != actual)
            {
                var tail = string.Join("\n", history.TakeLast(15));
                Assert.Fail($"seed {seed}, command #{i}: {string.Join(' ', cmd)}\nredis: {Escape(expected)}\nforge: {Escape(actual)}\nlast commands:\n{tail}");
            }
        }
    }

    private static string Escape(string s) => s.Replace("\r\n", "\\r\\n", StringComparison.Ordinal);

    /// <summary>Sorts the elements of a flat aggregate reply (pairs stay pairs for maps as arrays of 2n).</summary>
    private static string Normalise(string raw)
    {
        var value = RespClient.Parse(raw, out _);
        if (value is not object?[] items)
        {
            return raw;
        }

        var parts = items.Select(x => x?.ToString() ?? "<nil>").OrderBy(x => x, StringComparer.Ordinal);
        return "*" + items.Length + ":" + string.Join("|", parts);
    }

    private static string Key(Random r) => s_keys[r.Next(s_keys.Length)];

    private static string Field(Random r) => s_fields[r.Next(s_fields.Length)];

    private static string Num(Random r) => r.Next(6) switch
    {
        0 => "-1",
        1 => "0",
        2 => r.Next(-5, 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => "abc",
        4 => "2.5",
        _ => r.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Score(Random r) => r.Next(8) switch
    {
        0 => "-inf",
        1 => "+inf",
        2 => "(1",
        3 => "nan",
        4 => "1.5",
        _ => r.Next(-3, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string[] Generate(Random r)
    {
        var k = Key(r);
        return r.Next(60) switch
        {
            0 => ["SET", k, Field(r)],
            1 => ["GET", k],
            2 => ["SET", k, Field(r), r.Next(2) == 0 ? "NX" : "XX", "GET"],
            3 => ["INCR", k],
            4 => ["INCRBY", k, Num(r)],
            5 => ["APPEND", k, Field(r)],
            6 => ["GETRANGE", k, Num(r), Num(r)],
            7 => ["SETRANGE", k, Num(r), Field(r)],
            8 => ["MSET", k, Field(r), Key(r), Field(r)],
            9 => ["MGET", k, Key(r), Key(r)],
            10 => ["DEL", k, Key(r)],
            11 => ["EXISTS", k, Key(r)],
            12 => ["TYPE", k],
            13 => ["RENAME", k, Key(r)],
            14 => ["EXPIRE", k, "1000"],
            15 => ["TTL", k],
            16 => ["PERSIST", k],
            17 => ["STRLEN", k],
            18 => ["GETDEL", k],
            19 => ["INCRBYFLOAT", k, r.Next(2) == 0 ? "1.5" : "-0.25"],
            20 => ["LPUSH", k, Field(r), Field(r)],
            21 => ["RPUSH", k, Field(r)],
            22 => ["LPOP", k],
            23 => ["RPOP", k, Num(r)],
            24 => ["LRANGE", k, Num(r), Num(r)],
            25 => ["LINDEX", k, Num(r)],
            26 => ["LREM", k, Num(r), Field(r)],
            27 => ["LINSERT", k, r.Next(2) == 0 ? "BEFORE" : "AFTER", Field(r), Field(r)],
            28 => ["LLEN", k],
            29 => ["LSET", k, Num(r), Field(r)],
            30 => ["HSET", k, Field(r), Field(r)],
            31 => ["HGET", k, Field(r)],
            32 => ["HDEL", k, Field(r), Field(r)],
            33 => ["HINCRBY", k, Field(r), Num(r)],
            34 => ["HGETALL", k],
            35 => ["HLEN", k],
            36 => ["HMGET", k, Field(r), Field(r)],
            37 => ["HEXISTS", k, Field(r)],
            38 => ["SADD", k, Field(r), Field(r)],
            39 => ["SREM", k, Field(r)],
            40 => ["SMEMBERS", k],
            41 => ["SISMEMBER", k, Field(r)],
            42 => ["SCARD", k],
            43 => ["SINTER", k, Key(r)],
            44 => ["SUNION", k, Key(r)],
            45 => ["SDIFF", k, Key(r)],
            46 => ["ZADD", k, Score(r), Field(r)],
            47 => ["ZADD", k, r.Next(2) == 0 ? "GT" : "NX", "CH", Score(r), Field(r), Score(r), Field(r)],
            48 => ["ZRANGE", k, Num(r), Num(r), "WITHSCORES"],
            49 => ["ZRANGEBYSCORE", k, Score(r), Score(r)],
            50 => ["ZSCORE", k, Field(r)],
            51 => ["ZINCRBY", k, Num(r), Field(r)],
            52 => ["ZREM", k, Field(r)],
            53 => ["ZRANK", k, Field(r)],
            54 => ["ZCARD", k],
            55 => ["ZPOPMIN", k],
            56 => ["ZCOUNT", k, Score(r), Score(r)],
            57 => ["LMOVE", k, Key(r), r.Next(2) == 0 ? "LEFT" : "RIGHT", "RIGHT"],
            58 => ["HINCRBYFLOAT", k, Field(r), "1.5"],
            _ => ["DBSIZE"],
        };
    }

    [Fact]
    public void DumpPayloadsRestoreInRealRedis()
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        f.Call("SET", "s", "hello");
        f.Call("RPUSH", "l", "a", "b", "c");
        f.Call("SADD", "st", "x", "y");
        f.Call("HSET", "h", "f1", "v1", "f2", "v2");
        f.Call("ZADD", "z", "1.5", "m1", "2", "m2");
        foreach (var key in new[] { "s", "l", "st", "h", "z" })
        {
            var payload = System.Text.Encoding.Latin1.GetBytes((string)f.Call("DUMP", key)!);
            Assert.Equal("+OK\r\n", r.CallRaw("RESTORE", key, "0", payload));
            Assert.Equal("+OK\r\n", f.CallRaw("RESTORE", key + "2", "0", payload));
        }

        Assert.Equal("hello", r.Call("GET", "s"));
        Assert.Equal(r.CallRaw("LRANGE", "l", "0", "-1"), f.CallRaw("LRANGE", "l2", "0", "-1"));
        Assert.Equal(r.CallRaw("ZRANGE", "z", "0", "-1", "WITHSCORES"), f.CallRaw("ZRANGE", "z2", "0", "-1", "WITHSCORES"));
        Assert.Equal(r.CallRaw("HGET", "h", "f2"), f.CallRaw("HGET", "h2", "f2"));
        Assert.Equal(r.CallRaw("SCARD", "st"), f.CallRaw("SCARD", "st2"));
        // And the other way: what Redis 7.0 dumps (listpack, quicklist, intset, int-encoded strings) loads here.
        r.Call("SET", "n", "12345");
        r.Call("RPUSH", "rl", "1", "two", "3");
        r.Call("SADD", "rs", "1", "2", "3");
        r.Call("ZADD", "rz", "1", "a", "2.5", "b");
        r.Call("HSET", "rh", "f", "v");
        foreach (var key in new[] { "n", "rl", "rs", "rz", "rh" })
        {
            var payload = System.Text.Encoding.Latin1.GetBytes((string)r.Call("DUMP", key)!);
            Assert.Equal("+OK\r\n", f.CallRaw("RESTORE", key, "0", payload, "REPLACE"));
        }

        Assert.Equal(r.CallRaw("GET", "n"), f.CallRaw("GET", "n"));
        Assert.Equal(r.CallRaw("LRANGE", "rl", "0", "-1"), f.CallRaw("LRANGE", "rl", "0", "-1"));
        Assert.Equal(r.CallRaw("ZRANGE", "rz", "0", "-1", "WITHSCORES"), f.CallRaw("ZRANGE", "rz", "0", "-1", "WITHSCORES"));
        Assert.Equal(r.CallRaw("SMEMBERS", "rs"), f.CallRaw("SMEMBERS", "rs"));
        Assert.Equal(r.CallRaw("HGETALL", "rh"), f.CallRaw("HGETALL", "rh"));
        Assert.Equal(r.CallRaw("RESTORE", "s", "0", "garbage"), f.CallRaw("RESTORE", "s", "0", "garbage"));
        Assert.Equal(r.CallRaw("RESTORE", "s", "0", "x"), f.CallRaw("RESTORE", "s2", "0", "x"));
    }

    [Fact]
    public void Crc64MatchesRedis() =>
        Assert.Equal(0xe9c6d914c4b8d9caUL, Forge.Cache.Persistence.Crc64.Compute("123456789"u8));

    [Fact]
    public void TransactionsBehaveLikeRedis()
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        string[][] script =
        [
            ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["LPUSH", "a", "x"], ["GET", "a"], ["EXEC"],
            ["MULTI"], ["SET", "b", "1"], ["NOSUCHCMD"], ["EXEC"], ["GET", "b"],
            ["MULTI"], ["GET"], ["DISCARD"], ["EXEC"],
            ["WATCH", "a"], ["SET", "a", "2"], ["MULTI"], ["INCR", "a"], ["EXEC"],
            ["MULTI"], ["MULTI"], ["DISCARD"], ["WATCH", "x"], ["MULTI"], ["WATCH", "y"], ["EXEC"],
            ["MULTI"], ["SHUTDOWN"], ["PING"], ["EXEC"],
        ];
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        foreach (var cmd in script)
        {
            Assert.Equal(r.CallRaw(cmd), f.CallRaw(cmd));
        }
    }

    [Fact]
    public void ErrorsAndEdgeCasesMatchRedis()
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        string[][] script =
        [
            ["GET"], ["SET", "k"], ["SET", "k", "v", "EX", "-1"], ["SET", "k", "v", "PX", "abc"], ["SET", "k", "v", "KEEPTTL", "EX", "1"],
            ["LPUSH", "k", "x"], ["INCR", "k"], ["EXPIRE", "k", "10", "FOO"], ["OBJECT", "FOO"], ["CLIENT", "SETNAME"],
            ["SELECT", "x"], ["SELECT", "100"], ["ECHO"], ["PING", "a", "b"], ["HELLO", "x"], ["INCRBYFLOAT", "f", "nan"],
            ["GETRANGE", "k", "a", "b"], ["SETRANGE", "k", "-1", "v"], ["RENAME", "nosuch", "x"], ["MOVE", "k", "100"],
            ["SCAN", "x"], ["SCAN", "0", "COUNT", "0"], ["EXPIRE", "k", "99999999999999999"], ["SET", "n", "9223372036854775807"], ["INCR", "n"],
            ["DECRBY", "n", "-9223372036854775808"], ["COPY", "k", "k"], ["SWAPDB", "0", "x"], ["FLUSHDB", "NOW"],
            ["MOVE", "k", "notanumber"], ["SETRANGE", "big", "9223372036854775807", "A"], ["SETRANGE", "big", "2147483647", "A"],
            ["SET", "", "empty-name"], ["KEYS", "k*"], ["EXISTS", ""], ["GET", ""],
            ["INCRBYFLOAT", "ld", "1e-5"], ["INCRBYFLOAT", "ld", "5.0e3"], ["INCRBYFLOAT", "ld", "1.1"],
        ];
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        foreach (var cmd in script)
        {
            var expected = r.CallRaw(cmd);
            var actual = f.CallRaw(cmd);
            Assert.True(expected == actual, $"{string.Join(' ', cmd)}: redis said {Escape(expected)}, forge said {Escape(actual)}");
        }
    }
}
