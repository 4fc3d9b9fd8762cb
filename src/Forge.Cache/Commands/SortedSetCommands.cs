using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// Sorted set commands (Redis 7.0's t_zset.c behaviour): ZADD and friends here, ranges in
/// SortedSetCommands.Range.cs, union/intersection/difference in SortedSetCommands.SetOps.cs, pops
/// (blocking too), ZRANDMEMBER and ZSCAN in SortedSetCommands.Pop.cs.
/// </summary>
internal static partial class SortedSetCommands
{
    private const string NanScore = "ERR resulting score is not a number (NaN)";
    private const string MinMaxNotFloat = "ERR min or max is not a float";
    private const string MinMaxNotLex = "ERR min or max not valid string range item";
    private const string XxNx = "ERR XX and NX options at the same time are not compatible";
    private const string GtLtNx = "ERR GT, LT, and/or NX options at the same time are not compatible";
    private const string IncrSingle = "ERR INCR option supports a single increment-element pair";

    public static void Register(CommandTable t)
    {
        const string G = "sorted_set";
        t.Add("zadd", -4, "write denyoom fast", 1, 1, 1, ZAdd, G);
        t.Add("zincrby", 4, "write denyoom fast", 1, 1, 1, ZIncrBy, G);
        t.Add("zrem", -3, "write fast", 1, 1, 1, ZRem, G);
        t.Add("zcard", 2, "readonly fast", 1, 1, 1, ZCard, G);
        t.Add("zscore", 3, "readonly fast", 1, 1, 1, ZScore, G);
        t.Add("zmscore", -3, "readonly fast", 1, 1, 1, ZMScore, G);
        t.Add("zrank", 3, "readonly fast", 1, 1, 1, ZRank, G);
        t.Add("zrevrank", 3, "readonly fast", 1, 1, 1, ZRevRank, G);
        t.Add("zcount", 4, "readonly fast", 1, 1, 1, ZCount, G);
        t.Add("zlexcount", 4, "readonly fast", 1, 1, 1, ZLexCount, G);
        RegisterRanges(t, G);
        RegisterSetOps(t, G);
        RegisterPops(t, G);
    }

    /// <summary>zset-max-listpack-entries and zset-max-listpack-value.</summary>
    private static void Limits(CommandContext c, out long maxEntries, out long maxValue)
    {
        var config = c.Server.Config;
        maxEntries = config.Limits.ZsetMaxListpackEntries;
        maxValue = config.Limits.ZsetMaxListpackValue;
    }

    private static void ZAdd(CommandContext c) => AddGeneric(c, incr: false);

    private static void ZIncrBy(CommandContext c) => AddGeneric(c, incr: true);

    private static void AddGeneric(CommandContext c, bool incr)
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false;
        var scoreIdx = 2;
        for (; scoreIdx < c.ArgCount; scoreIdx++)
        {
            if (c.ArgIs(scoreIdx, "nx"u8))
            {
                nx = true;
            }
            else if (c.ArgIs(scoreIdx, "xx"u8))
            {
                xx = true;
            }
            else if (c.ArgIs(scoreIdx, "ch"u8))
            {
                ch = true;
            }
            else if (c.ArgIs(scoreIdx, "incr"u8))
            {
                incr = true;
            }
            else if (c.ArgIs(scoreIdx, "gt"u8))
            {
                gt = true;
            }
            else if (c.ArgIs(scoreIdx, "lt"u8))
            {
                lt = true;
            }
            else
            {
                break;
            }
        }

        var elements = c.ArgCount - scoreIdx;
        if (elements == 0 || elements % 2 != 0)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        elements /= 2;
        if (nx && xx)
        {
            c.Reply.Error(XxNx);
            return;
        }

        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            c.Reply.Error(GtLtNx);
            return;
        }

        if (incr && elements > 1)
        {
            c.Reply.Error(IncrSingle);
            return;
        }

        Span<double> scores = elements <= 64 ? stackalloc double[elements] : new double[elements];
        for (var j = 0; j < elements; j++)
        {
            if (!c.TryGetDouble(scoreIdx + (j * 2), out scores[j]))
            {
                return;
            }
        }

        var key = c.Arg(1);
        if (!c.TryGet<RedisSortedSet>(key, out var zset))
        {
            return;
        }

        var added = 0;
        var updated = 0;
        var processed = 0;
        double score = 0;
        if (zset is null && !xx)
        {
            Limits(c, out var maxEntries0, out var maxValue0);
            zset = RedisSortedSet.CreateFor(c.Arg(scoreIdx + 1).Length, maxEntries0, maxValue0);
            c.Db.Add(key, zset);
        }

        if (zset is not null)
        {
            Limits(c, out var maxEntries, out var maxValue);
            for (var j = 0; j < elements; j++)
            {
                score = scores[j];
                var member = c.Arg(scoreIdx + 1 + (j * 2));
                var node = zset.Find(member);
                if (node is not null)
                {
                    if (nx)
                    {
                        continue;
                    }

                    var current = node.Score;
                    if (incr)
                    {
                        score += current;
                        if (double.IsNaN(score))
                        {
                            c.Reply.Error(NanScore);
                            Finish(c, key, zset, added, updated, incr);
                            return;
                        }
                    }

                    if ((lt && score >= current) || (gt && score <= current))
                    {
                        continue;
                    }

                    processed++;
                    if (score != current)
                    {
                        zset.UpdateScore(node, score);
                        updated++;
                    }
                }
                else if (!xx)
                {
                    zset.AddNew(member, score, maxEntries, maxValue);
                    added++;
                    processed++;
                }
            }
        }

        if (incr)
        {
            if (processed > 0)
            {
                c.Reply.Double(score);
            }
            else
            {
                c.Reply.Null();
            }
        }
        else
        {
            c.Reply.Integer(ch ? added + updated : added);
        }

        Finish(c, key, zset, added, updated, incr);
    }

    private static void Finish(CommandContext c, ReadOnlySpan<byte> key, RedisSortedSet? zset, int added, int updated, bool incr)
    {
        if (zset is not null && zset.Count == 0)
        {
            c.Db.Delete(key);
        }

        if (added > 0)
        {
            c.SignalKeyReady(key);
        }

        if (added + updated > 0)
        {
            c.Notify(Notify.Zset, incr ? "zincr" : "zadd", key);
        }
    }

    /// <summary>After removals: deletes an emptied key; the family event, then "del" when the key went.</summary>
    private static void AfterRemoval(CommandContext c, ReadOnlySpan<byte> key, RedisSortedSet zset, long removed, string evt)
    {
        var keyRemoved = false;
        if (zset.Count == 0)
        {
            c.Db.Delete(key);
            keyRemoved = true;
        }

        if (removed > 0)
        {
            c.Notify(Notify.Zset, evt, key);
            if (keyRemoved)
            {
                c.Notify(Notify.Generic, "del", key);
            }
        }
    }

    private static void ZRem(CommandContext c)
    {
        var key = c.Arg(1);
        if (!c.TryGet<RedisSortedSet>(key, out var zset))
        {
            return;
        }

        if (zset is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var deleted = 0;
        for (var j = 2; j < c.ArgCount && zset.Count > 0; j++)
        {
            if (zset.Remove(c.Arg(j)))
            {
                deleted++;
            }
        }

        AfterRemoval(c, key, zset, deleted, "zrem");
        c.Reply.Integer(deleted);
    }

    private static void ZCard(CommandContext c)
    {
        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        c.Reply.Integer(zset?.Count ?? 0);
    }

    private static void ZScore(CommandContext c)
    {
        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        if (zset is not null && zset.TryGetScore(c.Arg(2), out var score))
        {
            c.Reply.Double(score);
        }
        else
        {
            c.Reply.Null();
        }
    }

    private static void ZMScore(CommandContext c)
    {
        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        c.Reply.ArrayHeader(c.ArgCount - 2);
        for (var j = 2; j < c.ArgCount; j++)
        {
            if (zset is not null && zset.TryGetScore(c.Arg(j), out var score))
            {
                c.Reply.Double(score);
            }
            else
            {
                c.Reply.Null();
            }
        }
    }

    private static void ZRank(CommandContext c) => RankGeneric(c, reverse: false);

    private static void ZRevRank(CommandContext c) => RankGeneric(c, reverse: true);

    private static void RankGeneric(CommandContext c, bool reverse)
    {
        if (!c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        var rank = zset?.Rank(c.Arg(2), reverse) ?? -1;
        if (rank >= 0)
        {
            c.Reply.Integer(rank);
        }
        else
        {
            c.Reply.Null();
        }
    }

    private static void ZCount(CommandContext c)
    {
        if (!TryParseScoreRange(c, 2, 3, out var range) || !c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        c.Reply.Integer(zset?.CountInRange(range) ?? 0);
    }

    private static void ZLexCount(CommandContext c)
    {
        if (!TryParseLexRange(c, 2, 3, out var range) || !c.TryGet<RedisSortedSet>(c.Arg(1), out var zset))
        {
            return;
        }

        c.Reply.Integer(zset?.CountInLexRange(range) ?? 0);
    }

    /// <summary>Parses a score interval (Redis's zslParseRange); replies the error on failure.</summary>
    private static bool TryParseScoreRange(CommandContext c, int minIdx, int maxIdx, out ScoreRange range)
    {
        if (TryParseScoreBound(c.Arg(minIdx), out var min, out var minEx) && TryParseScoreBound(c.Arg(maxIdx), out var max, out var maxEx))
        {
            range = new ScoreRange(min, minEx, max, maxEx);
            return true;
        }

        range = default;
        c.Reply.Error(MinMaxNotFloat);
        return false;
    }

    /// <summary>"(1.5" (exclusive) or "1.5"; C strtod rules (so "inf", "-inf", "1e400" and "" are accepted), NaN refused.</summary>
    internal static bool TryParseScoreBound(ReadOnlySpan<byte> arg, out double value, out bool exclusive)
    {
        exclusive = false;
        if (!arg.IsEmpty && arg[0] == (byte)'(')
        {
            exclusive = true;
            arg = arg[1..];
        }

        return StrToD(arg, out value) && !double.IsNaN(value);
    }

    /// <summary>
    /// C's strtod over the whole string up to its first NUL: leading spaces, a sign, "inf",
    /// "infinity", "nan", decimal with exponent; overflow gives ±inf. An empty string converts to 0
    /// (strtod consumes nothing and stops at the end), any unconsumed character fails.
    /// </summary>
    internal static bool StrToD(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        var nul = s.IndexOf((byte)0);
        if (nul >= 0)
        {
            s = s[..nul];
        }

        if (s.IsEmpty)
        {
            return true;
        }

        var i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        var start = i;
        var negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        var rest = s[i..];
        if (StartsWithIgnoreCase(rest, "infinity"u8) && rest.Length == 8)
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (StartsWithIgnoreCase(rest, "inf"u8) && rest.Length == 3)
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (StartsWithIgnoreCase(rest, "nan"u8))
        {
            value = double.NaN;
            return true; // the caller refuses NaN
        }

        var digitsStart = i;
        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false; // nothing converted: strtod leaves the end pointer at the start
        }

        var end = i;
        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            var j = i + 1;
            if (j < s.Length && s[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }

            var expDigits = 0;
            while (j < s.Length && char.IsAsciiDigit((char)s[j]))
            {
                j++;
                expDigits++;
            }

            if (expDigits > 0)
            {
                end = j;
            }
        }

        if (end != s.Length)
        {
            return false;
        }

        _ = digitsStart;
        Span<char> chars = s.Length - start <= 256 ? stackalloc char[s.Length - start] : new char[s.Length - start];
        for (var k = start; k < s.Length; k++)
        {
            chars[k - start] = (char)s[k];
        }

        return double.TryParse(chars, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> prefix) =>
        s.Length >= prefix.Length && CommandContext.EqualsIgnoreCase(s[..prefix.Length], prefix);

    /// <summary>Parses a lex interval (Redis's zslParseLexRange); replies the error on failure.</summary>
    private static bool TryParseLexRange(CommandContext c, int minIdx, int maxIdx, out LexRange range)
    {
        if (TryParseLexBound(c.Arg(minIdx), out var minKind, out var min, out var minEx) &&
            TryParseLexBound(c.Arg(maxIdx), out var maxKind, out var max, out var maxEx))
        {
            range = new LexRange(minKind, min, minEx, maxKind, max, maxEx);
            return true;
        }

        range = default;
        c.Reply.Error(MinMaxNotLex);
        return false;
    }

    internal static bool TryParseLexBound(ReadOnlySpan<byte> arg, out int kind, out byte[] value, out bool exclusive)
    {
        kind = 0;
        value = [];
        exclusive = false;
        if (arg.IsEmpty)
        {
            return false;
        }

        switch (arg[0])
        {
            case (byte)'+':
                kind = 1;
                exclusive = true;
                return arg.Length == 1;
            case (byte)'-':
                kind = -1;
                exclusive = true;
                return arg.Length == 1;
            case (byte)'(':
                exclusive = true;
                value = arg[1..].ToArray();
                return true;
            case (byte)'[':
                value = arg[1..].ToArray();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes one element of a range reply: the member, and its score when asked (a pair array in RESP3).</summary>
    private static void WriteElement(ReplyWriter reply, SkipListNode node, bool withScores)
    {
        if (withScores && reply.Resp3)
        {
            reply.ArrayHeader(2);
        }

        reply.Bulk(node.Member);
        if (withScores)
        {
            reply.Double(node.Score);
        }
    }

    /// <summary>Array header for <paramref name="count"/> elements (twice as many entries with scores in RESP2).</summary>
    private static void WriteElementsHeader(ReplyWriter reply, int count, bool withScores) =>
        reply.ArrayHeader(withScores && !reply.Resp3 ? count * 2 : count);
}
