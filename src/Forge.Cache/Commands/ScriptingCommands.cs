using Forge.Cache.Protocol;
using Forge.Cache.Scripting;

namespace Forge.Cache.Commands;

/// <summary>EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0). The engine is Scripting/ScriptEngine.cs.</summary>
internal static class ScriptingCommands
{
    private const string NoScript = "NOSCRIPT No matching script. Please use EVAL.";

    public static void Register(CommandTable t)
    {
        t.AddMovable("eval", -3, "noscript skip_monitor may_replicate stale", EvalKeys, c => Eval(c, bySha: false, readOnly: false), "scripting");
        t.AddMovable("evalsha", -3, "noscript skip_monitor may_replicate stale", EvalKeys, c => Eval(c, bySha: true, readOnly: false), "scripting");
        t.AddMovable("eval_ro", -3, "noscript skip_monitor readonly stale", EvalKeys, c => Eval(c, bySha: false, readOnly: true), "scripting");
        t.AddMovable("evalsha_ro", -3, "noscript skip_monitor readonly stale", EvalKeys, c => Eval(c, bySha: true, readOnly: true), "scripting");

        var script = t.AddContainer("script", "scripting");
        CommandTable.Sub(script, "load", 3, "noscript may_replicate stale", 0, 0, 0, ScriptLoad);
        CommandTable.Sub(script, "exists", -3, "noscript stale", 0, 0, 0, ScriptExists);
        CommandTable.Sub(script, "flush", -2, "noscript may_replicate", 0, 0, 0, ScriptFlush);
        CommandTable.Sub(script, "kill", 2, "noscript allow_busy", 0, 0, 0, ScriptKill);
        CommandTable.Sub(script, "debug", 3, "noscript", 0, 0, 0, c => c.Reply.Error("ERR SCRIPT DEBUG is not supported by this server"));
        CommandTable.Sub(script, "help", 2, "loading stale", 0, 0, 0, c => ConnectionCommands.Help(c, "SCRIPT",
            "DEBUG (YES|SYNC|NO)", "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]", "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]", "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL", "    Kill the currently executing Lua script.",
            "LOAD <script>", "    Load a script into the scripts cache without executing it."));
    }

    private static List<int> EvalKeys(CommandContext c)
    {
        var keys = new List<int>();
        if (c.ArgCount > 2 && NumberFormat.TryParseLong(c.Arg(2), out var n) && n > 0 && n <= c.ArgCount - 3)
        {
            for (var i = 0; i < n; i++)
            {
                keys.Add(3 + i);
            }
        }

        return keys;
    }

    private static void Eval(CommandContext c, bool bySha, bool readOnly)
    {
        if (!c.TryGetLong(2, out var numKeys))
        {
            return;
        }

        if (numKeys > c.ArgCount - 3)
        {
            c.Reply.Error("ERR Number of keys can't be greater than number of args");
            return;
        }

        if (numKeys < 0)
        {
            c.Reply.Error("ERR Number of keys can't be negative");
            return;
        }

        var engine = c.Server.Scripts;
        CachedScript? script;
        if (bySha)
        {
            script = c.Arg(1).Length == 40 ? engine.Find(c.ArgString(1)) : null;
            if (script is null)
            {
                c.Reply.Error(NoScript);
                return;
            }
        }
        else
        {
            script = engine.Load(c.ArgBytes(1), out var error);
            if (script is null)
            {
                c.Reply.Error(error!);
                return;
            }
        }

        engine.Run(c, script, (int)numKeys, 3, readOnly);
    }

    private static void ScriptLoad(CommandContext c)
    {
        var script = c.Server.Scripts.Load(c.ArgBytes(2), out var error);
        if (script is null)
        {
            c.Reply.Error(error!);
            return;
        }

        c.Reply.Bulk(script.Sha);
    }

    private static void ScriptExists(CommandContext c)
    {
        c.Reply.ArrayHeader(c.ArgCount - 2);
        for (var i = 2; i < c.ArgCount; i++)
        {
            c.Reply.Integer(c.Server.Scripts.Find(c.ArgString(i)) is null ? 0 : 1);
        }
    }

    private static void ScriptFlush(CommandContext c)
    {
        if (c.ArgCount > 3 || (c.ArgCount == 3 && !c.ArgIs(2, "SYNC"u8) && !c.ArgIs(2, "ASYNC"u8)))
        {
            c.Reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }

        c.Server.Scripts.Flush();
        c.Reply.Ok();
    }

    /// <summary>Under the lock no script runs, so this is always NOTBUSY; a busy script is killed by Client.Busy.cs.</summary>
    private static void ScriptKill(CommandContext c)
    {
        var error = c.Server.Scripts.Kill();
        if (error is null)
        {
            c.Reply.Ok();
        }
        else
        {
            c.Reply.Error(error);
        }
    }
}
