using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

/// <summary>RDB payloads of hashes and sets; the hex inputs are DUMP outputs of redis-server 7.0.15 (trailer removed).</summary>
public class HashSetRdbTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private static Dictionary<string, string> Pairs(RedisHash h)
    {
        var d = new Dictionary<string, string>();
        for (var slot = h.NextLive(0); slot >= 0; slot = h.NextLive(slot + 1))
        {
            d[S(h.FieldAt(slot))] = S(h.ValueAt(slot));
        }

        return d;
    }

    private static List<string> Members(RedisSet s)
    {
        var result = new List<string>();
        for (var slot = s.NextLive(0); slot >= 0; slot = s.NextLive(slot + 1))
        {
            result.Add(S(s.MemberBytesAt(slot)));
        }

        return result;
    }

    [Fact]
    public void ReadsRedisListpackHash()
    {
        var data = Hex("1036360000000c00816102010182626203c12c02816302dffb02816402f270110104816502f400f2052a01000000098166028378797a04ff");
        var pos = 0;
        var h = RedisHash.ReadRdb(data, ref pos, 128, 64)!;
        Assert.Equal(data.Length, pos);
        Assert.Equal("listpack", h.Encoding());
        Assert.Equal(["a", "bb", "c", "d", "e", "f"], Pairs(h).Keys);
        Assert.Equal(["1", "300", "-5", "70000", "5000000000", "xyz"], Pairs(h).Values);

        // Loaded under smaller limits it converts, as Redis does at RESTORE.
        pos = 0;
        Assert.Equal("hashtable", RedisHash.ReadRdb(data, ref pos, 2, 64)!.Encoding());
    }

    [Fact]
    public void ReadsLzfCompressedValues()
    {
        var data = Hex("0401026631c3094064017878e05700017878");
        var pos = 0;
        var h = RedisHash.ReadRdb(data, ref pos, 128, 64)!;
        Assert.Equal(new string('x', 100), S(h.Get("f1"u8)!));
        Assert.Equal("hashtable", h.Encoding());
    }

    [Fact]
    public void ReadsZiplistHash()
    {
        // zlbytes 24, zltail, zllen 4: "a" 1 (immediate) "bb" 300 (int16)
        var data = new List<byte> { RedisHash.RdbTypeHashZiplist, 24 };
        data.AddRange(Hex("18000000130000000400" + "000161" + "03F2" + "02026262" + "04C02C01" + "FF"));
        var pos = 0;
        var h = RedisHash.ReadRdb(data.ToArray(), ref pos, 128, 64)!;
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["bb"] = "300" }, Pairs(h));
    }

    [Fact]
    public void ReadsRedisIntsetAndPlainSets()
    {
        var data = Hex("0b1c0400000005000000fbffffff01000000020000002c0100007011010000");
        var pos = 0;
        var s = RedisSet.ReadRdb(data, ref pos, 512)!;
        Assert.Equal("intset", s.Encoding());
        Assert.Equal(["-5", "1", "2", "300", "70000"], Members(s));

        data = Hex("0203c00101610162");
        pos = 0;
        s = RedisSet.ReadRdb(data, ref pos, 512)!;
        Assert.Equal("hashtable", s.Encoding());
        Assert.Equal(["1", "a", "b"], Members(s).Order());
    }

    [Fact]
    public void RoundTripsAndRefusesMalformedData()
    {
        var h = new RedisHash();
        h.Set("f"u8, "v"u8.ToArray(), 128, 64);
        h.Set(Encoding.ASCII.GetBytes(new string('k', 20000)), new byte[70000], 128, 64);
        var output = new List<byte>();
        h.WriteRdb(output);
        var pos = 0;
        var back = RedisHash.ReadRdb(output.ToArray(), ref pos, 128, 64)!;
        Assert.Equal(output.Count, pos);
        Assert.Equal(Pairs(h), Pairs(back));

        var s = new RedisSet();
        s.Add("7"u8, 512);
        s.Add("-2"u8, 512);
        output.Clear();
        s.WriteRdb(output);
        pos = 0;
        var sb = RedisSet.ReadRdb(output.ToArray(), ref pos, 512)!;
        Assert.Equal("intset", sb.Encoding());
        Assert.Equal(["-2", "7"], Members(sb));

        pos = 0;
        Assert.Null(RedisHash.ReadRdb(Hex("0401016101"), ref pos, 128, 64));
        pos = 0;
        Assert.Null(RedisSet.ReadRdb(Hex("0202016101" + "61"), ref pos, 512));
        pos = 0;
        Assert.Null(RedisSet.ReadRdb(Hex("0400"), ref pos, 512));
    }
}
