using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Forge.Sniff.Tests.Support;
using Forge.Testing;

namespace Forge.Sniff.Tests;

/// <summary>
/// Live capture on lo, side by side with tcpdump: the test makes TCP (with an HTTP exchange), UDP,
/// DNS, ICMP and IPv6 traffic on 127.0.0.1 and ::1 only, and both must print the same lines for it,
/// each packet once. Needs root (AF_PACKET) and tcpdump: without them it fails and says so.
/// </summary>
public class LiveCaptureTests
{
    private static void RequireRoot()
    {
        Assert.True(Environment.UserName == "root" || File.Exists("/proc/self/status") && File.ReadAllText("/proc/self/status").Contains("CapEff:\t000001ffffffffff", StringComparison.Ordinal),
            "live capture tests need root (CAP_NET_RAW) to open AF_PACKET sockets");
    }

    private sealed class Capture : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        public Capture(string file, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add(file);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["TZ"] = "UTC";
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        private static void Append(StringBuilder sb, string? line)
        {
            if (line is not null)
            {
                lock (sb)
                {
                    sb.Append(line).Append('\n');
                }
            }
        }

        public string Stdout
        {
            get
            {
                lock (_stdout)
                {
                    return _stdout.ToString();
                }
            }
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public async Task WaitListeningAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Stderr.Contains("listening on", StringComparison.Ordinal))
            {
                Assert.False(_process.HasExited, $"capture exited: {Stderr}");
                Assert.True(DateTime.UtcNow < deadline, $"no 'listening on' line: {Stderr}");
                await Task.Delay(50);
            }
        }

        public int Stop()
        {
            using (var kill = Process.Start("/bin/kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!_process.WaitForExit(15000))
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"capture did not stop on SIGINT: {Stderr}");
            }

            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    private static async Task<List<string>> MakeTrafficAsync()
    {
        var markers = new List<string>();
        // TCP on 127.0.0.1 with an HTTP request and response.
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            markers.Add($".{port}:");
            markers.Add($".{port} ");
            var accept = listener.AcceptTcpClientAsync();
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            using var server = await accept;
            var cs = client.GetStream();
            var ss = server.GetStream();
            await cs.WriteAsync(Encoding.ASCII.GetBytes("GET /live HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buf = new byte[256];
            _ = await ss.ReadAsync(buf);
            await ss.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\n\r\n"));
            _ = await cs.ReadAsync(buf);
            await CloseBothAsync(client, server);
        }

        // TCP on ::1.
        using (var listener6 = new TcpListener(IPAddress.IPv6Loopback, 0))
        {
            listener6.Start();
            var port = ((IPEndPoint)listener6.LocalEndpoint).Port;
            markers.Add($".{port}:");
            markers.Add($".{port} ");
            var accept = listener6.AcceptTcpClientAsync();
            using var client = new TcpClient(AddressFamily.InterNetworkV6);
            await client.ConnectAsync(IPAddress.IPv6Loopback, port);
            using var server = await accept;
            await client.GetStream().WriteAsync("ping6"u8.ToArray());
            _ = await server.GetStream().ReadAsync(new byte[16]);
            await CloseBothAsync(client, server);
        }

        // UDP to bound receivers on both families, and a DNS query to a local stub on port 53 (or mDNS's 5353).
        foreach (var (address, family) in new[] { (IPAddress.Loopback, AddressFamily.InterNetwork), (IPAddress.IPv6Loopback, AddressFamily.InterNetworkV6) })
        {
            using var receiver = new UdpClient(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
            markers.Add($".{port}:");
            using var sender = new UdpClient(family);
            await sender.SendAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7 }, new IPEndPoint(address, port));
            _ = await receiver.ReceiveAsync();
        }

        UdpClient? stub = null;
        foreach (var port in new[] { 53, 5353 })
        {
            try
            {
                stub = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                break;
            }
            catch (SocketException)
            {
            }
        }

        Assert.True(stub is not null, "neither 127.0.0.1:53 nor 127.0.0.1:5353 could be bound for the DNS stub");
        using (stub)
        {
            var stubPort = ((IPEndPoint)stub.Client.LocalEndPoint!).Port;
            using var resolver = new UdpClient(AddressFamily.InterNetwork);
            resolver.Client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            markers.Add($".{((IPEndPoint)resolver.Client.LocalEndPoint!).Port} ");
            markers.Add($".{((IPEndPoint)resolver.Client.LocalEndPoint!).Port}:");
            var query = Packets.DnsQuery(0x4d2, "live.test.example", 1);
            await resolver.SendAsync(query, new IPEndPoint(IPAddress.Loopback, stubPort));
            var got = await stub.ReceiveAsync();
            var answer = Packets.DnsResponse(0x4d2, "live.test.example", 1, [127, 0, 0, 9]);
            await stub.SendAsync(answer, got.RemoteEndPoint);
            _ = await resolver.ReceiveAsync();
        }

        // ICMP echo on 127.0.0.1.
        using (var ping = new Ping())
        {
            var reply = await ping.SendPingAsync(IPAddress.Loopback, 2000);
            Assert.Equal(IPStatus.Success, reply.Status);
            markers.Add("ICMP echo");
        }

        return markers;
    }

    /// <summary>Both sides send FIN and each reads the other's: the closing handshake is on the wire when this returns.</summary>
    private static async Task CloseBothAsync(TcpClient client, TcpClient server)
    {
        var clientStream = client.GetStream();
        var serverStream = server.GetStream();
        client.Client.Shutdown(SocketShutdown.Send);
        server.Client.Shutdown(SocketShutdown.Send);
        var buf = new byte[64];
        while (await serverStream.ReadAsync(buf) > 0)
        {
        }

        while (await clientStream.ReadAsync(buf) > 0)
        {
        }
    }

    /// <summary>
    /// Sends UDP datagrams to a port of its own until every capture has printed one: afterwards each
    /// capture is live (before), or has printed everything sent before the probe (after), since a
    /// capture prints in arrival order.
    /// </summary>
    private static async Task SyncAsync(params Capture[] captures)
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        using var sender = new UdpClient(AddressFamily.InterNetwork);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!captures.All(c => c.Stdout.Contains($".{port}:", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the captures did not show the sync datagrams to port {port}");
            await sender.SendAsync(new byte[] { 0x53 }, new IPEndPoint(IPAddress.Loopback, port));
            _ = await receiver.ReceiveAsync();
            await Task.Delay(20);
        }
    }

    private static List<string> Ours(string output, List<string> markers) =>
        [.. output.Split('\n').Where(l => markers.Any(m => l.Contains(m, StringComparison.Ordinal)))];

    [Fact]
    public async Task Loopback_traffic_prints_as_tcpdump_prints_it_once_per_packet()
    {
        RequireRoot();
        Peers.Require(Peers.Tcpdump);
        // -B 65536: in immediate mode libpcap gives each packet a snaplen-sized ring slot, so its
        // default 2 MiB holds about eight packets; with the CPU busy (other test classes run in
        // parallel) tcpdump dropped packets of the test's traffic and the comparison failed.
        using var tcpdump = new Capture(Peers.Tcpdump, ["-i", "lo", "-n", "-t", "-l", "--immediate-mode", "-B", "65536"]);
        using var forge = new Capture(ForgeBinary.Path, ["sniff", "-i", "lo", "-n", "-t", "-l", "--immediate-mode"]);
        await tcpdump.WaitListeningAsync();
        await forge.WaitListeningAsync();
        await SyncAsync(tcpdump, forge);
        var markers = await MakeTrafficAsync();
        await SyncAsync(tcpdump, forge);
        Assert.Equal(0, forge.Stop());
        tcpdump.Stop();
        Assert.Matches(@"\b0 packets dropped by kernel", tcpdump.Stderr);
        var expected = Ours(tcpdump.Stdout, markers);
        var actual = Ours(forge.Stdout, markers);
        Assert.True(expected.Count >= 20, $"tcpdump saw too little of the test's traffic:\n{tcpdump.Stdout}");
        Assert.True(string.Join('\n', expected) == string.Join('\n', actual), $"tcpdump:\n{string.Join('\n', expected)}\n\nforge:\n{string.Join('\n', actual)}");
        Assert.Contains("forge sniff: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n", forge.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"\d+ packets? captured\n\d+ packets? received by filter\n\d+ packets? dropped by kernel\n", forge.Stderr);
    }

    [Fact]
    public async Task Count_ends_the_capture_with_statistics_and_any_uses_sll2()
    {
        RequireRoot();
        using var forge = new Capture(ForgeBinary.Path, ["sniff", "-i", "any", "-n", "-c", "2", "-l", "--immediate-mode", "-w", "-"]);
        await forge.WaitListeningAsync();
        Assert.Contains("forge sniff: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes", forge.Stderr, StringComparison.Ordinal);
        using var sender = new UdpClient(AddressFamily.InterNetwork);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!forge.Stderr.Contains("dropped by kernel", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            // Datagrams until -c 2 is reached, the statistics then follow.
            if (!forge.Stderr.Contains("captured", StringComparison.Ordinal))
            {
                await sender.SendAsync(new byte[] { 1 }, new IPEndPoint(IPAddress.Loopback, 9));
            }

            await Task.Delay(50);
        }

        Assert.Contains("2 packets captured\n", forge.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_interface_fails_clearly()
    {
        var (exit, _, stderr) = Peers.Forge("-i", "nosuchif0", "-c", "1");
        Assert.Equal(1, exit);
        Assert.StartsWith("forge sniff: nosuchif0: No such device exists", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void List_interfaces_shows_lo_and_any()
    {
        var (exit, stdout, _) = Peers.Forge("-D");
        Assert.Equal(0, exit);
        Assert.Contains(".any (Pseudo-device that captures on all interfaces) [Up, Running]\n", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\d+\.lo \[Up, Running, Loopback\]\n", stdout);
    }
}
