using System.Net.Sockets;
using System.Text;
using Forge.Cache.Commands;
using Forge.Cache.Protocol;
using Forge.Cache.Scripting;

namespace Forge.Cache.Server;

/// <summary>
/// Serving a client while a script is busy (ran past busy-reply-threshold) and holds the server
/// lock: the connection thread answers without the lock, as Redis's processEventsWhileBlocked
/// does. Only state owned by this client is touched (its input, MULTI flags, a private reply
/// buffer sent directly); SCRIPT KILL and SHUTDOWN NOSAVE reach the engine through its
/// Interlocked state. Everything else that Redis allows while busy (WATCH, DISCARD with watched
/// keys, AUTH ...) simply waits for the lock. See docs/cache.md, "Scripting".
/// </summary>
internal sealed partial class Client
{
    private readonly OutputBuffer _busyOut = new();
    private ReplyWriter? _busyWriter;

    /// <summary>
    /// Takes the server lock, or, while a busy script holds it, serves what can be served without
    /// it and returns false (the caller then sends <see cref="_busyOut"/> and loops).
    /// </summary>
    private bool EnterGate()
    {
        var gate = _server.Gate;
        if (!Monitor.TryEnter(gate))
        {
            while (true)
            {
                if (_server.Scripts.IsBusy && ServeWhileBusy())
                {
                    return false;
                }

                if (Monitor.TryEnter(gate, 10))
                {
                    break;
                }
            }
        }

        if (PendingRegistration)
        {
            PendingRegistration = false;
            if (!_server.RegisterLate(this))
            {
                Writer.Error("ERR max number of clients reached");
                CloseAfterReply = true;
                _start = _end;
            }
        }

        return true;
    }

    /// <summary>
    /// A connection's code runs on its event loop's thread (Forge.Io/EventLoop.cs); a script must not (a
    /// busy script would stall the I/O of every connection on that loop, SCRIPT KILL included),
    /// so the connection hops to a fresh thread-pool work item before running one.
    /// </summary>
    private bool _hopToPool;

    /// <summary>Set after the hop: the script command at the head of the input now runs here.</summary>
    private bool _hopped;

    /// <summary>EVAL, EVALSHA, EVAL_RO, EVALSHA_RO (checked on the first bytes only: cheap on the hot path).</summary>
    private static bool IsScriptCall(ReadOnlySpan<byte> name) =>
        name.Length is 4 or 7 or 8 or 10 && (name[0] | 0x20) == 'e' && (name[1] | 0x20) == 'v'
        && (CommandContext.EqualsIgnoreCase(name, "eval"u8) || CommandContext.EqualsIgnoreCase(name, "evalsha"u8)
            || CommandContext.EqualsIgnoreCase(name, "eval_ro"u8) || CommandContext.EqualsIgnoreCase(name, "evalsha_ro"u8));

    /// <summary>True (and the command left in the input) when it must run on a pool thread instead of this one.</summary>
    private bool MustHopBeforeRunning()
    {
        if (!IsScriptCall(Args[0]))
        {
            return false;
        }

        if (_hopped)
        {
            _hopped = false;
            return false;
        }

        _hopToPool = true;
        return true;
    }

    /// <summary>Accepted while a busy script held the lock: not yet in the server's client table.</summary>
    public bool PendingRegistration { get; set; }

    /// <summary>Answers the commands at the head of the input that need no lock; true when it consumed input (or needs more).</summary>
    private bool ServeWhileBusy()
    {
        var served = false;
        while (_start < _end && _server.Scripts.IsBusy && !CloseAfterReply)
        {
            var status = Parser.TryParse(_input, _start, _end, Args, out var consumed);
            if (status == ParseStatus.Incomplete)
            {
                _needMore = true;
                return true;
            }

            if (status == ParseStatus.Error)
            {
                return served; // the locked path reports protocol errors
            }

            if (Args.Count == 0)
            {
                _start += consumed;
                continue;
            }

            if (!TryAnswerWhileBusy())
            {
                return served;
            }

            _start += consumed;
            served = true;
        }

        return served;
    }

    /// <summary>Writes the reply of <see cref="Args"/> to the busy buffer; false when the command must wait for the lock.</summary>
    private bool TryAnswerWhileBusy()
    {
        var w = _busyWriter ??= new ReplyWriter(_busyOut);
        w.Protocol = Writer.Protocol;
        var cmd = _server.Commands.Find(Args[0]);
        if (cmd is null)
        {
            return false;
        }

        if (cmd.Subcommands is not null)
        {
            if (Args.Count < 2 || cmd.Subcommands.GetValueOrDefault(Encoding.UTF8.GetString(Args[1])) is not { } sub)
            {
                return false;
            }

            cmd = sub;
        }

        if ((cmd.Arity > 0 && cmd.Arity != Args.Count) || Args.Count < -cmd.Arity)
        {
            return false;
        }

        if (!Authenticated && _server.AuthRequired)
        {
            return false;
        }

        switch (cmd.FullName)
        {
            case "script|kill":
                {
                    var error = _server.Scripts.Kill();
                    if (error is null)
                    {
                        w.Ok();
                    }
                    else
                    {
                        w.Error(error);
                    }

                    return true;
                }

            case "shutdown":
                for (var i = 1; i < Args.Count; i++)
                {
                    if (CommandContext.EqualsIgnoreCase(Args[i], "NOSAVE"u8))
                    {
                        _server.Log("User requested shutdown...");
                        _server.Scripts.Kill(force: true);
                        CloseAfterReply = true;
                        _server.ShutdownRequested.TrySetResult();
                        return true;
                    }
                }

                return false;
            case "multi":
                if (InMulti)
                {
                    w.Error("ERR MULTI calls can not be nested");
                }
                else
                {
                    InMulti = true;
                    MultiFailed = false;
                    MultiQueue.Clear();
                    w.Ok();
                }

                return true;
            case "exec":
                if (InMulti && WatchedKeys.Count == 0)
                {
                    InMulti = false;
                    MultiFailed = false;
                    MultiQueue.Clear();
                    w.Error("EXECABORT Transaction discarded because of: " + ScriptEngine.BusyError);
                    return true;
                }

                if (InMulti)
                {
                    return false;
                }

                break;
        }

        if (cmd.Is(CommandFlags.AllowBusy) || (cmd.Parent?.Is(CommandFlags.AllowBusy) ?? false))
        {
            return false; // allowed while busy, but it needs the lock: it runs when the script ends
        }

        if (InMulti)
        {
            MultiFailed = true;
        }

        w.Error(ScriptEngine.BusyError);
        return true;
    }

    /// <summary>Sends what <see cref="ServeWhileBusy"/> wrote.</summary>
    private async Task SendBusyRepliesAsync()
    {
        if (_busyOut.IsEmpty)
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var count = _busyOut.SegmentCount;
            for (var i = 0; i < count; i++)
            {
                await SendAllAsync(_busyOut.Segment(i)).ConfigureAwait(false);
            }
        }
        finally
        {
            _busyOut.Reset();
            _sendLock.Release();
        }
    }
}
