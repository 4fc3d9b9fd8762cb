using System.Diagnostics;
using System.Text;
using Forge.Cache.Storage;
using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>The stream value (nodes, tombstones, trimming) against a SortedDictionary model.</summary>
public sealed class StreamStructureTests
{
    private static byte[][] Fields(int v) => [Encoding.ASCII.GetBytes("f"), Encoding.ASCII.GetBytes(v.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void RandomOperationsMatchASortedDictionary()
    {
        var random = new Random(7);
        var stream = new RedisStream();
        var model = new SortedDictionary<StreamId, int>();
        ulong ms = 1;
        for (var step = 0; step < 20_000; step++)
        {
            var op = random.Next(10);
            if (op < 5)
            {
                ms += (ulong)random.Next(3);
                var id = new StreamId(ms, stream.LastId.Ms == ms ? stream.LastId.Seq + 1 : 0);
                var v = random.Next(1000);
                stream.Append(id, Fields(v), 4096, 1 + random.Next(8));
                model[id] = v;
            }
            else if (op < 7 && model.Count > 0)
            {
                var target = new StreamId((ulong)random.Next((int)ms + 1), (ulong)random.Next(3));
                Assert.Equal(model.Remove(target), stream.Delete(target));
            }
            else if (op == 7)
            {
                var a = new StreamId((ulong)random.Next((int)ms + 1), 0);
                var b = new StreamId((ulong)random.Next((int)ms + 1), ulong.MaxValue);
                var reverse = random.Next(2) == 0;
                var expected = model.Where(p => p.Key >= a && p.Key <= b).Select(p => p.Key).ToList();
                if (reverse)
                {
                    expected.Reverse();
                }

                Assert.Equal(expected, stream.Range(a, b, reverse).Select(e => e.Id).ToList());
            }
            else if (op == 8 && random.Next(20) == 0)
            {
                var maxLen = random.Next(model.Count + 1);
                stream.Trim(byId: false, maxLen, default, approx: false, limit: 0);
                while (model.Count > maxLen)
                {
                    model.Remove(model.First().Key);
                }
            }
            else if (op == 9 && random.Next(20) == 0)
            {
                var min = new StreamId((ulong)random.Next((int)ms + 1), 0);
                var removed = stream.Trim(byId: true, 0, min, approx: true, limit: 0);
                var before = model.Count;
                foreach (var k in model.Keys.Where(k => k < min).ToList())
                {
                    model.Remove(k);
                }

                // "~" removes whole nodes only: never more than exact trimming would.
                Assert.True(removed <= before - model.Count);
                model.Clear();
                foreach (var e in stream.Range(StreamId.Zero, StreamId.Max))
                {
                    model[e.Id] = int.Parse(Encoding.ASCII.GetString(e.Fields[1]), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            Assert.Equal(model.Count, stream.Length);
            var first = model.Count > 0 ? model.First().Key : StreamId.Zero;
            var last = model.Count > 0 ? model.Last().Key : StreamId.Zero;
            Assert.Equal(last, stream.LastValidId());
            if (op >= 8)
            {
                Assert.Equal(first, stream.FirstId);
            }
        }

        foreach (var (id, v) in model)
        {
            Assert.Equal(Fields(v)[1], stream.Find(id)!.Fields[1]);
        }
    }

    [Fact]
    public void NodesSplitLikeRedisListpacks()
    {
        var stream = new RedisStream();
        for (ulong i = 1; i <= 25; i++)
        {
            stream.Append(new StreamId(i, 0), Fields(1), 4096, 10);
        }

        Assert.Equal(3, stream.NodeCount);

        // "~" only drops whole nodes: MAXLEN ~ 12 keeps 15 (nodes of 10, 10, 5).
        Assert.Equal(10, stream.Trim(byId: false, 12, default, approx: true, limit: 0));
        Assert.Equal(15, stream.Length);
        Assert.Equal(new StreamId(11, 0), stream.FirstId);

        // Exact trimming turns the head of the next node into tombstones.
        Assert.Equal(3, stream.Trim(byId: false, 12, default, approx: false, limit: 0));
        Assert.Equal(new StreamId(14, 0), stream.FirstId);
        Assert.Equal(2, stream.NodeCount);
    }

    [Fact]
    public void CloneCopiesGroupsAndPendingEntries()
    {
        var stream = new RedisStream();
        stream.Append(new StreamId(1, 0), Fields(1), 4096, 100);
        var group = stream.CreateGroup("g"u8.ToArray(), StreamId.Zero, 0)!;
        var consumer = new StreamConsumer("c"u8.ToArray(), 5);
        group.Consumers[consumer.Name] = consumer;
        var nack = new PendingEntry(new StreamId(1, 0), consumer, 5);
        group.Pending.TryAdd(nack);
        consumer.Pending.TryAdd(nack);

        var copy = stream.Clone();
        var g2 = copy.FindGroup("g"u8.ToArray())!;
        Assert.Equal(1, g2.Pending.Count);
        Assert.NotSame(nack, g2.Pending.First);
        Assert.Same(g2.Consumers[consumer.Name], g2.Pending.First!.Consumer);
        stream.Delete(new StreamId(1, 0));
        Assert.Equal(1, copy.Length);
    }
}

/// <summary>Stream commands over a connection to an in-process server.</summary>
public sealed class StreamCommandTests
{
    [Fact]
    public async Task AddRangeAndErrors()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        Assert.Equal("$3\r\n1-1\r\n", r.CallRaw("XADD", "s", "1-1", "a", "1"));
        Assert.Equal("$3\r\n1-2\r\n", r.CallRaw("XADD", "s", "1-*", "b", "2"));
        Assert.Equal("$3\r\n5-0\r\n", r.CallRaw("XADD", "s", "5", "c", "3"));
        Assert.Equal("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", r.CallRaw("XADD", "s", "5-0", "d", "4"));
        Assert.Equal("-ERR The ID specified in XADD must be greater than 0-0\r\n", r.CallRaw("XADD", "t", "0-0", "d", "4"));
        Assert.Equal("-ERR Invalid stream ID specified as stream command argument\r\n", r.CallRaw("XADD", "s", "1-x", "d", "4"));
        Assert.Equal("-ERR wrong number of arguments for 'xadd' command\r\n", r.CallRaw("XADD", "s", "*", "a", "1", "b"));
        Assert.Equal("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", r.CallRaw("XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "a", "1"));
        Assert.Equal("$-1\r\n", r.CallRaw("XADD", "nope", "NOMKSTREAM", "*", "a", "1"));
        Assert.Equal(":3\r\n", r.CallRaw("XLEN", "s"));
        Assert.Equal("*1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", r.CallRaw("XRANGE", "s", "(1-1", "(5-0"));
        Assert.Equal("*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", r.CallRaw("XREVRANGE", "s", "+", "-", "COUNT", "1"));
        Assert.Equal("*-1\r\n", r.CallRaw("XRANGE", "s", "-", "+", "COUNT", "0"));
        Assert.Equal("-ERR invalid start ID for the interval\r\n", r.CallRaw("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"));
        Assert.Equal(":1\r\n", r.CallRaw("XDEL", "s", "1-2", "9-9"));
        Assert.Equal("+stream\r\n", r.CallRaw("TYPE", "s"));
        Assert.Equal("$6\r\nstream\r\n", r.CallRaw("OBJECT", "ENCODING", "s"));
        r.CallRaw("SET", "str", "x");
        Assert.StartsWith("-WRONGTYPE", r.CallRaw("XADD", "str", "*", "a", "1"), StringComparison.Ordinal);
        r.CallRaw("XGROUP", "CREATE", "s", "g", "0");
        r.CallRaw("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
        var dump = (string)r.Call("DUMP", "s")!;
        Assert.Equal("+OK\r\n", r.CallRaw("RESTORE", "copy", "0", Encoding.Latin1.GetBytes(dump)));
        Assert.Equal(r.CallRaw("XINFO", "STREAM", "s", "FULL"), r.CallRaw("XINFO", "STREAM", "copy", "FULL"));
    }

    [Fact]
    public async Task GroupsDeliverAckAndClaim()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        r.CallRaw("XADD", "s", "1-0", "a", "1");
        r.CallRaw("XADD", "s", "2-0", "b", "2");
        Assert.Equal("+OK\r\n", r.CallRaw("XGROUP", "CREATE", "s", "g", "0"));
        Assert.Equal("-BUSYGROUP Consumer Group name already exists\r\n", r.CallRaw("XGROUP", "CREATE", "s", "g", "0"));
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", r.CallRaw("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"));
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", r.CallRaw("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"));
        Assert.Equal("*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n", r.CallRaw("XPENDING", "s", "g"));
        Assert.Equal("*1\r\n$3\r\n2-0\r\n", r.CallRaw("XCLAIM", "s", "g", "alice", "0", "2-0", "JUSTID"));
        Assert.Equal(":2\r\n", r.CallRaw("XACK", "s", "g", "1-0", "2-0", "3-0"));
        Assert.Equal("*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n", r.CallRaw("XAUTOCLAIM", "s", "g", "bob", "0", "0"));
        Assert.Equal("-NOGROUP No such key 's' or consumer group 'x' in XREADGROUP with GROUP option\r\n", r.CallRaw("XREADGROUP", "GROUP", "x", "c", "STREAMS", "s", ">"));
        Assert.Equal("-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n", r.CallRaw("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"));
        Assert.Equal(":0\r\n", r.CallRaw("XGROUP", "DELCONSUMER", "s", "g", "bob"));
        Assert.Equal(":1\r\n", r.CallRaw("XGROUP", "DESTROY", "s", "g"));
    }

    /// <summary>
    /// A DUMP of redis-server 7.0.15 (LZF-compressed listpacks, tombstones, two groups, pending
    /// entries) after: XADD s 1-0 a 1; 2-0 a 2 b x*100; 3-0 a -5; 4-0 c 123456789012; 5-0 a hello;
    /// 6-0 a 1; 7-0 a 1 (stream-node-max-entries 3); XDEL 2-0 6-0; XGROUP CREATE g1 0, g2 $;
    /// XREADGROUP g1 alice COUNT 3, bob COUNT 1; XGROUP CREATECONSUMER g2 zed; XTRIM MAXLEN 4.
    /// </summary>
    private const string RedisDumpHex = "13031000000000000000010000000000000000c3404040a013a000000018000101020101018161020001030100200102010104200300012009000240162004046202e06478e05a0001660820720002207805dffb020401ff1000000000000000040000000000000000c3404040470747000000180002014000078163020001020100200105f4141a99be1c201b010904200d000160030a8161028568656c6c6f06062011402760130401010601ff10000000000000000700000000000000001c1c0000000a00010100010101816102000102010001000101010401ff040700030006000702026731050081ffffffffffffffff0400000000000000010000000000000000c97e8c15a20100000100000000000000030000000000000000c97e8c15a20100000100000000000000040000000000000000c97e8c15a20100000100000000000000050000000000000000d77e8c15a2010000010205616c696365c97e8c15a20100000300000000000000010000000000000000000000000000000300000000000000000000000000000004000000000000000003626f62d77e8c15a20100000100000000000000050000000000000000026732070081ffffffffffffffff0001037a6564d97e8c15a2010000000a0053052416a4c78eac";

    [Fact]
    public async Task RestoresARedisDumpAndSurvivesCorruptPayloads()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        var payload = Convert.FromHexString(RedisDumpHex);
        Assert.Equal("+OK\r\n", r.CallRaw("RESTORE", "s", "0", payload));
        Assert.Equal(":4\r\n", r.CallRaw("XLEN", "s"));
        Assert.Equal("*4\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n$3\r\n5-0\r\n$3\r\n7-0\r\n", Ids(r));
        Assert.Equal("*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n5-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n3\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n", r.CallRaw("XPENDING", "s", "g1"));
        Assert.Contains("$5\r\nhello\r\n", r.CallRaw("XRANGE", "s", "5", "5"), StringComparison.Ordinal);

        // Flipped bytes with the CRC disabled (0): every reply is +OK or an error, never a crash.
        var random = new Random(3);
        for (var i = 0; i < 3000; i++)
        {
            var bad = (byte[])payload.Clone();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                bad[random.Next(bad.Length - 10)] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                bad = [.. bad.AsSpan(0, random.Next(1, bad.Length - 10)), .. bad.AsSpan(bad.Length - 10)];
            }

            bad.AsSpan(bad.Length - 8).Clear();
            var reply = r.CallRaw("RESTORE", "fuzz", "0", bad, "REPLACE");
            Assert.True(reply is "+OK\r\n" or "-ERR Bad data format\r\n", reply);
            if (reply.StartsWith('+'))
            {
                // Whatever was accepted must be usable.
                Assert.DoesNotContain("internal error", r.CallRaw("XINFO", "STREAM", "fuzz", "FULL"), StringComparison.Ordinal);
                Assert.DoesNotContain("internal error", r.CallRaw("XADD", "fuzz", "*", "a", "1"), StringComparison.Ordinal);
                Assert.DoesNotContain("internal error", r.CallRaw("XREADGROUP", "GROUP", "g1", "x", "STREAMS", "fuzz", "0"), StringComparison.Ordinal);
            }
        }

        Assert.Equal("+PONG\r\n", r.CallRaw("PING"));
    }

    private static string Ids(RespClient r)
    {
        var items = (object?[])r.Call("XRANGE", "s", "-", "+")!;
        var sb = new StringBuilder($"*{items.Length}\r\n");
        foreach (var e in items)
        {
            var id = (string)((object?[])e!)[0]!;
            sb.Append($"${id.Length}\r\n{id}\r\n");
        }

        return sb.ToString();
    }

    private static void WaitForBlocked(InProcessServer server, int count)
    {
        Assert.True(
            SpinWait.SpinUntil(() => server.Server.Blocking.BlockedClients == count, TimeSpan.FromSeconds(10)),
            $"{count} blocked client(s) not seen within 10 s");
    }

    [Fact]
    public async Task BlockedXReadRemembersDollarAndWakesOnAdd()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        using var blocked = server.Connect();
        r.CallRaw("XADD", "s", "1-0", "a", "1");
        blocked.Send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        WaitForBlocked(server, 1);

        // A delete does not serve an XREAD; the entry added afterwards does, although it is below the old top.
        r.CallRaw("DEL", "s");
        r.CallRaw("XADD", "s", "2-0", "b", "2");
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", blocked.ReadRaw());
        WaitForBlocked(server, 0);
    }

    [Fact]
    public async Task BlockedXReadGroupIsServedOrFailed()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        using var blocked = server.Connect();
        r.CallRaw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        blocked.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        WaitForBlocked(server, 1);
        r.CallRaw("XADD", "s", "7-0", "a", "1");
        Assert.Equal("*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n7-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", blocked.ReadRaw());

        blocked.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        WaitForBlocked(server, 1);
        r.CallRaw("XGROUP", "DESTROY", "s", "g");
        Assert.Equal("-NOGROUP the consumer group this client was blocked on no longer exists\r\n", blocked.ReadRaw());

        r.CallRaw("XGROUP", "CREATE", "s", "g", "$");
        blocked.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        WaitForBlocked(server, 1);
        r.CallRaw("DEL", "s");
        Assert.Equal("-UNBLOCKED the stream key no longer exists\r\n", blocked.ReadRaw());

        // Timeout: a null array.
        r.CallRaw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        Assert.Equal("*-1\r\n", blocked.CallRaw("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "20", "STREAMS", "s", ">"));
    }

    [Fact]
    public async Task AWaiterThatStaysBlockedDoesNotHoldUpLaterStreamWaiters()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        using var alice = server.Connect();
        using var bob = server.Connect();
        using var reader = server.Connect();
        r.CallRaw("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
        alice.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
        WaitForBlocked(server, 1);
        bob.Send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">");
        WaitForBlocked(server, 2);
        reader.Send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        WaitForBlocked(server, 3);

        // One entry: alice gets it, bob (same group) keeps waiting, the plain reader is served too.
        r.CallRaw("XADD", "s", "1-0", "f", "v");
        const string Reply = "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
        Assert.Equal(Reply, alice.ReadRaw());
        Assert.Equal(Reply, reader.ReadRaw());
        WaitForBlocked(server, 1);
        r.CallRaw("XADD", "s", "2-0", "f", "v");
        Assert.Contains("2-0", bob.ReadRaw(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task XInfoShowsGroupCounters()
    {
        await using var server = InProcessServer.Start();
        using var r = server.Connect();
        r.CallRaw("XADD", "s", "1-0", "a", "1");
        r.CallRaw("XADD", "s", "2-0", "a", "2");
        r.CallRaw("XGROUP", "CREATE", "s", "g", "0");
        r.CallRaw("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
        var groups = (object?[])r.Call("XINFO", "GROUPS", "s")!;
        Assert.Equal(new object?[] { "name", "g", "consumers", 1L, "pending", 1L, "last-delivered-id", "1-0", "entries-read", 1L, "lag", 1L }, (object?[])groups[0]!);
        var info = (object?[])r.Call("XINFO", "STREAM", "s")!;
        Assert.Equal("entries-added", info[10]);
        Assert.Equal(2L, info[11]);
        Assert.Equal("-ERR no such key\r\n", r.CallRaw("XINFO", "STREAM", "nope"));
    }
}
