using Forge.Cache.Config;
using Forge.Cache.Persistence;
using Forge.Cache.Storage;
using Forge.Cache.Tests.Support;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>
/// RDB files: what SAVE writes must load in the real redis-server and back in forge, what
/// redis-server writes (every compact encoding) must load in forge, and a damaged file is refused
/// with Redis's message instead of crashing or loading half of it.
/// </summary>
[Collection("forge cache process")]
public sealed class RdbFileTests
{
    private static readonly CommandLimits s_limits = CommandLimits.From(new CacheConfig());

    private static Keyspace SampleKeyspace(long now)
    {
        var ks = new Keyspace(16);
        var db = ks[0];
        db.Add("str"u8, "hello"u8.ToArray());
        db.Add("num"u8, "12345"u8.ToArray());
        db.Add("ttl"u8, "v"u8.ToArray());
        db.SetExpire("ttl"u8, now + 100_000);
        db.Add("gone"u8, "v"u8.ToArray());
        db.SetExpire("gone"u8, now - 1);
        var list = new RedisList();
        foreach (var s in new[] { "a", "b", "1", "2" })
        {
            list.PushTail(System.Text.Encoding.ASCII.GetBytes(s));
        }

        db.Add("list"u8, list);
        ks[5].Add("in5"u8, "five"u8.ToArray());
        return ks;
    }

    [Fact]
    public void A_saved_keyspace_loads_back_without_expired_keys()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ks = SampleKeyspace(now);
        using var ms = new MemoryStream();
        RdbFile.Write(ks, ms, now);
        var bytes = ms.ToArray();
        Assert.Equal("REDIS0010"u8.ToArray(), bytes[..9]);

        var loaded = new Keyspace(16);
        Assert.Null(RdbFile.Load(loaded, bytes, s_limits, now, out var keys));
        Assert.Equal(5, keys);
        Assert.Equal("hello"u8.ToArray(), (byte[])loaded[0].GetRaw("str"u8)!);
        Assert.Equal(now + 100_000, loaded[0].GetExpire("ttl"u8));
        Assert.Null(loaded[0].GetRaw("gone"u8));
        Assert.Equal(4, ((RedisList)loaded[0].GetRaw("list"u8)!).Count);
        Assert.Equal("five"u8.ToArray(), (byte[])loaded[5].GetRaw("in5"u8)!);
    }

    [Fact]
    public void A_damaged_file_is_refused_with_redis_messages()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var ms = new MemoryStream();
        RdbFile.Write(SampleKeyspace(now), ms, now);
        var bytes = ms.ToArray();

        var flipped = (byte[])bytes.Clone();
        flipped[^1] ^= 0x40;
        Assert.Equal("Wrong RDB checksum. Aborting now.", RdbFile.Load(new Keyspace(16), flipped, s_limits, now, out _));
        Assert.Equal("Short read or OOM loading DB. Unrecoverable error, aborting now.", RdbFile.Load(new Keyspace(16), bytes.AsSpan()[..^9], s_limits, now, out _));
        Assert.Equal("Wrong signature trying to load DB from file", RdbFile.Load(new Keyspace(16), "RUBBISH0010"u8, s_limits, now, out _));
        Assert.Equal("Can't handle RDB format version 0011", RdbFile.Load(new Keyspace(16), "REDIS0011\xff"u8, s_limits, now, out _));
    }

    [Fact]
    public void Random_and_mutated_files_never_throw()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var ms = new MemoryStream();
        RdbFile.Write(SampleKeyspace(now), ms, now);
        var good = ms.ToArray();
        var random = new Random(4242);
        var deadline = DateTime.UtcNow.AddSeconds(2);
        var runs = 0;
        while (DateTime.UtcNow < deadline)
        {
            var data = (byte[])good.Clone();
            // Zero the checksum so mutations reach the decoders instead of stopping at the CRC.
            data.AsSpan(data.Length - 8).Clear();
            var edits = random.Next(1, 6);
            for (var i = 0; i < edits; i++)
            {
                data[random.Next(9, data.Length - 8)] = (byte)random.Next(256);
            }

            var cut = random.Next(4) == 0 ? data.AsSpan(0, random.Next(data.Length)) : data;
            _ = RdbFile.Load(new Keyspace(16), cut, s_limits, now, out _);
            runs++;
        }

        Assert.True(runs > 100);
    }

    [Fact]
    public void Save_writes_a_file_that_redis_server_loads()
    {
        using var forge = ForgeCacheProcess.Start("--save", "");
        using (var c = new RespClient(forge.Port))
        {
            c.Call("SET", "s", "hello");
            c.Call("SET", "n", "-42");
            c.Call("PEXPIRE", "s", "500000");
            c.Call("RPUSH", "l", "a", "b", "3");
            c.Call("SADD", "iset", "1", "2", "3");
            c.Call("SADD", "sset", "x", "y");
            c.Call("HSET", "h", "f", "v", "g", "w");
            c.Call("ZADD", "z", "1", "a", "2.5", "b");
            c.Call("SELECT", "7");
            c.Call("SET", "seven", "7");
            Assert.Equal("OK", c.Call("SAVE"));
            Assert.Equal(0L, Info(c, "rdb_changes_since_last_save"));
        }

        using var redis = RedisServerProcess.Start(forge.Dir);
        using var r = new RespClient(redis.Port);
        Assert.Equal(7L, r.Call("DBSIZE"));
        Assert.Equal("hello", r.Call("GET", "s"));
        Assert.InRange((long)r.Call("PTTL", "s")!, 1, 500000);
        Assert.Equal(new object[] { "a", "b", "3" }, r.Call("LRANGE", "l", "0", "-1"));
        Assert.Equal(new object[] { "1", "2", "3" }, r.Call("SORT", "iset"));
        Assert.Equal("w", r.Call("HGET", "h", "g"));
        Assert.Equal("2.5", r.Call("ZSCORE", "z", "b"));
        r.Call("SELECT", "7");
        Assert.Equal("7", r.Call("GET", "seven"));
    }

    [Fact]
    public void Forge_loads_what_redis_server_saves_in_every_compact_encoding()
    {
        var dir = Directory.CreateTempSubdirectory("forge-rdb-").FullName;
        try
        {
            using (var redis = RedisServerProcess.Start(dir))
            using (var r = new RespClient(redis.Port))
            {
                r.Call("SET", "int", "12345");
                r.Call("SET", "big", new string('x', 500)); // LZF-compressed
                r.Call("RPUSH", "qlist", "a", "1", "b");
                r.Call("SADD", "intset", "1", "2", "3");
                r.Call("SADD", "lpset", "a", "b");
                r.Call("HSET", "lphash", "f", "1");
                r.Call("ZADD", "lpz", "1.5", "m");
                var many = new List<object> { "HSET", "bighash" };
                for (var i = 0; i < 300; i++)
                {
                    many.Add("f" + i);
                    many.Add("v" + i);
                }

                r.Call([.. many]);
                r.Call("PEXPIRE", "int", "900000");
                Assert.Equal("OK", r.Call("SAVE"));
            }

            using var forge = ForgeCacheProcess.Start("--dir", dir, "--save", "");
            using var c = new RespClient(forge.Port);
            Assert.Equal(8L, c.Call("DBSIZE"));
            Assert.Equal("12345", c.Call("GET", "int"));
            Assert.InRange((long)c.Call("PTTL", "int")!, 1, 900000);
            Assert.Equal(new string('x', 500), c.Call("GET", "big"));
            Assert.Equal(new object[] { "a", "1", "b" }, c.Call("LRANGE", "qlist", "0", "-1"));
            Assert.Equal(3L, c.Call("SCARD", "intset"));
            Assert.Equal(1L, c.Call("SISMEMBER", "lpset", "b"));
            Assert.Equal("1", c.Call("HGET", "lphash", "f"));
            Assert.Equal("1.5", c.Call("ZSCORE", "lpz", "m"));
            Assert.Equal(300L, c.Call("HLEN", "bighash"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Shutdown_saves_when_save_points_are_set_and_a_restart_loads_the_data()
    {
        var dir = Directory.CreateTempSubdirectory("forge-rdb-").FullName;
        try
        {
            using (var forge = ForgeCacheProcess.Start("--dir", dir))
            using (var c = new RespClient(forge.Port))
            {
                c.Call("SET", "kept", "yes");
                c.Send("SHUTDOWN");
                Assert.True(c.IsClosedByServer());
                Assert.Equal(0, await forge.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.True(File.Exists(Path.Combine(dir, "dump.rdb")));
            using (var forge = ForgeCacheProcess.Start("--dir", dir))
            using (var c = new RespClient(forge.Port))
            {
                Assert.Equal("yes", c.Call("GET", "kept"));
                c.Call("SET", "not-kept", "1");
                c.Send("SHUTDOWN", "NOSAVE");
                Assert.True(c.IsClosedByServer());
                Assert.Equal(0, await forge.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            using (var forge = ForgeCacheProcess.Start("--dir", dir))
            using (var c = new RespClient(forge.Port))
            {
                Assert.Equal(1L, c.Call("DBSIZE"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_dump_stops_the_server_at_start_with_a_message()
    {
        var dir = Directory.CreateTempSubdirectory("forge-rdb-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "dump.rdb"), "REDIS0010\xfe"u8.ToArray());
            var (exit, stdout, stderr) = await ForgeProcess.RunAsync("cache", "--port", FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir);
            Assert.NotEqual(0, exit);
            Assert.Contains("Short read or OOM loading DB", stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Save_inside_multi_is_refused()
    {
        using var forge = ForgeCacheProcess.Start("--save", "");
        using var c = new RespClient(forge.Port);
        c.Call("MULTI");
        Assert.Equal("-ERR Command not allowed inside a transaction\r\n", c.CallRaw("SAVE"));
        Assert.StartsWith("-EXECABORT", c.CallRaw("EXEC"), StringComparison.Ordinal);
    }

    private static long Info(RespClient c, string field)
    {
        var text = (string)c.Call("INFO", "persistence")!;
        var line = text.Split("\r\n").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.AsSpan(field.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
    }
}
