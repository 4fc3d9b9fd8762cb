using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

/// <summary>RDB payloads of lists; the hex inputs are DUMP outputs of redis-server 7.0.15 (trailer removed).</summary>
public sealed class ListRdbTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static string[] Strings(RedisList list) => [.. list.ToArray().Select(Encoding.UTF8.GetString)];

    [Fact]
    public void ReadsRedis70QuicklistWithIntegerEntries()
    {
        // RPUSH dl a 1 -300 70000 5000000000 xyz
        var data = Hex("120102232300000006008161020101ded402f270110104f400f2052a01000000098378797a04ff");
        var pos = 0;
        var list = RedisList.ReadRdb(data, ref pos)!;
        Assert.Equal(data.Length, pos);
        Assert.Equal(["a", "1", "-300", "70000", "5000000000", "xyz"], Strings(list));
    }

    [Fact]
    public void ReadsSeveralQuicklistNodes()
    {
        // list-max-listpack-size 2, RPUSH dl2 a b c d e: three listpack nodes
        var data = Hex("1203020d0d0000000200816102816202ff020d0d0000000200816302816402ff020a0a0000000100816502ff");
        var pos = 0;
        Assert.Equal(["a", "b", "c", "d", "e"], Strings(RedisList.ReadRdb(data, ref pos)!));
        Assert.Equal(data.Length, pos);
    }

    [Fact]
    public void WritesThePlainFormAndReadsItBack()
    {
        var list = new RedisList();
        list.PushTail(Encoding.UTF8.GetBytes("x"));
        list.PushTail(new byte[300]);
        list.PushHead(Encoding.UTF8.GetBytes("-12"));
        var output = new List<byte>();
        list.WriteRdb(output);
        Assert.Equal(RedisList.RdbTypeList, output[0]);
        var data = output.ToArray();
        var pos = 0;
        var back = RedisList.ReadRdb(data, ref pos)!;
        Assert.Equal(data.Length, pos);
        Assert.Equal(Strings(list), Strings(back));
    }

    [Fact]
    public void RejectsEmptyTruncatedAndForeignPayloads()
    {
        var pos = 0;
        Assert.Null(RedisList.ReadRdb(Hex("0100"), ref pos));
        pos = 0;
        Assert.Null(RedisList.ReadRdb(Hex("120102232300000006008161"), ref pos));
        pos = 0;
        Assert.Null(RedisList.ReadRdb(Hex("1201030161"), ref pos));
        pos = 0;
        Assert.Null(RedisList.ReadRdb(Hex("000161"), ref pos));
    }
}
