using Forge.Cache.Persistence;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>DUMP and RESTORE: a value in RDB serialization with version and CRC-64 (Persistence/RdbValue.cs).</summary>
internal static partial class KeyCommands
{
    private static void RegisterDump(CommandTable t)
    {
        t.Add("dump", 2, "readonly", 1, 1, 1, Dump, "generic");
        t.Add("restore", -4, "write denyoom", 1, 1, 1, Restore, "generic");
    }

    private static void Dump(CommandContext c)
    {
        var value = c.Db.Get(c.Arg(1));
        if (value is null)
        {
            c.Reply.Null();
            return;
        }

        c.Reply.Bulk(RdbValue.Dump(value));
    }

    private static void Restore(CommandContext c)
    {
        bool replace = false, absTtl = false;
        long idle = -1, freq = -1;
        for (var j = 4; j < c.ArgCount; j++)
        {
            var more = c.ArgCount - j - 1;
            if (c.ArgIs(j, "REPLACE"u8))
            {
                replace = true;
            }
            else if (c.ArgIs(j, "ABSTTL"u8))
            {
                absTtl = true;
            }
            else if (c.ArgIs(j, "IDLETIME"u8) && more >= 1 && freq == -1)
            {
                if (!c.TryGetLong(++j, out idle))
                {
                    return;
                }

                if (idle < 0)
                {
                    c.Reply.Error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
            }
            else if (c.ArgIs(j, "FREQ"u8) && more >= 1 && idle == -1)
            {
                if (!c.TryGetLong(++j, out freq))
                {
                    return;
                }

                if (freq is < 0 or > 255)
                {
                    c.Reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
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
        if (!replace && c.Db.Get(key) is not null)
        {
            c.Reply.Error("BUSYKEY Target key name already exists.");
            return;
        }

        if (!c.TryGetLong(2, out var ttl))
        {
            return;
        }

        if (ttl < 0)
        {
            c.Reply.Error("ERR Invalid TTL value, must be >= 0");
            return;
        }

        var payload = c.Arg(3);
        if (!RdbValue.VerifyPayload(payload))
        {
            c.Reply.Error("ERR DUMP payload version or checksum are wrong");
            return;
        }

        var value = RdbValue.Load(payload, CommandLimits.From(c.Server.Config));
        if (value is null)
        {
            c.Reply.Error("ERR Bad data format");
            return;
        }

        var deleted = replace && c.Db.Delete(key);
        if (ttl > 0 && !absTtl)
        {
            ttl += c.Now;
        }

        if (ttl > 0 && ttl <= c.Now)
        {
            // Already expired: nothing is stored (a replaced key is gone, as Redis does).
            if (deleted)
            {
                c.Notify(Notify.Generic, "del", key);
            }

            c.Reply.Ok();
            return;
        }

        c.Db.Add(key, value);
        if (ttl > 0)
        {
            c.Db.SetExpire(key, ttl);
        }

        var slot = c.Db.Main.FindSlot(key);
        if (idle >= 0)
        {
            c.Db.Main.MetaAt(slot) = AccessTracking.LruClock(c.Now - (idle * 1000));
        }
        else if (freq >= 0)
        {
            c.Db.Main.MetaAt(slot) = (AccessTracking.NewWord(lfu: true, c.Now) & ~0xFFu) | (uint)freq;
        }

        c.Notify(Notify.Generic, "restore", key);
        c.Reply.Ok();
    }
}
