using System.Globalization;
using System.Text;

namespace Forge.Cache.Scripting.Lua;

// Values are plain objects: null = nil, bool (boxed, see Lua.True/False), double (boxed),
// LuaString (bytes), LuaTable, LuaFunction. Numbers are doubles as in Lua 5.1.

/// <summary>A Lua string: immutable bytes (binary-safe), compared and hashed by content.</summary>
internal sealed class LuaString : IEquatable<LuaString>, IComparable<LuaString>
{
    private int _hash;

    public LuaString(byte[] bytes)
    {
        Bytes = bytes;
    }

    public static readonly LuaString Empty = new([]);

    public byte[] Bytes { get; }

    public int Length => Bytes.Length;

    public static LuaString From(string s) => new(Encoding.UTF8.GetBytes(s));

    public bool Equals(LuaString? other) => other is not null && (ReferenceEquals(this, other) || Bytes.AsSpan().SequenceEqual(other.Bytes));

    public override bool Equals(object? obj) => obj is LuaString s && Equals(s);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            h.AddBytes(Bytes);
            _hash = h.ToHashCode() | 1;
        }

        return _hash;
    }

    public int CompareTo(LuaString? other) => Bytes.AsSpan().SequenceCompareTo(other!.Bytes);

    public override string ToString() => Encoding.UTF8.GetString(Bytes);
}

/// <summary>Anything callable from Lua.</summary>
internal abstract class LuaFunction
{
    public abstract string Name { get; }
}

internal delegate object?[] LuaBuiltinFn(LuaState l, object?[] args);

/// <summary>A function implemented in C# (a library function).</summary>
internal sealed class LuaBuiltin : LuaFunction
{
    public LuaBuiltin(string name, LuaBuiltinFn fn)
    {
        Name = name;
        Fn = fn;
    }

    public override string Name { get; }

    public LuaBuiltinFn Fn { get; }
}

/// <summary>A captured local: shared by the closures that reference it.</summary>
internal sealed class Cell
{
    public Cell(object? value)
    {
        Value = value;
    }

    public object? Value;
}

/// <summary>A Lua function value: its prototype and captured upvalues.</summary>
internal sealed class LuaClosure : LuaFunction
{
    public LuaClosure(FunctionProto proto, Cell[] upvals)
    {
        Proto = proto;
        Upvals = upvals;
    }

    public FunctionProto Proto { get; }

    public Cell[] Upvals { get; }

    public override string Name => Proto.Name;
}

/// <summary>A Lua error in flight: its value (usually a string with position), caught by pcall or the script runner.</summary>
internal sealed class LuaException : Exception
{
    public LuaException(object? value)
        : base(value is LuaString s ? s.ToString() : "(error object is not a string)")
    {
        Value = value;
    }

    public LuaException()
        : this((object?)null)
    {
    }

    public LuaException(string message)
        : this((object?)LuaString.From(message))
    {
    }

    public LuaException(string message, Exception inner)
        : base(message, inner)
    {
        Value = LuaString.From(message);
    }

    public object? Value { get; }

    /// <summary>Set for errors that pcall must not catch (script killed, instruction budget).</summary>
    public bool Uncatchable { get; init; }
}

/// <summary>Conversions and helpers shared by the interpreter and the libraries.</summary>
internal static class Lua
{
    public static readonly object True = true;
    public static readonly object False = false;
    public static readonly object?[] None = [];

    public static object Bool(bool b) => b ? True : False;

    public static bool IsTruthy(object? v) => v is not null && (v is not bool b || b);

    public static string TypeName(object? v) => v switch
    {
        null => "nil",
        bool => "boolean",
        double => "number",
        LuaString => "string",
        LuaTable => "table",
        LuaFunction => "function",
        _ => "userdata",
    };

    /// <summary>Number coercion as lua_tonumber: numbers and numeric strings.</summary>
    public static bool TryToNumber(object? v, out double d)
    {
        if (v is double x)
        {
            d = x;
            return true;
        }

        if (v is LuaString s)
        {
            return TryParseNumber(s.Bytes, out d);
        }

        d = 0;
        return false;
    }

    /// <summary>luaO_str2d: decimal (strtod) or hexadecimal, surrounding spaces allowed.</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> s, out double d)
    {
        d = 0;
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start]))
        {
            start++;
        }

        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return false;
        }

        var t = s[start..end];
        var neg = false;
        var body = t;
        if (body[0] is (byte)'-' or (byte)'+')
        {
            neg = body[0] == '-';
            body = body[1..];
        }

        if (body.Length > 2 && body[0] == '0' && (body[1] | 0x20) == 'x')
        {
            ulong acc = 0;
            foreach (var c in body[2..])
            {
                var h = HexValue(c);
                if (h < 0)
                {
                    return false;
                }

                acc = unchecked((acc * 16) + (ulong)h);
            }

            d = neg ? -(double)acc : acc;
            return true;
        }

        foreach (var c in body)
        {
            if (!(c is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
            {
                var word = Encoding.ASCII.GetString(body).ToLowerInvariant();
                if (word is "inf" or "infinity")
                {
                    d = neg ? double.NegativeInfinity : double.PositiveInfinity;
                    return true;
                }

                if (word == "nan")
                {
                    d = double.NaN;
                    return true;
                }

                return false;
            }
        }

        if (body.Length == 0 || body[0] is (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-' || (body.Length == 1 && body[0] == '.'))
        {
            return false;
        }

        if (!double.TryParse(Encoding.ASCII.GetString(body), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out d))
        {
            return false;
        }

        if (neg)
        {
            d = -d;
        }

        return true;
    }

    public static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    public static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v';

    /// <summary>Number to string as Lua's "%.14g".</summary>
    public static string NumberToString(double d) => FormatG(d, 14, false, false);

    public static LuaString NumberToLuaString(double d)
    {
        if (d == Math.Floor(d) && Math.Abs(d) < 1e14 && !(d == 0 && double.IsNegative(d)))
        {
            return new LuaString(Encoding.ASCII.GetBytes(((long)d).ToString(CultureInfo.InvariantCulture)));
        }

        return new LuaString(Encoding.ASCII.GetBytes(NumberToString(d)));
    }

    /// <summary>C's %.{precision}g (upper: %G; alt: '#' keeps trailing zeros).</summary>
    public static string FormatG(double d, int precision, bool upper, bool alt)
    {
        if (double.IsNaN(d))
        {
            return upper ? (BitConverter.DoubleToInt64Bits(d) < 0 ? "-NAN" : "NAN") : (BitConverter.DoubleToInt64Bits(d) < 0 ? "-nan" : "nan");
        }

        if (double.IsInfinity(d))
        {
            return (d < 0 ? "-" : "") + (upper ? "INF" : "inf");
        }

        if (precision == 0)
        {
            precision = 1;
        }

        if (d == 0)
        {
            var z = alt ? "0." + new string('0', precision - 1) : "0";
            return (BitConverter.DoubleToInt64Bits(d) < 0 ? "-" : "") + z;
        }

        var e = d.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var ePos = e.IndexOf('E', StringComparison.Ordinal);
        var exp = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string result;
        if (exp < -4 || exp >= precision)
        {
            var mant = e[..ePos];
            if (!alt && mant.Contains('.', StringComparison.Ordinal))
            {
                mant = mant.TrimEnd('0').TrimEnd('.');
            }

            result = mant + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        else
        {
            result = d.ToString("F" + (precision - 1 - exp).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (!alt && result.Contains('.', StringComparison.Ordinal))
            {
                result = result.TrimEnd('0').TrimEnd('.');
            }
        }

        return result;
    }

    /// <summary>tostring() without metamethods: strings and numbers as such, others as "type: 0x..".</summary>
    public static LuaString? ToLuaString(object? v) => v switch
    {
        LuaString s => s,
        double d => NumberToLuaString(d),
        _ => null,
    };

    public static bool RawEquals(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        return a switch
        {
            null => false,
            double x => b is double y && x == y,
            bool x => b is bool y && x == y,
            LuaString x => b is LuaString y && x.Equals(y),
            _ => false,
        };
    }

    public static string Describe(object? v) => v switch
    {
        LuaTable or LuaFunction => $"{TypeName(v)}: 0x{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(v):x8}",
        _ => TypeName(v),
    };
}
