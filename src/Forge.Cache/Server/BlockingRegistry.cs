using Forge.Cache.Commands;
using Forge.Cache.Protocol;

namespace Forge.Cache.Server;

/// <summary>What a blocked client waits for: its command (to run again), keys, deadline, timeout reply.</summary>
internal sealed class BlockState
{
    public required byte[][] Args { get; init; }

    public required IReadOnlyList<byte[]> Keys { get; init; }

    public required int Db { get; init; }

    public required long DeadlineMs { get; init; }

    public required Action<ReplyWriter> TimeoutReply { get; init; }

    public Timer? Timer { get; set; }

    /// <summary>Set when a re-run found nothing to serve: the client stays blocked, in its place.</summary>
    public bool Reblocked { get; set; }
}

/// <summary>
/// Clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE ...). Each key keeps its waiters in the order
/// they blocked; when a command makes a key ready (<see cref="SignalKeyReady"/>), the waiters are
/// served first-come first-served right after that command, by running each one's command again
/// (as Redis 7.2 does), so a waiter gets exactly the reply its command would have given.
/// </summary>
internal sealed class BlockingRegistry
{
    private readonly CacheServer _server;
    private readonly Dictionary<(int Db, byte[] Key), LinkedList<Client>> _waiters = new(DbKeyComparer.Instance);
    private readonly List<(int Db, byte[] Key)> _ready = [];
    private readonly HashSet<(int Db, byte[] Key)> _readySet = new(DbKeyComparer.Instance);

    public BlockingRegistry(CacheServer server)
    {
        _server = server;
    }

    /// <summary>Clients blocked right now (INFO clients blocked_clients).</summary>
    public int BlockedClients { get; private set; }

    /// <summary>Keys someone is blocked on (INFO blocked_keys... and DEBUG).</summary>
    public int BlockedKeys => _waiters.Count;

    public void Block(CommandContext c, IReadOnlyList<byte[]> keys, long deadlineMs, Action<ReplyWriter> timeoutReply)
    {
        var client = c.Client;
        if (c.IsReprocessing && client.Blocked is not null)
        {
            client.Blocked.Reblocked = true;
            return;
        }

        var state = new BlockState { Args = client.Args.ToArrays(), Keys = keys, Db = client.DbIndex, DeadlineMs = deadlineMs, TimeoutReply = timeoutReply };
        foreach (var key in keys)
        {
            var id = (client.DbIndex, key);
            if (!_waiters.TryGetValue(id, out var list))
            {
                _waiters[id] = list = new LinkedList<Client>();
            }

            if (!list.Contains(client))
            {
                list.AddLast(client);
            }
        }

        client.Blocked = state;
        client.PrepareWake();
        BlockedClients++;
        if (deadlineMs > 0)
        {
            var delay = Math.Max(deadlineMs - c.Now, 0);
            state.Timer = new Timer(OnTimeout, (client, state), delay, Timeout.Infinite);
        }
    }

    private void OnTimeout(object? o)
    {
        var (client, state) = ((Client, BlockState))o!;
        lock (_server.Gate)
        {
            if (client.Blocked != state)
            {
                return;
            }

            Unblock(client, served: false);
            state.TimeoutReply(client.Writer);
            client.Wake();
        }
    }

    /// <summary>CLIENT UNBLOCK: ends the wait with the timeout reply, or with an UNBLOCKED error.</summary>
    public bool UnblockByRequest(Client client, bool withError)
    {
        var state = client.Blocked;
        if (state is null)
        {
            return false;
        }

        Unblock(client, served: false);
        if (withError)
        {
            client.Writer.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        }
        else
        {
            state.TimeoutReply(client.Writer);
        }

        client.Wake();
        return true;
    }

    /// <summary>Removes the client from every wait list (served, timed out, or gone).</summary>
    public void Unblock(Client client, bool served)
    {
        var state = client.Blocked;
        if (state is null)
        {
            return;
        }

        foreach (var key in state.Keys)
        {
            var id = (state.Db, key);
            if (_waiters.TryGetValue(id, out var list))
            {
                list.Remove(client);
                if (list.Count == 0)
                {
                    _waiters.Remove(id);
                }
            }
        }

        state.Timer?.Dispose();
        client.Blocked = null;
        BlockedClients--;
        _ = served;
    }

    public void SignalKeyReady(int db, ReadOnlySpan<byte> key)
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var probe = (db, key.ToArray());
        if (_waiters.ContainsKey(probe) && _readySet.Add(probe))
        {
            _ready.Add(probe);
        }
    }

    /// <summary>
    /// After SWAPDB or FLUSHDB: every key of <paramref name="db"/> that someone waits on may now
    /// serve them, or (a stream that is gone) fail them; waiters that find nothing keep waiting.
    /// </summary>
    public void SignalDatabase(Storage.Database db)
    {
        foreach (var (id, _) in _waiters)
        {
            if (id.Db == db.Id && _readySet.Add(id))
            {
                _ready.Add(id);
            }
        }
    }

    /// <summary>Serves waiters of every key made ready, until no more progress. Caller holds the lock.</summary>
    public void HandleReadyKeys()
    {
        while (_ready.Count > 0)
        {
            var batch = _ready.ToArray();
            _ready.Clear();
            _readySet.Clear();
            foreach (var id in batch)
            {
                if (!_waiters.TryGetValue(id, out var list))
                {
                    continue;
                }

                var node = list.First;
                while (node is not null)
                {
                    var next = node.Next;
                    var client = node.Value;
                    // A list or zset that could not serve this waiter has nothing for later ones
                    // either. Stream waiters are independent (other groups, other IDs), and a key
                    // that is gone or of another type must still fail every XREADGROUP waiter.
                    if (!Reprocess(client) && _server.Keyspace[id.Db].GetRaw(id.Key) is Storage.RedisList or Storage.RedisSortedSet)
                    {
                        break;
                    }

                    if (!_waiters.ContainsKey(id))
                    {
                        break;
                    }

                    node = next;
                }
            }
        }
    }

    /// <summary>Runs a blocked client's command again; true when it was served (no longer blocked).</summary>
    private bool Reprocess(Client client)
    {
        var state = client.Blocked!;
        state.Reblocked = false;
        client.Args.Set(state.Args);
        var cmd = _server.Commands.Find(client.Args[0])!;
        _server.Keyspace.Tick();
        client.StartClock();
        client.Context.IsReprocessing = true;
        try
        {
            client.Call(cmd, canBlock: true);
        }
        finally
        {
            client.Context.IsReprocessing = false;
        }

        if (state.Reblocked)
        {
            return false;
        }

        Unblock(client, served: true);
        client.Wake();
        return true;
    }

    private sealed class DbKeyComparer : IEqualityComparer<(int Db, byte[] Key)>
    {
        public static readonly DbKeyComparer Instance = new();

        public bool Equals((int Db, byte[] Key) x, (int Db, byte[] Key) y) => x.Db == y.Db && x.Key.AsSpan().SequenceEqual(y.Key);

        public int GetHashCode((int Db, byte[] Key) obj) => HashCode.Combine(obj.Db, Storage.KeyTable<int>.Hash(obj.Key));
    }
}
