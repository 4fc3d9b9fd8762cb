namespace Forge.Cache.Storage;

/// <summary>
/// The value of a Redis hash key. Like Redis 7.0 it has two encodings: a small hash is a
/// "listpack" (here: field/value pairs in insertion order, found by a linear scan, which is what
/// HGETALL's order on a small hash shows to clients), and it becomes a "hashtable" (a
/// <see cref="KeyTable{TValue}"/>) for good once it holds more than hash-max-listpack-entries
/// pairs or a field or value longer than hash-max-listpack-value bytes. A hash never converts
/// back, as in Redis.
///
/// Entries are addressed by "slot": for a listpack the index 0..Count-1, for a hashtable the key
/// table's slot. Commands enumerate with <see cref="NextLive"/> and pick with
/// <see cref="RandomSlot"/>, whatever the encoding.
/// </summary>
internal sealed partial class RedisHash : IMemoryEstimate
{
    private Pair[] _pairs;
    private int _pairCount;
    private KeyTable<byte[]>? _table;

    public RedisHash()
    {
        _pairs = new Pair[4];
    }

    public int Count => _table?.Count ?? _pairCount;

    public bool IsListpack => _table is null;

    /// <summary>The name OBJECT ENCODING reports: "listpack" or "hashtable".</summary>
    public string Encoding() => _table is null ? "listpack" : "hashtable";

    /// <summary>One past the highest slot; slots run 0 .. SlotCount-1 (some may be dead in a hashtable).</summary>
    public int SlotCount => _table?.SlotCount ?? _pairCount;

    public bool IsLive(int slot) => _table?.IsLive(slot) ?? (uint)slot < (uint)_pairCount;

    public byte[] FieldAt(int slot) => _table is null ? _pairs[slot].Field : _table.KeyAt(slot);

    public byte[] ValueAt(int slot) => _table is null ? _pairs[slot].Value : _table.ValueAt(slot);

    /// <summary>The first live slot at or after <paramref name="slot"/>, or -1.</summary>
    public int NextLive(int slot)
    {
        if (_table is not null)
        {
            return _table.NextLive(slot);
        }

        slot = Math.Max(slot, 0);
        return slot < _pairCount ? slot : -1;
    }

    /// <summary>The value of <paramref name="field"/>, or null.</summary>
    public byte[]? Get(ReadOnlySpan<byte> field)
    {
        if (_table is not null)
        {
            return _table.TryGetValue(field, out var v) ? v : null;
        }

        var i = IndexOf(field);
        return i >= 0 ? _pairs[i].Value : null;
    }

    public bool Contains(ReadOnlySpan<byte> field) => _table is not null ? _table.ContainsKey(field) : IndexOf(field) >= 0;

    /// <summary>
    /// Sets <paramref name="field"/> to <paramref name="value"/> (stored as given: the caller
    /// passes an array it owns). The field is copied when new. Converts to a hashtable first when
    /// the field or value is longer than <paramref name="maxListpackValue"/>, after when the count
    /// passes <paramref name="maxListpackEntries"/>. Returns true when the field was new.
    /// </summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value, long maxListpackEntries, long maxListpackValue)
    {
        if (_table is null && (field.Length > maxListpackValue || value.Length > maxListpackValue))
        {
            ConvertToTable();
        }

        if (_table is not null)
        {
            return _table.Set(field, value);
        }

        var i = IndexOf(field);
        if (i >= 0)
        {
            _pairs[i].Value = value;
            return false;
        }

        if (_pairCount == _pairs.Length)
        {
            Array.Resize(ref _pairs, _pairs.Length * 2);
        }

        _pairs[_pairCount++] = new Pair(field.ToArray(), value);
        if (_pairCount > maxListpackEntries)
        {
            ConvertToTable();
        }

        return true;
    }

    /// <summary>Removes <paramref name="field"/>; true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (_table is not null)
        {
            return _table.Remove(field);
        }

        var i = IndexOf(field);
        if (i < 0)
        {
            return false;
        }

        RemoveAtIndex(i);
        return true;
    }

    /// <summary>
    /// A uniformly chosen live slot, or -1 when empty. Unlike probing alone this stays uniform
    /// when a hashtable is sparse after many deletions: it then counts its way to the k-th entry.
    /// </summary>
    public int RandomSlot(Random random)
    {
        var count = Count;
        if (count == 0)
        {
            return -1;
        }

        if (_table is null)
        {
            return random.Next(_pairCount);
        }

        return PickLive(_table, random);
    }

    internal static int PickLive<T>(KeyTable<T> table, Random random)
    {
        var slots = table.SlotCount;
        for (var tries = 0; tries < 16; tries++)
        {
            var i = random.Next(slots);
            if (table.IsLive(i))
            {
                return i;
            }
        }

        var k = random.Next(table.Count);
        for (var i = table.NextLive(0); i >= 0; i = table.NextLive(i + 1))
        {
            if (k-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A deep copy (COPY): same encoding, same order; values are shared (they are never mutated in place).</summary>
    public RedisHash Clone()
    {
        var copy = new RedisHash();
        if (_table is null)
        {
            copy._pairs = (Pair[])_pairs.Clone();
            copy._pairCount = _pairCount;
            return copy;
        }

        var table = new KeyTable<byte[]>(_table.Count);
        for (var slot = _table.NextLive(0); slot >= 0; slot = _table.NextLive(slot + 1))
        {
            table.Set(_table.KeyAt(slot), _table.ValueAt(slot), _table.KeyAt(slot));
        }

        copy._table = table;
        copy._pairs = [];
        return copy;
    }

    /// <summary>MEMORY USAGE: arrays of the entries plus each field and value (header + bytes, rounded to 8).</summary>
    public long EstimateBytes()
    {
        long bytes = 48;
        for (var slot = NextLive(0); slot >= 0; slot = NextLive(slot + 1))
        {
            bytes += 24 + 24 + 24 + ((FieldAt(slot).Length + 7) & ~7) + ((ValueAt(slot).Length + 7) & ~7);
        }

        return bytes;
    }

    private void ConvertToTable()
    {
        var table = new KeyTable<byte[]>(_pairCount);
        for (var i = 0; i < _pairCount; i++)
        {
            table.Set(_pairs[i].Field, _pairs[i].Value, _pairs[i].Field);
        }

        _table = table;
        _pairs = [];
        _pairCount = 0;
    }

    private void RemoveAtIndex(int i)
    {
        _pairCount--;
        if (i < _pairCount)
        {
            Array.Copy(_pairs, i + 1, _pairs, i, _pairCount - i);
        }

        _pairs[_pairCount] = default;
    }

    private int IndexOf(ReadOnlySpan<byte> field)
    {
        var pairs = _pairs;
        for (var i = 0; i < _pairCount; i++)
        {
            if (field.SequenceEqual(pairs[i].Field))
            {
                return i;
            }
        }

        return -1;
    }

    private record struct Pair(byte[] Field, byte[] Value);
}
