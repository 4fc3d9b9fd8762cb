namespace Forge.Cache.Scripting.Lua;

/// <summary>
/// Lua 5.1 pattern matching (lstrlib.c semantics): classes %a %c %d %l %p %s %u %w %x (upper
/// case = complement), sets [...] with ranges and classes, anchors, captures including position
/// captures "()", back-references %1-%9, %b, %f, and quantifiers * + - ?. Recursion is bounded
/// (matchdepth 200, as MAXCCALLS), and every step is charged to the interpreter's budget.
/// </summary>
internal sealed class LuaPattern
{
    private const int MaxCaptures = 32;
    private const int CapUnfinished = -1;
    private const int CapPosition = -2;
    private const int MaxMatchDepth = 200;

    private readonly LuaState _l;
    private readonly byte[] _s;
    private readonly byte[] _p;
    private int _depth;
    private readonly int[] _capStart = new int[MaxCaptures];
    private readonly int[] _capLen = new int[MaxCaptures];

    public LuaPattern(LuaState l, byte[] s, byte[] p)
    {
        _l = l;
        _s = s;
        _p = p;
    }

    public int Level { get; private set; }

    /// <summary>Tries a match starting at subject position <paramref name="si"/> with the pattern from <paramref name="pi"/>; returns the end or -1.</summary>
    public int Match(int si, int pi)
    {
        Level = 0;
        _depth = 0;
        return DoMatch(si, pi);
    }

    private LuaException Err(string msg) => _l.Error(msg);

    private int ClassEnd(int p)
    {
        var c = _p[p++];
        if (c == '%')
        {
            if (p >= _p.Length)
            {
                throw Err("malformed pattern (ends with '%')");
            }

            return p + 1;
        }

        if (c == '[')
        {
            if (p < _p.Length && _p[p] == '^')
            {
                p++;
            }

            do
            {
                if (p >= _p.Length)
                {
                    throw Err("malformed pattern (missing ']')");
                }

                c = _p[p++];
                if (c == '%')
                {
                    if (p >= _p.Length)
                    {
                        throw Err("malformed pattern (missing ']')");
                    }

                    p++;
                }
            }
            while (p >= _p.Length || _p[p] != ']');

            return p + 1;
        }

        return p;
    }

    private static bool IsAlpha(int c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    public static bool MatchClass(int c, int cl)
    {
        bool res;
        switch (cl | 0x20)
        {
            case 'a': res = IsAlpha(c); break;
            case 'c': res = c < 32 || c == 127; break;
            case 'd': res = IsDigit(c); break;
            case 'l': res = c is >= 'a' and <= 'z'; break;
            case 'p': res = c is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126); break;
            case 's': res = c is ' ' or (>= 9 and <= 13); break;
            case 'u': res = c is >= 'A' and <= 'Z'; break;
            case 'w': res = IsAlpha(c) || IsDigit(c); break;
            case 'x': res = IsDigit(c) || c is (>= 'a' and <= 'f') or (>= 'A' and <= 'F'); break;
            case 'z': res = c == 0; break;
            default: return cl == c;
        }

        return (cl is >= 'A' and <= 'Z') ? !res : res;
    }

    private bool MatchBracketClass(int c, int p, int ec)
    {
        var sig = true;
        if (_p[p + 1] == '^')
        {
            sig = false;
            p++;
        }

        while (++p < ec)
        {
            if (_p[p] == '%')
            {
                p++;
                if (MatchClass(c, _p[p]))
                {
                    return sig;
                }
            }
            else if (p + 2 < ec && _p[p + 1] == '-')
            {
                if (_p[p] <= c && c <= _p[p + 2])
                {
                    return sig;
                }

                p += 2;
            }
            else if (_p[p] == c)
            {
                return sig;
            }
        }

        return !sig;
    }

    private bool SingleMatch(int si, int p, int ep)
    {
        if (si >= _s.Length)
        {
            return false;
        }

        int c = _s[si];
        return _p[p] switch
        {
            (byte)'.' => true,
            (byte)'%' => MatchClass(c, _p[p + 1]),
            (byte)'[' => MatchBracketClass(c, p, ep - 1),
            _ => _p[p] == c,
        };
    }

    private int DoMatch(int s, int p)
    {
        if (++_depth > MaxMatchDepth)
        {
            throw Err("pattern too complex");
        }

        try
        {
            while (true)
            {
                if (--_l.Budget <= 0)
                {
                    _l.Hook();
                }

                if (p >= _p.Length)
                {
                    return s;
                }

                switch (_p[p])
                {
                    case (byte)'(':
                        if (p + 1 < _p.Length && _p[p + 1] == ')')
                        {
                            return StartCapture(s, p + 2, CapPosition);
                        }

                        return StartCapture(s, p + 1, CapUnfinished);
                    case (byte)')':
                        return EndCapture(s, p + 1);
                    case (byte)'$' when p + 1 == _p.Length:
                        return s == _s.Length ? s : -1;
                    case (byte)'%' when p + 1 < _p.Length && _p[p + 1] == 'b':
                        s = MatchBalance(s, p + 2);
                        if (s != -1)
                        {
                            p += 4;
                            continue;
                        }

                        return -1;
                    case (byte)'%' when p + 1 < _p.Length && _p[p + 1] == 'f':
                        {
                            p += 2;
                            if (p >= _p.Length || _p[p] != '[')
                            {
                                throw Err("missing '[' after '%f' in pattern");
                            }

                            var ep = ClassEnd(p);
                            int prev = s == 0 ? 0 : _s[s - 1];
                            int cur = s < _s.Length ? _s[s] : 0;
                            if (!MatchBracketClass(prev, p, ep - 1) && MatchBracketClass(cur, p, ep - 1))
                            {
                                p = ep;
                                continue;
                            }

                            return -1;
                        }

                    case (byte)'%' when p + 1 < _p.Length && IsDigit(_p[p + 1]):
                        s = MatchCapture(s, _p[p + 1]);
                        if (s != -1)
                        {
                            p += 2;
                            continue;
                        }

                        return -1;
                }

                var epc = ClassEnd(p);
                var m = SingleMatch(s, p, epc);
                if (epc < _p.Length)
                {
                    switch (_p[epc])
                    {
                        case (byte)'?':
                            {
                                if (m)
                                {
                                    var res = DoMatch(s + 1, epc + 1);
                                    if (res != -1)
                                    {
                                        return res;
                                    }
                                }

                                p = epc + 1;
                                continue;
                            }

                        case (byte)'*':
                            return MaxExpand(s, p, epc);
                        case (byte)'+':
                            return m ? MaxExpand(s + 1, p, epc) : -1;
                        case (byte)'-':
                            return MinExpand(s, p, epc);
                    }
                }

                if (!m)
                {
                    return -1;
                }

                s++;
                p = epc;
            }
        }
        finally
        {
            _depth--;
        }
    }

    private int MaxExpand(int s, int p, int ep)
    {
        var i = 0;
        while (SingleMatch(s + i, p, ep))
        {
            i++;
        }

        while (i >= 0)
        {
            var res = DoMatch(s + i, ep + 1);
            if (res != -1)
            {
                return res;
            }

            i--;
        }

        return -1;
    }

    private int MinExpand(int s, int p, int ep)
    {
        while (true)
        {
            var res = DoMatch(s, ep + 1);
            if (res != -1)
            {
                return res;
            }

            if (SingleMatch(s, p, ep))
            {
                s++;
            }
            else
            {
                return -1;
            }
        }
    }

    private int StartCapture(int s, int p, int what)
    {
        if (Level >= MaxCaptures)
        {
            throw Err("too many captures");
        }

        _capStart[Level] = s;
        _capLen[Level] = what;
        Level++;
        var res = DoMatch(s, p);
        if (res == -1)
        {
            Level--;
        }

        return res;
    }

    private int EndCapture(int s, int p)
    {
        var l = -1;
        for (var i = Level - 1; i >= 0; i--)
        {
            if (_capLen[i] == CapUnfinished)
            {
                l = i;
                break;
            }
        }

        if (l < 0)
        {
            throw Err("invalid pattern capture");
        }

        _capLen[l] = s - _capStart[l];
        var res = DoMatch(s, p);
        if (res == -1)
        {
            _capLen[l] = CapUnfinished;
        }

        return res;
    }

    private int MatchBalance(int s, int p)
    {
        if (p + 1 >= _p.Length)
        {
            throw Err("unbalanced pattern");
        }

        if (s >= _s.Length || _s[s] != _p[p])
        {
            return -1;
        }

        var b = _p[p];
        var e = _p[p + 1];
        var cont = 1;
        while (++s < _s.Length)
        {
            if (_s[s] == e)
            {
                if (--cont == 0)
                {
                    return s + 1;
                }
            }
            else if (_s[s] == b)
            {
                cont++;
            }
        }

        return -1;
    }

    private int MatchCapture(int s, int digit)
    {
        var l = digit - '1';
        if (l < 0 || l >= Level || _capLen[l] == CapUnfinished)
        {
            throw Err("invalid capture index");
        }

        var len = _capLen[l];
        if (_s.Length - s >= len && _s.AsSpan(_capStart[l], len).SequenceEqual(_s.AsSpan(s, len)))
        {
            return s + len;
        }

        return -1;
    }

    /// <summary>Capture <paramref name="i"/> of the last match (the whole match when there are none and i == 0).</summary>
    public object? GetCapture(int i, int s, int e)
    {
        if (i >= Level)
        {
            if (i == 0)
            {
                return new LuaString(_s.AsSpan(s, e - s).ToArray());
            }

            throw Err("invalid capture index");
        }

        var l = _capLen[i];
        if (l == CapUnfinished)
        {
            throw Err("unfinished capture");
        }

        if (l == CapPosition)
        {
            return (double)(_capStart[i] + 1);
        }

        return new LuaString(_s.AsSpan(_capStart[i], l).ToArray());
    }

    /// <summary>All captures (or the whole match) as results.</summary>
    public object?[] Captures(int s, int e, bool wholeIfNone)
    {
        var n = Level == 0 && wholeIfNone ? 1 : Level;
        var r = new object?[n];
        for (var i = 0; i < n; i++)
        {
            r[i] = GetCapture(i, s, e);
        }

        return r;
    }
}
