using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>XADD and XTRIM, with their shared trimming options (MAXLEN/MINID, = or ~, LIMIT).</summary>
internal static partial class StreamCommands
{
    private struct TrimArgs
    {
        public int Strategy; // 0 none, 1 MAXLEN, 2 MINID
        public bool Approx;
        public long Limit;
        public long MaxLen;
        public StreamId MinId;
        public bool NoMkStream;
        public bool IdGiven;
        public bool SeqGiven;
        public StreamId Id;
    }

    /// <summary>streamParseAddOrTrimArgsOrReply: returns the ID's position for XADD (or the end), -1 after an error reply.</summary>
    private static int ParseAddOrTrim(CommandContext c, bool xadd, out TrimArgs a)
    {
        a = default;
        var limitGiven = false;
        var i = 2;
        for (; i < c.ArgCount; i++)
        {
            var more = c.ArgCount - 1 - i;
            var opt = c.Arg(i);
            if (xadd && opt.Length == 1 && opt[0] == '*')
            {
                break;
            }

            if ((c.ArgIs(i, "MAXLEN"u8) || c.ArgIs(i, "MINID"u8)) && more > 0)
            {
                var minid = c.ArgIs(i, "MINID"u8);
                if (a.Strategy != 0)
                {
                    c.Reply.Error(MaxLenAndMinId);
                    return -1;
                }

                a.Approx = false;
                var next = c.Arg(i + 1);
                if (more >= 2 && next.Length == 1 && next[0] == '~')
                {
                    a.Approx = true;
                    i++;
                }
                else if (more >= 2 && next.Length == 1 && next[0] == '=')
                {
                    i++;
                }

                if (minid)
                {
                    if (!TryGetId(c, i + 1, 0, strict: true, out a.MinId))
                    {
                        return -1;
                    }

                    a.Strategy = 2;
                }
                else
                {
                    if (!c.TryGetLong(i + 1, out a.MaxLen))
                    {
                        return -1;
                    }

                    if (a.MaxLen < 0)
                    {
                        c.Reply.Error("ERR The MAXLEN argument must be >= 0.");
                        return -1;
                    }

                    a.Strategy = 1;
                }

                i++;
            }
            else if (c.ArgIs(i, "LIMIT"u8) && more > 0)
            {
                if (!c.TryGetLong(i + 1, out a.Limit))
                {
                    return -1;
                }

                if (a.Limit < 0)
                {
                    c.Reply.Error("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }

                limitGiven = true;
                i++;
            }
            else if (xadd && c.ArgIs(i, "NOMKSTREAM"u8))
            {
                a.NoMkStream = true;
            }
            else if (xadd)
            {
                if (!TryParseId(opt, 0, strict: true, out a.Id, out a.SeqGiven, allowAutoSeq: true))
                {
                    c.Reply.Error(InvalidId);
                    return -1;
                }

                a.IdGiven = true;
                break;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return -1;
            }
        }

        if (a.Limit != 0 && a.Strategy == 0)
        {
            c.Reply.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }

        if (!xadd && a.Strategy == 0)
        {
            c.Reply.Error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }

        if (limitGiven)
        {
            if (!a.Approx)
            {
                c.Reply.Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        }
        else if (a.Approx)
        {
            var perNode = ConfigLong(c, "stream-node-max-entries", 100);
            a.Limit = perNode > 10_000 ? 1_000_000 : 100 * perNode;
            if (a.Limit <= 0)
            {
                a.Limit = 10_000;
            }
        }
        else
        {
            a.Limit = 0;
        }

        return i;
    }

    private static long Trim(RedisStream s, in TrimArgs a) =>
        a.Strategy == 0 ? 0 : s.Trim(a.Strategy == 2, a.MaxLen, a.MinId, a.Approx, a.Limit);

    private static void XAdd(CommandContext c)
    {
        var idPos = ParseAddOrTrim(c, xadd: true, out var a);
        if (idPos < 0)
        {
            return;
        }

        var fieldPos = idPos + 1;
        var n = c.ArgCount - fieldPos;
        if (n < 2 || n % 2 == 1)
        {
            c.Reply.Error(Errors.WrongArgs("xadd"));
            return;
        }

        if (a.IdGiven && a.SeqGiven && a.Id.IsZero)
        {
            c.Reply.Error(IdZero);
            return;
        }

        var key = c.Arg(1);
        if (!TryGetStream(c, key, out var s))
        {
            return;
        }

        if (s is null)
        {
            if (a.NoMkStream)
            {
                c.Reply.Null();
                return;
            }

            s = new RedisStream();
            c.Db.Add(key, s);
        }

        if (s.LastId == StreamId.Max)
        {
            c.Reply.Error(IdExhausted);
            return;
        }

        StreamId id;
        if (!a.IdGiven)
        {
            var ms = (ulong)Math.Max(c.Now, 0);
            if (ms > s.LastId.Ms)
            {
                id = new StreamId(ms, 0);
            }
            else
            {
                s.LastId.TryIncrement(out id);
            }
        }
        else if (a.SeqGiven)
        {
            id = a.Id;
        }
        else if (s.LastId.Ms == a.Id.Ms)
        {
            if (s.LastId.Seq == ulong.MaxValue)
            {
                c.Reply.Error(IdTooSmall);
                return;
            }

            id = new StreamId(a.Id.Ms, s.LastId.Seq + 1);
        }
        else
        {
            id = a.Id;
        }

        if (id <= s.LastId)
        {
            c.Reply.Error(IdTooSmall);
            return;
        }

        var fields = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            fields[i] = c.ArgBytes(fieldPos + i);
        }

        s.Append(id, fields, ConfigLong(c, "stream-node-max-bytes", 4096), ConfigLong(c, "stream-node-max-entries", 100));
        WriteId(c.Reply, id);
        c.Touch(key);
        c.Notify(Notify.Stream, "xadd", key);
        if (a.Strategy != 0 && Trim(s, a) > 0)
        {
            c.Notify(Notify.Stream, "xtrim", key);
        }

        c.SignalKeyReady(key);
    }

    private static void XTrim(CommandContext c)
    {
        if (ParseAddOrTrim(c, xadd: false, out var a) < 0)
        {
            return;
        }

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

        var deleted = Trim(s, a);
        if (deleted > 0)
        {
            c.Notify(Notify.Stream, "xtrim", key);
            c.Touch(key);
        }

        c.Dirty = deleted;
        c.Reply.Integer(deleted);
    }
}
