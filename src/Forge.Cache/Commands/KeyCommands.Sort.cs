using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// SORT / SORT_RO: sorts a list, set or sorted set numerically (ties broken by the element's
/// bytes, as Redis does) or with ALPHA by bytes, optionally by external keys (BY pattern, with
/// "->field" for hash fields; a pattern without '*' means no sorting), with LIMIT, GET patterns
/// ("#" is the element itself), DESC, and STORE into a list.
/// </summary>
internal static partial class KeyCommands
{
    private static void RegisterSort(CommandTable t)
    {
        t.AddMovable("sort", -2, "write denyoom", SortKeys, c => Sort(c, readOnly: false), "generic");
        t.AddMovable("sort_ro", -2, "readonly", c => [1], c => Sort(c, readOnly: true), "generic");
    }

    private static List<int> SortKeys(CommandContext c)
    {
        var keys = new List<int> { 1 };
        for (var i = 2; i < c.ArgCount; i++)
        {
            if (c.ArgIs(i, "STORE"u8) && i + 1 < c.ArgCount)
            {
                keys.Add(i + 1);
                i++;
            }
            else if (c.ArgIs(i, "LIMIT"u8))
            {
                i += 2;
            }
            else if (c.ArgIs(i, "GET"u8) || c.ArgIs(i, "BY"u8))
            {
                i++;
            }
        }

        return keys;
    }

    private sealed class SortItem
    {
        public required byte[] Element { get; init; }

        public double Score { get; set; }

        public byte[]? By { get; set; }
    }

    private static void Sort(CommandContext c, bool readOnly)
    {
        var desc = false;
        var alpha = false;
        long offset = 0, count = -1;
        byte[]? byPattern = null;
        var dontSort = false;
        var getPatterns = new List<byte[]>();
        byte[]? store = null;
        for (var i = 2; i < c.ArgCount; i++)
        {
            var left = c.ArgCount - i - 1;
            if (c.ArgIs(i, "ASC"u8))
            {
                desc = false;
            }
            else if (c.ArgIs(i, "DESC"u8))
            {
                desc = true;
            }
            else if (c.ArgIs(i, "ALPHA"u8))
            {
                alpha = true;
            }
            else if (c.ArgIs(i, "LIMIT"u8) && left >= 2)
            {
                if (!c.TryGetLong(i + 1, out offset) || !c.TryGetLong(i + 2, out count))
                {
                    return;
                }

                i += 2;
            }
            else if (c.ArgIs(i, "STORE"u8) && left >= 1 && !readOnly)
            {
                store = c.ArgBytes(++i);
            }
            else if (c.ArgIs(i, "BY"u8) && left >= 1)
            {
                byPattern = c.ArgBytes(++i);
                if (Array.IndexOf(byPattern, (byte)'*') < 0)
                {
                    dontSort = true;
                }
            }
            else if (c.ArgIs(i, "GET"u8) && left >= 1)
            {
                getPatterns.Add(c.ArgBytes(++i));
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var source = c.Db.Get(c.Arg(1));
        if (source is not (null or RedisList or RedisSet or RedisSortedSet))
        {
            c.Reply.Error(Errors.WrongType);
            return;
        }

        // A set has no order of its own: with STORE, sort it anyway so the result is deterministic.
        if (dontSort && source is RedisSet && store is not null)
        {
            dontSort = false;
            alpha = true;
            byPattern = null;
        }

        var items = new List<SortItem>();
        switch (source)
        {
            case RedisList list:
                foreach (var e in list.ToArray())
                {
                    items.Add(new SortItem { Element = e });
                }

                break;
            case RedisSet set:
                for (var s = set.NextLive(0); s >= 0; s = set.NextLive(s + 1))
                {
                    items.Add(new SortItem { Element = set.MemberBytesAt(s) });
                }

                break;
            case RedisSortedSet zset:
                foreach (var (member, _) in zset.Items())
                {
                    items.Add(new SortItem { Element = member });
                }

                if (dontSort && desc)
                {
                    items.Reverse(); // BY nosort keeps the zset's order, DESC walks it from the top
                }

                break;
        }

        if (!dontSort)
        {
            foreach (var item in items)
            {
                var value = byPattern is null ? item.Element : Lookup(c, byPattern, item.Element);
                if (alpha)
                {
                    item.By = value;
                }
                else if (value is not null)
                {
                    if (!NumberFormat.TryParseDouble(value, out var score))
                    {
                        c.Reply.Error("ERR One or more scores can't be converted into double");
                        return;
                    }

                    item.Score = score;
                }
            }

            var byNull = byPattern is not null;
            items.Sort((a, b) =>
            {
                int cmp;
                if (!alpha)
                {
                    cmp = a.Score.CompareTo(b.Score);
                    if (cmp == 0)
                    {
                        cmp = a.Element.AsSpan().SequenceCompareTo(b.Element);
                    }
                }
                else if (byNull && (a.By is null || b.By is null))
                {
                    cmp = a.By is null ? (b.By is null ? 0 : -1) : 1;
                }
                else
                {
                    cmp = a.By.AsSpan().SequenceCompareTo(b.By);
                }

                return desc ? -cmp : cmp;
            });
        }

        // LIMIT, clamped as Redis clamps it.
        long start = offset < 0 ? 0 : offset;
        long end = count < 0 ? items.Count - 1 : start + count - 1;
        if (start >= items.Count)
        {
            start = items.Count;
            end = items.Count - 1;
        }

        if (end >= items.Count)
        {
            end = items.Count - 1;
        }

        var selected = new List<byte[]?>();
        for (var i = start; i <= end; i++)
        {
            var e = items[(int)i].Element;
            if (getPatterns.Count == 0)
            {
                selected.Add(e);
                continue;
            }

            foreach (var g in getPatterns)
            {
                selected.Add(Lookup(c, g, e));
            }
        }

        if (store is null)
        {
            c.Reply.ArrayHeader(selected.Count);
            foreach (var s in selected)
            {
                if (s is null)
                {
                    c.Reply.Null();
                }
                else
                {
                    c.Reply.Bulk(s);
                }
            }

            return;
        }

        c.Db.Delete(store);
        if (selected.Count > 0)
        {
            var result = new RedisList();
            foreach (var s in selected)
            {
                result.PushTail(s is null ? [] : s.ToArray()); // a copy: GET results are other keys' values
            }

            c.Db.Add(store, result);
            c.Notify(Notify.Generic, "sortstore", store);
        }
        else
        {
            c.Notify(Notify.Generic, "del", store);
        }

        c.Touch(store);
        c.Reply.Integer(selected.Count);
    }

    /// <summary>
    /// lookupKeyByPattern: "#" is the element; otherwise the first '*' is replaced by the element and
    /// the key is read as a string, or with "->field" as a hash field.
    /// </summary>
    private static byte[]? Lookup(CommandContext c, byte[] pattern, byte[] element)
    {
        if (pattern is [(byte)'#'])
        {
            return element;
        }

        var star = Array.IndexOf(pattern, (byte)'*');
        if (star < 0)
        {
            return null;
        }

        var arrow = pattern.AsSpan().IndexOf("->"u8);
        byte[]? field = null;
        var keyPattern = pattern.AsSpan();
        if (arrow > star && arrow + 2 < pattern.Length)
        {
            field = pattern[(arrow + 2)..];
            keyPattern = pattern.AsSpan(0, arrow);
        }

        byte[] key = [.. keyPattern[..star], .. element, .. keyPattern[(star + 1)..]];
        var value = c.Db.Get(key);
        if (field is null)
        {
            return value as byte[];
        }

        return value is RedisHash hash ? hash.Get(field) : null;
    }
}
