using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

public class SetStructureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<string> Members(RedisSet s)
    {
        var result = new List<string>();
        Span<byte> scratch = stackalloc byte[24];
        for (var slot = s.NextLive(0); slot >= 0; slot = s.NextLive(slot + 1))
        {
            result.Add(Encoding.UTF8.GetString(s.MemberAt(slot, scratch)));
        }

        return result;
    }

    [Fact]
    public void IntsetStaysSortedAndConvertsOnNonInteger()
    {
        var s = new RedisSet();
        foreach (var m in new[] { "3", "-7", "12", "0", "3" })
        {
            s.Add(B(m), 512);
        }

        Assert.Equal("intset", s.Encoding());
        Assert.Equal(["-7", "0", "3", "12"], Members(s));
        Assert.True(s.Contains(B("12")));
        Assert.False(s.Contains(B("012")));
        Assert.False(s.Contains(B("x")));

        // Non-canonical integers are strings: they convert the set.
        Assert.True(s.Add(B("01"), 512));
        Assert.Equal("hashtable", s.Encoding());
        Assert.True(s.Contains(B("12")));
        Assert.True(s.Contains(B("01")));
        Assert.Equal(5, s.Count);
    }

    [Fact]
    public void IntsetConvertsPastMaxEntries()
    {
        var s = new RedisSet();
        for (var i = 0; i < 4; i++)
        {
            s.Add(B(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 4);
        }

        Assert.Equal("intset", s.Encoding());
        s.Add(B("4"), 4);
        Assert.Equal("hashtable", s.Encoding());
        Assert.Equal(["0", "1", "2", "3", "4"], Members(s).Order());
    }

    [Fact]
    public void RemoveSlotRemovesThatMember()
    {
        var s = new RedisSet();
        s.Add(B("5"), 512);
        s.Add(B("9"), 512);
        s.RemoveSlot(0);
        Assert.Equal(["9"], Members(s));
    }

    [Theory]
    [InlineData(512)]
    [InlineData(16)]
    public void RandomOperationsMatchAHashSet(int maxIntset)
    {
        var random = new Random(4242);
        var s = new RedisSet();
        var model = new HashSet<string>();
        for (var step = 0; step < 20000; step++)
        {
            var member = random.Next(10) == 0 ? "m" + random.Next(10) : random.Next(-30, 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (random.Next(5))
            {
                case 0:
                case 1:
                    Assert.Equal(model.Add(member), s.Add(B(member), maxIntset));
                    break;
                case 2:
                    Assert.Equal(model.Remove(member), s.Remove(B(member)));
                    break;
                case 3:
                    if (s.Count > 0)
                    {
                        var slot = s.RandomSlot(random);
                        var m = Encoding.UTF8.GetString(s.MemberBytesAt(slot));
                        Assert.True(model.Remove(m));
                        s.RemoveSlot(slot);
                    }

                    break;
                default:
                    Assert.Equal(model.Contains(member), s.Contains(B(member)));
                    break;
            }

            Assert.Equal(model.Count, s.Count);
            if (s.Count == 0)
            {
                s = new RedisSet();
            }
        }

        Assert.Equal(model.Order(), Members(s).Order());
    }
}
