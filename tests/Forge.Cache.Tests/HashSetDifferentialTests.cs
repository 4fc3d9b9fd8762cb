using System.Globalization;
using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>
/// Random hash and set command sequences played against redis-server 7.0 and forge cache, in
/// RESP2 and RESP3, with small listpack/intset limits so conversions happen often. Replies must
/// be identical byte for byte, except that the element order of unordered replies is ignored and
/// only the length of repeated random picks (negative counts) is compared.
/// </summary>
[Collection("forge cache process")]
public sealed class HashSetDifferentialTests
{
    private static readonly string[] s_keys = ["h0", "h1", "h2", "s0", "s1", "s2", "str"];
    private static readonly string[] s_members = ["a", "b", "c", "1", "2", "-3", "10", "007", "1.5", "", "longer-than-eight"];
    private static readonly string[] s_floats = ["1.5", "-0.25", "0.1", "1e-5", "5e3", "3", "1e308", "abc", "+inf", " 1", "0x10"];

    /// <summary>Commands whose replies list elements in an order Redis does not define.</summary>
    private static readonly HashSet<string> s_unordered = new(StringComparer.OrdinalIgnoreCase)
    {
        "HGETALL", "HKEYS", "HVALS", "SMEMBERS", "SUNION", "SINTER", "SDIFF", "HRANDFIELD", "SRANDMEMBER", "SPOP", "HSCAN", "SSCAN",
    };

    [Theory]
    [InlineData(11, 2)]
    [InlineData(12, 3)]
    public void RandomSequencesGiveTheSameRepliesAsRedis(int seed, int protocol)
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        string[][] setup =
        [
            ["HELLO", protocol.ToString(CultureInfo.InvariantCulture)],
            ["CONFIG", "SET", "hash-max-listpack-entries", "4"],
            ["CONFIG", "SET", "hash-max-listpack-value", "8"],
            ["CONFIG", "SET", "set-max-intset-entries", "4"],
        ];
        foreach (var cmd in setup)
        {
            r.CallRaw(cmd);
            f.CallRaw(cmd);
        }

        var random = new Random(seed);
        var history = new List<string>();
        for (var i = 0; i < 4000; i++)
        {
            var cmd = Generate(random);
            history.Add(string.Join(' ', cmd));
            var expected = Canonical(cmd, r.CallRaw(cmd));
            var actual = Canonical(cmd, f.CallRaw(cmd));
            if (expected != actual)
            {
                Assert.Fail($"seed {seed} RESP{protocol}, command #{i}: {string.Join(' ', cmd)}\nredis: {expected}\nforge: {actual}\nlast commands:\n{string.Join("\n", history.TakeLast(12))}");
            }
        }
    }

    /// <summary>The reply as compared: raw bytes, or for unordered replies the aggregate type and its sorted elements.</summary>
    private static string Canonical(string[] cmd, string raw)
    {
        var name = cmd[0];
        if (raw.StartsWith('-') || !s_unordered.Contains(name))
        {
            return raw.Replace("\r\n", "\\r\\n", StringComparison.Ordinal);
        }

        var value = RespClient.Parse(raw, out _);
        if (value is not object?[] items)
        {
            // A single random pick: only whether there was one.
            return name is "HRANDFIELD" or "SRANDMEMBER" or "SPOP" ? (value is null ? "nil" : "one") : raw;
        }

        if (cmd.Length > 2 && cmd[2].StartsWith('-'))
        {
            return raw[0] + "len " + items.Length;
        }

        if (name is "HSCAN" or "SSCAN")
        {
            return "scan " + items[0] + " " + Sorted((object?[])items[1]!, pairs: name == "HSCAN");
        }

        var pairs = name == "HGETALL" || (name == "HRANDFIELD" && cmd.Length > 3 && !raw.Contains("*2\r\n$", StringComparison.Ordinal));
        return raw[0] + Sorted(items, pairs);
    }

    private static string Sorted(object?[] items, bool pairs)
    {
        var parts = new List<string>();
        if (pairs)
        {
            for (var i = 0; i + 1 < items.Length; i += 2)
            {
                parts.Add(Text(items[i]) + "=" + Text(items[i + 1]));
            }
        }
        else
        {
            parts.AddRange(items.Select(Text));
        }

        parts.Sort(StringComparer.Ordinal);
        return items.Length + ":" + string.Join("|", parts);
    }

    private static string Text(object? item) => item switch
    {
        null => "<nil>",
        object?[] inner => "[" + string.Join(",", inner.Select(Text)) + "]",
        _ => item.ToString()!,
    };

    private static string M(Random r) => s_members[r.Next(s_members.Length)];

    private static string K(Random r) => s_keys[r.Next(s_keys.Length)];

    private static string N(Random r) => r.Next(5) switch
    {
        0 => "-1",
        1 => "0",
        2 => "x",
        3 => "9223372036854775807",
        _ => r.Next(-5, 20).ToString(CultureInfo.InvariantCulture),
    };

    private static string[] Generate(Random r)
    {
        var k = K(r);
        return r.Next(40) switch
        {
            0 or 1 => ["HSET", k, M(r), M(r), M(r), M(r)],
            2 => ["HSETNX", k, M(r), M(r)],
            3 => ["HGET", k, M(r)],
            4 => ["HMGET", k, M(r), M(r)],
            5 => ["HMSET", k, M(r), M(r)],
            6 => ["HDEL", k, M(r), M(r), M(r)],
            7 => ["HLEN", k],
            8 => ["HEXISTS", k, M(r)],
            9 => ["HGETALL", k],
            10 => ["HKEYS", k],
            11 => ["HVALS", k],
            12 => ["HINCRBY", k, M(r), N(r)],
            13 => ["HINCRBYFLOAT", k, M(r), s_floats[r.Next(s_floats.Length)]],
            14 => ["HSTRLEN", k, M(r)],
            15 => r.Next(3) switch
            {
                0 => ["HRANDFIELD", k],
                1 => ["HRANDFIELD", k, r.Next(2) == 0 ? "100" : "-5"],
                _ => ["HRANDFIELD", k, r.Next(2) == 0 ? "100" : "-5", "WITHVALUES"],
            },
            16 => ["HSCAN", k, "0", "COUNT", "100"],
            17 => ["HSCAN", k, "0", "MATCH", "*" + M(r) + "*", "COUNT", "100"],
            18 or 19 => ["SADD", k, M(r), M(r), M(r)],
            20 => ["SREM", k, M(r), M(r)],
            21 => ["SMEMBERS", k],
            22 => ["SISMEMBER", k, M(r)],
            23 => ["SMISMEMBER", k, M(r), M(r)],
            24 => ["SCARD", k],
            25 => ["SPOP", k, "100"],
            26 => ["SRANDMEMBER", k, r.Next(2) == 0 ? "100" : "-5"],
            27 => ["SMOVE", k, K(r), M(r)],
            28 => ["SINTER", k, K(r)],
            29 => ["SINTERCARD", "2", k, K(r), "LIMIT", r.Next(3).ToString(CultureInfo.InvariantCulture)],
            30 => ["SUNION", k, K(r), K(r)],
            31 => ["SDIFF", k, K(r)],
            32 => ["SINTERSTORE", k, K(r), K(r)],
            33 => ["SUNIONSTORE", k, K(r), K(r)],
            34 => ["SDIFFSTORE", k, K(r), K(r)],
            35 => ["SSCAN", k, "0", "COUNT", "100"],
            36 => ["DEL", k],
            37 => ["TYPE", k],
            38 => ["SET", "str", "x"],
            _ => ["EXISTS", k],
        };
    }
}
