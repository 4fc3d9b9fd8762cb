namespace Forge.Cache.Scripting.Lua;

/// <summary>
/// A Lua table: an array part for keys 1..n and an insertion-ordered hash part. Setting a hash
/// key to nil leaves a tombstone (key kept, value nil) so <see cref="Next"/> keeps working while a
/// traversal clears fields, as Lua allows; tombstones are dropped when the hash part grows.
/// </summary>
internal sealed class LuaTable
{
    private object?[] _array = [];
    private int _arrayCount;

    private object[] _keys = [];
    private object?[] _values = [];
    private int[] _next = [];
    private int[] _buckets = [];
    private int _used;

    public LuaTable()
    {
    }

    public LuaTable(int arrayHint, int hashHint)
    {
        if (arrayHint > 0)
        {
            _array = new object?[arrayHint];
        }

        if (hashHint > 0)
        {
            Resize(hashHint);
        }
    }

    public LuaTable? Metatable { get; set; }

    /// <summary>Redis marks its library tables read-only (lua_enablereadonlytable).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Approximate element count, for memory accounting.</summary>
    public int Count => _arrayCount + _used;

    public object? Get(object? key)
    {
        if (key is double d)
        {
            var i = (int)d;
            if (i == d && (uint)(i - 1) < (uint)_arrayCount)
            {
                return _array[i - 1];
            }
        }
        else if (key is null)
        {
            return null;
        }

        var slot = Find(key);
        return slot < 0 ? null : _values[slot];
    }

    public object? Get(int i) => (uint)(i - 1) < (uint)_arrayCount ? _array[i - 1] : (_used == 0 ? null : Get((double)i));

    public object? Get(string key) => Get(LuaString.From(key));

    public void Set(string key, object? value) => Set(LuaString.From(key), value);

    public void Set(int i, object? value) => Set((double)i, value);

    /// <summary>Raw set. The caller checked the key (not nil, not NaN).</summary>
    public void Set(object key, object? value)
    {
        if (key is double d)
        {
            var i = (int)d;
            if (i == d && i >= 1)
            {
                if (i <= _arrayCount)
                {
                    _array[i - 1] = value;
                    if (value is null && i == _arrayCount)
                    {
                        while (_arrayCount > 0 && _array[_arrayCount - 1] is null)
                        {
                            _arrayCount--;
                        }
                    }

                    return;
                }

                if (i == _arrayCount + 1 && value is not null)
                {
                    Append(value);
                    var slot0 = _used > 0 ? Find(key) : -1;
                    if (slot0 >= 0)
                    {
                        _values[slot0] = null;
                    }

                    MigrateFromHash();
                    return;
                }
            }
        }

        var slot = Find(key);
        if (slot >= 0)
        {
            _values[slot] = value;
            return;
        }

        if (value is null)
        {
            return;
        }

        Insert(key, value);
    }

    private void Append(object value)
    {
        if (_arrayCount == _array.Length)
        {
            Array.Resize(ref _array, Math.Max(4, _array.Length * 2));
        }

        _array[_arrayCount++] = value;
    }

    private void MigrateFromHash()
    {
        if (_used == 0)
        {
            return;
        }

        while (true)
        {
            var slot = Find((double)(_arrayCount + 1));
            if (slot < 0 || _values[slot] is null)
            {
                return;
            }

            Append(_values[slot]!);
            _values[slot] = null;
        }
    }

    /// <summary>The border (#t): n where t[n] ~= nil and t[n+1] == nil.</summary>
    public int Length()
    {
        if (_arrayCount > 0)
        {
            return _arrayCount;
        }

        if (_used == 0)
        {
            return 0;
        }

        var n = 0;
        while (Get((double)(n + 1)) is not null)
        {
            n++;
        }

        return n;
    }

    /// <summary>next(t, key): the entry after <paramref name="key"/> (nil: the first). False at the end.</summary>
    public bool Next(object? key, out object? nextKey, out object? nextValue)
    {
        var start = 0;
        if (key is not null)
        {
            var found = false;
            if (key is double d)
            {
                var i = (int)d;
                if (i == d && i >= 1 && i <= _arrayCount)
                {
                    start = i;
                    found = true;
                }
            }

            if (!found)
            {
                var slot = Find(key);
                if (slot >= 0)
                {
                    start = _arrayCount + slot + 1;
                }
                else if (key is double k && k >= 1 && k == Math.Floor(k) && k <= _array.Length)
                {
                    start = _arrayCount; // an array slot cleared during the traversal
                }
                else
                {
                    throw new LuaException("invalid key to 'next'");
                }
            }
        }

        for (var i = start; i < _arrayCount; i++)
        {
            if (_array[i] is not null)
            {
                nextKey = (double)(i + 1);
                nextValue = _array[i];
                return true;
            }
        }

        for (var s = Math.Max(0, start - _arrayCount); s < _used; s++)
        {
            if (_values[s] is not null)
            {
                nextKey = _keys[s];
                nextValue = _values[s];
                return true;
            }
        }

        nextKey = null;
        nextValue = null;
        return false;
    }

    private int Find(object key)
    {
        if (_used == 0)
        {
            return -1;
        }

        var h = Hash(key) & (_buckets.Length - 1);
        for (var s = _buckets[h] - 1; s >= 0; s = _next[s])
        {
            if (Lua.RawEquals(_keys[s], key))
            {
                return s;
            }
        }

        return -1;
    }

    private static int Hash(object key) => key switch
    {
        double d => d == 0 ? 0 : d.GetHashCode(),
        _ => key.GetHashCode(),
    } & int.MaxValue;

    private void Insert(object key, object value)
    {
        if (_used == _keys.Length)
        {
            Resize(_used + 1);
        }

        var s = _used++;
        _keys[s] = key;
        _values[s] = value;
        var h = Hash(key) & (_buckets.Length - 1);
        _next[s] = _buckets[h] - 1;
        _buckets[h] = s + 1;
    }

    private void Resize(int needed)
    {
        var live = 0;
        for (var s = 0; s < _used; s++)
        {
            if (_values[s] is not null)
            {
                live++;
            }
        }

        var cap = 4;
        while (cap < Math.Max(needed - _used + live, live + 1) * 2)
        {
            cap *= 2;
        }

        var keys = new object[cap];
        var values = new object?[cap];
        var j = 0;
        for (var s = 0; s < _used; s++)
        {
            if (_values[s] is not null)
            {
                keys[j] = _keys[s];
                values[j] = _values[s];
                j++;
            }
        }

        _keys = keys;
        _values = values;
        _next = new int[cap];
        _buckets = new int[cap];
        _used = j;
        for (var s = 0; s < j; s++)
        {
            var h = Hash(keys[s]) & (cap - 1);
            _next[s] = _buckets[h] - 1;
            _buckets[h] = s + 1;
        }
    }

    /// <summary>Inserts at position <paramref name="pos"/> (1-based) shifting up, for table.insert.</summary>
    public void Insert(int pos, object? value, int length)
    {
        for (var i = length; i >= pos; i--)
        {
            Set((double)(i + 1), Get(i));
        }

        Set((double)pos, value);
    }
}
