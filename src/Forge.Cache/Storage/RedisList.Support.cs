namespace Forge.Cache.Storage;

/// <summary>What the key-space commands need from a list: COPY's deep copy and MEMORY USAGE's estimate.</summary>
internal sealed partial class RedisList : IMemoryEstimate
{
    /// <summary>An independent copy (COPY): a new ring of the same elements. Elements are immutable once stored, so they are shared.</summary>
    public RedisList Clone()
    {
        var copy = new RedisList(_count);
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            copy._items[i] = _items[(_head + i) & mask];
        }

        copy._count = _count;
        return copy;
    }

    /// <summary>Object header and slot array, plus each element's array (header + bytes rounded to 8).</summary>
    public long EstimateBytes()
    {
        long total = 48 + 24 + (8L * _items.Length);
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            total += 24 + ((_items[(_head + i) & mask].Length + 7) & ~7);
        }

        return total;
    }
}
