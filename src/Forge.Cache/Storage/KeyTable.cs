using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Forge.Cache.Storage;

/// <summary>
/// A hash table keyed by byte strings, looked up by <see cref="ReadOnlySpan{T}"/> so a command's
/// argument never has to be copied to find its key. It is the keyspace, the expires table, and the
/// field table of hashes, sets and sorted sets.
///
/// Layout (as the BCL's Dictionary): an int bucket array pointing into one entry array, chained
/// through <c>Next</c>. Unlike Dictionary it exposes entry slots by index, which is what SCAN's
/// cursor, RANDOMKEY and the expiry/eviction samplers need: an entry never moves while it lives
/// (growth copies the entry array in order; removal puts the slot on a free list), so a cursor that
/// walks slot indices returns every element present for the whole scan (Redis's SCAN guarantee)
/// without Redis's reverse-binary cursor.
/// </summary>
internal sealed class KeyTable<TValue>
{
    private struct Entry
    {
        public int HashCode;   // >= 0 while the slot is live; -1 marks a free slot
        public int Next;       // next entry in the bucket chain, or next free slot (-1 ends)
        public byte[] Key;
        public TValue Value;
    }

    private int[] _buckets;    // 1-based entry index, 0 = empty
    private Entry[] _entries;
    private int _used;         // slots ever handed out (high-water mark of _entries)
    private int _count;
    private int _freeList = -1;
    private int _freeCount;

    // Optional per-entry metadata parallel to _entries (the keyspace's LRU clock / LFU counter),
    // kept outside Entry so tables that don't need it (hash fields, set members) pay nothing.
    private uint[]? _meta;

    public KeyTable(int capacity = 0)
    {
        var size = capacity <= 4 ? 4 : (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _buckets = new int[size];
        _entries = new Entry[size];
    }

    public int Count => _count;

    /// <summary>Turns on the per-entry metadata word (see <see cref="MetaAt"/>).</summary>
    public void EnableMeta() => _meta ??= new uint[_entries.Length];

    /// <summary>The metadata word of a live slot (only after <see cref="EnableMeta"/>).</summary>
    public ref uint MetaAt(int slot) => ref _meta![slot];

    /// <summary>Adds or finds <paramref name="key"/> and returns its slot; <paramref name="exists"/> tells which.</summary>
    public int FindOrAddSlot(ReadOnlySpan<byte> key, out bool exists, byte[]? ownedKey = null)
    {
        var hash = Hash(key);
        var i = FindSlot(key, hash);
        exists = i >= 0;
        return exists ? i : AddNew(ownedKey ?? key.ToArray(), hash);
    }

    /// <summary>One past the highest slot index in use; slot indices run 0 .. SlotCount-1.</summary>
    public int SlotCount => _used;

    public static int Hash(ReadOnlySpan<byte> key)
    {
        var hc = default(HashCode);
        hc.AddBytes(key);
        return hc.ToHashCode() & 0x7FFFFFFF;
    }

    public bool ContainsKey(ReadOnlySpan<byte> key) => FindSlot(key, Hash(key)) >= 0;

    public bool TryGetValue(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out TValue value)
    {
        var i = FindSlot(key, Hash(key));
        if (i >= 0)
        {
            value = _entries[i].Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    public int FindSlot(ReadOnlySpan<byte> key) => FindSlot(key, Hash(key));

    private int FindSlot(ReadOnlySpan<byte> key, int hash)
    {
        var entries = _entries;
        var i = _buckets[hash & (_buckets.Length - 1)] - 1;
        while ((uint)i < (uint)entries.Length)
        {
            ref var e = ref entries[i];
            if (e.HashCode == hash && key.SequenceEqual(e.Key))
            {
                return i;
            }

            i = e.Next;
        }

        return -1;
    }

    /// <summary>A reference to the value stored for <paramref name="key"/>, or a null reference.</summary>
    public ref TValue GetValueRefOrNullRef(ReadOnlySpan<byte> key)
    {
        var i = FindSlot(key, Hash(key));
        if (i < 0)
        {
            return ref Unsafe.NullRef<TValue>();
        }

        return ref _entries[i].Value;
    }

    /// <summary>
    /// A reference to the value for <paramref name="key"/>, adding the key (copied with
    /// <paramref name="keyFactory"/>'s result, or the span's bytes) with a default value when absent.
    /// </summary>
    public ref TValue GetValueRefOrAddDefault(ReadOnlySpan<byte> key, out bool exists, byte[]? ownedKey = null)
    {
        var hash = Hash(key);
        var i = FindSlot(key, hash);
        if (i >= 0)
        {
            exists = true;
            return ref _entries[i].Value;
        }

        exists = false;
        i = AddNew(ownedKey ?? key.ToArray(), hash);
        return ref _entries[i].Value;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; true when the key was new.</summary>
    public bool Set(ReadOnlySpan<byte> key, TValue value, byte[]? ownedKey = null)
    {
        ref var slot = ref GetValueRefOrAddDefault(key, out var exists, ownedKey);
        slot = value;
        return !exists;
    }

    public bool Remove(ReadOnlySpan<byte> key) => Remove(key, out _);

    public bool Remove(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out TValue value)
    {
        var hash = Hash(key);
        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        var entries = _entries;
        var last = -1;
        var i = bucket - 1;
        while (i >= 0)
        {
            ref var e = ref entries[i];
            if (e.HashCode == hash && key.SequenceEqual(e.Key))
            {
                if (last < 0)
                {
                    bucket = e.Next + 1;
                }
                else
                {
                    entries[last].Next = e.Next;
                }

                value = e.Value;
                e.HashCode = -1;
                e.Key = null!;
                e.Value = default!;
                e.Next = _freeList;
                _freeList = i;
                _freeCount++;
                _count--;
                if (_count == 0)
                {
                    Reset();
                }

                return true;
            }

            last = i;
            i = e.Next;
        }

        value = default;
        return false;
    }

    public void Clear() => Reset(4);

    private void Reset(int size = 0)
    {
        if (size == 0)
        {
            // Emptied by removals: keep a modest capacity rather than the peak.
            size = Math.Min(_buckets.Length, 64);
        }

        _buckets = new int[size];
        _entries = new Entry[size];
        if (_meta is not null)
        {
            _meta = new uint[size];
        }

        _used = 0;
        _count = 0;
        _freeList = -1;
        _freeCount = 0;
    }

    private int AddNew(byte[] key, int hash)
    {
        int i;
        if (_freeCount > 0)
        {
            i = _freeList;
            _freeList = _entries[i].Next;
            _freeCount--;
        }
        else
        {
            if (_used == _entries.Length)
            {
                Grow();
            }

            i = _used++;
        }

        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        ref var e = ref _entries[i];
        e.HashCode = hash;
        e.Key = key;
        e.Next = bucket - 1;
        bucket = i + 1;
        _count++;
        return i;
    }

    private void Grow()
    {
        var size = _entries.Length * 2;
        Array.Resize(ref _entries, size);
        if (_meta is not null)
        {
            Array.Resize(ref _meta, size);
        }

        var buckets = new int[size];
        var entries = _entries;
        for (var i = 0; i < _used; i++)
        {
            ref var e = ref entries[i];
            if (e.HashCode >= 0)
            {
                ref var b = ref buckets[e.HashCode & (size - 1)];
                e.Next = b - 1;
                b = i + 1;
            }
        }

        _buckets = buckets;
    }

    /// <summary>True when slot <paramref name="slot"/> holds a live entry.</summary>
    public bool IsLive(int slot) => (uint)slot < (uint)_used && _entries[slot].HashCode >= 0;

    public byte[] KeyAt(int slot) => _entries[slot].Key;

    public ref TValue ValueAt(int slot) => ref _entries[slot].Value;

    /// <summary>
    /// A uniformly chosen live slot, or -1 when empty. Random probes first; a sparse table (many
    /// free slots) falls back to a walk from a random start.
    /// </summary>
    public int RandomSlot(Random random)
    {
        if (_count == 0)
        {
            return -1;
        }

        for (var tries = 0; tries < 32; tries++)
        {
            var i = random.Next(_used);
            if (_entries[i].HashCode >= 0)
            {
                return i;
            }
        }

        var start = random.Next(_used);
        for (var k = 0; k < _used; k++)
        {
            var i = (start + k) % _used;
            if (_entries[i].HashCode >= 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Live slots from <paramref name="cursor"/> on: the slot index of the next live entry, or -1.</summary>
    public int NextLive(int cursor)
    {
        for (var i = Math.Max(cursor, 0); i < _used; i++)
        {
            if (_entries[i].HashCode >= 0)
            {
                return i;
            }
        }

        return -1;
    }

    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerates live slots; the table must not change meanwhile (except removing the current entry).</summary>
    public struct Enumerator
    {
        private readonly KeyTable<TValue> _table;
        private int _slot;

        internal Enumerator(KeyTable<TValue> table)
        {
            _table = table;
            _slot = -1;
        }

        public readonly int Current => _slot;

        public bool MoveNext()
        {
            _slot = _table.NextLive(_slot + 1);
            return _slot >= 0;
        }
    }
}
