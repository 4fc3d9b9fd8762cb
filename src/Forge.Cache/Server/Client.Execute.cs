using System.Diagnostics;
using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Protocol;

namespace Forge.Cache.Server;

/// <summary>
/// Command execution, in the order Redis 7.0's processCommand checks things: lookup (unknown
/// command / subcommand), arity, authentication, the pub/sub context of RESP2, MULTI queueing,
/// then the call itself with its statistics, WATCH invalidation and MONITOR feed.
/// </summary>
internal sealed partial class Client
{
    /// <summary>Commands run per hold of the server lock before other clients get a turn.</summary>
    private const int CommandsPerTurn = 1024;

    /// <summary>
    /// The Stopwatch timestamp the running command started at: read once per batch and then once
    /// per command (its end is the next command's start), and the base of Keyspace.Now.
    /// </summary>
    private long _clock = Stopwatch.GetTimestamp();

    private CommandDef? _lastCommand;

    // Stopwatch ticks per microsecond when that is a whole number (1000 on Linux): integer math
    // per command instead of GetElapsedTime's TimeSpan and double conversions.
    private static readonly long s_ticksPerMicrosecond = Stopwatch.Frequency % 1_000_000 == 0 ? Stopwatch.Frequency / 1_000_000 : 0;

    private static long TicksToMicroseconds(long ticks) =>
        s_ticksPerMicrosecond > 0 ? ticks / s_ticksPerMicrosecond : (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>Starts the command clock for a call made outside the input loop (a blocked client's re-run).</summary>
    internal void StartClock() => _clock = Stopwatch.GetTimestamp();

    /// <summary>
    /// Finds the command named by <paramref name="name"/>; a pipeline usually repeats one command,
    /// so the last one found is compared first (a few bytes) before the table lookup.
    /// </summary>
    private CommandDef? FindCommand(ReadOnlySpan<byte> name)
    {
        var last = _lastCommand;
        if (last is not null && CommandContext.EqualsIgnoreCase(name, last.NameBytes))
        {
            return last;
        }

        var cmd = _server.Commands.Find(name);
        if (cmd is not null)
        {
            _lastCommand = cmd;
        }

        return cmd;
    }

    /// <summary>Parses and runs the complete commands in the input buffer. Caller holds the server lock.</summary>
    internal void ProcessInputLocked()
    {
        var ran = 0;
        _clock = Stopwatch.GetTimestamp();
        while (_start < _end && !CloseAfterReply && Blocked is null && ran < CommandsPerTurn)
        {
            var status = Parser.TryParse(_input, _start, _end, Args, out var consumed);
            if (status == ParseStatus.Incomplete)
            {
                _needMore = true;
                break;
            }

            if (status == ParseStatus.Error)
            {
                Writer.Error(Parser.Error!);
                _server.Log($"Protocol error ({Parser.Error}) from client: id={Id} addr={Address}. Closing.", debug: true);
                CloseAfterReply = true;
                _start = _end;
                break;
            }

            if (Args.Count > 0 && Args[0].Length >= 4 && (Args[0][0] | 0x20) == 'e' && MustHopBeforeRunning())
            {
                break; // a script: run it from a pool thread (Client.Busy.cs)
            }

            _start += consumed;
            if (Args.Count == 0)
            {
                continue;
            }

            ran++;
            ExecuteLocked();
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }

        _server.AfterCommandsLocked(this);
    }

    /// <summary>Runs the command in <see cref="Args"/>, honouring CLIENT REPLY OFF/SKIP. Caller holds the server lock.</summary>
    internal void ExecuteLocked()
    {
        if (!ReplyOff && !_skipNextReply)
        {
            ExecuteCore();
            return;
        }

        // Replies go to a scratch buffer and are dropped; pushes (pub/sub) still reach PushBuffer.
        var skipThis = _skipNextReply;
        _skipNextReply = false;
        Writer.Buffer = _discard;
        try
        {
            ExecuteCore();
        }
        finally
        {
            Writer.Buffer = _pending;
        }

        if (!ReplyOff && !skipThis)
        {
            _pending.AppendFrom(_discard); // CLIENT REPLY ON's own +OK
        }

        _discard.Reset();
    }

    private readonly OutputBuffer _discard = new();

    /// <summary>The buffer out-of-band pushes go to, even while CLIENT REPLY OFF discards replies.</summary>
    public OutputBuffer PushBuffer => _pending;

    /// <summary>CLIENT REPLY OFF: replies are discarded until CLIENT REPLY ON.</summary>
    public bool ReplyOff { get; set; }

    private bool _skipNextReply;

    /// <summary>CLIENT REPLY SKIP: discard this command's reply and the next one's.</summary>
    public void SkipReplies()
    {
        _skipNextReply = true;
    }

    private void ExecuteCore()
    {
        _server.Keyspace.Tick(_clock);
        var cmd = FindCommand(Args[0]);
        if (cmd is null)
        {
            RejectUnknown();
            return;
        }

        if (cmd.Subcommands is not null)
        {
            if (Args.Count < 2)
            {
                Reject(cmd, Errors.WrongArgs(cmd.FullName));
                return;
            }

            var sub = cmd.Subcommands.GetValueOrDefault(Encoding.UTF8.GetString(Args[1]));
            if (sub is null)
            {
                if (CommandContext.EqualsIgnoreCase(Args[1], "help"u8) && cmd.Subcommands.Count > 0)
                {
                    sub = cmd.Subcommands.GetValueOrDefault("help");
                }

                if (sub is null)
                {
                    Reject(cmd, $"ERR unknown subcommand '{Truncate(Args[1], 128)}'. Try {cmd.Name.ToUpperInvariant()} HELP.");
                    return;
                }
            }

            cmd = sub;
        }

        if ((cmd.Arity > 0 && cmd.Arity != Args.Count) || Args.Count < -cmd.Arity)
        {
            Reject(cmd, Errors.WrongArgs(cmd.FullName));
            return;
        }

        if (!Authenticated && !cmd.Is(CommandFlags.NoAuth) && _server.AuthRequired)
        {
            Reject(cmd, Errors.NoAuth);
            return;
        }

        if (SubscriptionCount > 0 && Writer.Protocol == 2 && !IsAllowedInPubSubContext(cmd))
        {
            Reject(cmd, $"ERR Can't execute '{cmd.FullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }

        if (InMulti && cmd.Is(CommandFlags.NoMulti))
        {
            Reject(cmd, "ERR Command not allowed inside a transaction");
            return;
        }

        if (InMulti && !RunsAtOnceInMulti(cmd))
        {
            MultiQueue.Add(Args.ToArrays());
            Writer.Queued();
            return;
        }

        Call(cmd, canBlock: true);
    }

    /// <summary>Runs a command that passed every check (also EXEC's queued commands).</summary>
    internal void Call(CommandDef cmd, bool canBlock)
    {
        var c = Context;
        c.Command = cmd;
        c.CanBlock = canBlock;
        var errorsBefore = Writer.ErrorCount;
        var start = _clock;
        c.Dirty = null;
        try
        {
            cmd.Handler!(c);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in a handler must not take the connection (or the server) down with it.
            _server.Log($"command '{cmd.FullName}' failed: {ex}");
            Writer.Error($"ERR internal error executing '{cmd.FullName}': {ex.Message}");
        }

        // The end of this command is the start of the next one in the batch: one clock read each.
        _clock = Stopwatch.GetTimestamp();
        var micros = TicksToMicroseconds(_clock - start);
        if (c.IsReprocessing && Blocked is { Reblocked: true })
        {
            return; // a blocked command re-run that still waits: not a call (no stats, MONITOR or WATCH)
        }

        var root = cmd.Parent ?? cmd;
        LastCommand = cmd.FullName;

        // A command that just blocked is counted once, when it ends (served by a re-run, timed out
        // or unblocked), as Redis counts it (commandstats calls=1 for one blocked XREADGROUP).
        var newlyBlocked = Blocked is not null && !c.IsReprocessing;
        if (!newlyBlocked)
        {
            cmd.Calls++;
            cmd.Microseconds += micros;
        }

        var failed = Writer.ErrorCount != errorsBefore;
        if (failed)
        {
            cmd.FailedCalls++;
            _server.Stats.CountError(Writer.LastErrorPrefix);
        }

        _server.Stats.Commands++;
        if (!failed && cmd.Is(CommandFlags.Write))
        {
            _server.Dirty += c.Dirty ?? 1;
        }

        if (!failed && cmd.Is(CommandFlags.Write) && _server.Watches.Count > 0 && !cmd.TouchesKeysItself)
        {
            foreach (var i in cmd.KeyPositions(c))
            {
                _server.Watches.Touch(DbIndex, Args[i]);
            }
        }

        if (_server.Monitors.Count > 0 && !root.Is(CommandFlags.Admin) && !cmd.Is(CommandFlags.SkipMonitor) && !cmd.Is(CommandFlags.Admin))
        {
            _server.FeedMonitors(this, Args);
        }

        if (!newlyBlocked)
        {
            _server.SlowLog.Consider(this, Args, micros, cmd);
        }
    }

    /// <summary>Counts a blocked command that ends without running again (timeout, CLIENT UNBLOCK).</summary>
    internal void CountEndedBlockedCall(BlockState state, bool failed)
    {
        if (_server.Commands.Find(state.Args[0]) is not { } cmd)
        {
            return;
        }

        cmd.Calls++;
        if (failed)
        {
            cmd.FailedCalls++;
        }
    }

    /// <summary>The commands that act on the transaction itself instead of being queued (as processCommand lists them).</summary>
    private static bool RunsAtOnceInMulti(CommandDef cmd) => cmd.Parent is null && cmd.Name is "exec" or "discard" or "multi" or "watch" or "quit" or "reset";

    private static bool IsAllowedInPubSubContext(CommandDef cmd)
    {
        var name = (cmd.Parent ?? cmd).Name;
        return name is "subscribe" or "unsubscribe" or "psubscribe" or "punsubscribe" or "ssubscribe" or "sunsubscribe" or "ping" or "quit" or "reset";
    }

    private void RejectUnknown()
    {
        var sb = new StringBuilder();
        for (var i = 1; i < Args.Count && sb.Length < 128; i++)
        {
            var room = 128 - sb.Length;
            sb.Append('\'').Append(Truncate(Args[i], room)).Append("' ");
        }

        var message = $"ERR unknown command '{Truncate(Args[0], 128)}', with args beginning with: {sb}";
        if (InMulti)
        {
            MultiFailed = true;
        }

        Writer.Error(message);
        _server.Stats.CountError("ERR");
        _server.Stats.RejectedCalls++;
    }

    private void Reject(CommandDef cmd, string message)
    {
        if (InMulti)
        {
            MultiFailed = true;
        }

        cmd.RejectedCalls++;
        Writer.Error(message);
        _server.Stats.CountError(Writer.LastErrorPrefix);
    }

    private static string Truncate(ReadOnlySpan<byte> arg, int max) =>
        Encoding.UTF8.GetString(arg.Length > max ? arg[..max] : arg);
}
