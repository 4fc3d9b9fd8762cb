using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>Generic key commands: existence, deletion, renaming, copying, scanning, expiry, OBJECT.</summary>
internal static partial class KeyCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("del", -2, "write", 1, -1, 1, Del, "generic");
        t.Add("unlink", -2, "write fast", 1, -1, 1, Del, "generic");
        t.Add("exists", -2, "readonly fast", 1, -1, 1, Exists, "generic");
        t.Add("touch", -2, "readonly fast", 1, -1, 1, Exists, "generic");
        t.Add("type", 2, "readonly fast", 1, 1, 1, TypeCommand, "generic");
        t.Add("rename", 3, "write", 1, 2, 1, c => Rename(c, nx: false), "generic");
        t.Add("renamenx", 3, "write fast", 1, 2, 1, c => Rename(c, nx: true), "generic");
        t.Add("copy", -3, "write denyoom", 1, 2, 1, Copy, "generic");
        t.Add("move", 3, "write fast", 1, 1, 1, Move, "generic");
        t.Add("keys", 2, "readonly", 0, 0, 0, Keys, "generic");
        t.Add("scan", -2, "readonly", 0, 0, 0, Scan, "generic");
        t.Add("randomkey", 1, "readonly", 0, 0, 0, RandomKey, "generic");
        t.Add("dbsize", 1, "readonly fast", 0, 0, 0, c => c.Reply.Integer(c.Db.Count), "server");
        t.Add("flushdb", -1, "write", 0, 0, 0, FlushDb, "server");
        t.Add("flushall", -1, "write", 0, 0, 0, FlushAll, "server");
        t.Add("swapdb", 3, "write fast", 0, 0, 0, SwapDb, "server");

        t.Add("expire", -3, "write fast", 1, 1, 1, c => Expire(c, 1000, relative: true), "generic");
        t.Add("pexpire", -3, "write fast", 1, 1, 1, c => Expire(c, 1, relative: true), "generic");
        t.Add("expireat", -3, "write fast", 1, 1, 1, c => Expire(c, 1000, relative: false), "generic");
        t.Add("pexpireat", -3, "write fast", 1, 1, 1, c => Expire(c, 1, relative: false), "generic");
        t.Add("ttl", 2, "readonly fast", 1, 1, 1, c => Ttl(c, ms: false, absolute: false), "generic");
        t.Add("pttl", 2, "readonly fast", 1, 1, 1, c => Ttl(c, ms: true, absolute: false), "generic");
        t.Add("expiretime", 2, "readonly fast", 1, 1, 1, c => Ttl(c, ms: false, absolute: true), "generic");
        t.Add("pexpiretime", 2, "readonly fast", 1, 1, 1, c => Ttl(c, ms: true, absolute: true), "generic");
        t.Add("persist", 2, "write fast", 1, 1, 1, Persist, "generic");
        RegisterSort(t);
        RegisterDump(t);

        var obj = t.AddContainer("object", "generic");
        CommandTable.Sub(obj, "encoding", 3, "readonly", 2, 2, 1, ObjectEncoding);
        CommandTable.Sub(obj, "refcount", 3, "readonly", 2, 2, 1, c => ObjectIfExists(c, _ => c.Reply.Integer(1)));
        CommandTable.Sub(obj, "idletime", 3, "readonly", 2, 2, 1, ObjectIdleTime);
        CommandTable.Sub(obj, "freq", 3, "readonly", 2, 2, 1, ObjectFreq);
        CommandTable.Sub(obj, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "OBJECT",
            "ENCODING <key>", "    Return the kind of internal representation used in order to store the value", "    associated with a <key>.",
            "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is", "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of", "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>", "    Return the number of references of the value associated with the specified", "    <key>."));
    }

    /// <summary>TYPE's name for a stored value.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "none",
        byte[] => "string",
        RedisList => "list",
        RedisHash => "hash",
        RedisSet => "set",
        RedisSortedSet => "zset",
        RedisStream => "stream",
        _ => "none",
    };

    private static void Del(CommandContext c)
    {
        var deleted = 0;
        var db = c.Db;
        for (var i = 1; i < c.ArgCount; i++)
        {
            var key = c.Arg(i);
            if (db.Expires.Count > 0)
            {
                db.ExpireIfNeeded(key);
            }

            if (db.Delete(key))
            {
                c.Notify(Notify.Generic, "del", key);
                deleted++;
            }
        }

        c.Reply.Integer(deleted);
    }

    private static void Exists(CommandContext c)
    {
        var count = 0;
        for (var i = 1; i < c.ArgCount; i++)
        {
            if (c.Db.Get(c.Arg(i)) is not null)
            {
                count++;
            }
        }

        c.Reply.Integer(count);
    }

    private static void TypeCommand(CommandContext c) => c.Reply.Simple(TypeName(c.Db.Get(c.Arg(1))));

    private static void Rename(CommandContext c, bool nx)
    {
        var db = c.Db;
        var value = db.Get(c.Arg(1));
        if (value is null)
        {
            c.Reply.Error(Errors.NoSuchKey);
            return;
        }

        var sameKey = c.Arg(1).SequenceEqual(c.Arg(2));
        if (sameKey)
        {
            if (nx)
            {
                c.Reply.Integer(0);
            }
            else
            {
                c.Reply.Ok();
            }

            return;
        }

        if (nx && db.Get(c.Arg(2)) is not null)
        {
            c.Reply.Integer(0);
            return;
        }

        var expire = db.GetExpire(c.Arg(1));
        db.Delete(c.Arg(1));
        db.Delete(c.Arg(2));
        db.Add(c.Arg(2), value);
        if (expire >= 0)
        {
            db.SetExpire(c.Arg(2), expire);
        }

        c.Notify(Notify.Generic, "rename_from", c.Arg(1));
        c.Notify(Notify.Generic, "rename_to", c.Arg(2));
        if (nx)
        {
            c.Reply.Integer(1);
        }
        else
        {
            c.Reply.Ok();
        }
    }

    /// <summary>A deep copy of a value (COPY): the copy shares nothing mutable with the original.</summary>
    public static object CloneValue(object value) => value switch
    {
        byte[] s => s.ToArray(),
        _ => CloneContainer(value),
    };

    private static void Copy(CommandContext c)
    {
        var targetDb = c.Db;
        var replace = false;
        for (var i = 3; i < c.ArgCount; i++)
        {
            if (c.ArgIs(i, "REPLACE"u8))
            {
                replace = true;
            }
            else if (c.ArgIs(i, "DB"u8) && i + 1 < c.ArgCount)
            {
                if (!c.TryGetLong(++i, out var dbIndex))
                {
                    return;
                }

                if (dbIndex < 0 || dbIndex >= c.Keyspace.Count)
                {
                    c.Reply.Error(Errors.DbIndexOutOfRange);
                    return;
                }

                targetDb = c.Keyspace[(int)dbIndex];
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var value = c.Db.Get(c.Arg(1));
        if (ReferenceEquals(targetDb, c.Db) && c.Arg(1).SequenceEqual(c.Arg(2)))
        {
            c.Reply.Error("ERR source and destination objects are the same");
            return;
        }

        if (value is null)
        {
            c.Reply.Integer(0);
            return;
        }

        if (targetDb.Get(c.Arg(2)) is not null)
        {
            if (!replace)
            {
                c.Reply.Integer(0);
                return;
            }

            targetDb.Delete(c.Arg(2));
        }

        var expire = c.Db.GetExpire(c.Arg(1));
        targetDb.Add(c.Arg(2), CloneValue(value));
        if (expire >= 0)
        {
            targetDb.SetExpire(c.Arg(2), expire);
        }

        if (!ReferenceEquals(targetDb, c.Db))
        {
            c.Server.Watches.Touch(targetDb.Id, c.Arg(2));
        }

        c.Keyspace.NotifyEvent(Notify.Generic, "copy_to", targetDb, c.Arg(2));

        c.Reply.Integer(1);
    }

    private static void Move(CommandContext c)
    {
        if (!c.TryGetLong(2, out var dbIndex))
        {
            return;
        }

        if (dbIndex < 0 || dbIndex >= c.Keyspace.Count)
        {
            c.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        var target = c.Keyspace[(int)dbIndex];
        if (ReferenceEquals(target, c.Db))
        {
            c.Reply.Error("ERR source and destination objects are the same");
            return;
        }

        var value = c.Db.Get(c.Arg(1));
        if (value is null || target.Get(c.Arg(1)) is not null)
        {
            c.Reply.Integer(0);
            return;
        }

        var expire = c.Db.GetExpire(c.Arg(1));
        c.Db.Delete(c.Arg(1));
        target.Add(c.Arg(1), value);
        if (expire >= 0)
        {
            target.SetExpire(c.Arg(1), expire);
        }

        c.Server.Watches.Touch(target.Id, c.Arg(1));
        c.Notify(Notify.Generic, "move_from", c.Arg(1));
        c.Keyspace.NotifyEvent(Notify.Generic, "move_to", target, c.Arg(1));
        c.Reply.Integer(1);
    }

    private static void Keys(CommandContext c)
    {
        var db = c.Db;
        var pattern = c.Arg(1);
        var all = pattern.Length == 1 && pattern[0] == (byte)'*';
        var result = new List<byte[]>();
        foreach (var slot in db.Main)
        {
            var key = db.Main.KeyAt(slot);
            if ((all || Glob.Match(pattern, key)) && !db.IsStale(key))
            {
                result.Add(key);
            }
        }

        c.Reply.ArrayHeader(result.Count);
        foreach (var k in result)
        {
            c.Reply.Bulk(k);
        }
    }

    /// <summary>
    /// Parses a SCAN-family cursor and its MATCH/COUNT/(TYPE) options starting at argument
    /// <paramref name="first"/>. Replies the error and returns false when malformed.
    /// </summary>
    public static bool TryParseScanArgs(CommandContext c, int cursorIndex, int first, bool allowType, out long cursor, out byte[]? match, out long count, out string? type)
    {
        match = null;
        count = 10;
        type = null;
        if (!NumberFormat.TryParseLong(c.Arg(cursorIndex), out cursor) && !ulong.TryParse(c.Arg(cursorIndex), out _))
        {
            c.Reply.Error("ERR invalid cursor");
            return false;
        }

        for (var i = first; i < c.ArgCount; i += 2)
        {
            if (i + 1 >= c.ArgCount)
            {
                c.Reply.Error(Errors.Syntax);
                return false;
            }

            if (c.ArgIs(i, "COUNT"u8))
            {
                if (!c.TryGetLong(i + 1, out count))
                {
                    return false;
                }

                if (count < 1)
                {
                    c.Reply.Error(Errors.Syntax);
                    return false;
                }
            }
            else if (c.ArgIs(i, "MATCH"u8))
            {
                match = c.ArgBytes(i + 1);
                if (match is [(byte)'*'])
                {
                    match = null;
                }
            }
            else if (allowType && c.ArgIs(i, "TYPE"u8))
            {
                type = c.ArgString(i + 1).ToLowerInvariant();
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return false;
            }
        }

        return true;
    }

    private static void Scan(CommandContext c)
    {
        if (!TryParseScanArgs(c, 1, 2, allowType: true, out var cursor, out var match, out var count, out var type))
        {
            return;
        }

        var db = c.Db;
        var keys = new List<byte[]>();
        var slot = cursor is < 0 or > int.MaxValue ? -1 : (int)cursor;
        var visited = 0L;
        var budget = Math.Max(count, 1);
        while (slot >= 0 && slot < db.Main.SlotCount && visited < budget)
        {
            slot = db.Main.NextLive(slot);
            if (slot < 0)
            {
                break;
            }

            visited++;
            var key = db.Main.KeyAt(slot);
            var value = db.Main.ValueAt(slot);
            slot++;
            if (db.IsStale(key))
            {
                continue;
            }

            if (match is not null && !Glob.Match(match, key))
            {
                continue;
            }

            if (type is not null && TypeName(value) != type)
            {
                continue;
            }

            keys.Add(key);
        }

        var next = slot < 0 || slot >= db.Main.SlotCount || db.Main.NextLive(slot) < 0 ? 0 : slot;
        c.Reply.ArrayHeader(2);
        c.Reply.BulkInteger(next);
        c.Reply.ArrayHeader(keys.Count);
        foreach (var k in keys)
        {
            c.Reply.Bulk(k);
        }
    }

    private static void RandomKey(CommandContext c)
    {
        var key = c.Db.RandomKey(c.Server.Random);
        if (key is null)
        {
            c.Reply.Null();
        }
        else
        {
            c.Reply.Bulk(key);
        }
    }

    private static bool ParseFlushMode(CommandContext c)
    {
        if (c.ArgCount > 2 || (c.ArgCount == 2 && !c.ArgIs(1, "ASYNC"u8) && !c.ArgIs(1, "SYNC"u8)))
        {
            c.Reply.Error(Errors.Syntax);
            return false;
        }

        return true;
    }

    private static void FlushDb(CommandContext c)
    {
        if (!ParseFlushMode(c))
        {
            return;
        }

        c.Server.Watches.TouchFlushed(c.Client.DbIndex);
        c.Db.Clear();
        c.Server.Blocking.SignalDatabase(c.Db);
        c.Reply.Ok();
    }

    private static void FlushAll(CommandContext c)
    {
        if (!ParseFlushMode(c))
        {
            return;
        }

        c.Server.Watches.TouchFlushed(-1);
        for (var i = 0; i < c.Keyspace.Count; i++)
        {
            c.Keyspace[i].Clear();
            c.Server.Blocking.SignalDatabase(c.Keyspace[i]);
        }

        c.Reply.Ok();
    }

    private static void SwapDb(CommandContext c)
    {
        if (!NumberFormat.TryParseLong(c.Arg(1), out var a))
        {
            c.Reply.Error("ERR invalid first DB index");
            return;
        }

        if (!NumberFormat.TryParseLong(c.Arg(2), out var b))
        {
            c.Reply.Error("ERR invalid second DB index");
            return;
        }

        if (a < 0 || a >= c.Keyspace.Count || b < 0 || b >= c.Keyspace.Count)
        {
            c.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        if (a != b)
        {
            c.Server.Watches.TouchFlushed((int)a, (int)b);
            c.Keyspace[(int)a].SwapWith(c.Keyspace[(int)b]);
            c.Server.Blocking.SignalDatabase(c.Keyspace[(int)a]);
            c.Server.Blocking.SignalDatabase(c.Keyspace[(int)b]);
        }

        c.Reply.Ok();
    }

    /// <summary>EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT].</summary>
    private static void Expire(CommandContext c, long unitMs, bool relative)
    {
        bool nx = false, xx = false, gt = false, lt = false;
        for (var i = 3; i < c.ArgCount; i++)
        {
            if (c.ArgIs(i, "NX"u8))
            {
                nx = true;
            }
            else if (c.ArgIs(i, "XX"u8))
            {
                xx = true;
            }
            else if (c.ArgIs(i, "GT"u8))
            {
                gt = true;
            }
            else if (c.ArgIs(i, "LT"u8))
            {
                lt = true;
            }
            else
            {
                c.Reply.Error($"ERR Unsupported option {c.ArgString(i)}");
                return;
            }
        }

        if (nx && (xx || gt || lt))
        {
            c.Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }

        if (gt && lt)
        {
            c.Reply.Error("ERR GT and LT options at the same time are not compatible");
            return;
        }

        if (!c.TryGetLong(2, out var when))
        {
            return;
        }

        var name = c.Command.Name;
        if (unitMs != 1)
        {
            if (when > long.MaxValue / unitMs || when < long.MinValue / unitMs)
            {
                c.Reply.Error(Errors.InvalidExpire(name));
                return;
            }

            when *= unitMs;
        }

        if (relative)
        {
            if ((when > 0 && c.Now > long.MaxValue - when) || (when < 0 && c.Now < long.MinValue - when))
            {
                c.Reply.Error(Errors.InvalidExpire(name));
                return;
            }

            when += c.Now;
        }

        var db = c.Db;
        var key = c.Arg(1);
        if (db.Get(key) is null)
        {
            c.Reply.Integer(0);
            return;
        }

        var current = db.GetExpire(key);
        if ((nx && current != -1) || (xx && current == -1) || (gt && (current == -1 || when <= current)) || (lt && current != -1 && when >= current))
        {
            c.Reply.Integer(0);
            return;
        }

        if (when <= c.Now)
        {
            // A time in the past deletes the key (as Redis does, propagated as DEL).
            db.Delete(key);
            c.Notify(Notify.Generic, "del", key);
            c.Reply.Integer(1);
            return;
        }

        db.SetExpire(key, when);
        c.Notify(Notify.Generic, "expire", key);
        c.Reply.Integer(1);
    }

    private static void Ttl(CommandContext c, bool ms, bool absolute)
    {
        var db = c.Db;
        var key = c.Arg(1);
        if (db.Get(key) is null)
        {
            c.Reply.Integer(-2);
            return;
        }

        var expire = db.GetExpire(key);
        if (expire == -1)
        {
            c.Reply.Integer(-1);
            return;
        }

        var ttl = absolute ? expire : Math.Max(expire - c.Now, 0);
        c.Reply.Integer(ms ? ttl : (ttl + 500) / 1000);
    }

    private static void Persist(CommandContext c)
    {
        var db = c.Db;
        if (db.Get(c.Arg(1)) is null)
        {
            c.Reply.Integer(0);
            return;
        }

        if (db.Persist(c.Arg(1)))
        {
            c.Notify(Notify.Generic, "persist", c.Arg(1));
            c.Reply.Integer(1);
        }
        else
        {
            c.Reply.Integer(0);
        }
    }

    private static void ObjectIfExists(CommandContext c, Action<object> then)
    {
        var value = c.Db.Peek(c.Arg(2));
        if (value is null)
        {
            c.Reply.Null();
            return;
        }

        then(value);
    }

    private static void ObjectEncoding(CommandContext c) => ObjectIfExists(c, v => c.Reply.Bulk(EncodingName(c, v)));

    /// <summary>The encoding Redis 7.0 would report for a value of this shape.</summary>
    public static string EncodingName(CommandContext c, object value)
    {
        if (value is byte[] s)
        {
            if (NumberFormat.IsCanonicalLong(s))
            {
                return "int";
            }

            return s.Length <= 44 ? "embstr" : "raw";
        }

        return ContainerEncoding(c, value);
    }

    private static void ObjectIdleTime(CommandContext c) => ObjectIfExists(c, _ =>
    {
        if (c.Server.Config["maxmemory-policy"].Contains("lfu", StringComparison.Ordinal))
        {
            c.Reply.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }

        c.Reply.Integer(AccessTracking.IdleSeconds(c.Db.AccessWord(c.Arg(2)), c.Now));
    });

    private static void ObjectFreq(CommandContext c) => ObjectIfExists(c, _ =>
    {
        if (!c.Server.Config["maxmemory-policy"].Contains("lfu", StringComparison.Ordinal))
        {
            c.Reply.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }

        c.Reply.Integer(AccessTracking.DecayedCounter(c.Db.AccessWord(c.Arg(2)), c.Now, c.Keyspace.LfuDecayTime));
    });
}
