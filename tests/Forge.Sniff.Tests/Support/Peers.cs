using System.Diagnostics;
using Forge.Testing;

namespace Forge.Sniff.Tests.Support;

/// <summary>Runs the real peers (Debian's tcpdump and tshark) and forge sniff, capturing their output.</summary>
internal static class Peers
{
    public const string Tcpdump = "/usr/bin/tcpdump";
    public const string Tshark = "/usr/bin/tshark";

    /// <summary>Fails (never skips) when a peer is missing, saying how to get it.</summary>
    public static void Require(string path)
    {
        Assert.True(File.Exists(path), $"{path} is not installed: these differential tests need it (apt-get install {Path.GetFileName(path)}; test.sh installs it).");
    }

    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, int timeoutMs = 60000)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TZ"] = "UTC";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Exit, string Stdout, string Stderr) Forge(params string[] args) => Run(ForgeBinary.Path, ["sniff", .. args]);

    public static (int Exit, string Stdout, string Stderr) TcpdumpRun(params string[] args)
    {
        Require(Tcpdump);
        return Run(Tcpdump, args);
    }
}
