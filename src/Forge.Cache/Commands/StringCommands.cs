using System.Globalization;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>String commands. Strings are stored as plain byte arrays.</summary>
internal static partial class StringCommands
{
    private const string OffsetOutOfRange = "ERR offset is out of range";

    [Flags]
    private enum SetFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Get = 4,
        KeepTtl = 8,
        Persist = 16,
        Ex = 32,
        Px = 64,
        ExAt = 128,
        PxAt = 256,
        AnyExpire = Ex | Px | ExAt | PxAt,
    }

    public static void Register(CommandTable t)
    {
        t.Add("get", 2, "readonly fast", 1, 1, 1, Get, "string");
        t.Add("set", -3, "write denyoom", 1, 1, 1, Set, "string");
        t.Add("setnx", 3, "write denyoom fast", 1, 1, 1, SetNx, "string");
        t.Add("setex", 4, "write denyoom", 1, 1, 1, c => SetEx(c, 1000), "string");
        t.Add("psetex", 4, "write denyoom", 1, 1, 1, c => SetEx(c, 1), "string");
        t.Add("mget", -2, "readonly fast", 1, -1, 1, MGet, "string");
        t.Add("mset", -3, "write denyoom", 1, -1, 2, c => MSet(c, nx: false), "string");
        t.Add("msetnx", -3, "write denyoom", 1, -1, 2, c => MSet(c, nx: true), "string");
        t.Add("getset", 3, "write denyoom fast", 1, 1, 1, GetSet, "string");
        t.Add("getdel", 2, "write fast", 1, 1, 1, GetDel, "string");
        t.Add("getex", -2, "write fast", 1, 1, 1, GetEx, "string");
        t.Add("incr", 2, "write denyoom fast", 1, 1, 1, c => IncrBy(c, 1), "string");
        t.Add("decr", 2, "write denyoom fast", 1, 1, 1, c => IncrBy(c, -1), "string");
        t.Add("incrby", 3, "write denyoom fast", 1, 1, 1, c =>
        {
            if (c.TryGetLong(2, out var by))
            {
                IncrBy(c, by);
            }
        }, "string");
        t.Add("decrby", 3, "write denyoom fast", 1, 1, 1, c =>
        {
            if (!c.TryGetLong(2, out var by))
            {
                return;
            }

            if (by == long.MinValue)
            {
                c.Reply.Error("ERR decrement would overflow");
                return;
            }

            IncrBy(c, -by);
        }, "string");
        t.Add("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, IncrByFloat, "string");
        t.Add("append", 3, "write denyoom fast", 1, 1, 1, Append, "string");
        t.Add("strlen", 2, "readonly fast", 1, 1, 1, StrLen, "string");
        t.Add("getrange", 4, "readonly", 1, 1, 1, GetRange, "string");
        t.Add("substr", 4, "readonly", 1, 1, 1, GetRange, "string");
        t.Add("setrange", 4, "write denyoom", 1, 1, 1, SetRange, "string");
        t.Add("lcs", -3, "readonly", 1, 2, 1, Lcs, "string");
    }

    /// <summary>Looks up a string; false (after replying WRONGTYPE) when the key holds another type.</summary>
    private static bool TryGetString(CommandContext c, ReadOnlySpan<byte> key, out byte[]? value)
    {
        var o = c.Db.Get(key);
        if (o is null)
        {
            value = null;
            return true;
        }

        value = o as byte[];
        if (value is null)
        {
            c.Reply.Error(Errors.WrongType);
            return false;
        }

        return true;
    }

    private static void Get(CommandContext c)
    {
        var o = c.Db.Get(c.Arg(1));
        if (o is byte[] s)
        {
            c.Server.Stats.KeyspaceHits++;
            c.Reply.Bulk(s);
        }
        else if (o is null)
        {
            c.Server.Stats.KeyspaceMisses++;
            c.Reply.Null();
        }
        else
        {
            c.Reply.Error(Errors.WrongType);
        }
    }

    private static void Set(CommandContext c)
    {
        var flags = SetFlags.None;
        var expireArg = -1;
        for (var j = 3; j < c.ArgCount; j++)
        {
            var hasNext = j + 1 < c.ArgCount;
            if (c.ArgIs(j, "NX"u8) && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (c.ArgIs(j, "XX"u8) && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (c.ArgIs(j, "GET"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (c.ArgIs(j, "KEEPTTL"u8) && (flags & SetFlags.AnyExpire) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (hasNext && (flags & (SetFlags.AnyExpire | SetFlags.KeepTtl)) == 0 && TryExpireOption(c, j, out var unit))
            {
                flags |= unit;
                expireArg = ++j;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var when = -1L;
        if (expireArg > 0 && !TryGetExpireTime(c, expireArg, flags, out when))
        {
            return;
        }

        var db = c.Db;
        var key = c.Arg(1);
        var old = db.Get(key);
        if ((flags & SetFlags.Get) != 0)
        {
            if (old is not null and not byte[])
            {
                c.Reply.Error(Errors.WrongType);
                return;
            }
        }

        if (((flags & SetFlags.Nx) != 0 && old is not null) || ((flags & SetFlags.Xx) != 0 && old is null))
        {
            if ((flags & SetFlags.Get) != 0)
            {
                ReplyOld(c, old);
            }
            else
            {
                c.Reply.Null();
            }

            return;
        }

        db.Set(key, c.ArgBytes(2), keepTtl: (flags & SetFlags.KeepTtl) != 0);
        c.Notify(Notify.String, "set", key);
        if (when >= 0)
        {
            db.SetExpire(key, when);
            c.Notify(Notify.Generic, "expire", key);
        }

        if ((flags & SetFlags.Get) != 0)
        {
            ReplyOld(c, old);
        }
        else
        {
            c.Reply.Ok();
        }
    }

    /// <summary>Stores a string computed from the old one: added when the key was missing, else replaced keeping its TTL.</summary>
    private static void StoreUpdated(CommandContext c, byte[]? old, byte[] bytes)
    {
        if (old is null)
        {
            c.Db.Add(c.Arg(1), bytes);
        }
        else
        {
            c.Db.Overwrite(c.Arg(1), bytes);
        }
    }

    private static void ReplyOld(CommandContext c, object? old)
    {
        if (old is byte[] s)
        {
            c.Reply.Bulk(s);
        }
        else
        {
            c.Reply.Null();
        }
    }

    private static bool TryExpireOption(CommandContext c, int j, out SetFlags unit)
    {
        unit = c.ArgIs(j, "EX"u8) ? SetFlags.Ex
            : c.ArgIs(j, "PX"u8) ? SetFlags.Px
            : c.ArgIs(j, "EXAT"u8) ? SetFlags.ExAt
            : c.ArgIs(j, "PXAT"u8) ? SetFlags.PxAt
            : SetFlags.None;
        return unit != SetFlags.None;
    }

    /// <summary>The absolute expiry in ms for an EX/PX/EXAT/PXAT argument, with Redis's errors.</summary>
    private static bool TryGetExpireTime(CommandContext c, int index, SetFlags flags, out long when)
    {
        when = -1;
        if (!c.TryGetLong(index, out var value))
        {
            return false;
        }

        var seconds = (flags & (SetFlags.Ex | SetFlags.ExAt)) != 0;
        if (value <= 0 || (seconds && value > long.MaxValue / 1000))
        {
            c.Reply.Error(InvalidExpire(c));
            return false;
        }

        if (seconds)
        {
            value *= 1000;
        }

        if ((flags & (SetFlags.Ex | SetFlags.Px)) != 0)
        {
            if (value > long.MaxValue - c.Now)
            {
                c.Reply.Error(InvalidExpire(c));
                return false;
            }

            value += c.Now;
        }

        when = value;
        return true;
    }

    private static string InvalidExpire(CommandContext c) =>
        Errors.InvalidExpire(c.Command.FullName);

    private static void SetNx(CommandContext c)
    {
        if (c.Db.Get(c.Arg(1)) is not null)
        {
            c.Reply.Integer(0);
            return;
        }

        c.Db.Add(c.Arg(1), c.ArgBytes(2));
        c.Notify(Notify.String, "set", c.Arg(1));
        c.Reply.Integer(1);
    }

    private static void SetEx(CommandContext c, long unit)
    {
        if (!c.TryGetLong(2, out var ttl))
        {
            return;
        }

        if (ttl <= 0 || (unit == 1000 && ttl > long.MaxValue / 1000) || ttl * unit > long.MaxValue - c.Now)
        {
            c.Reply.Error(InvalidExpire(c));
            return;
        }

        c.Db.Set(c.Arg(1), c.ArgBytes(3));
        c.Db.SetExpire(c.Arg(1), c.Now + (ttl * unit));
        c.Notify(Notify.String, "set", c.Arg(1));
        c.Notify(Notify.Generic, "expire", c.Arg(1));
        c.Reply.Ok();
    }

    private static void MGet(CommandContext c)
    {
        c.Reply.ArrayHeader(c.ArgCount - 1);
        for (var i = 1; i < c.ArgCount; i++)
        {
            if (c.Db.Get(c.Arg(i)) is byte[] s)
            {
                c.Reply.Bulk(s);
            }
            else
            {
                c.Reply.Null();
            }
        }
    }

    private static void MSet(CommandContext c, bool nx)
    {
        if (c.ArgCount % 2 == 0)
        {
            c.Reply.Error(Errors.WrongArgs(c.Command.FullName));
            return;
        }

        if (nx)
        {
            for (var i = 1; i < c.ArgCount; i += 2)
            {
                if (c.Db.Get(c.Arg(i)) is not null)
                {
                    c.Reply.Integer(0);
                    return;
                }
            }
        }

        for (var i = 1; i < c.ArgCount; i += 2)
        {
            c.Db.Set(c.Arg(i), c.ArgBytes(i + 1));
            c.Notify(Notify.String, "set", c.Arg(i));
        }

        if (nx)
        {
            c.Reply.Integer(1);
        }
        else
        {
            c.Reply.Ok();
        }
    }

    private static void GetSet(CommandContext c)
    {
        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        c.Db.Set(c.Arg(1), c.ArgBytes(2));
        c.Notify(Notify.String, "set", c.Arg(1));
        ReplyOld(c, old);
    }

    private static void GetDel(CommandContext c)
    {
        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        if (old is not null)
        {
            c.Db.Delete(c.Arg(1));
            c.Notify(Notify.Generic, "del", c.Arg(1));
        }

        ReplyOld(c, old);
    }

    private static void GetEx(CommandContext c)
    {
        var flags = SetFlags.None;
        var expireArg = -1;
        for (var j = 2; j < c.ArgCount; j++)
        {
            var hasNext = j + 1 < c.ArgCount;
            if (c.ArgIs(j, "PERSIST"u8) && (flags & SetFlags.AnyExpire) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (hasNext && (flags & (SetFlags.AnyExpire | SetFlags.Persist)) == 0 && TryExpireOption(c, j, out var unit))
            {
                flags |= unit;
                expireArg = ++j;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var when = -1L;
        if (expireArg > 0 && !TryGetExpireTime(c, expireArg, flags, out when))
        {
            return;
        }

        if (!TryGetString(c, c.Arg(1), out var value))
        {
            return;
        }

        if (value is null)
        {
            c.Reply.Null();
            return;
        }

        if (when >= 0)
        {
            if (when <= c.Now)
            {
                c.Db.Delete(c.Arg(1));
                c.Notify(Notify.Generic, "del", c.Arg(1));
            }
            else
            {
                c.Db.SetExpire(c.Arg(1), when);
                c.Notify(Notify.Generic, "expire", c.Arg(1));
            }
        }
        else if ((flags & SetFlags.Persist) != 0 && c.Db.Persist(c.Arg(1)))
        {
            c.Notify(Notify.Generic, "persist", c.Arg(1));
        }

        c.Reply.Bulk(value);
    }

    private static void IncrBy(CommandContext c, long by)
    {
        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        long value = 0;
        if (old is not null && !NumberFormat.TryParseLong(old, out value))
        {
            c.Reply.Error(Errors.NotInteger);
            return;
        }

        if ((by > 0 && value > long.MaxValue - by) || (by < 0 && value < long.MinValue - by))
        {
            c.Reply.Error(Errors.Overflow);
            return;
        }

        value += by;
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
        if (old is not null && old.Length == n)
        {
            // Same length (the usual counter step): rewrite the value's bytes in place instead of
            // allocating a new array per INCR. String values are never shared between keys
            // (COPY and SORT STORE copy them), so no other key sees the change.
            digits[..n].CopyTo(old);
            c.Db.Overwrite(c.Arg(1), old);
        }
        else
        {
            StoreUpdated(c, old, digits[..n].ToArray());
        }

        c.Notify(Notify.String, "incrby", c.Arg(1));
        c.Reply.Integer(value);
    }

    private static void IncrByFloat(CommandContext c)
    {
        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        // Redis adds in an 80-bit long double and prints "%.17Lf" trimmed: LongDouble reproduces
        // both exactly ("5000.00001000000000007" where a double would print something else).
        var current = LongDouble.FromLong(0);
        if ((old is not null && !LongDouble.TryParse(old, out current)) || !LongDouble.TryParse(c.Arg(2), out var by))
        {
            c.Reply.Error(Errors.NotFloat);
            return;
        }

        var sum = current + by;
        if (sum.IsInfinity || by.IsInfinity)
        {
            c.Reply.Error(Errors.NanOrInfinity);
            return;
        }

        var bytes = System.Text.Encoding.ASCII.GetBytes(sum.ToHumanString());
        StoreUpdated(c, old, bytes);

        c.Notify(Notify.String, "incrbyfloat", c.Arg(1));
        c.Reply.Bulk(bytes);
    }

    private static void Append(CommandContext c)
    {
        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        var add = c.Arg(2);
        if (old is null)
        {
            c.Db.Add(c.Arg(1), add.ToArray());
            c.Notify(Notify.String, "append", c.Arg(1));
            c.Reply.Integer(add.Length);
            return;
        }

        if ((long)old.Length + add.Length > c.Server.Config.Limits.ProtoMaxBulkLen)
        {
            c.Reply.Error(Errors.StringTooLong);
            return;
        }

        var bytes = new byte[old.Length + add.Length];
        old.CopyTo(bytes, 0);
        add.CopyTo(bytes.AsSpan(old.Length));
        c.Db.Overwrite(c.Arg(1), bytes);
        c.Notify(Notify.String, "append", c.Arg(1));
        c.Reply.Integer(bytes.Length);
    }

    private static void StrLen(CommandContext c)
    {
        if (TryGetString(c, c.Arg(1), out var s))
        {
            c.Reply.Integer(s?.Length ?? 0);
        }
    }

    private static void GetRange(CommandContext c)
    {
        if (!c.TryGetLong(2, out var start) || !c.TryGetLong(3, out var end))
        {
            return;
        }

        if (!TryGetString(c, c.Arg(1), out var s))
        {
            return;
        }

        if (s is null)
        {
            c.Reply.Bulk([]);
            return;
        }

        long len = s.Length;
        if (start < 0 && end < 0 && start > end)
        {
            c.Reply.Bulk([]);
            return;
        }

        if (start < 0)
        {
            start = len + start;
        }

        if (end < 0)
        {
            end = len + end;
        }

        if (start < 0)
        {
            start = 0;
        }

        if (end < 0)
        {
            end = 0;
        }

        if (end >= len)
        {
            end = len - 1;
        }

        if (start > end || len == 0)
        {
            c.Reply.Bulk([]);
            return;
        }

        c.Reply.Bulk(s.AsSpan((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext c)
    {
        if (!c.TryGetLong(2, out var offset))
        {
            return;
        }

        if (offset < 0)
        {
            c.Reply.Error(OffsetOutOfRange);
            return;
        }

        if (!TryGetString(c, c.Arg(1), out var old))
        {
            return;
        }

        var value = c.Arg(3);
        if (value.IsEmpty)
        {
            c.Reply.Integer(old?.Length ?? 0);
            return;
        }

        if (offset > c.Server.Config.Limits.ProtoMaxBulkLen - value.Length)
        {
            c.Reply.Error(Errors.StringTooLong);
            return;
        }

        var length = Math.Max(old?.Length ?? 0, (int)offset + value.Length);
        var bytes = new byte[length];
        old?.CopyTo(bytes, 0);
        value.CopyTo(bytes.AsSpan((int)offset));
        StoreUpdated(c, old, bytes);

        c.Notify(Notify.String, "setrange", c.Arg(1));
        c.Reply.Integer(length);
    }
}
