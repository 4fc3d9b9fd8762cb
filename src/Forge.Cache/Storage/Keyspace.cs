namespace Forge.Cache.Storage;

/// <summary>A notification about one key of a database.</summary>
internal delegate void KeySignal(Database db, ReadOnlySpan<byte> key);

/// <summary>A keyspace notification to publish.</summary>
internal delegate void KeyEventSink(Notify type, string evt, Database db, ReadOnlySpan<byte> key);

/// <summary>
/// All databases of a server plus the clock that expiry reads. <see cref="Now"/> is fixed for the
/// duration of one command (Redis's command time snapshot), so a command sees one consistent
/// "now" across all the keys it touches.
/// </summary>
internal sealed class Keyspace
{
    private readonly Database[] _databases;

    public Keyspace(int count)
    {
        _databases = new Database[count];
        for (var i = 0; i < count; i++)
        {
            _databases[i] = new Database(this, i);
        }
    }

    public int Count => _databases.Length;

    public Database this[int index] => _databases[index];

    /// <summary>Unix milliseconds; refreshed by <see cref="Tick"/> before each command.</summary>
    public long Now { get; private set; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Keys deleted because their time had come (INFO stats expired_keys).</summary>
    public long ExpiredKeys { get; set; }

    /// <summary>Called with the database and key whenever an expired key is deleted.</summary>
    public Action<Database, byte[]>? KeyExpired { get; set; }

    /// <summary>Called when a list or sorted set is stored at a key (clients blocked on it may be served).</summary>
    public KeySignal? KeyReady { get; set; }

    /// <summary>The classes notify-keyspace-events enables; None makes <see cref="NotifyEvent"/> free.</summary>
    public Notify NotifyFlags { get; set; }

    /// <summary>Where enabled notifications go (the pub/sub registry).</summary>
    public KeyEventSink? EventSink { get; set; }

    /// <summary>Redis's notifyKeyspaceEvent: publishes the event if its class is enabled.</summary>
    public void NotifyEvent(Notify type, string evt, Database db, ReadOnlySpan<byte> key)
    {
        if ((NotifyFlags & type) == 0 || (NotifyFlags & (Notify.Keyspace | Notify.Keyevent)) == 0)
        {
            return;
        }

        EventSink?.Invoke(type, evt, db, key);
    }

    /// <summary>True under an LFU maxmemory-policy: access words hold LFU counters, not LRU clocks.</summary>
    public bool Lfu { get; set; }

    public long LfuLogFactor { get; set; } = 10;

    public long LfuDecayTime { get; set; } = 1;

    private readonly Random _random = new();

    public uint NewAccessWord() => AccessTracking.NewWord(Lfu, Now);

    public void TouchAccess(ref uint word) => AccessTracking.Touch(ref word, Lfu, Now, LfuLogFactor, LfuDecayTime, _random);

    public void Tick()
    {
        _baseTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        _baseUnixTicks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        Now = _baseUnixTicks / TimeSpan.TicksPerMillisecond;
    }

    /// <summary>
    /// Sets <see cref="Now"/> from a Stopwatch timestamp the caller already read (one clock read per
    /// command instead of two), relative to the wall-clock time of the last <see cref="Tick()"/>,
    /// which the cron calls hz times a second, so a wall-clock step shows within one cron period.
    /// The base keeps the wall clock's 100 ns ticks: rounding it to milliseconds would put Now up to
    /// a millisecond behind the real clock (a PXAT ten seconds ahead then had PTTL 10001).
    /// </summary>
    public void Tick(long stopwatchTimestamp)
    {
        var elapsed = stopwatchTimestamp - _baseTimestamp;
        var ticks = elapsed >= 0 ? _baseUnixTicks + (long)(elapsed * s_ticksPerStopwatchTick) : _baseUnixTicks;
        Now = ticks / TimeSpan.TicksPerMillisecond;
    }

    private static readonly double s_ticksPerStopwatchTick = (double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency;
    private long _baseTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private long _baseUnixTicks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;

    internal void OnAdded(Database db, ReadOnlySpan<byte> key) => NotifyEvent(Notify.New, "new", db, key);

    internal void OnStored(Database db, ReadOnlySpan<byte> key, object value)
    {
        if (KeyReady is not null && value is RedisList or RedisSortedSet or RedisStream)
        {
            KeyReady(db, key);
        }
    }

    /// <summary>
    /// A key was deleted or its stream replaced: clients blocked on it are re-run (XREADGROUP then
    /// fails with "UNBLOCKED the stream key no longer exists", as in Redis 7.0; others keep waiting).
    /// </summary>
    internal void OnRemoved(Database db, ReadOnlySpan<byte> key) => KeyReady?.Invoke(db, key);

    internal void OnExpired(Database db, ReadOnlySpan<byte> key)
    {
        ExpiredKeys++;
        NotifyEvent(Notify.Expired, "expired", db, key);
        KeyExpired?.Invoke(db, key.ToArray());
    }

    public long TotalKeys()
    {
        long n = 0;
        foreach (var db in _databases)
        {
            n += db.Count;
        }

        return n;
    }

    /// <summary>
    /// Redis's active expiry cycle (activeExpireCycle): per database, sample up to 20 keys with a
    /// TTL, delete the expired ones, and repeat while more than a quarter of a sample was expired
    /// and the time budget lasts. Keeps memory from filling with keys nobody reads again.
    /// </summary>
    public void ActiveExpireCycle(Random random, TimeSpan budget)
    {
        Tick();
        var deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        foreach (var db in _databases)
        {
            while (db.Expires.Count > 0)
            {
                var sampled = 0;
                var expired = 0;
                var n = Math.Min(20, db.Expires.Count);
                for (var i = 0; i < n; i++)
                {
                    var slot = db.Expires.RandomSlot(random);
                    if (slot < 0)
                    {
                        break;
                    }

                    sampled++;
                    if (db.Expires.ValueAt(slot) <= Now)
                    {
                        var key = db.Expires.KeyAt(slot);
                        db.DeleteExpired(key);
                        expired++;
                    }
                }

                if (sampled == 0 || expired * 4 <= sampled || Environment.TickCount64 > deadline)
                {
                    break;
                }
            }

            if (Environment.TickCount64 > deadline)
            {
                return;
            }
        }
    }
}
