using System.Text;
using static Forge.Cache.Scripting.Lua.LibArgs;

namespace Forge.Cache.Scripting.Lua;

/// <summary>Lua 5.1's table and math libraries, and LuaBitOp's bit library as Redis bundles it.</summary>
internal static class Libraries
{
    public static void OpenTable(LuaState l)
    {
        var t = new LuaTable();
        Register(t, "insert", (l, a) =>
        {
            var tbl = Table(l, a, 0, "insert");
            var n = tbl.Length();
            if (a.Length == 2)
            {
                tbl.Set((double)(n + 1), a[1]);
            }
            else if (a.Length == 3)
            {
                var pos = Int(l, a, 1, "insert");
                if (pos > n + 1 || pos < 1)
                {
                    // Lua 5.1 allows it: just sets (and may shift nothing)
                    l.CheckKey((double)pos, 0);
                    tbl.Set((double)pos, a[2]);
                    return Lua.None;
                }

                tbl.Insert((int)pos, a[2], n);
            }
            else
            {
                throw l.Error("wrong number of arguments to 'insert'");
            }

            return Lua.None;
        });
        Register(t, "remove", (l, a) =>
        {
            var tbl = Table(l, a, 0, "remove");
            var n = tbl.Length();
            var pos = OptInt(l, a, 1, "remove", n);
            if (n == 0)
            {
                return Lua.None;
            }

            if (pos < 1 || pos > n)
            {
                return Lua.None;
            }

            var v = tbl.Get((double)pos);
            for (var i = pos; i < n; i++)
            {
                tbl.Set((double)i, tbl.Get((double)(i + 1)));
            }

            tbl.Set((double)n, null);
            return One(v);
        });
        Register(t, "concat", (l, a) =>
        {
            var tbl = Table(l, a, 0, "concat");
            var sep = OptStr(l, a, 1, "concat")?.Bytes ?? [];
            var i = OptInt(l, a, 2, "concat", 1);
            var j = Arg(a, 3) is null ? tbl.Length() : Int(l, a, 3, "concat");
            var b = new List<byte>();
            for (var k = i; k <= j; k++)
            {
                var v = tbl.Get((double)k);
                if (v is not (LuaString or double))
                {
                    throw l.Error($"invalid value ({Lua.TypeName(v)}) at index {k} in table for 'concat'");
                }

                b.AddRange(Lua.ToLuaString(v)!.Bytes);
                if (k != j)
                {
                    b.AddRange(sep);
                }

                if (b.Count > LuaState.MaxStringLength)
                {
                    throw l.Error("string length overflow");
                }
            }

            return One(new LuaString([.. b]));
        });
        Register(t, "getn", (l, a) => One((double)Table(l, a, 0, "getn").Length()));
        Register(t, "setn", (l, a) => throw l.Error("'setn' is obsolete"));
        Register(t, "maxn", (l, a) =>
        {
            var tbl = Table(l, a, 0, "maxn");
            var max = 0.0;
            object? k = null;
            while (tbl.Next(k, out var nk, out _))
            {
                if (nk is double d && d > max)
                {
                    max = d;
                }

                k = nk;
            }

            return One(max);
        });
        Register(t, "sort", Sort);
        Register(t, "unpack", BaseLib.Unpack);
        Register(t, "foreach", (l, a) =>
        {
            var tbl = Table(l, a, 0, "foreach");
            object? k = null;
            while (tbl.Next(k, out var nk, out var v))
            {
                var r = l.Call1(Arg(a, 1), nk, v);
                if (r is not null)
                {
                    return One(r);
                }

                k = nk;
            }

            return Lua.None;
        });
        Register(t, "foreachi", (l, a) =>
        {
            var tbl = Table(l, a, 0, "foreachi");
            var n = tbl.Length();
            for (var i = 1; i <= n; i++)
            {
                var r = l.Call1(Arg(a, 1), (double)i, tbl.Get(i));
                if (r is not null)
                {
                    return One(r);
                }
            }

            return Lua.None;
        });
        l.Globals.Set("table", t);
    }

    private static object?[] Sort(LuaState l, object?[] a)
    {
        var tbl = Table(l, a, 0, "sort");
        var cmp = Arg(a, 1);
        if (cmp is not null and not LuaFunction)
        {
            throw TypeError(l, a, 1, "sort", "function");
        }

        var n = tbl.Length();
        var items = new object?[n];
        for (var i = 0; i < n; i++)
        {
            items[i] = tbl.Get(i + 1);
        }

        bool Less(object? x, object? y) => cmp is null ? l.LessThan(x, y, 0) : Lua.IsTruthy(l.Call1(cmp, x, y));

        // Merge sort: O(n log n) whatever the comparator does (an inconsistent one cannot loop).
        var tmp = new object?[n];
        for (var width = 1; width < n; width *= 2)
        {
            for (var lo = 0; lo < n - width; lo += 2 * width)
            {
                var mid = lo + width;
                var hi = Math.Min(lo + (2 * width), n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi)
                {
                    if (--l.Budget <= 0)
                    {
                        l.Hook();
                    }

                    tmp[k++] = Less(items[j], items[i]) ? items[j++] : items[i++];
                }

                while (i < mid)
                {
                    tmp[k++] = items[i++];
                }

                while (j < hi)
                {
                    tmp[k++] = items[j++];
                }

                Array.Copy(tmp, lo, items, lo, hi - lo);
            }
        }

        if (cmp is null && n > 1)
        {
            // Lua errors on incomparable values even when already ordered.
            l.LessThan(items[0], items[0] is double ? 0.0 : items[0], 0);
        }

        for (var i = 0; i < n; i++)
        {
            tbl.Set((double)(i + 1), items[i]);
        }

        return Lua.None;
    }

    public static void OpenMath(LuaState l, Random random)
    {
        var t = new LuaTable();
        void F1(string name, Func<double, double> f) => Register(t, name, (l, a) => One(f(Number(l, a, 0, name))));
        F1("floor", Math.Floor);
        F1("ceil", Math.Ceiling);
        F1("abs", Math.Abs);
        F1("sqrt", Math.Sqrt);
        F1("exp", Math.Exp);
        F1("log10", Math.Log10);
        F1("sin", Math.Sin);
        F1("cos", Math.Cos);
        F1("tan", Math.Tan);
        F1("asin", Math.Asin);
        F1("acos", Math.Acos);
        F1("atan", Math.Atan);
        F1("sinh", Math.Sinh);
        F1("cosh", Math.Cosh);
        F1("tanh", Math.Tanh);
        F1("deg", x => x * (180.0 / Math.PI));
        F1("rad", x => x * (Math.PI / 180.0));
        Register(t, "log", (l, a) => One(Math.Log(Number(l, a, 0, "log"))));
        Register(t, "atan2", (l, a) => One(Math.Atan2(Number(l, a, 0, "atan2"), Number(l, a, 1, "atan2"))));
        Register(t, "pow", (l, a) => One(Math.Pow(Number(l, a, 0, "pow"), Number(l, a, 1, "pow"))));
        Register(t, "fmod", (l, a) => One(Number(l, a, 0, "fmod") % Number(l, a, 1, "fmod")));
        Register(t, "modf", (l, a) =>
        {
            var x = Number(l, a, 0, "modf");
            var ip = double.IsInfinity(x) ? x : Math.Truncate(x);
            return [ip, double.IsInfinity(x) ? 0.0 : x - ip];
        });
        Register(t, "frexp", (l, a) =>
        {
            var x = Number(l, a, 0, "frexp");
            if (x == 0 || !double.IsFinite(x))
            {
                return [x, 0.0];
            }

            var e = (int)Math.Floor(Math.Log2(Math.Abs(x))) + 1;
            var m = x / Math.Pow(2, e);
            return [m, (double)e];
        });
        Register(t, "ldexp", (l, a) => One(Number(l, a, 0, "ldexp") * Math.Pow(2, Int(l, a, 1, "ldexp"))));
        Register(t, "min", (l, a) =>
        {
            var m = Number(l, a, 0, "min");
            for (var i = 1; i < a.Length; i++)
            {
                var d = Number(l, a, i, "min");
                if (d < m)
                {
                    m = d;
                }
            }

            return One(m);
        });
        Register(t, "max", (l, a) =>
        {
            var m = Number(l, a, 0, "max");
            for (var i = 1; i < a.Length; i++)
            {
                var d = Number(l, a, i, "max");
                if (d > m)
                {
                    m = d;
                }
            }

            return One(m);
        });
        var rng = l.Random;
        Register(t, "random", (l, a) =>
        {
            var r = rng.Next() / (double)RedisRandom.Max;
            if (a.Length == 0)
            {
                return One(r);
            }

            var lo = 1L;
            long up;
            if (a.Length == 1)
            {
                up = Int(l, a, 0, "random");
            }
            else
            {
                lo = Int(l, a, 0, "random");
                up = Int(l, a, 1, "random");
            }

            if (lo > up)
            {
                throw BadArg(l, a.Length == 1 ? 0 : 1, "random", "interval is empty");
            }

            return One(Math.Floor(r * (up - lo + 1)) + lo);
        });
        Register(t, "randomseed", (l, a) =>
        {
            rng.Seed((int)Int(l, a, 0, "randomseed"));
            return Lua.None;
        });
        t.Set("pi", Math.PI);
        t.Set("huge", double.PositiveInfinity);
        l.Globals.Set("math", t);
        _ = random;
    }

    /// <summary>Redis's redisLrand48 (a 48-bit LCG seeded the same way), so math.random is deterministic.</summary>
    internal sealed class RedisRandom
    {
        public const int Max = int.MaxValue;
        private ulong _x;

        public RedisRandom()
        {
            Seed(0);
        }

        public void Seed(int seed) => _x = ((ulong)(uint)seed << 16) | 0x330E;

        public int Next()
        {
            _x = ((0x5DEECE66DUL * _x) + 0xB) & 0xFFFFFFFFFFFFUL;
            return (int)(_x >> 17);
        }
    }

    public static void OpenBit(LuaState l)
    {
        var t = new LuaTable();
        static int I(LuaState l, object?[] a, int i, string n)
        {
            var d = Number(l, a, i, n);
            // LuaBitOp's tobit: add 2^52+2^51 and take the low 32 bits.
            var bits = BitConverter.DoubleToInt64Bits(d + 6755399441055744.0);
            return (int)bits;
        }

        Register(t, "tobit", (l, a) => One((double)I(l, a, 0, "tobit")));
        Register(t, "bnot", (l, a) => One((double)~I(l, a, 0, "bnot")));
        Register(t, "band", (l, a) => Fold(l, a, "band", (x, y) => x & y));
        Register(t, "bor", (l, a) => Fold(l, a, "bor", (x, y) => x | y));
        Register(t, "bxor", (l, a) => Fold(l, a, "bxor", (x, y) => x ^ y));
        Register(t, "lshift", (l, a) => One((double)(I(l, a, 0, "lshift") << (I(l, a, 1, "lshift") & 31))));
        Register(t, "rshift", (l, a) => One((double)(int)((uint)I(l, a, 0, "rshift") >> (I(l, a, 1, "rshift") & 31))));
        Register(t, "arshift", (l, a) => One((double)(I(l, a, 0, "arshift") >> (I(l, a, 1, "arshift") & 31))));
        Register(t, "rol", (l, a) => One((double)(int)uint.RotateLeft((uint)I(l, a, 0, "rol"), I(l, a, 1, "rol") & 31)));
        Register(t, "ror", (l, a) => One((double)(int)uint.RotateRight((uint)I(l, a, 0, "ror"), I(l, a, 1, "ror") & 31)));
        Register(t, "bswap", (l, a) => One((double)System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(I(l, a, 0, "bswap"))));
        Register(t, "tohex", (l, a) =>
        {
            var x = I(l, a, 0, "tohex");
            var n = Arg(a, 1) is null ? 8 : I(l, a, 1, "tohex");
            var upper = n < 0;
            if (upper)
            {
                n = -n;
            }

            if (n > 8)
            {
                n = 8;
            }

            var s = ((uint)x).ToString(upper ? "X8" : "x8", System.Globalization.CultureInfo.InvariantCulture);
            return One(new LuaString(Encoding.ASCII.GetBytes(s[(8 - n)..])));
        });
        l.Globals.Set("bit", t);

        static object?[] Fold(LuaState l, object?[] a, string name, Func<int, int, int> f)
        {
            var acc = I(l, a, 0, name);
            for (var i = 1; i < a.Length; i++)
            {
                acc = f(acc, I(l, a, i, name));
            }

            return One((double)acc);
        }
    }
}
