using System.Text;

namespace Forge.Cache.Protocol;

/// <summary>One argument of a command: a slice of the receive buffer (or of a scratch array).</summary>
internal readonly struct ArgSlice(byte[] array, int start, int length)
{
    public readonly byte[] Array = array;
    public readonly int Start = start;
    public readonly int Length = length;

    public ReadOnlySpan<byte> Span => new(Array, Start, Length);
}

/// <summary>The arguments of the command being run; reused for every command of a connection.</summary>
internal sealed class ArgList
{
    private ArgSlice[] _items = new ArgSlice[8];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _items[index].Span;

    public ArgSlice Slice(int index) => _items[index];

    public void Clear() => Count = 0;

    public void Add(ArgSlice slice)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = slice;
    }

    public void Add(byte[] value) => Add(new ArgSlice(value, 0, value.Length));

    /// <summary>Copies every argument into arrays of its own (for MULTI's queue and the like).</summary>
    public byte[][] ToArrays()
    {
        var result = new byte[Count][];
        for (var i = 0; i < Count; i++)
        {
            result[i] = this[i].ToArray();
        }

        return result;
    }

    public void Set(byte[][] args)
    {
        Clear();
        foreach (var a in args)
        {
            Add(a);
        }
    }
}

internal enum ParseStatus
{
    /// <summary>A whole command was parsed (it may be empty: a blank inline line or *0).</summary>
    Complete,

    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A protocol error: the reply is in <see cref="RequestParser.Error"/>; close after sending it.</summary>
    Error,
}

/// <summary>
/// Parses requests in the two forms Redis accepts: RESP multibulk ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
/// and inline ("GET k\r\n", split like sdssplitargs, so telnet and nc work). Stateless between
/// calls: an incomplete command is parsed again from its start when more bytes arrive, and
/// <see cref="NeededBytes"/> tells the caller how large a buffer the pending command needs.
/// Limits and error texts follow Redis 7.0's networking.c.
/// </summary>
internal sealed class RequestParser
{
    /// <summary>PROTO_INLINE_MAX_SIZE: the longest line (inline request, count or length header).</summary>
    public const int InlineMaxSize = 64 * 1024;

    /// <summary>Most arguments one multibulk request may announce.</summary>
    public const int MaxMultibulkLength = 1024 * 1024;

    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    public string? Error { get; private set; }

    /// <summary>After <see cref="ParseStatus.Incomplete"/>: the total buffer bytes the command needs, when known (else 0).</summary>
    public long NeededBytes { get; private set; }

    public ParseStatus TryParse(byte[] buffer, int start, int end, ArgList args, out int consumed)
    {
        args.Clear();
        consumed = 0;
        NeededBytes = 0;
        if (start >= end)
        {
            return ParseStatus.Incomplete;
        }

        return buffer[start] == (byte)'*'
            ? ParseMultibulk(buffer, start, end, args, out consumed)
            : ParseInline(buffer, start, end, args, out consumed);
    }

    private ParseStatus ParseMultibulk(byte[] buffer, int start, int end, ArgList args, out int consumed)
    {
        consumed = 0;
        var span = buffer.AsSpan(start, end - start);
        var pos = 0;
        var nl = span.IndexOf((byte)'\r');
        if (nl < 0)
        {
            if (span.Length > InlineMaxSize)
            {
                return Fail("Protocol error: too big mbulk count string");
            }

            return ParseStatus.Incomplete;
        }

        if (nl + 1 >= span.Length)
        {
            return ParseStatus.Incomplete;
        }

        if (!TryParseSigned(span[1..nl], out var count) || count > int.MaxValue)
        {
            return Fail("Protocol error: invalid multibulk length");
        }

        if (count > MaxMultibulkLength)
        {
            return Fail("Protocol error: invalid multibulk length");
        }

        pos = nl + 2;
        if (count <= 0)
        {
            consumed = pos;
            return ParseStatus.Complete;
        }

        for (var i = 0; i < count; i++)
        {
            var rest = span[pos..];
            nl = rest.IndexOf((byte)'\r');
            if (nl < 0)
            {
                if (rest.Length > InlineMaxSize)
                {
                    return Fail("Protocol error: too big bulk count string");
                }

                args.Clear();
                return ParseStatus.Incomplete;
            }

            if (rest[0] != (byte)'$')
            {
                return Fail($"Protocol error: expected '$', got '{(char)rest[0]}'");
            }

            if (nl + 1 >= rest.Length)
            {
                args.Clear();
                return ParseStatus.Incomplete;
            }

            if (!TryParseSigned(rest[1..nl], out var len) || len < 0 || len > MaxBulkLength)
            {
                return Fail("Protocol error: invalid bulk length");
            }

            var dataStart = pos + nl + 2;
            if ((long)dataStart + len + 2 > span.Length)
            {
                NeededBytes = (long)dataStart + len + 2;
                args.Clear();
                return ParseStatus.Incomplete;
            }

            args.Add(new ArgSlice(buffer, start + dataStart, (int)len));
            pos = dataStart + (int)len + 2; // Redis skips the CRLF after the payload without checking it
        }

        consumed = pos;
        return ParseStatus.Complete;
    }

    // Redis's string2ll for headers also accepts "-1"; we need the sign and the range check.
    private static bool TryParseSigned(ReadOnlySpan<byte> s, out long value) => NumberFormat.TryParseLong(s, out value);

    private ParseStatus ParseInline(byte[] buffer, int start, int end, ArgList args, out int consumed)
    {
        consumed = 0;
        var span = buffer.AsSpan(start, end - start);
        var nl = span.IndexOf((byte)'\n');
        if (nl < 0)
        {
            if (span.Length > InlineMaxSize)
            {
                return Fail("Protocol error: too big inline request");
            }

            return ParseStatus.Incomplete;
        }

        var line = span[..nl];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!SplitArgs(line, args))
        {
            return Fail("Protocol error: unbalanced quotes in request");
        }

        consumed = nl + 1;
        return ParseStatus.Complete;
    }

    /// <summary>sdssplitargs: spaces separate words; "..." with C escapes and '...' with \' only.</summary>
    public static bool SplitArgs(ReadOnlySpan<byte> line, ArgList args)
    {
        args.Clear();
        var p = 0;
        var current = new List<byte>();
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }

            if (p >= line.Length)
            {
                return true;
            }

            var inDq = false;
            var inSq = false;
            var done = false;
            current.Clear();
            while (!done)
            {
                if (inDq)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    if (line[p] == (byte)'\\' && p + 3 < line.Length && line[p + 1] == (byte)'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        current.Add((byte)((HexValue(line[p + 2]) * 16) + HexValue(line[p + 3])));
                        p += 3;
                    }
                    else if (line[p] == (byte)'\\' && p + 1 < line.Length)
                    {
                        p++;
                        current.Add(line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var c => c,
                        });
                    }
                    else if (line[p] == (byte)'"')
                    {
                        // The closing quote must be followed by a space or nothing.
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[p]);
                    }
                }
                else if (inSq)
                {
                    if (p >= line.Length)
                    {
                        return false;
                    }

                    if (line[p] == (byte)'\\' && p + 1 < line.Length && line[p + 1] == (byte)'\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (line[p] == (byte)'\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[p]);
                    }
                }
                else
                {
                    if (p >= line.Length)
                    {
                        done = true;
                        break;
                    }

                    switch (line[p])
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDq = true;
                            break;
                        case (byte)'\'':
                            inSq = true;
                            break;
                        default:
                            current.Add(line[p]);
                            break;
                    }
                }

                if (p < line.Length)
                {
                    p++;
                }
            }

            args.Add(current.ToArray());
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => b - 'A' + 10,
    };

    private ParseStatus Fail(string message)
    {
        Error = message;
        return ParseStatus.Error;
    }

    public static string Describe(ReadOnlySpan<byte> arg) => Encoding.UTF8.GetString(arg);
}
