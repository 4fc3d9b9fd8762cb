using System.Globalization;
using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>
/// Random stream command sequences (XADD with trimming, ranges, deletes, consumer groups, reads,
/// acks, claims, pending lists, XINFO, XSETID, malformed arguments) played against redis-server
/// 7.0 and forge cache in RESP2 and RESP3 with small nodes (stream-node-max-entries 4), so node
/// splits and approximate trimming happen often. IDs are explicit so replies do not depend on the
/// clock; the reply field that does (XPENDING idle times) is blanked.
/// </summary>
[Collection("forge cache process")]
public sealed class StreamDifferentialTests
{
    private static readonly string[] s_keys = ["x0", "x1", "x2", "str"];
    private static readonly string[] s_groups = ["g1", "g2"];
    private static readonly string[] s_consumers = ["alice", "bob", "carol"];
    private static readonly string[] s_badIds = ["abc", "-", "+", "1-", "-1", "1-2-3", "(1", "1-x", "18446744073709551616", " 5", "+5", "007-1"];

    [Theory]
    [InlineData(21, 2)]
    [InlineData(22, 3)]
    [InlineData(23, 2)]
    public void RandomSequencesGiveTheSameRepliesAsRedis(int seed, int protocol)
    {
        using var redis = RedisServerProcess.Start();
        using var forge = ForgeCacheProcess.Start();
        using var r = new RespClient(redis.Port);
        using var f = new RespClient(forge.Port);
        string[][] setup =
        [
            ["HELLO", protocol.ToString(CultureInfo.InvariantCulture)],
            ["CONFIG", "SET", "stream-node-max-entries", "4"],
            ["SET", "str", "value"],
        ];
        foreach (var cmd in setup)
        {
            r.CallRaw(cmd);
            f.CallRaw(cmd);
        }

        var random = new Random(seed);
        var history = new List<string>();
        int errors = 0, entries = 0;
        for (var i = 0; i < 3000; i++)
        {
            var cmd = Generate(random);
            history.Add(string.Join(' ', cmd));
            var reply = r.CallRaw(cmd);
            errors += reply.StartsWith('-') ? 1 : 0;
            entries += cmd[0] is "XRANGE" or "XREVRANGE" or "XREADGROUP" && reply.Length > 40 ? 1 : 0;
            var expected = Canonical(cmd, reply);
            var actual = Canonical(cmd, f.CallRaw(cmd));
            if (expected != actual)
            {
                Assert.Fail($"seed {seed} RESP{protocol}, command #{i}: {string.Join(' ', cmd)}\nredis: {expected}\nforge: {actual}\nlast commands:\n{string.Join("\n", history.TakeLast(15))}");
            }
        }

        // The sequences must mostly succeed and return data, or they test little.
        Assert.InRange(errors, 0, 1500);
        Assert.InRange(entries, 200, 3000);
    }

    private static string Canonical(string[] cmd, string raw)
    {
        if (cmd[0] == "XPENDING" && cmd.Length > 3 && !raw.StartsWith('-'))
        {
            // Extended form: [id, consumer, idle, count] per entry; blank the idle time.
            var items = (object?[])RespClient.Parse(raw, out _)!;
            return string.Join("|", items.Select(e => e is object?[] a ? $"{a[0]},{a[1]},?,{a[3]}" : "?"));
        }

        return raw.Replace("\r\n", "\\r\\n", StringComparison.Ordinal);
    }

    private static string Pick(Random r, string[] from) => from[r.Next(from.Length)];

    private static string Int(Random r, int max) => r.Next(max).ToString(CultureInfo.InvariantCulture);

    private static string Id(Random r) => r.Next(12) switch
    {
        0 => Pick(r, s_badIds),
        1 => Int(r, 40),
        2 => Int(r, 40) + "-*",
        _ => Int(r, 40) + "-" + Int(r, 3),
    };

    private static string StrictId(Random r) => r.Next(15) == 0 ? Pick(r, s_badIds) : Int(r, 40) + "-" + Int(r, 3);

    private static string RangeId(Random r) => r.Next(8) switch
    {
        0 => "-",
        1 => "+",
        2 => "(" + Int(r, 40) + "-" + Int(r, 3),
        3 => Int(r, 40),
        4 => r.Next(6) == 0 ? Pick(r, s_badIds) : "(" + Int(r, 40),
        _ => Int(r, 40) + "-" + Int(r, 3),
    };

    private static string[] Trim(Random r)
    {
        var list = new List<string>();
        if (r.Next(2) == 0)
        {
            list.Add("MAXLEN");
            list.AddRange(r.Next(3) switch { 0 => ["~"], 1 => ["="], _ => [] });
            list.Add(r.Next(10) == 0 ? "-1" : Int(r, 12));
        }
        else
        {
            list.Add("MINID");
            list.AddRange(r.Next(3) switch { 0 => ["~"], 1 => ["="], _ => [] });
            list.Add(StrictId(r));
        }

        if (r.Next(4) == 0)
        {
            list.Add("LIMIT");
            list.Add(Int(r, 6));
        }

        return [.. list];
    }

    private static string[] Generate(Random r)
    {
        var key = Pick(r, s_keys);
        var group = Pick(r, s_groups);
        var consumer = Pick(r, s_consumers);
        switch (r.Next(22))
        {
            case 0:
            case 1:
            case 2:
            case 3:
                {
                    var cmd = new List<string> { "XADD", key };
                    if (r.Next(8) == 0)
                    {
                        cmd.Add("NOMKSTREAM");
                    }

                    if (r.Next(4) == 0)
                    {
                        cmd.AddRange(Trim(r));
                    }

                    cmd.Add(Id(r));
                    var pairs = r.Next(12) == 0 ? 0 : 1 + r.Next(2);
                    for (var i = 0; i < pairs; i++)
                    {
                        cmd.Add(r.Next(2) == 0 ? "f" : "g" + Int(r, 3));
                        cmd.Add(Int(r, 200));
                    }

                    if (r.Next(15) == 0)
                    {
                        cmd.Add("odd");
                    }

                    return [.. cmd];
                }

            case 4:
            case 5:
                {
                    string[] cmd = [r.Next(2) == 0 ? "XRANGE" : "XREVRANGE", key, RangeId(r), RangeId(r)];
                    return r.Next(3) == 0 ? [.. cmd, "COUNT", r.Next(8) == 0 ? "-1" : Int(r, 5)] : cmd;
                }

            case 6:
                return ["XLEN", key];
            case 7:
                return ["XDEL", key, StrictId(r), StrictId(r)];
            case 8:
                return r.Next(8) == 0 ? ["XTRIM", key, "LIMIT", "3"] : ["XTRIM", key, .. Trim(r)];
            case 9:
                {
                    var cmd = new List<string> { "XGROUP", "CREATE", key, group, r.Next(4) == 0 ? "$" : StrictId(r) };
                    if (r.Next(3) == 0)
                    {
                        cmd.Add("MKSTREAM");
                    }

                    if (r.Next(4) == 0)
                    {
                        cmd.Add("ENTRIESREAD");
                        cmd.Add(r.Next(5) == 0 ? "-3" : Int(r, 10));
                    }

                    return [.. cmd];
                }

            case 10:
                return r.Next(3) switch
                {
                    0 => ["XGROUP", "SETID", key, group, r.Next(3) == 0 ? "$" : StrictId(r)],
                    1 => ["XGROUP", "DESTROY", key, group],
                    _ => ["XGROUP", r.Next(2) == 0 ? "CREATECONSUMER" : "DELCONSUMER", key, group, consumer],
                };
            case 11:
            case 12:
            case 13:
                {
                    var cmd = new List<string> { "XREADGROUP", "GROUP", group, consumer };
                    if (r.Next(2) == 0)
                    {
                        cmd.Add("COUNT");
                        cmd.Add(Int(r, 4));
                    }

                    if (r.Next(5) == 0)
                    {
                        cmd.Add("NOACK");
                    }

                    cmd.Add("STREAMS");
                    cmd.Add(key);
                    cmd.Add(r.Next(3) == 0 ? StrictId(r) : ">");
                    return [.. cmd];
                }

            case 14:
                return r.Next(2) == 0
                    ? ["XREAD", "COUNT", Int(r, 4), "STREAMS", key, Pick(s_keys, r), StrictId(r), StrictId(r)]
                    : ["XREAD", "STREAMS", key, r.Next(4) == 0 ? "$" : StrictId(r)];
            case 15:
                return ["XACK", key, group, StrictId(r), StrictId(r)];
            case 16:
                return r.Next(3) switch
                {
                    0 => ["XPENDING", key, group],
                    1 => ["XPENDING", key, group, "IDLE", "0", RangeId(r), RangeId(r), Int(r, 5)],
                    _ => ["XPENDING", key, group, RangeId(r), RangeId(r), Int(r, 5), consumer],
                };
            case 17:
                {
                    var cmd = new List<string> { "XCLAIM", key, group, consumer, "0", StrictId(r), StrictId(r) };
                    switch (r.Next(5))
                    {
                        case 0:
                            cmd.Add("JUSTID");
                            break;
                        case 1:
                            cmd.Add("FORCE");
                            break;
                        case 2:
                            cmd.AddRange(["RETRYCOUNT", Int(r, 5)]);
                            break;
                        case 3:
                            cmd.AddRange(["LASTID", StrictId(r)]);
                            break;
                    }

                    return [.. cmd];
                }

            case 18:
                {
                    string[] cmd = ["XAUTOCLAIM", key, group, consumer, "0", RangeId(r)];
                    return r.Next(2) == 0 ? [.. cmd, "COUNT", Int(r, 4)] : r.Next(2) == 0 ? [.. cmd, "JUSTID"] : cmd;
                }

            case 19:
                return r.Next(3) switch
                {
                    0 => ["XINFO", "GROUPS", key],
                    1 => ["XINFO", "STREAM", key],
                    _ => ["TYPE", key],
                };
            case 20:
                {
                    var cmd = new List<string> { "XSETID", key, StrictId(r) };
                    if (r.Next(3) == 0)
                    {
                        cmd.AddRange(["ENTRIESADDED", Int(r, 30)]);
                    }

                    if (r.Next(3) == 0)
                    {
                        cmd.AddRange(["MAXDELETEDID", StrictId(r)]);
                    }

                    return [.. cmd];
                }

            default:
                return r.Next(6) == 0 ? ["DEL", key] : ["XLEN", key];
        }
    }

    private static string Pick(string[] from, Random r) => from[r.Next(from.Length)];
}
