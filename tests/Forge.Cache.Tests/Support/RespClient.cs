using System.Net.Sockets;
using System.Text;

namespace Forge.Cache.Tests.Support;

/// <summary>
/// A minimal RESP client for tests: sends commands as multibulk (or raw bytes) and reads one reply
/// at a time, either as its exact wire bytes (for byte-for-byte comparison with redis-server) or
/// as a value (string, long, null, error text, or object[] for aggregates).
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RespClient(int port, string host = "127.0.0.1")
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(host, port);
        _socket.ReceiveTimeout = 10_000;
    }

    public static byte[] Encode(params object[] args)
    {
        var ms = new MemoryStream();
        void W(string s) => ms.Write(Encoding.UTF8.GetBytes(s));
        W($"*{args.Length}\r\n");
        foreach (var a in args)
        {
            var bytes = a as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!);
            W($"${bytes.Length}\r\n");
            ms.Write(bytes);
            W("\r\n");
        }

        return ms.ToArray();
    }

    public void SendRaw(byte[] bytes) => _socket.Send(bytes);

    public void SendRaw(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

    public void Send(params object[] args) => SendRaw(Encode(args));

    /// <summary>Sends a command and returns its reply as a value.</summary>
    public object? Call(params object[] args)
    {
        Send(args);
        return Read();
    }

    /// <summary>Sends a command and returns the reply's exact bytes as text.</summary>
    public string CallRaw(params object[] args)
    {
        Send(args);
        return ReadRaw();
    }

    /// <summary>True when the server closed the connection (reads 0 bytes within the timeout).</summary>
    public bool IsClosedByServer(int timeoutMs = 5000)
    {
        _socket.ReceiveTimeout = timeoutMs;
        try
        {
            while (true)
            {
                var n = _socket.Receive(_buffer);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public string ReadRaw()
    {
        var start = _start;
        var sb = new StringBuilder();
        ReadValue(sb);
        _ = start;
        return sb.ToString();
    }

    public object? Read() => Parse(ReadRaw(), out _);

    private void ReadValue(StringBuilder sb)
    {
        var line = ReadLine();
        sb.Append(line).Append("\r\n");
        var type = line[0];
        switch (type)
        {
            case '+' or '-' or ':' or '_' or ',' or '#' or '(':
                return;
            case '$' or '=' or '!':
                var len = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                if (len < 0)
                {
                    return;
                }

                var data = ReadExact(len + 2);
                sb.Append(Encoding.Latin1.GetString(data));
                return;
            case '*' or '~' or '>' or '%' or '|':
                var count = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                if (type is '%' or '|')
                {
                    count *= 2;
                }

                for (var i = 0; i < count; i++)
                {
                    ReadValue(sb);
                }

                if (type == '|')
                {
                    ReadValue(sb); // the attribute is followed by the real reply
                }

                return;
            default:
                throw new InvalidDataException($"unexpected RESP type '{type}' in line '{line}'");
        }
    }

    private string ReadLine()
    {
        while (true)
        {
            var idx = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (idx > _start && _buffer[idx - 1] == (byte)'\r')
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, idx - 1 - _start);
                _start = idx + 1;
                return line;
            }

            Fill();
        }
    }

    private byte[] ReadExact(int n)
    {
        var result = new byte[n];
        var got = 0;
        while (got < n)
        {
            if (_start == _end)
            {
                Fill();
            }

            var take = Math.Min(n - got, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, got, take);
            _start += take;
            got += take;
        }

        return result;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("reply line too long for the test client");
        }

        var n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (n == 0)
        {
            throw new IOException("connection closed by the server");
        }

        _end += n;
    }

    /// <summary>Parses raw RESP text into a value: string, long, null, RespError, object?[].</summary>
    public static object? Parse(string raw, out int consumed)
    {
        var pos = 0;
        var v = ParseAt(raw, ref pos);
        consumed = pos;
        return v;
    }

    private static object? ParseAt(string raw, ref int pos)
    {
        var eol = raw.IndexOf("\r\n", pos, StringComparison.Ordinal);
        var line = raw[pos..eol];
        pos = eol + 2;
        var body = line[1..];
        switch (line[0])
        {
            case '+':
            case ',':
                return body;
            case '-':
                return new RespError(body);
            case ':':
                return long.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
            case '#':
                return body == "t";
            case '_':
                return null;
            case '$':
            case '=':
                var len = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                if (len < 0)
                {
                    return null;
                }

                var s = raw.Substring(pos, len);
                pos += len + 2;
                return s;
            default:
                var count = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                if (line[0] == '%')
                {
                    count *= 2;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = ParseAt(raw, ref pos);
                }

                return items;
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>An error reply.</summary>
public sealed record RespError(string Message)
{
    public override string ToString() => "-" + Message;
}
