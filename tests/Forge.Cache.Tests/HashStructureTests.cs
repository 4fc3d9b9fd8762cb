using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

public class HashStructureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private static List<string> Fields(RedisHash h)
    {
        var result = new List<string>();
        for (var slot = h.NextLive(0); slot >= 0; slot = h.NextLive(slot + 1))
        {
            result.Add(S(h.FieldAt(slot)));
        }

        return result;
    }

    [Fact]
    public void SmallHashIsListpackInInsertionOrder()
    {
        var h = new RedisHash();
        Assert.True(h.Set(B("b"), B("1"), 128, 64));
        Assert.True(h.Set(B("a"), B("2"), 128, 64));
        Assert.True(h.Set(B("c"), B("3"), 128, 64));
        Assert.False(h.Set(B("a"), B("22"), 128, 64));
        Assert.True(h.Remove(B("b")));
        Assert.True(h.Set(B("b"), B("4"), 128, 64));
        Assert.Equal("listpack", h.Encoding());
        Assert.Equal(["a", "c", "b"], Fields(h));
        Assert.Equal("22", S(h.Get(B("a"))!));
        Assert.Null(h.Get(B("zz")));
    }

    [Fact]
    public void ConvertsToHashtableOnEntriesOrValueLength()
    {
        var h = new RedisHash();
        for (var i = 0; i < 4; i++)
        {
            h.Set(B("f" + i), B("v"), 4, 64);
        }

        Assert.Equal("listpack", h.Encoding());
        h.Set(B("f4"), B("v"), 4, 64);
        Assert.Equal("hashtable", h.Encoding());
        Assert.Equal(5, h.Count);

        var long1 = new RedisHash();
        long1.Set(B("f"), B("123456789"), 128, 8);
        Assert.Equal("hashtable", long1.Encoding());

        var long2 = new RedisHash();
        long2.Set(B("123456789"), B("v"), 128, 8);
        Assert.Equal("hashtable", long2.Encoding());

        var exact = new RedisHash();
        exact.Set(B("12345678"), B("12345678"), 128, 8);
        Assert.Equal("listpack", exact.Encoding());
    }

    [Fact]
    public void RandomSlotIsUniformOnASparseTable()
    {
        var h = new RedisHash();
        for (var i = 0; i < 2000; i++)
        {
            h.Set(B("f" + i), B("v"), 0, 64);
        }

        for (var i = 0; i < 1990; i++)
        {
            h.Remove(B("f" + i));
        }

        var random = new Random(7);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 10000; i++)
        {
            var f = S(h.FieldAt(h.RandomSlot(random)));
            counts[f] = counts.GetValueOrDefault(f) + 1;
        }

        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 800, 1200));
    }

    [Theory]
    [InlineData(128)]
    [InlineData(8)]
    public void RandomOperationsMatchADictionary(int maxEntries)
    {
        var random = new Random(12345);
        var h = new RedisHash();
        var model = new Dictionary<string, string>();
        for (var step = 0; step < 20000; step++)
        {
            var field = "f" + random.Next(40);
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    var value = new string('x', random.Next(12));
                    Assert.Equal(!model.ContainsKey(field), h.Set(B(field), B(value), maxEntries, 10));
                    model[field] = value;
                    break;
                case 2:
                    Assert.Equal(model.Remove(field), h.Remove(B(field)));
                    break;
                default:
                    var got = h.Get(B(field));
                    Assert.Equal(model.GetValueOrDefault(field), got is null ? null : S(got));
                    break;
            }

            Assert.Equal(model.Count, h.Count);
            if (h.Count == 0)
            {
                h = new RedisHash();
            }
        }

        Assert.Equal(model.Keys.Order(), Fields(h).Order());
    }
}
