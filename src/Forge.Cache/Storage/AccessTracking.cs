namespace Forge.Cache.Storage;

/// <summary>
/// Per-key access information in one 32-bit word, as Redis keeps it in the 24 bits of robj.lru:
/// under an LRU (or no) policy the word is a clock in seconds (mod 2^24) of the last access;
/// under an LFU policy the low 8 bits are a logarithmic access counter (Morris counter incremented
/// with probability 1/((counter-5)*lfu-log-factor+1)) and the next 16 bits the time of the last
/// decrement in minutes, decayed by one every lfu-decay-time minutes. OBJECT IDLETIME and
/// OBJECT FREQ read it; eviction under maxmemory will use it.
/// </summary>
internal static class AccessTracking
{
    public const uint LruClockMax = (1u << 24) - 1;
    public const byte LfuInitValue = 5;

    public static uint LruClock(long nowMs) => (uint)(nowMs / 1000) & LruClockMax;

    private static uint Minutes(long nowMs) => (uint)(nowMs / 1000 / 60) & 0xFFFF;

    public static uint NewWord(bool lfu, long nowMs) => lfu ? (Minutes(nowMs) << 8) | LfuInitValue : LruClock(nowMs);

    /// <summary>Records an access in <paramref name="word"/>.</summary>
    public static void Touch(ref uint word, bool lfu, long nowMs, long logFactor, long decayTime, Random random)
    {
        if (!lfu)
        {
            word = LruClock(nowMs);
            return;
        }

        var counter = DecayedCounter(word, nowMs, decayTime);
        counter = LogIncrement(counter, logFactor, random);
        word = (Minutes(nowMs) << 8) | counter;
    }

    /// <summary>Seconds since the last access (OBJECT IDLETIME), allowing for the clock's wrap-around.</summary>
    public static long IdleSeconds(uint word, long nowMs)
    {
        var now = LruClock(nowMs);
        return now >= word ? now - word : (LruClockMax - word) + now;
    }

    /// <summary>LFUDecrAndReturn: the counter less one per elapsed decay period.</summary>
    public static byte DecayedCounter(uint word, long nowMs, long decayTime)
    {
        var last = (word >> 8) & 0xFFFF;
        var counter = (byte)(word & 0xFF);
        var now = Minutes(nowMs);
        var elapsed = now >= last ? now - last : 65535 - last + now;
        var periods = decayTime > 0 ? elapsed / decayTime : 0;
        return periods == 0 ? counter : periods > counter ? (byte)0 : (byte)(counter - periods);
    }

    private static byte LogIncrement(byte counter, long logFactor, Random random)
    {
        if (counter == 255)
        {
            return 255;
        }

        var r = random.NextDouble();
        var baseval = Math.Max(counter - LfuInitValue, 0);
        var p = 1.0 / ((baseval * logFactor) + 1);
        return r < p ? (byte)(counter + 1) : counter;
    }
}
