namespace Forge.Cache.Commands;

/// <summary>LCS: longest common subsequence of two strings, with LEN / IDX / MINMATCHLEN / WITHMATCHLEN.</summary>
internal static partial class StringCommands
{
    private static void Lcs(CommandContext c)
    {
        bool getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (var j = 3; j < c.ArgCount; j++)
        {
            if (c.ArgIs(j, "IDX"u8))
            {
                getIdx = true;
            }
            else if (c.ArgIs(j, "LEN"u8))
            {
                getLen = true;
            }
            else if (c.ArgIs(j, "WITHMATCHLEN"u8))
            {
                withMatchLen = true;
            }
            else if (c.ArgIs(j, "MINMATCHLEN"u8) && j + 1 < c.ArgCount)
            {
                if (!c.TryGetLong(++j, out minMatchLen))
                {
                    return;
                }

                if (minMatchLen < 0)
                {
                    minMatchLen = 0;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var oa = c.Db.Get(c.Arg(1));
        var ob = c.Db.Get(c.Arg(2));
        if (oa is not (null or byte[]) || ob is not (null or byte[]))
        {
            c.Reply.Error("ERR The specified keys must contain string values");
            return;
        }

        if (getIdx && getLen)
        {
            c.Reply.Error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }

        var a = (byte[]?)oa ?? [];
        var b = (byte[]?)ob ?? [];
        var rows = (long)a.Length + 1;
        var cols = (long)b.Length + 1;
        if (rows * cols * sizeof(uint) > c.Server.Config.Limits.ProtoMaxBulkLen || rows * cols > Array.MaxLength)
        {
            c.Reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }

        var dp = new uint[rows * cols];
        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < cols; j++)
            {
                dp[(i * cols) + j] = a[i - 1] == b[j - 1]
                    ? dp[((i - 1) * cols) + j - 1] + 1
                    : Math.Max(dp[((i - 1) * cols) + j], dp[(i * cols) + j - 1]);
            }
        }

        var length = (int)dp[(a.Length * cols) + b.Length];
        var result = new byte[length];
        var ranges = new List<(long A0, long A1, long B0, long B1, long Len)>();
        {
            long i = a.Length, j = b.Length;
            var idx = length;
            long aStart = a.Length, aEnd = 0, bStart = 0, bEnd = 0;
            var emit = false;
            while (i > 0 && j > 0)
            {
                if (a[i - 1] == b[j - 1])
                {
                    result[idx - 1] = a[i - 1];
                    if (aStart == a.Length)
                    {
                        aStart = aEnd = i - 1;
                        bStart = bEnd = j - 1;
                    }
                    else if (aStart == i && bStart == j)
                    {
                        aStart--;
                        bStart--;
                    }
                    else
                    {
                        emit = true;
                    }

                    if (aStart == 0 || bStart == 0)
                    {
                        emit = true;
                    }

                    idx--;
                    i--;
                    j--;
                }
                else
                {
                    var up = dp[((i - 1) * cols) + j];
                    var left = dp[(i * cols) + j - 1];
                    if (up > left)
                    {
                        i--;
                    }
                    else
                    {
                        j--;
                    }

                    if (aStart != a.Length)
                    {
                        emit = true;
                    }
                }

                if (emit)
                {
                    var matchLen = aEnd - aStart + 1;
                    if (minMatchLen == 0 || matchLen >= minMatchLen)
                    {
                        ranges.Add((aStart, aEnd, bStart, bEnd, matchLen));
                    }

                    aStart = a.Length;
                    emit = false;
                }
            }
        }

        if (getIdx)
        {
            c.Reply.MapHeader(2);
            c.Reply.Bulk("matches"u8);
            c.Reply.ArrayHeader(ranges.Count);
            foreach (var r in ranges)
            {
                c.Reply.ArrayHeader(withMatchLen ? 3 : 2);
                c.Reply.ArrayHeader(2);
                c.Reply.Integer(r.A0);
                c.Reply.Integer(r.A1);
                c.Reply.ArrayHeader(2);
                c.Reply.Integer(r.B0);
                c.Reply.Integer(r.B1);
                if (withMatchLen)
                {
                    c.Reply.Integer(r.Len);
                }
            }

            c.Reply.Bulk("len"u8);
            c.Reply.Integer(length);
        }
        else if (getLen)
        {
            c.Reply.Integer(length);
        }
        else
        {
            c.Reply.Bulk(result);
        }
    }
}
