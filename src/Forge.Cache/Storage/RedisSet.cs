using Forge.Cache.Protocol;

namespace Forge.Cache.Storage;

/// <summary>
/// The value of a Redis set key. As in Redis 7.0 it is an "intset" (a sorted array of 64-bit
/// integers, so SMEMBERS of a small integer set comes out in ascending order as clients see from
/// Redis) while every member is an integer in canonical form and there are at most
/// set-max-intset-entries of them; otherwise a "hashtable" (a <see cref="KeyTable{TValue}"/>
/// of members). Conversion is one way, as in Redis.
///
/// Members are addressed by "slot": for an intset the array index, for a hashtable the key
/// table's slot; <see cref="NextLive"/> enumerates and <see cref="RandomSlot"/> picks uniformly.
/// </summary>
internal sealed partial class RedisSet : IMemoryEstimate
{
    private long[] _ints;
    private int _intCount;
    private KeyTable<bool>? _table;

    /// <summary>An empty set in the intset encoding (the first non-integer member converts it).</summary>
    public RedisSet()
    {
        _ints = new long[4];
    }

    public int Count => _table?.Count ?? _intCount;

    public bool IsIntset => _table is null;

    /// <summary>The name OBJECT ENCODING reports: "intset" or "hashtable".</summary>
    public string Encoding() => _table is null ? "intset" : "hashtable";

    public int SlotCount => _table?.SlotCount ?? _intCount;

    public bool IsLive(int slot) => _table?.IsLive(slot) ?? (uint)slot < (uint)_intCount;

    public int NextLive(int slot)
    {
        if (_table is not null)
        {
            return _table.NextLive(slot);
        }

        slot = Math.Max(slot, 0);
        return slot < _intCount ? slot : -1;
    }

    /// <summary>The member at <paramref name="slot"/>; an intset member is formatted into <paramref name="scratch"/> (20+ bytes).</summary>
    public ReadOnlySpan<byte> MemberAt(int slot, Span<byte> scratch)
    {
        if (_table is not null)
        {
            return _table.KeyAt(slot);
        }

        _ints[slot].TryFormat(scratch, out var n);
        return scratch[..n];
    }

    /// <summary>The member at <paramref name="slot"/> as an array (shared for a hashtable: do not modify).</summary>
    public byte[] MemberBytesAt(int slot) => _table is not null ? _table.KeyAt(slot) : NumberFormat.LongToBytes(_ints[slot]);

    /// <summary>The integer at <paramref name="slot"/> of an intset.</summary>
    public long IntAt(int slot) => _ints[slot];

    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_table is not null)
        {
            return _table.ContainsKey(member);
        }

        return NumberFormat.TryParseLong(member, out var v) && Array.BinarySearch(_ints, 0, _intCount, v) >= 0;
    }

    /// <summary>Adds <paramref name="member"/> (copied when new); true when it was not there.</summary>
    public bool Add(ReadOnlySpan<byte> member, long maxIntsetEntries)
    {
        if (_table is null)
        {
            if (NumberFormat.TryParseLong(member, out var v))
            {
                if (!AddInt(v))
                {
                    return false;
                }

                if (_intCount > maxIntsetEntries)
                {
                    ConvertToTable();
                }

                return true;
            }

            ConvertToTable();
        }

        return _table!.Set(member, true);
    }

    /// <summary>Adds a member the caller gives up (its array is kept, not copied, by a hashtable).</summary>
    public bool AddOwned(byte[] member, long maxIntsetEntries)
    {
        if (_table is null)
        {
            return Add(member, maxIntsetEntries);
        }

        ref var slot = ref _table.GetValueRefOrAddDefault(member, out var exists, member);
        slot = true;
        return !exists;
    }

    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table is not null)
        {
            return _table.Remove(member);
        }

        if (!NumberFormat.TryParseLong(member, out var v))
        {
            return false;
        }

        var i = Array.BinarySearch(_ints, 0, _intCount, v);
        if (i < 0)
        {
            return false;
        }

        RemoveIntAt(i);
        return true;
    }

    /// <summary>Removes the member at a live <paramref name="slot"/>.</summary>
    public void RemoveSlot(int slot)
    {
        if (_table is not null)
        {
            _table.Remove(_table.KeyAt(slot));
        }
        else
        {
            RemoveIntAt(slot);
        }
    }

    /// <summary>A uniformly chosen live slot, or -1 when empty.</summary>
    public int RandomSlot(Random random)
    {
        if (Count == 0)
        {
            return -1;
        }

        return _table is null ? random.Next(_intCount) : RedisHash.PickLive(_table, random);
    }

    /// <summary>A deep copy (COPY), same encoding; member arrays are shared (never mutated).</summary>
    public RedisSet Clone()
    {
        var copy = new RedisSet();
        if (_table is null)
        {
            copy._ints = (long[])_ints.Clone();
            copy._intCount = _intCount;
            return copy;
        }

        var table = new KeyTable<bool>(_table.Count);
        for (var slot = _table.NextLive(0); slot >= 0; slot = _table.NextLive(slot + 1))
        {
            table.Set(_table.KeyAt(slot), true, _table.KeyAt(slot));
        }

        copy._table = table;
        copy._ints = [];
        return copy;
    }

    /// <summary>MEMORY USAGE: 8 bytes an integer for an intset; entry, array header and bytes per member for a hashtable.</summary>
    public long EstimateBytes()
    {
        if (_table is null)
        {
            return 48 + (8L * _ints.Length);
        }

        long bytes = 48;
        for (var slot = _table.NextLive(0); slot >= 0; slot = _table.NextLive(slot + 1))
        {
            bytes += 24 + 24 + ((_table.KeyAt(slot).Length + 7) & ~7);
        }

        return bytes;
    }

    private bool AddInt(long v)
    {
        var i = Array.BinarySearch(_ints, 0, _intCount, v);
        if (i >= 0)
        {
            return false;
        }

        i = ~i;
        if (_intCount == _ints.Length)
        {
            Array.Resize(ref _ints, _ints.Length * 2);
        }

        if (i < _intCount)
        {
            Array.Copy(_ints, i, _ints, i + 1, _intCount - i);
        }

        _ints[i] = v;
        _intCount++;
        return true;
    }

    private void RemoveIntAt(int i)
    {
        _intCount--;
        if (i < _intCount)
        {
            Array.Copy(_ints, i + 1, _ints, i, _intCount - i);
        }
    }

    private void ConvertToTable()
    {
        var table = new KeyTable<bool>(_intCount);
        for (var i = 0; i < _intCount; i++)
        {
            var bytes = NumberFormat.LongToBytes(_ints[i]);
            table.Set(bytes, true, bytes);
        }

        _table = table;
        _ints = [];
        _intCount = 0;
    }
}
