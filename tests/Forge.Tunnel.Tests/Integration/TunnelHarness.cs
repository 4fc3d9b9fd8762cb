using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Forge.Testing;

namespace Forge.Tunnel.Tests.Integration;

/// <summary>A running `forge tunnel server` and the ports it bound.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private ServerProcess(ForgeProcess process)
    {
        Process = process;
    }

    public ForgeProcess Process { get; }

    public int HttpPort { get; private set; }

    public int HttpsPort { get; private set; }

    public int ControlPort { get; private set; }

    public const string Domain = "forge.test";

    /// <summary>Starts a server on loopback; ports default to ones the OS assigns.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] extra)
    {
        var args = new List<string> { "tunnel", "server", "--domain", Domain };
        if (!extra.Contains("--http"))
        {
            args.AddRange(["--http", "127.0.0.1:0"]);
        }

        if (!extra.Contains("--control"))
        {
            args.AddRange(["--control", "127.0.0.1:0"]);
        }

        args.AddRange(extra);
        var process = ForgeProcess.Start(args);
        var server = new ServerProcess(process);
        try
        {
            server.ControlPort = PortOf(await process.WaitForLineAsync(l => l.Contains("control listener on", StringComparison.Ordinal)));
            if (!args.Contains("off"))
            {
                server.HttpPort = PortOf(await process.WaitForLineAsync(l => l.Contains("http listener on", StringComparison.Ordinal)));
            }

            if (args.Contains("--https"))
            {
                server.HttpsPort = PortOf(await process.WaitForLineAsync(l => l.Contains("https listener on", StringComparison.Ordinal)));
            }

            await process.WaitForLineAsync(l => l.Contains("serving tunnels", StringComparison.Ordinal));
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return server;
    }

    public string PlainServerUrl => $"tcp://127.0.0.1:{ControlPort}";

    private static int PortOf(string line) => int.Parse(PortPattern().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@":(\d+)\s*$")]
    private static partial Regex PortPattern();

    public void Dispose() => Process.Dispose();
}

/// <summary>A running `forge tunnel http|tcp` client and the URL it printed.</summary>
internal sealed class ClientProcess : IDisposable
{
    private ClientProcess(ForgeProcess process)
    {
        Process = process;
    }

    public ForgeProcess Process { get; }

    public string Url { get; private set; } = "";

    public static ClientProcess Start(params string[] args) => new(ForgeProcess.Start(["tunnel", .. args]));

    /// <summary>Starts a client and waits for its "Forwarding URL -> target" line.</summary>
    public static async Task<ClientProcess> StartAsync(params string[] args)
    {
        var client = Start(args);
        try
        {
            var line = await client.Process.WaitForLineAsync(l => l.StartsWith("Forwarding ", StringComparison.Ordinal));
            client.Url = line.Split(' ')[1];
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    public string Host => new Uri(Url).Host;

    public void Dispose() => Process.Dispose();
}

internal static class PublicHttp
{
    /// <summary>
    /// An HttpClient whose every connection goes to 127.0.0.1:<paramref name="port"/>, whatever the URL's
    /// host: routing by Host header without DNS.
    /// </summary>
    public static HttpClient Client(int port, bool tls = false, X509Validation? validate = null, int maxConnections = 100)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (tls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, chain, errors) => validate?.Invoke(cert, errors) ?? errors == SslPolicyErrors.None,
            };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
    }

    public delegate bool X509Validation(System.Security.Cryptography.X509Certificates.X509Certificate? certificate, SslPolicyErrors errors);

    /// <summary>Sends raw bytes to the public port and returns everything the server answered before closing.</summary>
    public static async Task<string> RawAsync(int port, byte[] request, TimeSpan? timeout = null)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(request);
        return await ReadToCloseAsync(socket, timeout ?? TimeSpan.FromSeconds(20));
    }

    public static async Task<string> ReadToCloseAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                ms.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            // reset after the answer: what was read counts
        }

        return System.Text.Encoding.Latin1.GetString(ms.ToArray());
    }
}
