using System.Text;

namespace Forge.Cache.Protocol;

/// <summary>
/// Encodes replies in RESP2 or RESP3 (chosen per client by HELLO) straight into an
/// <see cref="OutputBuffer"/>. RESP3-only types fall back the way Redis 7 falls back for RESP2
/// clients: maps and sets become arrays (a map of n pairs is an array of 2n), doubles and big
/// numbers become bulk strings, booleans become integers, nulls become $-1 or *-1.
/// </summary>
internal sealed class ReplyWriter
{
    private static readonly byte[] s_crlf = "\r\n"u8.ToArray();

    public ReplyWriter(OutputBuffer buffer)
    {
        Buffer = buffer;
    }

    public OutputBuffer Buffer { get; set; }

    /// <summary>2 or 3.</summary>
    public int Protocol { get; set; } = 2;

    public bool Resp3 => Protocol == 3;

    /// <summary>Error replies written since the counter was last cleared (for INFO errorstats and EXEC).</summary>
    public int ErrorCount { get; set; }

    /// <summary>The first word of the last error written (ERR, WRONGTYPE, ...), for INFO errorstats.</summary>
    public string? LastErrorPrefix { get; private set; }

    public void Ok() => Buffer.Write("+OK\r\n"u8);

    public void Queued() => Buffer.Write("+QUEUED\r\n"u8);

    public void Pong() => Buffer.Write("+PONG\r\n"u8);

    /// <summary>A status reply ("+text"); the text must not contain CR or LF.</summary>
    public void Simple(ReadOnlySpan<byte> text)
    {
        Buffer.WriteByte((byte)'+');
        Buffer.Write(text);
        Buffer.Write(s_crlf);
    }

    public void Simple(string text)
    {
        Buffer.WriteByte((byte)'+');
        WriteAscii(text);
        Buffer.Write(s_crlf);
    }

    /// <summary>
    /// An error reply. <paramref name="message"/> includes its code ("ERR ...", "WRONGTYPE ...");
    /// a message not starting with an upper-case code word gets "ERR " put in front, as Redis's
    /// addReplyError does. Newlines would break the protocol and are replaced by spaces.
    /// </summary>
    public void Error(string message)
    {
        ErrorCount++;
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        var code = space > 0 ? message[..space] : message;
        if (!IsErrorCode(code))
        {
            message = "ERR " + message;
            code = "ERR";
        }

        LastErrorPrefix = code;
        Buffer.WriteByte((byte)'-');
        var span = Buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(message.Length));
        var n = Encoding.UTF8.GetBytes(message, span);
        for (var i = 0; i < n; i++)
        {
            if (span[i] is (byte)'\r' or (byte)'\n')
            {
                span[i] = (byte)' ';
            }
        }

        Buffer.Advance(n);
        Buffer.Write(s_crlf);
    }

    private static bool IsErrorCode(string word)
    {
        if (word.Length == 0)
        {
            return false;
        }

        foreach (var c in word)
        {
            if (c is not ((>= 'A' and <= 'Z') or '_' or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    public void Integer(long value)
    {
        var span = Buffer.GetSpan(24);
        span[0] = (byte)':';
        value.TryFormat(span[1..], out var n);
        span[1 + n] = (byte)'\r';
        span[2 + n] = (byte)'\n';
        Buffer.Advance(n + 3);
    }

    public void Bulk(ReadOnlySpan<byte> value)
    {
        var length = value.Length;
        if (length < 1000)
        {
            // The common small value: header, bytes and CRLF in one span (LRANGE writes a
            // hundred of these per reply; Redis keeps its small bulk headers precomputed).
            var span = Buffer.GetSpan(length + 8);
            span[0] = (byte)'$';
            var p = 1 + WriteSmall(span[1..], length);
            span[p] = (byte)'\r';
            span[p + 1] = (byte)'\n';
            value.CopyTo(span[(p + 2)..]);
            p += 2 + length;
            span[p] = (byte)'\r';
            span[p + 1] = (byte)'\n';
            Buffer.Advance(p + 2);
            return;
        }

        Header((byte)'$', length);
        Buffer.Write(value);
        Buffer.Write(s_crlf);
    }

    /// <summary>Writes 0 ≤ <paramref name="n"/> &lt; 1000 in decimal; returns the digit count.</summary>
    private static int WriteSmall(Span<byte> span, int n)
    {
        if (n < 10)
        {
            span[0] = (byte)('0' + n);
            return 1;
        }

        if (n < 100)
        {
            span[1] = (byte)('0' + (n % 10));
            span[0] = (byte)('0' + (n / 10));
            return 2;
        }

        span[2] = (byte)('0' + (n % 10));
        span[1] = (byte)('0' + (n / 10 % 10));
        span[0] = (byte)('0' + (n / 100));
        return 3;
    }

    public void Bulk(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        Header((byte)'$', bytes);
        var span = Buffer.GetSpan(bytes + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[bytes] = (byte)'\r';
        span[bytes + 1] = (byte)'\n';
        Buffer.Advance(bytes + 2);
    }

    /// <summary>An integer sent as a bulk string (as Redis replies to INCRBYFLOAT or CONFIG GET).</summary>
    public void BulkInteger(long value)
    {
        Span<byte> tmp = stackalloc byte[24];
        value.TryFormat(tmp, out var n);
        Bulk(tmp[..n]);
    }

    /// <summary>The null bulk string: $-1 in RESP2, _ in RESP3.</summary>
    public void Null() => Buffer.Write(Resp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>The null array: *-1 in RESP2, _ in RESP3.</summary>
    public void NullArray() => Buffer.Write(Resp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void EmptyArray() => Buffer.Write("*0\r\n"u8);

    public void ArrayHeader(int count) => Header((byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> key/value pairs (RESP2: an array of 2×pairs).</summary>
    public void MapHeader(int pairs)
    {
        if (Resp3)
        {
            Header((byte)'%', pairs);
        }
        else
        {
            Header((byte)'*', pairs * 2);
        }
    }

    /// <summary>A set (RESP2: an array).</summary>
    public void SetHeader(int count) => Header(Resp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>An out-of-band push (RESP2: an array, as pub/sub messages always were).</summary>
    public void PushHeader(int count) => Header(Resp3 ? (byte)'>' : (byte)'*', count);

    /// <summary>RESP3 boolean; RESP2 gets :1 / :0.</summary>
    public void Boolean(bool value)
    {
        if (Resp3)
        {
            Buffer.Write(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            Buffer.Write(value ? ":1\r\n"u8 : ":0\r\n"u8);
        }
    }

    /// <summary>A double: ",d" in RESP3, a bulk string in RESP2, formatted as Redis 7.0 does (%.17g).</summary>
    public void Double(double value)
    {
        Span<byte> tmp = stackalloc byte[40];
        var n = NumberFormat.FormatDouble(value, tmp);
        if (Resp3)
        {
            Buffer.WriteByte((byte)',');
            Buffer.Write(tmp[..n]);
            Buffer.Write(s_crlf);
        }
        else
        {
            Bulk(tmp[..n]);
        }
    }

    /// <summary>RESP3 verbatim string ("=len\r\ntxt:..."); RESP2 gets a bulk string.</summary>
    public void Verbatim(string text, string format = "txt")
    {
        if (!Resp3)
        {
            Bulk(text);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        Header((byte)'=', bytes.Length + 4);
        WriteAscii(format);
        Buffer.WriteByte((byte)':');
        Buffer.Write(bytes);
        Buffer.Write(s_crlf);
    }

    /// <summary>Writes bytes already encoded as RESP (e.g. a prepared reply).</summary>
    public void Raw(ReadOnlySpan<byte> resp) => Buffer.Write(resp);

    private void Header(byte type, long count)
    {
        var span = Buffer.GetSpan(24);
        span[0] = type;
        int n;
        if ((ulong)count < 1000)
        {
            n = WriteSmall(span[1..], (int)count);
        }
        else
        {
            count.TryFormat(span[1..], out n);
        }

        span[1 + n] = (byte)'\r';
        span[2 + n] = (byte)'\n';
        Buffer.Advance(n + 3);
    }

    private void WriteAscii(string text)
    {
        var span = Buffer.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        Buffer.Advance(text.Length);
    }
}
