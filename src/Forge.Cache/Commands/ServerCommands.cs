using System.Globalization;
using Forge.Cache.Protocol;
using Forge.Cache.Server;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>Server commands: INFO CONFIG COMMAND TIME LASTSAVE SLOWLOG MONITOR SHUTDOWN DEBUG FUNCTION MEMORY.</summary>
internal static partial class ServerCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("info", -1, "loading stale", 0, 0, 0, Info, "server");
        t.Add("time", 1, "loading stale fast", 0, 0, 0, Time, "server");
        t.Add("save", 1, "admin noscript no_multi", 0, 0, 0, Save, "server");
        t.Add("lastsave", 1, "loading stale fast", 0, 0, 0, c => c.Reply.Integer(c.Server.LastSaveUnix), "server");
        t.Add("monitor", 1, "admin noscript loading stale", 0, 0, 0, Monitor, "server");
        t.Add("shutdown", -1, "admin noscript loading stale no_multi allow_busy", 0, 0, 0, Shutdown, "server");

        var config = t.AddContainer("config", "server");
        CommandTable.Sub(config, "get", -3, "admin noscript loading stale", 0, 0, 0, ConfigGet);
        CommandTable.Sub(config, "set", -4, "admin noscript loading stale", 0, 0, 0, ConfigSet);
        CommandTable.Sub(config, "resetstat", 2, "admin noscript loading stale", 0, 0, 0, ConfigResetStat);
        CommandTable.Sub(config, "rewrite", 2, "admin noscript loading stale", 0, 0, 0, c => c.Reply.Error("ERR The server is running without a config file"));
        CommandTable.Sub(config, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "CONFIG",
            "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
            "RESETSTAT", "    Reset statistics reported by the INFO command.",
            "REWRITE", "    Rewrite the configuration file."));

        var slowlog = t.AddContainer("slowlog", "server");
        CommandTable.Sub(slowlog, "get", -2, "admin loading stale", 0, 0, 0, SlowLogGet);
        CommandTable.Sub(slowlog, "len", 2, "admin loading stale", 0, 0, 0, c => c.Reply.Integer(c.Server.SlowLog.Count));
        CommandTable.Sub(slowlog, "reset", 2, "admin loading stale", 0, 0, 0, c =>
        {
            c.Server.SlowLog.Reset();
            c.Reply.Ok();
        });
        CommandTable.Sub(slowlog, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "SLOWLOG",
            "GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "LEN", "    Return the length of the slowlog.",
            "RESET", "    Reset the slowlog."));

        var debug = t.AddContainer("debug", "server");
        CommandTable.Sub(debug, "sleep", 3, "admin noscript loading stale", 0, 0, 0, DebugSleep);
        CommandTable.Sub(debug, "set-active-expire", 3, "admin noscript loading stale", 0, 0, 0, c =>
        {
            c.Server.ActiveExpireEnabled = !c.ArgIs(2, "0"u8);
            c.Reply.Ok();
        });
        CommandTable.Sub(debug, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "DEBUG",
            "SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
            "SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background when they are not accessed."));

        var function = t.AddContainer("function", "scripting");
        CommandTable.Sub(function, "flush", -2, "write noscript", 0, 0, 0, c => c.Reply.Ok());
        CommandTable.Sub(function, "list", -2, "noscript", 0, 0, 0, c => c.Reply.EmptyArray());

        var memory = t.AddContainer("memory", "server");
        CommandTable.Sub(memory, "usage", -3, "readonly", 2, 2, 1, MemoryUsage);
        CommandTable.Sub(memory, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "MEMORY",
            "USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value."));

        RegisterCommandCommand(t);
    }

    private static void Info(CommandContext c)
    {
        var sections = new List<string>();
        for (var i = 1; i < c.ArgCount; i++)
        {
            sections.Add(c.ArgString(i));
        }

        c.Reply.Verbatim(ServerInfo.Build(c.Server, sections));
    }

    private static void Time(CommandContext c)
    {
        var ticks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        var micros = ticks / 10;
        c.Reply.ArrayHeader(2);
        c.Reply.BulkInteger(micros / 1_000_000);
        c.Reply.BulkInteger(micros % 1_000_000);
    }

    private static void Monitor(CommandContext c)
    {
        if (c.Client.IsMonitor)
        {
            c.Reply.Ok();
            return;
        }

        c.Client.IsMonitor = true;
        c.Server.Monitors.Add(c.Client);
        c.Reply.Ok();
    }

    private static void Save(CommandContext c)
    {
        if (c.Server.SaveRdb())
        {
            c.Reply.Ok();
        }
        else
        {
            c.Reply.Error("ERR");
        }
    }

    private static void Shutdown(CommandContext c)
    {
        bool save = false, nosave = false, force = false;
        for (var i = 1; i < c.ArgCount; i++)
        {
            if (c.ArgIs(i, "NOSAVE"u8))
            {
                nosave = true;
            }
            else if (c.ArgIs(i, "SAVE"u8))
            {
                save = true;
            }
            else if (c.ArgIs(i, "FORCE"u8))
            {
                force = true;
            }
            else if (!(c.ArgIs(i, "NOW"u8) || c.ArgIs(i, "ABORT"u8)))
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        if (save && nosave)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (c.ArgCount == 2 && c.ArgIs(1, "ABORT"u8))
        {
            c.Reply.Error("ERR No shutdown in progress.");
            return;
        }

        c.Server.Log("User requested shutdown...");
        if ((save || (c.Server.SavePointsConfigured && !nosave)) && !c.Server.SaveRdb() && !force)
        {
            c.Server.Log("Error trying to save the DB, can't exit.");
            c.Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }

        c.Client.CloseAfterReply = true;
        c.Server.ShutdownRequested.TrySetResult();
    }

    private static void ConfigGet(CommandContext c)
    {
        var patterns = new List<string>();
        for (var i = 2; i < c.ArgCount; i++)
        {
            patterns.Add(c.ArgString(i));
        }

        var pairs = c.Server.Config.Get(patterns);
        c.Reply.MapHeader(pairs.Count);
        foreach (var (name, value) in pairs)
        {
            c.Reply.Bulk(name);
            c.Reply.Bulk(value);
        }
    }

    private static void ConfigSet(CommandContext c)
    {
        if ((c.ArgCount - 2) % 2 != 0)
        {
            c.Reply.Error(Errors.WrongArgs("config|set"));
            return;
        }

        // Validate all first, then apply (CONFIG SET of several parameters is atomic in Redis 7).
        var config = c.Server.Config;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 2; i < c.ArgCount; i += 2)
        {
            var name = c.ArgString(i);
            if (!seen.Add(name))
            {
                c.Reply.Error($"ERR CONFIG SET failed (possibly related to argument '{name}') - duplicate parameter");
                return;
            }
        }

        var previous = new List<(string, string)>();
        for (var i = 2; i < c.ArgCount; i += 2)
        {
            var name = c.ArgString(i);
            var old = Config.CacheConfig.IsKnown(name) ? config[name] : null;
            var error = config.Set(name, c.ArgString(i + 1));
            if (error is not null)
            {
                foreach (var (n, v) in previous)
                {
                    config.Set(n, v);
                }

                c.Reply.Error("ERR " + error);
                return;
            }

            previous.Add((name, old!));
        }

        c.Reply.Ok();
    }

    private static void ConfigResetStat(CommandContext c)
    {
        c.Server.Stats.Reset();
        c.Keyspace.ExpiredKeys = 0;
        foreach (var cmd in c.Server.Commands.All)
        {
            ResetCommandStats(cmd);
        }

        c.Reply.Ok();
    }

    private static void ResetCommandStats(CommandDef cmd)
    {
        cmd.Calls = cmd.Microseconds = cmd.FailedCalls = cmd.RejectedCalls = 0;
        if (cmd.Subcommands is not null)
        {
            foreach (var sub in cmd.Subcommands.Values)
            {
                ResetCommandStats(sub);
            }
        }
    }

    private static void SlowLogGet(CommandContext c)
    {
        long count = 10;
        if (c.ArgCount == 3)
        {
            if (!NumberFormat.TryParseLong(c.Arg(2), out count) || count < -1)
            {
                c.Reply.Error("ERR count should be greater than or equal to -1");
                return;
            }

            if (count == -1)
            {
                count = long.MaxValue;
            }
        }
        else if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.WrongArgs("slowlog|get"));
            return;
        }

        var entries = c.Server.SlowLog.Entries.Take((int)Math.Min(count, int.MaxValue)).ToList();
        c.Reply.ArrayHeader(entries.Count);
        foreach (var e in entries)
        {
            c.Reply.ArrayHeader(6);
            c.Reply.Integer(e.Id);
            c.Reply.Integer(e.UnixTime);
            c.Reply.Integer(e.Micros);
            c.Reply.ArrayHeader(e.Args.Length);
            foreach (var a in e.Args)
            {
                c.Reply.Bulk(a);
            }

            c.Reply.Bulk(e.ClientAddress);
            c.Reply.Bulk(e.ClientName);
        }
    }

    private static void DebugSleep(CommandContext c)
    {
        if (!double.TryParse(c.ArgString(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            seconds = 0;
        }

        // Holds the execution lock like Redis's single thread: every client waits meanwhile.
        Thread.Sleep(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
        c.Reply.Ok();
    }

    private static void MemoryUsage(CommandContext c)
    {
        var value = c.Db.Get(c.Arg(2));
        if (value is null)
        {
            c.Reply.Null();
            return;
        }

        // Key bytes + the dictionary entry + the value's estimate.
        c.Reply.Integer(c.Arg(2).Length + 24 + 24 + MemoryEstimate.Of(value));
    }
}
