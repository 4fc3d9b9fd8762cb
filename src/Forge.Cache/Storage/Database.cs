using System.Runtime.CompilerServices;

namespace Forge.Cache.Storage;

/// <summary>
/// One numbered database (SELECT n): the main key table and, as in Redis, a separate table of
/// expiry times (absolute Unix milliseconds) for the keys that have one. Values are
/// <c>byte[]</c> for strings and <see cref="RedisList"/>, <see cref="RedisHash"/>,
/// <see cref="RedisSet"/>, <see cref="RedisSortedSet"/> for the containers.
/// Expiry is lazy here (every lookup checks) and active in <see cref="Keyspace"/>'s cron.
/// </summary>
internal sealed class Database
{
    private readonly Keyspace _keyspace;

    public Database(Keyspace keyspace, int id)
    {
        _keyspace = keyspace;
        Id = id;
    }

    public int Id { get; }

    public KeyTable<object> Main { get; private set; } = NewMain();

    public KeyTable<long> Expires { get; private set; } = new();

    /// <summary>Keys whose expiry was seen lazily or actively (INFO stats expired_keys).</summary>
    public int Count => Main.Count;

    private long Now => _keyspace.Now;

    /// <summary>The value stored at <paramref name="key"/>, or null (absent or expired: an expired key is deleted here).</summary>
    public object? Get(ReadOnlySpan<byte> key)
    {
        if (Expires.Count > 0 && ExpireIfNeeded(key))
        {
            return null;
        }

        var slot = Main.FindSlot(key);
        if (slot < 0)
        {
            return null;
        }

        _keyspace.TouchAccess(ref Main.MetaAt(slot));
        return Main.ValueAt(slot);
    }

    /// <summary>The value without touching its access time (OBJECT, SCAN): null when absent or expired.</summary>
    public object? Peek(ReadOnlySpan<byte> key)
    {
        if (Expires.Count > 0 && ExpireIfNeeded(key))
        {
            return null;
        }

        return GetRaw(key);
    }

    /// <summary>The access word of an existing key (see <see cref="AccessTracking"/>).</summary>
    public uint AccessWord(ReadOnlySpan<byte> key)
    {
        var slot = Main.FindSlot(key);
        return slot < 0 ? 0 : Main.MetaAt(slot);
    }

    private static KeyTable<object> NewMain()
    {
        var table = new KeyTable<object>();
        table.EnableMeta();
        return table;
    }

    /// <summary>The value without the expiry check or deletion (for introspection of stale keys).</summary>
    public object? GetRaw(ReadOnlySpan<byte> key) => Main.TryGetValue(key, out var value) ? value : null;

    /// <summary>True when the key exists and has logically expired (it is not deleted).</summary>
    public bool IsStale(ReadOnlySpan<byte> key)
    {
        if (Expires.Count == 0 || !Expires.TryGetValue(key, out var when))
        {
            return false;
        }

        return when <= Now;
    }

    /// <summary>Deletes the key if its time has come; true when it did.</summary>
    public bool ExpireIfNeeded(ReadOnlySpan<byte> key)
    {
        if (!Expires.TryGetValue(key, out var when) || when > Now)
        {
            return false;
        }

        DeleteExpired(key);
        return true;
    }

    internal void DeleteExpired(ReadOnlySpan<byte> key)
    {
        Main.Remove(key);
        Expires.Remove(key);
        _keyspace.OnRemoved(this, key);
        _keyspace.OnExpired(this, key);
    }

    public bool Exists(ReadOnlySpan<byte> key) => Get(key) is not null;

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="key"/>, replacing any value of any type.
    /// The key's TTL is cleared unless <paramref name="keepTtl"/> (SET KEEPTTL, in-place updates).
    /// </summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        var index = Main.FindOrAddSlot(key, out var exists);
        if (exists && Main.ValueAt(index) is RedisStream)
        {
            _keyspace.OnRemoved(this, key);
        }

        Main.ValueAt(index) = value;
        if (exists)
        {
            _keyspace.TouchAccess(ref Main.MetaAt(index));
        }
        else
        {
            Main.MetaAt(index) = _keyspace.NewAccessWord();
        }

        if (exists && !keepTtl && Expires.Count > 0)
        {
            Expires.Remove(key);
        }

        if (!exists)
        {
            _keyspace.OnAdded(this, key);
        }

        _keyspace.OnStored(this, key, value);
    }

    /// <summary>Adds a key that must not exist yet (after a failed lookup).</summary>
    public void Add(ReadOnlySpan<byte> key, object value)
    {
        var index = Main.FindOrAddSlot(key, out _);
        Main.ValueAt(index) = value;
        Main.MetaAt(index) = _keyspace.NewAccessWord();
        _keyspace.OnAdded(this, key);
        _keyspace.OnStored(this, key, value);
    }

    /// <summary>Replaces the value of an existing key in place, keeping its TTL.</summary>
    public void Overwrite(ReadOnlySpan<byte> key, object value)
    {
        ref var slot = ref Main.GetValueRefOrNullRef(key);
        if (Unsafe.IsNullRef(ref slot))
        {
            Add(key, value);
            return;
        }

        slot = value;
        _keyspace.OnStored(this, key, value);
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        if (!Main.Remove(key))
        {
            return false;
        }

        if (Expires.Count > 0)
        {
            Expires.Remove(key);
        }

        _keyspace.OnRemoved(this, key);
        return true;
    }

    /// <summary>Absolute expiry in Unix ms, or -1 when the key has none.</summary>
    public long GetExpire(ReadOnlySpan<byte> key) => Expires.Count > 0 && Expires.TryGetValue(key, out var when) ? when : -1;

    /// <summary>Sets the key's absolute expiry; the key must exist. The table shares the key's byte array.</summary>
    public void SetExpire(ReadOnlySpan<byte> key, long whenMs)
    {
        var slot = Main.FindSlot(key);
        if (slot < 0)
        {
            return;
        }

        Expires.Set(key, whenMs, Main.KeyAt(slot));
    }

    public bool Persist(ReadOnlySpan<byte> key) => Expires.Count > 0 && Expires.Remove(key);

    public void Clear()
    {
        Main = NewMain();
        Expires = new KeyTable<long>();
    }

    /// <summary>Exchanges the contents of two databases (SWAPDB).</summary>
    public void SwapWith(Database other)
    {
        (Main, other.Main) = (other.Main, Main);
        (Expires, other.Expires) = (other.Expires, Expires);
    }

    /// <summary>A random live key that is not expired, or null (RANDOMKEY).</summary>
    public byte[]? RandomKey(Random random)
    {
        for (var tries = 0; tries < 100 && Main.Count > 0; tries++)
        {
            var slot = Main.RandomSlot(random);
            if (slot < 0)
            {
                return null;
            }

            var key = Main.KeyAt(slot);
            if (Expires.Count > 0 && ExpireIfNeeded(key))
            {
                continue;
            }

            return key;
        }

        return null;
    }
}
