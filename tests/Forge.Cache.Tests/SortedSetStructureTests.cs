using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

public class SortedSetStructureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private static List<string> Members(RedisSortedSet z)
    {
        var result = new List<string>();
        for (var n = z.First; n is not null; n = n.Next)
        {
            result.Add(S(n.Member));
        }

        return result;
    }

    [Fact]
    public void OrdersByScoreThenMemberBytes()
    {
        var z = new RedisSortedSet(listpack: false);
        z.AddNew(B("b"), 1, 128, 64);
        z.AddNew(B("a"), 1, 128, 64);
        z.AddNew(B("ab"), 1, 128, 64);
        z.AddNew(B("z"), 0, 128, 64);
        z.AddNew(B("c"), double.PositiveInfinity, 128, 64);
        z.AddNew(B("d"), double.NegativeInfinity, 128, 64);
        Assert.Equal(["d", "z", "a", "ab", "b", "c"], Members(z));
        Assert.Equal(2, z.Rank(B("a"), reverse: false));
        Assert.Equal(3, z.Rank(B("a"), reverse: true));
        Assert.Equal(-1, z.Rank(B("nope"), reverse: false));
        Assert.Equal("ab", S(z.ByIndex(3)!.Member));
        z.Validate();
    }

    [Fact]
    public void UpdateScoreMovesOrKeepsNode()
    {
        var z = new RedisSortedSet(listpack: false);
        foreach (var (m, s) in new[] { ("a", 1.0), ("b", 2.0), ("c", 3.0) })
        {
            z.AddNew(B(m), s, 128, 64);
        }

        z.UpdateScore(z.Find(B("b"))!, 2.5); // stays between a and c: in place
        z.UpdateScore(z.Find(B("a"))!, 10); // moves to the end
        Assert.Equal(["b", "c", "a"], Members(z));
        Assert.True(z.TryGetScore(B("a"), out var score));
        Assert.Equal(10, score);
        z.Validate();
    }

    [Fact]
    public void EncodingFollowsRedisThresholds()
    {
        var z = RedisSortedSet.CreateFor(1, 2, 64);
        Assert.Equal("listpack", z.Encoding);
        z.AddNew(B("a"), 1, 2, 64);
        z.AddNew(B("b"), 2, 2, 64);
        Assert.Equal("listpack", z.Encoding);
        z.AddNew(B("c"), 3, 2, 64);
        Assert.Equal("skiplist", z.Encoding);
        z.Remove(B("c"));
        Assert.Equal("skiplist", z.Encoding); // no conversion back on shrink
        z.ConvertToListpackIfNeeded(2, 64);
        Assert.Equal("listpack", z.Encoding);

        Assert.Equal("skiplist", RedisSortedSet.CreateFor(1, 0, 64).Encoding);
        Assert.Equal("skiplist", RedisSortedSet.CreateFor(65, 128, 64).Encoding);
        var v = RedisSortedSet.CreateFor(1, 128, 3);
        v.AddNew(B("abcd"), 1, 128, 3);
        Assert.Equal("skiplist", v.Encoding);
    }

    [Fact]
    public void ListpackNormalisesNegativeZero()
    {
        var lp = new RedisSortedSet(listpack: true);
        lp.AddNew(B("a"), -0.0, 128, 64);
        Assert.True(lp.TryGetScore(B("a"), out var s1));
        Assert.False(double.IsNegative(s1));
        var sl = new RedisSortedSet(listpack: false);
        sl.AddNew(B("a"), -0.0, 128, 64);
        Assert.True(sl.TryGetScore(B("a"), out var s2));
        Assert.True(double.IsNegative(s2));
    }

    [Fact]
    public void ScoreAndLexBoundsParseAsRedis()
    {
        Assert.True(SortedSetCommands.TryParseScoreBound("(1.5"u8, out var v, out var ex) && v == 1.5 && ex);
        Assert.True(SortedSetCommands.TryParseScoreBound("-inf"u8, out v, out ex) && double.IsNegativeInfinity(v) && !ex);
        Assert.True(SortedSetCommands.TryParseScoreBound("1e400"u8, out v, out _) && double.IsPositiveInfinity(v));
        Assert.True(SortedSetCommands.TryParseScoreBound(""u8, out v, out _) && v == 0);
        Assert.True(SortedSetCommands.TryParseScoreBound("("u8, out v, out ex) && v == 0 && ex);
        Assert.True(SortedSetCommands.TryParseScoreBound(" 7"u8, out v, out _) && v == 7);
        Assert.False(SortedSetCommands.TryParseScoreBound("nan"u8, out _, out _));
        Assert.False(SortedSetCommands.TryParseScoreBound("1x"u8, out _, out _));
        Assert.False(SortedSetCommands.TryParseScoreBound("7 "u8, out _, out _));
        Assert.False(SortedSetCommands.TryParseScoreBound(" "u8, out _, out _));

        Assert.True(SortedSetCommands.TryParseLexBound("[a"u8, out var kind, out var val, out ex) && kind == 0 && S(val) == "a" && !ex);
        Assert.True(SortedSetCommands.TryParseLexBound("(a"u8, out kind, out _, out ex) && kind == 0 && ex);
        Assert.True(SortedSetCommands.TryParseLexBound("-"u8, out kind, out _, out _) && kind == -1);
        Assert.True(SortedSetCommands.TryParseLexBound("+"u8, out kind, out _, out _) && kind == 1);
        Assert.False(SortedSetCommands.TryParseLexBound("a"u8, out _, out _, out _));
        Assert.False(SortedSetCommands.TryParseLexBound("+x"u8, out _, out _, out _));
        Assert.False(SortedSetCommands.TryParseLexBound(""u8, out _, out _, out _));
    }

    [Fact]
    public void ScoreStringsFormatAsD2String()
    {
        Span<byte> buf = stackalloc byte[40];
        string F(double d, Span<byte> b) => Encoding.ASCII.GetString(b[..SortedSetCommands.FormatScoreString(d, b)]);
        Assert.Equal("3", F(3, buf));
        Assert.Equal("-0", F(-0.0, buf));
        Assert.Equal("1.5", F(1.5, buf));
        Assert.Equal("inf", F(double.PositiveInfinity, buf));
        Assert.Equal("1e+20", F(1e20, buf));
        Assert.Equal("0.10000000000000001", F(0.1, buf));
    }

    /// <summary>
    /// A fixed-seed random mix of every mutating and querying operation, checked after each step
    /// against a sorted list + dictionary model, with the skiplist's invariants (spans, back links)
    /// validated along the way.
    /// </summary>
    [Fact]
    public void RandomOperationsMatchModel()
    {
        var random = new Random(20261125);
        var z = new RedisSortedSet(listpack: false);
        var scores = new Dictionary<string, double>();
        var comparer = Comparer<(double Score, string Member)>.Create((x, y) =>
        {
            var c = x.Score.CompareTo(y.Score);
            return c != 0 ? c : string.CompareOrdinal(x.Member, y.Member);
        });
        List<(double Score, string Member)> Sorted()
        {
            var l = scores.Select(kv => (kv.Value, kv.Key)).ToList();
            l.Sort(comparer);
            return l;
        }

        for (var step = 0; step < 6000; step++)
        {
            var member = "m" + random.Next(300).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            var score = random.Next(4) == 0 ? random.Next(10) : Math.Round(random.NextDouble() * 100, 2);
            switch (random.Next(8) switch { 6 => 0, var k => k })
            {
                case 0:
                case 1:
                case 2:
                    var node = z.Find(B(member));
                    if (node is null)
                    {
                        z.AddNew(B(member), score, 128, 64);
                    }
                    else
                    {
                        z.UpdateScore(node, score);
                    }

                    scores[member] = score;
                    break;
                case 3:
                    Assert.Equal(scores.Remove(member), z.Remove(B(member)));
                    break;
                case 4:
                    {
                        var sorted = Sorted();
                        var idx = sorted.FindIndex(e => e.Member == member);
                        Assert.Equal(idx, z.Rank(B(member), reverse: false));
                        if (sorted.Count > 0)
                        {
                            var at = random.Next(sorted.Count);
                            Assert.Equal(sorted[at].Member, S(z.ByIndex(at)!.Member));
                        }

                        break;
                    }

                case 5:
                    {
                        var min = random.Next(100);
                        var max = min + random.Next(30);
                        var range = new ScoreRange(min, random.Next(2) == 0, max, random.Next(2) == 0);
                        var expected = Sorted().Where(e => range.GteMin(e.Score) && range.LteMax(e.Score)).ToList();
                        Assert.Equal(expected.Count, z.CountInRange(range));
                        Assert.Equal(expected.Count > 0 ? expected[0].Member : null, z.FirstInRange(range) is { } f ? S(f.Member) : null);
                        Assert.Equal(expected.Count > 0 ? expected[^1].Member : null, z.LastInRange(range) is { } l ? S(l.Member) : null);
                        if (random.Next(4) == 0)
                        {
                            Assert.Equal(expected.Count, z.RemoveRangeByScore(range));
                            foreach (var e in expected)
                            {
                                scores.Remove(e.Member);
                            }
                        }

                        break;
                    }

                case 7:
                    {
                        var sorted = Sorted();
                        if (sorted.Count > 0 && random.Next(3) == 0)
                        {
                            var start = random.Next(sorted.Count);
                            var end = Math.Min(sorted.Count - 1, start + random.Next(5));
                            Assert.Equal(end - start + 1, z.RemoveRangeByRank(start, end));
                            for (var i = start; i <= end; i++)
                            {
                                scores.Remove(sorted[i].Member);
                            }
                        }

                        break;
                    }

                default:
                    {
                        var popped = z.PopFirst(max: random.Next(2) == 0);
                        if (popped is not null)
                        {
                            Assert.True(scores.Remove(S(popped.Member)));
                        }
                        else
                        {
                            Assert.Empty(scores);
                        }

                        break;
                    }
            }

            Assert.Equal(scores.Count, z.Count);
            if (step % 200 == 0)
            {
                z.Validate();
                Assert.Equal(Sorted().Select(e => e.Member).ToList(), Members(z));
            }
        }

        z.Validate();
        var final = Sorted();
        Assert.Equal(final.Select(e => e.Member).ToList(), Members(z));
        var back = new List<string>();
        for (var n = z.Last; n is not null; n = n.Backward)
        {
            back.Add(S(n.Member));
        }

        back.Reverse();
        Assert.Equal(final.Select(e => e.Member).ToList(), back);
    }

    [Fact]
    public void RandomLexRangesMatchModel()
    {
        var random = new Random(7);
        string Word() => new(Enumerable.Range(0, random.Next(4)).Select(_ => (char)('a' + random.Next(4))).ToArray());
        var z = new RedisSortedSet(listpack: false);
        var model = new SortedSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 3000; step++)
        {
            var w = Word();
            if (random.Next(3) > 0)
            {
                if (model.Add(w))
                {
                    z.AddNew(B(w), 0, 128, 64);
                }
            }

            var minKind = random.Next(6) switch { 0 => -1, 1 => 1, _ => 0 };
            var maxKind = random.Next(6) switch { 0 => -1, 1 => 1, _ => 0 };
            var range = new LexRange(minKind, B(Word()), minKind != 0 || random.Next(2) == 0, maxKind, B(Word()), maxKind != 0 || random.Next(2) == 0);
            var expected = range.IsEmpty ? [] : model.Where(m => range.GteMin(B(m)) && range.LteMax(B(m))).ToList();
            Assert.Equal(expected.Count, z.CountInLexRange(range));
            Assert.Equal(expected.FirstOrDefault(), z.FirstInLexRange(range) is { } f ? S(f.Member) : null);
            Assert.Equal(expected.LastOrDefault(), z.LastInLexRange(range) is { } l ? S(l.Member) : null);
            if (random.Next(10) == 0)
            {
                Assert.Equal(expected.Count, z.RemoveRangeByLex(range));
                model.ExceptWith(expected);
                z.Validate();
            }
        }

        Assert.Equal(model.ToList(), Members(z));
    }

    [Fact]
    public void LexRangesOnEqualScores()
    {
        var z = new RedisSortedSet(listpack: false);
        foreach (var m in new[] { "alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "omega" })
        {
            z.AddNew(B(m), 0, 128, 64);
        }

        LexRange R(string min, string max)
        {
            Assert.True(SortedSetCommands.TryParseLexBound(Encoding.UTF8.GetBytes(min), out var k1, out var v1, out var e1));
            Assert.True(SortedSetCommands.TryParseLexBound(Encoding.UTF8.GetBytes(max), out var k2, out var v2, out var e2));
            return new LexRange(k1, v1, e1, k2, v2, e2);
        }

        Assert.Equal(9, z.CountInLexRange(R("-", "+")));
        Assert.Equal(0, z.CountInLexRange(R("+", "-")));
        Assert.Equal(5, z.CountInLexRange(R("[bar", "[foo")));
        Assert.Equal(3, z.CountInLexRange(R("(bar", "(foo")));
        Assert.Equal(1, z.CountInLexRange(R("(maxstring", "+")));
        Assert.Equal(0, z.CountInLexRange(R("[c", "-")));
        Assert.Equal(3, z.RemoveRangeByLex(R("-", "(down")));
        Assert.Equal("down", S(z.First!.Member));
        z.Validate();
    }
}
