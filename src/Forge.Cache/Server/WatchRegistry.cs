namespace Forge.Cache.Server;

/// <summary>
/// WATCH bookkeeping: which clients watch which (database, key). Touching a watched key marks its
/// watchers dirty so their EXEC fails. Follows Redis 7.0's rules for keys that had already
/// expired when watched: deleting such a key is no change.
/// </summary>
internal sealed class WatchRegistry
{
    private readonly CacheServer _server;
    private readonly Dictionary<(int Db, byte[] Key), List<Client>> _watched = new(DbKeyComparer.Instance);

    public WatchRegistry(CacheServer server)
    {
        _server = server;
    }

    /// <summary>Number of watched keys; 0 makes touching free.</summary>
    public int Count => _watched.Count;

    public void Watch(Client client, byte[] key)
    {
        var db = client.DbIndex;
        foreach (var w in client.WatchedKeys)
        {
            if (w.Db == db && w.Key.AsSpan().SequenceEqual(key))
            {
                return;
            }
        }

        var expired = _server.Keyspace[db].IsStale(key);
        client.WatchedKeys.Add(new WatchedKey(db, key, expired));
        var id = (db, key);
        if (!_watched.TryGetValue(id, out var list))
        {
            _watched[id] = list = [];
        }

        list.Add(client);
    }

    public void UnwatchAll(Client client)
    {
        foreach (var w in client.WatchedKeys)
        {
            var id = (w.Db, w.Key);
            if (_watched.TryGetValue(id, out var list))
            {
                list.Remove(client);
                if (list.Count == 0)
                {
                    _watched.Remove(id);
                }
            }
        }

        client.WatchedKeys.Clear();
        client.WatchDirty = false;
    }

    public void Touch(int db, ReadOnlySpan<byte> key)
    {
        if (_watched.Count == 0)
        {
            return;
        }

        if (!_watched.TryGetValue((db, key.ToArray()), out var list))
        {
            return;
        }

        var exists = _server.Keyspace[db].GetRaw(key) is not null;
        foreach (var client in list)
        {
            for (var i = 0; i < client.WatchedKeys.Count; i++)
            {
                var w = client.WatchedKeys[i];
                if (w.Db != db || !w.Key.AsSpan().SequenceEqual(key))
                {
                    continue;
                }

                if (w.ExpiredAtWatch && !exists)
                {
                    // It had expired already when watched and is now deleted: logically unchanged.
                    client.WatchedKeys[i] = w with { ExpiredAtWatch = false };
                    continue;
                }

                client.WatchDirty = true;
            }
        }
    }

    /// <summary>FLUSHDB / FLUSHALL (db = -1 for all) and SWAPDB: touch watched keys that exist (or, for SWAPDB, will).</summary>
    public void TouchFlushed(int db, int swapWith = -1)
    {
        if (_watched.Count == 0)
        {
            return;
        }

        foreach (var ((wdb, key), list) in _watched)
        {
            if (db >= 0 && wdb != db && wdb != swapWith)
            {
                continue;
            }

            var here = _server.Keyspace[wdb];
            var existsHere = here.GetRaw(key) is not null && !here.IsStale(key);
            var existsThere = false;
            if (swapWith >= 0)
            {
                var other = _server.Keyspace[wdb == db ? swapWith : db];
                existsThere = other.GetRaw(key) is not null && !other.IsStale(key);
            }

            if (!existsHere && !existsThere)
            {
                continue;
            }

            foreach (var client in list)
            {
                client.WatchDirty = true;
            }
        }
    }

    /// <summary>At EXEC: a watched key that expired since WATCH counts as modified.</summary>
    public bool AnyExpiredSinceWatch(Client client)
    {
        foreach (var w in client.WatchedKeys)
        {
            if (!w.ExpiredAtWatch && _server.Keyspace[w.Db].IsStale(w.Key))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class DbKeyComparer : IEqualityComparer<(int Db, byte[] Key)>
    {
        public static readonly DbKeyComparer Instance = new();

        public bool Equals((int Db, byte[] Key) x, (int Db, byte[] Key) y) => x.Db == y.Db && x.Key.AsSpan().SequenceEqual(y.Key);

        public int GetHashCode((int Db, byte[] Key) obj) => HashCode.Combine(obj.Db, Storage.KeyTable<int>.Hash(obj.Key));
    }
}
