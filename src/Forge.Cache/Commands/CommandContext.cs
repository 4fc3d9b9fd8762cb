using System.Text;
using Forge.Cache.Protocol;
using Forge.Cache.Server;
using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// What a command handler sees: its arguments (slices of the client's receive buffer: copy with
/// <see cref="ArgBytes"/> before storing one), the selected database, the reply writer, the
/// server, and helpers that parse arguments with Redis's rules and write Redis's error on failure.
/// Handlers run under the server's execution lock, one at a time, like Redis's event loop.
/// </summary>
internal sealed class CommandContext
{
    public CommandContext(Client client, CacheServer server)
    {
        Client = client;
        Server = server;
    }

    public Client Client { get; }

    public CacheServer Server { get; }

    public ArgList Args => Client.Args;

    public int ArgCount => Client.Args.Count;

    public ReplyWriter Reply => Client.Writer;

    public Database Db => Server.Keyspace[Client.DbIndex];

    public Keyspace Keyspace => Server.Keyspace;

    /// <summary>The command being run (the subcommand for container commands).</summary>
    public CommandDef Command { get; internal set; } = null!;

    /// <summary>Command time snapshot in Unix ms: one "now" for the whole command.</summary>
    public long Now => Server.Keyspace.Now;

    /// <summary>False inside MULTI/EXEC (and scripts): blocking commands then time out at once.</summary>
    public bool CanBlock { get; internal set; } = true;

    /// <summary>
    /// Changes this write command made, for rdb_changes_since_last_save (Redis's server.dirty).
    /// Unset means 1 for a write command that did not fail; handlers set it where Redis counts
    /// otherwise (0 when nothing changed, n for n changes).
    /// </summary>
    public long? Dirty { get; set; }

    /// <summary>True when the command is re-run because a key it waits on became ready.</summary>
    public bool IsReprocessing { get; internal set; }

    public ReadOnlySpan<byte> Arg(int index) => Client.Args[index];

    public byte[] ArgBytes(int index) => Client.Args[index].ToArray();

    public string ArgString(int index) => Encoding.UTF8.GetString(Client.Args[index]);

    /// <summary>Case-insensitive ASCII comparison of an argument with a keyword ("NX"u8).</summary>
    public bool ArgIs(int index, ReadOnlySpan<byte> keyword) => EqualsIgnoreCase(Client.Args[index], keyword);

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y)
            {
                continue;
            }

            if ((uint)((x | 0x20) - 'a') <= 'z' - 'a' && (x | 0x20) == (y | 0x20))
            {
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>Parses argument <paramref name="index"/> as a 64-bit integer; on failure replies the error and returns false.</summary>
    public bool TryGetLong(int index, out long value, string error = Errors.NotInteger)
    {
        if (NumberFormat.TryParseLong(Client.Args[index], out value))
        {
            return true;
        }

        Reply.Error(error);
        return false;
    }

    /// <summary>Parses a double with Redis's rules; on failure replies "value is not a valid float".</summary>
    public bool TryGetDouble(int index, out double value, string error = Errors.NotFloat)
    {
        if (NumberFormat.TryParseDouble(Client.Args[index], out value))
        {
            return true;
        }

        Reply.Error(error);
        return false;
    }

    /// <summary>
    /// A blocking command's timeout (seconds, a float since Redis 6): the absolute deadline in Unix
    /// ms, 0 for "forever". Replies Redis's error and returns false when malformed.
    /// </summary>
    public bool TryGetTimeout(int index, out long deadlineMs)
    {
        deadlineMs = 0;
        if (!NumberFormat.TryParseDouble(Client.Args[index], out var seconds) || double.IsInfinity(seconds) || seconds * 1000 > long.MaxValue / 2)
        {
            Reply.Error(Errors.Timeout);
            return false;
        }

        if (seconds < 0)
        {
            Reply.Error(Errors.TimeoutNegative);
            return false;
        }

        var ms = (long)Math.Ceiling(seconds * 1000);
        deadlineMs = ms == 0 ? 0 : Now + ms;
        return true;
    }

    /// <summary>
    /// Looks up <paramref name="key"/> expecting type <typeparamref name="T"/>. Returns false (having
    /// replied WRONGTYPE) when the key holds another type; true otherwise, with
    /// <paramref name="value"/> null when the key does not exist.
    /// </summary>
    public bool TryGet<T>(ReadOnlySpan<byte> key, out T? value)
        where T : class
    {
        var o = Db.Get(key);
        if (o is null)
        {
            value = null;
            return true;
        }

        value = o as T;
        if (value is null)
        {
            Reply.Error(Errors.WrongType);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Tells blocked clients that <paramref name="key"/> (in the current database) may now serve
    /// them (a list or sorted set got elements). Cheap when nobody is blocked.
    /// </summary>
    public void SignalKeyReady(ReadOnlySpan<byte> key) => Server.Blocking.SignalKeyReady(Client.DbIndex, key);

    /// <summary>
    /// Publishes a keyspace notification (notify-keyspace-events) for <paramref name="key"/> in the
    /// current database: e.g. <c>c.Notify(Notify.List, "lpush", key)</c>. Free when disabled.
    /// </summary>
    public void Notify(Notify type, string evt, ReadOnlySpan<byte> key) => Keyspace.NotifyEvent(type, evt, Db, key);

    /// <summary>Marks a key modified for WATCH (done automatically for the declared keys of write commands).</summary>
    public void Touch(ReadOnlySpan<byte> key) => Server.Watches.Touch(Client.DbIndex, key);

    /// <summary>
    /// Blocks the client on <paramref name="keys"/> until one is signalled ready (the command is
    /// then run again) or the deadline passes (then <paramref name="timeoutReply"/> is written).
    /// Call only when <see cref="CanBlock"/>; the handler must write no reply itself.
    /// </summary>
    public void Block(IReadOnlyList<byte[]> keys, long deadlineMs, Action<ReplyWriter> timeoutReply) =>
        Server.Blocking.Block(this, keys, deadlineMs, timeoutReply);
}
