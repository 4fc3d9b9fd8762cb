using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

/// <summary>The list value's ring buffer, checked directly and against a List&lt;T&gt; model.</summary>
public sealed class ListStructureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string[] Strings(RedisList list) => [.. list.ToArray().Select(Encoding.UTF8.GetString)];

    [Fact]
    public void PushAndPopAtBothEnds()
    {
        var list = new RedisList();
        list.PushTail(B("b"));
        list.PushHead(B("a"));
        list.PushTail(B("c"));
        Assert.Equal(["a", "b", "c"], Strings(list));
        Assert.Equal("a", Encoding.UTF8.GetString(list.PopHead()!));
        Assert.Equal("c", Encoding.UTF8.GetString(list.PopTail()!));
        Assert.Equal("b", Encoding.UTF8.GetString(list[0]));
        Assert.NotNull(list.PopTail());
        Assert.Null(list.PopHead());
        Assert.Null(list.PopTail());
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void GrowsAcrossTheWrapPointAndShrinksWhenDrained()
    {
        var list = new RedisList();
        for (var i = 0; i < 1000; i++)
        {
            if (i % 2 == 0)
            {
                list.PushHead(B(i.ToString()));
            }
            else
            {
                list.PushTail(B(i.ToString()));
            }
        }

        Assert.Equal(1000, list.Count);
        Assert.Equal("998", Encoding.UTF8.GetString(list[0]));
        Assert.Equal("999", Encoding.UTF8.GetString(list[999]));
        var grown = list.Capacity;
        while (list.Count > 10)
        {
            list.PopHead();
        }

        Assert.True(list.Capacity < grown);
        Assert.Equal(10, list.Count);
    }

    [Fact]
    public void InsertRemoveAtKeepAndRemoveValues()
    {
        var list = new RedisList();
        foreach (var s in new[] { "a", "b", "c", "d", "e" })
        {
            list.PushTail(B(s));
        }

        list.Insert(1, B("x"));
        list.Insert(5, B("y"));
        list.Insert(0, B("h"));
        list.Insert(list.Count, B("t"));
        Assert.Equal(["h", "a", "x", "b", "c", "d", "y", "e", "t"], Strings(list));
        list.RemoveAt(2);
        list.RemoveAt(5);
        Assert.Equal(["h", "a", "b", "c", "d", "e", "t"], Strings(list));
        list.Keep(1, 5);
        Assert.Equal(["a", "b", "c", "d", "e"], Strings(list));
        Assert.Equal(2, list.IndexOf(B("c")));
        Assert.Equal(-1, list.IndexOf(B("zz")));

        var values = new RedisList();
        foreach (var s in new[] { "f", "x", "f", "y", "f", "f" })
        {
            values.PushTail(B(s));
        }

        Assert.Equal(1, values.Remove(B("f"), -1));
        Assert.Equal(["f", "x", "f", "y", "f"], Strings(values));
        Assert.Equal(2, values.Remove(B("f"), 2));
        Assert.Equal(["x", "y", "f"], Strings(values));
        Assert.Equal(1, values.Remove(B("f"), 0));
        Assert.Equal(0, values.Remove(B("f"), long.MinValue));
        Assert.Equal(["x", "y"], Strings(values));
    }

    [Fact]
    public void EncodingIsQuicklistAsInRedis70() => Assert.Equal("quicklist", RedisList.Encoding(128));

    [Theory]
    [InlineData(5, 0, -1, true, 0, 4)]
    [InlineData(5, -100, 100, true, 0, 4)]
    [InlineData(5, 3, 1, false, 0, 0)]
    [InlineData(5, 5, 10, false, 0, 0)]
    [InlineData(5, 0, -6, false, 0, 0)]
    [InlineData(5, -2, -1, true, 3, 4)]
    [InlineData(5, long.MinValue, long.MaxValue, true, 0, 4)]
    public void RangeClampingFollowsRedis(long length, long start, long end, bool any, long expectedStart, long expectedEnd)
    {
        Assert.Equal(any, ListCommands.ClampRange(length, ref start, ref end));
        if (any)
        {
            Assert.Equal(expectedStart, start);
            Assert.Equal(expectedEnd, end);
        }
    }

    /// <summary>A fixed-seed random walk of every mutation, compared with List&lt;string&gt; after each step.</summary>
    [Fact]
    public void RandomOperationsMatchAListModel()
    {
        var random = new Random(20261125);
        var list = new RedisList();
        var model = new List<string>();
        for (var step = 0; step < 20000; step++)
        {
            var value = random.Next(8).ToString();
            switch (random.Next(10))
            {
                case 0:
                case 1:
                    list.PushHead(B(value));
                    model.Insert(0, value);
                    break;
                case 2:
                case 3:
                    list.PushTail(B(value));
                    model.Add(value);
                    break;
                case 4:
                    {
                        var popped = list.PopHead();
                        Assert.Equal(model.Count == 0 ? null : model[0], popped is null ? null : Encoding.UTF8.GetString(popped));
                        if (model.Count > 0)
                        {
                            model.RemoveAt(0);
                        }

                        break;
                    }

                case 5:
                    {
                        var popped = list.PopTail();
                        Assert.Equal(model.Count == 0 ? null : model[^1], popped is null ? null : Encoding.UTF8.GetString(popped));
                        if (model.Count > 0)
                        {
                            model.RemoveAt(model.Count - 1);
                        }

                        break;
                    }

                case 6:
                    {
                        var index = random.Next(model.Count + 1);
                        list.Insert(index, B(value));
                        model.Insert(index, value);
                        break;
                    }

                case 7:
                    if (model.Count > 0)
                    {
                        var index = random.Next(model.Count);
                        if (random.Next(2) == 0)
                        {
                            list.RemoveAt(index);
                            model.RemoveAt(index);
                        }
                        else
                        {
                            list[index] = B(value);
                            model[index] = value;
                        }
                    }

                    break;
                case 8:
                    {
                        var limit = random.Next(-3, 4);
                        var removed = list.Remove(B(value), limit);
                        Assert.Equal(ModelRemove(model, value, limit), removed);
                        break;
                    }

                default:
                    if (model.Count > 0 && random.Next(4) == 0)
                    {
                        var start = random.Next(model.Count);
                        var length = random.Next(model.Count - start + 1);
                        list.Keep(start, length);
                        model.RemoveRange(start + length, model.Count - start - length);
                        model.RemoveRange(0, start);
                    }

                    break;
            }

            Assert.Equal(model.Count, list.Count);
            if (step % 97 == 0)
            {
                Assert.Equal(model, Strings(list));
            }
        }

        Assert.Equal(model, Strings(list));
    }

    private static long ModelRemove(List<string> model, string value, int limit)
    {
        var max = limit == 0 ? int.MaxValue : Math.Abs(limit);
        var removed = 0;
        if (limit >= 0)
        {
            for (var i = 0; i < model.Count && removed < max;)
            {
                if (model[i] == value)
                {
                    model.RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
        }
        else
        {
            for (var i = model.Count - 1; i >= 0 && removed < max; i--)
            {
                if (model[i] == value)
                {
                    model.RemoveAt(i);
                    removed++;
                }
            }
        }

        return removed;
    }
}
