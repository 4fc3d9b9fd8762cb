namespace Forge.Cache.Storage;

/// <summary>
/// The value of a Redis list key: a double-ended queue of byte strings kept in a ring buffer
/// (capacity a power of two), so pushes and pops at both ends and access by index are O(1);
/// inserts and removals in the middle shift the shorter side. Redis keeps lists in a quicklist
/// (a linked list of listpacks); the observable behaviour is the same, only the memory layout
/// differs. An empty list is never stored under a key: commands delete the key when the last
/// element goes.
/// </summary>
internal sealed partial class RedisList
{
    private const int MinCapacity = 4;

    private byte[][] _items;
    private int _head;
    private int _count;

    public RedisList()
    {
        _items = new byte[MinCapacity][];
    }

    public RedisList(int capacity)
    {
        _items = new byte[RoundUpToPowerOfTwo(Math.Max(capacity, MinCapacity))][];
    }

    public int Count => _count;

    /// <summary>Slots allocated (for tests and memory estimates).</summary>
    internal int Capacity => _items.Length;

    /// <summary>The element at <paramref name="index"/> (0 = head); the index must be in range.</summary>
    public byte[] this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
            {
                ThrowIndex();
            }

            return _items[(_head + index) & (_items.Length - 1)];
        }

        set
        {
            if ((uint)index >= (uint)_count)
            {
                ThrowIndex();
            }

            _items[(_head + index) & (_items.Length - 1)] = value;
        }
    }

    /// <summary>
    /// The name OBJECT ENCODING reports. Redis 7.0 stores every list as a quicklist (the
    /// listpack encoding for small lists came with 7.2), so the answer is "quicklist" whatever
    /// the size; the parameter (list-max-listpack-size) is taken so the call site stays the same
    /// if the compatibility target moves to 7.2.
    /// </summary>
    public static string Encoding(long listMaxListpackSize)
    {
        _ = listMaxListpackSize;
        return "quicklist";
    }

    public void PushHead(byte[] value)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _head = (_head - 1) & (_items.Length - 1);
        _items[_head] = value;
        _count++;
    }

    public void PushTail(byte[] value)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = value;
        _count++;
    }

    public void Push(byte[] value, bool head)
    {
        if (head)
        {
            PushHead(value);
        }
        else
        {
            PushTail(value);
        }
    }

    /// <summary>Removes and returns the first element, or null when the list is empty.</summary>
    public byte[]? PopHead()
    {
        if (_count == 0)
        {
            return null;
        }

        var value = _items[_head];
        _items[_head] = null!;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        MaybeShrink();
        return value;
    }

    /// <summary>Removes and returns the last element, or null when the list is empty.</summary>
    public byte[]? PopTail()
    {
        if (_count == 0)
        {
            return null;
        }

        var slot = (_head + _count - 1) & (_items.Length - 1);
        var value = _items[slot];
        _items[slot] = null!;
        _count--;
        MaybeShrink();
        return value;
    }

    public byte[]? Pop(bool head) => head ? PopHead() : PopTail();

    /// <summary>Inserts <paramref name="value"/> so that it ends up at <paramref name="index"/> (0..Count).</summary>
    public void Insert(int index, byte[] value)
    {
        if ((uint)index > (uint)_count)
        {
            ThrowIndex();
        }

        if (index == 0)
        {
            PushHead(value);
            return;
        }

        if (index == _count)
        {
            PushTail(value);
            return;
        }

        if (_count == _items.Length)
        {
            Grow();
        }

        var mask = _items.Length - 1;
        if (index < _count - index)
        {
            // Move the first `index` elements one slot towards the head.
            _head = (_head - 1) & mask;
            for (var i = 0; i < index; i++)
            {
                _items[(_head + i) & mask] = _items[(_head + i + 1) & mask];
            }
        }
        else
        {
            // Move the elements from `index` on one slot towards the tail.
            for (var i = _count; i > index; i--)
            {
                _items[(_head + i) & mask] = _items[(_head + i - 1) & mask];
            }
        }

        _items[(_head + index) & mask] = value;
        _count++;
    }

    /// <summary>Removes the element at <paramref name="index"/>, shifting the shorter side.</summary>
    public void RemoveAt(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex();
        }

        var mask = _items.Length - 1;
        if (index < _count - 1 - index)
        {
            for (var i = index; i > 0; i--)
            {
                _items[(_head + i) & mask] = _items[(_head + i - 1) & mask];
            }

            _items[_head] = null!;
            _head = (_head + 1) & mask;
        }
        else
        {
            for (var i = index; i < _count - 1; i++)
            {
                _items[(_head + i) & mask] = _items[(_head + i + 1) & mask];
            }

            _items[(_head + _count - 1) & mask] = null!;
        }

        _count--;
        MaybeShrink();
    }

    /// <summary>Keeps only the elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) (LTRIM).</summary>
    public void Keep(int start, int length)
    {
        if (start < 0 || length < 0 || start > _count - length)
        {
            ThrowIndex();
        }

        var mask = _items.Length - 1;
        for (var i = 0; i < start; i++)
        {
            _items[(_head + i) & mask] = null!;
        }

        for (var i = start + length; i < _count; i++)
        {
            _items[(_head + i) & mask] = null!;
        }

        _head = (_head + start) & mask;
        _count = length;
        MaybeShrink();
    }

    /// <summary>
    /// Removes elements equal to <paramref name="value"/> (LREM): all of them when
    /// <paramref name="limit"/> is 0, else up to |limit|, scanning from the head when positive and
    /// from the tail when negative. Returns how many were removed. One compacting pass: O(n).
    /// </summary>
    public long Remove(ReadOnlySpan<byte> value, long limit)
    {
        var mask = _items.Length - 1;
        var max = limit == 0 ? long.MaxValue : (limit < 0 ? -limit : limit);
        if (max < 0)
        {
            max = long.MaxValue; // -long.MinValue
        }

        long removed = 0;
        if (limit >= 0)
        {
            var write = 0;
            for (var read = 0; read < _count; read++)
            {
                var item = _items[(_head + read) & mask];
                if (removed < max && item.AsSpan().SequenceEqual(value))
                {
                    removed++;
                    continue;
                }

                _items[(_head + write) & mask] = item;
                write++;
            }

            for (var i = write; i < _count; i++)
            {
                _items[(_head + i) & mask] = null!;
            }

            _count = write;
        }
        else
        {
            var write = _count - 1;
            for (var read = _count - 1; read >= 0; read--)
            {
                var item = _items[(_head + read) & mask];
                if (removed < max && item.AsSpan().SequenceEqual(value))
                {
                    removed++;
                    continue;
                }

                _items[(_head + write) & mask] = item;
                write--;
            }

            var drop = write + 1;
            for (var i = 0; i < drop; i++)
            {
                _items[(_head + i) & mask] = null!;
            }

            _head = (_head + drop) & mask;
            _count -= drop;
        }

        if (removed > 0)
        {
            MaybeShrink();
        }

        return removed;
    }

    /// <summary>Index of the first element equal to <paramref name="value"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> value)
    {
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            if (_items[(_head + i) & mask].AsSpan().SequenceEqual(value))
            {
                return i;
            }
        }

        return -1;
    }

    public void Clear()
    {
        _items = new byte[MinCapacity][];
        _head = 0;
        _count = 0;
    }

    /// <summary>The elements head to tail (for tests, DEBUG and serialization).</summary>
    public byte[][] ToArray()
    {
        var result = new byte[_count][];
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            result[i] = _items[(_head + i) & mask];
        }

        return result;
    }

    private void Grow() => Resize(_items.Length * 2);

    /// <summary>Halves the buffer when it is at most a quarter full, so a list drained by pops gives memory back.</summary>
    private void MaybeShrink()
    {
        if (_items.Length > 64 && _count <= _items.Length / 4)
        {
            Resize(_items.Length / 2);
        }
    }

    private void Resize(int capacity)
    {
        var items = new byte[capacity][];
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            items[i] = _items[(_head + i) & mask];
        }

        _items = items;
        _head = 0;
    }

    private static int RoundUpToPowerOfTwo(int n)
    {
        var p = MinCapacity;
        while (p < n)
        {
            p <<= 1;
        }

        return p;
    }

    private static void ThrowIndex() => throw new ArgumentOutOfRangeException("index");
}
