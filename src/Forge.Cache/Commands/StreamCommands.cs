using System.Globalization;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// The stream commands (t_stream.c): registration, ID parsing and XRANGE, XREVRANGE, XLEN, XDEL,
/// XSETID here; XADD/XTRIM in StreamCommands.Add.cs, XREAD/XREADGROUP in StreamCommands.Read.cs,
/// XGROUP, XACK, XPENDING in StreamCommands.Groups.cs, XCLAIM/XAUTOCLAIM in
/// StreamCommands.Claim.cs, XINFO in StreamCommands.Info.cs.
/// </summary>
internal static partial class StreamCommands
{
    private const string InvalidId = "ERR Invalid stream ID specified as stream command argument";
    private const string IdTooSmall = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
    private const string IdZero = "ERR The ID specified in XADD must be greater than 0-0";
    private const string IdExhausted = "ERR The stream has exhausted the last possible ID, unable to add more items";
    private const string InvalidStart = "ERR invalid start ID for the interval";
    private const string InvalidEnd = "ERR invalid end ID for the interval";
    private const string MaxLenAndMinId = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";

    public static void Register(CommandTable t)
    {
        t.Add("xadd", -5, "write denyoom fast", 1, 1, 1, XAdd, "stream");
        t.Add("xrange", -4, "readonly", 1, 1, 1, c => XRange(c, reverse: false), "stream");
        t.Add("xrevrange", -4, "readonly", 1, 1, 1, c => XRange(c, reverse: true), "stream");
        t.Add("xlen", 2, "readonly fast", 1, 1, 1, XLen, "stream");
        t.Add("xdel", -3, "write fast", 1, 1, 1, XDel, "stream");
        t.Add("xtrim", -4, "write", 1, 1, 1, XTrim, "stream");
        t.Add("xsetid", -3, "write denyoom fast", 1, 1, 1, XSetId, "stream");
        t.AddMovable("xread", -4, "readonly blocking", ReadKeys, XRead, "stream");
        t.AddMovable("xreadgroup", -7, "write blocking", ReadKeys, XReadGroup, "stream");
        t.Add("xack", -4, "write fast", 1, 1, 1, XAck, "stream");
        t.Add("xpending", -3, "readonly", 1, 1, 1, XPending, "stream");
        t.Add("xclaim", -6, "write fast", 1, 1, 1, XClaim, "stream");
        t.Add("xautoclaim", -6, "write fast", 1, 1, 1, XAutoClaim, "stream");
        RegisterGroupCommands(t);
        RegisterInfo(t);
    }

    // ---- shared helpers ---------------------------------------------------------------------

    /// <summary>
    /// streamGenericParseIDOrReply: "ms-seq", "ms" (seq = <paramref name="missingSeq"/>), "-" and
    /// "+" (unless <paramref name="strict"/>), and "ms-*" when <paramref name="seqGiven"/> is wanted.
    /// </summary>
    private static bool TryParseId(ReadOnlySpan<byte> s, ulong missingSeq, bool strict, out StreamId id, out bool seqGiven, bool allowAutoSeq = false)
    {
        id = default;
        seqGiven = true;
        if (s.Length > 127)
        {
            return false;
        }

        if (s.Length == 1 && (s[0] == '-' || s[0] == '+'))
        {
            if (strict)
            {
                return false;
            }

            id = s[0] == '-' ? StreamId.Zero : StreamId.Max;
            return true;
        }

        var dash = s.IndexOf((byte)'-');
        var msPart = dash < 0 ? s : s[..dash];
        if (msPart.IndexOf((byte)0) >= 0 || !StreamId.TryParseUnsigned(msPart, out var ms))
        {
            return false;
        }

        ulong seq;
        if (dash < 0)
        {
            seq = missingSeq;
        }
        else
        {
            var seqPart = s[(dash + 1)..];
            if (allowAutoSeq && seqPart.Length == 1 && seqPart[0] == '*')
            {
                seq = 0;
                seqGiven = false;
            }
            else if (seqPart.IndexOf((byte)0) >= 0 || !StreamId.TryParseUnsigned(seqPart, out seq))
            {
                return false;
            }
        }

        id = new StreamId(ms, seq);
        return true;
    }

    private static bool TryGetId(CommandContext c, int index, ulong missingSeq, bool strict, out StreamId id)
    {
        if (TryParseId(c.Arg(index), missingSeq, strict, out id, out _))
        {
            return true;
        }

        c.Reply.Error(InvalidId);
        return false;
    }

    /// <summary>streamParseIntervalIDOrReply: an ID that may be "(" prefixed (exclusive; then strict).</summary>
    private static bool TryGetIntervalId(CommandContext c, int index, ulong missingSeq, out StreamId id, out bool exclusive)
    {
        var s = c.Arg(index);
        exclusive = s.Length > 1 && s[0] == '(';
        var ok = exclusive ? TryParseId(s[1..], missingSeq, strict: true, out id, out _) : TryParseId(s, missingSeq, strict: false, out id, out _);
        if (!ok)
        {
            c.Reply.Error(InvalidId);
        }

        return ok;
    }

    /// <summary>Parses a range start (inclusive after "(" adjustment); replies the error on failure.</summary>
    private static bool TryGetRangeStart(CommandContext c, int index, out StreamId start)
    {
        if (!TryGetIntervalId(c, index, 0, out start, out var ex))
        {
            return false;
        }

        if (ex && !start.TryIncrement(out start))
        {
            c.Reply.Error(InvalidStart);
            return false;
        }

        return true;
    }

    private static bool TryGetRangeEnd(CommandContext c, int index, out StreamId end)
    {
        if (!TryGetIntervalId(c, index, ulong.MaxValue, out end, out var ex))
        {
            return false;
        }

        if (ex && !end.TryDecrement(out end))
        {
            c.Reply.Error(InvalidEnd);
            return false;
        }

        return true;
    }

    internal static void WriteId(ReplyWriter w, StreamId id)
    {
        Span<byte> buf = stackalloc byte[StreamId.MaxTextLength + 7];
        var n = id.Format(buf);
        w.Bulk(buf[..n]);
    }

    internal static void WriteEntry(ReplyWriter w, StreamEntry e)
    {
        w.ArrayHeader(2);
        WriteId(w, e.Id);
        w.ArrayHeader(e.Fields.Length);
        foreach (var f in e.Fields)
        {
            w.Bulk(f);
        }
    }

    /// <summary>Looks up a stream (WRONGTYPE replied, false, for another type); null when missing.</summary>
    private static bool TryGetStream(CommandContext c, ReadOnlySpan<byte> key, out RedisStream? stream) => c.TryGet(key, out stream);

    private static long ConfigLong(CommandContext c, string name, long fallback) =>
        long.TryParse(c.Server.Config[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    // ---- XRANGE / XLEN / XDEL / XSETID --------------------------------------------------------

    private static void XRange(CommandContext c, bool reverse)
    {
        var startIndex = reverse ? 3 : 2;
        var endIndex = reverse ? 2 : 3;
        if (!TryGetRangeStart(c, startIndex, out var start) || !TryGetRangeEnd(c, endIndex, out var end))
        {
            return;
        }

        long count = -1;
        for (var j = 4; j < c.ArgCount; j++)
        {
            if (c.ArgIs(j, "COUNT"u8) && j + 1 < c.ArgCount)
            {
                if (!c.TryGetLong(++j, out count))
                {
                    return;
                }

                if (count < 0)
                {
                    count = 0;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (!TryGetStream(c, c.Arg(1), out var s))
        {
            return;
        }

        if (s is null)
        {
            c.Reply.EmptyArray();
            return;
        }

        if (count == 0)
        {
            c.Reply.NullArray();
            return;
        }

        var list = new List<StreamEntry>();
        foreach (var e in s.Range(start, end, reverse))
        {
            list.Add(e);
            if (count > 0 && list.Count == count)
            {
                break;
            }
        }

        c.Reply.ArrayHeader(list.Count);
        foreach (var e in list)
        {
            WriteEntry(c.Reply, e);
        }
    }

    private static void XLen(CommandContext c)
    {
        if (TryGetStream(c, c.Arg(1), out var s))
        {
            c.Reply.Integer(s?.Length ?? 0);
        }
    }

    private static void XDel(CommandContext c)
    {
        var key = c.Arg(1);
        if (!TryGetStream(c, key, out var s))
        {
            return;
        }

        if (s is null)
        {
            c.Reply.Integer(0);
            c.Dirty = 0;
            return;
        }

        var ids = new StreamId[c.ArgCount - 2];
        for (var j = 2; j < c.ArgCount; j++)
        {
            if (!TryGetId(c, j, 0, strict: true, out ids[j - 2]))
            {
                return;
            }
        }

        var deleted = 0;
        var first = false;
        foreach (var id in ids)
        {
            if (s.Delete(id))
            {
                first |= id == s.FirstId;
                if (id > s.MaxDeletedId)
                {
                    s.MaxDeletedId = id;
                }

                deleted++;
            }
        }

        if (deleted > 0)
        {
            s.AfterDelete(first);
            c.Touch(key);
            c.Notify(Notify.Stream, "xdel", key);
        }

        c.Dirty = deleted;
        c.Reply.Integer(deleted);
    }

    private static void XSetId(CommandContext c)
    {
        if (!TryGetId(c, 2, 0, strict: true, out var id))
        {
            return;
        }

        long entriesAdded = -1;
        var maxDeleted = StreamId.Zero;
        for (var i = 3; i < c.ArgCount; i += 2)
        {
            var more = c.ArgCount - 1 - i;
            if (c.ArgIs(i, "ENTRIESADDED"u8) && more > 0)
            {
                if (!c.TryGetLong(i + 1, out entriesAdded))
                {
                    return;
                }

                if (entriesAdded < 0)
                {
                    c.Reply.Error("ERR entries_added must be positive");
                    return;
                }
            }
            else if (c.ArgIs(i, "MAXDELETEDID"u8) && more > 0)
            {
                if (!TryGetId(c, i + 1, 0, strict: true, out maxDeleted))
                {
                    return;
                }

                if (id < maxDeleted)
                {
                    c.Reply.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var key = c.Arg(1);
        if (!TryGetStream(c, key, out var s))
        {
            return;
        }

        if (s is null)
        {
            c.Reply.Error(Errors.NoSuchKey);
            return;
        }

        if (s.Length > 0)
        {
            if (id < s.LastValidId())
            {
                c.Reply.Error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }

            if (entriesAdded != -1 && s.Length > entriesAdded)
            {
                c.Reply.Error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }

        s.LastId = id;
        if (entriesAdded != -1)
        {
            s.EntriesAdded = entriesAdded;
        }

        if (!maxDeleted.IsZero)
        {
            s.MaxDeletedId = maxDeleted;
        }

        c.Reply.Ok();
        c.Notify(Notify.Stream, "xsetid", key);
    }
}
