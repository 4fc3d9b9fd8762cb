using System.Diagnostics;
using Forge.Cache.Config;
using Forge.Cache.Server;
using Forge.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Forge.Cache.Tests.Support;

/// <summary>A forge cache server running inside the test process, on a port the OS assigns.</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private InProcessServer(CacheServer server)
    {
        Server = server;
        Port = server.EndPoints[0].Port;
    }

    public CacheServer Server { get; }

    public int Port { get; }

    public static InProcessServer Start(params (string Name, string Value)[] config)
    {
        var cfg = new CacheConfig();
        cfg.Set("port", "0", startup: true);
        foreach (var (name, value) in config)
        {
            var error = cfg.Set(name, value, startup: true);
            Assert.True(error is null, error);
        }

        var server = new CacheServer(cfg, NullLogger.Instance);
        server.Start();
        return new InProcessServer(server);
    }

    public RespClient Connect() => new(Port);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// A real `forge cache` process on a free port, with its own empty working directory as `dir` (so
/// no dump.rdb is loaded from, or written to, anywhere shared); killed and cleaned up on dispose.
/// </summary>
internal sealed class ForgeCacheProcess : IDisposable
{
    private ForgeCacheProcess(ForgeProcess process, int port, string dir)
    {
        Process = process;
        Port = port;
        Dir = dir;
    }

    public ForgeProcess Process { get; }

    public int Port { get; }

    /// <summary>The server's `dir` (where SAVE writes dump.rdb).</summary>
    public string Dir { get; }

    public static ForgeCacheProcess Start(params string[] extraArgs)
    {
        var port = FreePort.Get();
        var dir = Directory.CreateTempSubdirectory("forge-cache-test-").FullName;
        var process = ForgeProcess.Start(["cache", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir, .. extraArgs]);
        var result = new ForgeCacheProcess(process, port, dir);
        try
        {
            result.WaitReady();
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    private void WaitReady()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException("forge cache exited before accepting connections");
            }

            try
            {
                using var c = new RespClient(Port);
                var pong = c.Call("PING");
                if (pong is "PONG" or RespError)
                {
                    return;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(100);
            }
        }

        throw new TimeoutException($"forge cache did not accept connections on port {Port} within 60 s");
    }

    public void Dispose()
    {
        Process.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A real redis-server (Debian's) on a free port, without persistence; killed on dispose.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public const string Binary = "/usr/bin/redis-server";

    public static RedisServerProcess Start(string? dir = null)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: the differential tests compare forge cache with the real Redis (./test.sh installs Debian's redis-server)");
        var port = FreePort.Get();
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir ?? Path.GetTempPath() })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var result = new RedisServerProcess(p, port);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var c = new RespClient(port);
                if (c.Call("PING") is "PONG")
                {
                    return result;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(50);
            }
        }

        result.Dispose();
        throw new TimeoutException("redis-server did not start");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
