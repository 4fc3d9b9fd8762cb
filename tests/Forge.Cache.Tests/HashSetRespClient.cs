using System.Net.Sockets;
using System.Text;
using Forge.Testing;

namespace Forge.Cache.Tests;

/// <summary>
/// A forge cache server in a child process and a minimal RESP2 client for the hash and set
/// command tests: replies come back as strings (bulk, simple, ":n" integers, "-ERR ..." errors),
/// null (nil) or object?[] (arrays).
/// </summary>
internal sealed class HashSetRespClient : IDisposable
{
    private readonly ForgeProcess _server;
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    private HashSetRespClient(ForgeProcess server, TcpClient tcp)
    {
        _server = server;
        _tcp = tcp;
        _stream = new BufferedStream(tcp.GetStream());
    }

    public static HashSetRespClient Start()
    {
        var port = FreePort.Get();
        var server = ForgeProcess.Start(["cache", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var tcp = new TcpClient { NoDelay = true };
                tcp.Connect("127.0.0.1", port);
                return new HashSetRespClient(server, tcp);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public object? Call(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        _stream.Write(bytes);
        _stream.Flush();
        return Read();
    }

    /// <summary>A command whose reply is an array of strings (a nil element reads "(nil)").</summary>
    public string[] Strings(params string[] args)
    {
        var reply = Call(args);
        return reply is object?[] items ? Array.ConvertAll(items, i => (string?)i ?? "(nil)") : throw new InvalidOperationException($"not an array: {reply}");
    }

    private object? Read()
    {
        var line = ReadLine();
        switch (line[0])
        {
            case '+':
                return line[1..];
            case '-':
                return line;
            case ':':
                return line;
            case '$':
                {
                    var n = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return null;
                    }

                    var buf = new byte[n + 2];
                    _stream.ReadExactly(buf);
                    return Encoding.UTF8.GetString(buf, 0, n);
                }

            case '*':
                {
                    var n = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return null;
                    }

                    var items = new object?[n];
                    for (var i = 0; i < n; i++)
                    {
                        items[i] = Read();
                    }

                    return items;
                }

            default:
                throw new InvalidOperationException("unexpected reply: " + line);
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _stream.ReadByte();
            if (b < 0)
            {
                throw new EndOfStreamException();
            }

            if (b == '\r')
            {
                _stream.ReadByte();
                return sb.ToString();
            }

            sb.Append((char)b);
        }
    }

    public void Dispose()
    {
        _tcp.Dispose();
        _server.Dispose();
    }
}
