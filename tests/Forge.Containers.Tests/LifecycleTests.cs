using System.Diagnostics;
using Forge.Containers.Tests.Support;

namespace Forge.Containers.Tests;

/// <summary>-d, ps, logs, stop, kill, wait, rm, prune, and what is left after SIGKILLs (nothing).</summary>
public class LifecycleTests
{
    [Fact]
    public void Detached_PsLogsStopWaitRm()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var id = ctr.Ok("run", "-d", "--name", "web", image, "sh", "-c", "echo out; echo err >&2; trap 'exit 3' TERM; while true; do sleep 0.1; done").Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Matches(id[..12] + @"\s+busybox:test\s+""sh -c echo out; ech…""\s+.*\s+Up .*\s+web\n", ctr.Ok("ps"));
        WaitFor(() => ctr.Run("logs", "web").Stdout == "out\n");
        var logs = ctr.Run("logs", "web");
        Assert.Equal("err\n", logs.Stderr);
        Assert.Equal("web\n", ctr.Ok("stop", "web"));
        Assert.Equal("3\n", ctr.Ok("wait", "web"));
        Assert.Matches(@"Exited \(3\)", ctr.Ok("ps", "-a"));
        Assert.Equal("", ctr.Ok("ps", "-q"));
        Assert.Equal("web\n", ctr.Ok("rm", "web"));
        Assert.Equal("", ctr.Ok("ps", "-aq"));
    }

    [Fact]
    public void Logs_TailAndFollow()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var id = ctr.Ok("run", "-d", image, "sh", "-c", "echo 1; echo 2; sleep 1; echo 3").Trim();
        Assert.Equal("1\n2\n3\n", ctr.Ok("logs", "-f", id)); // follows until the container exits
        Assert.Equal("2\n3\n", ctr.Ok("logs", "--tail", "2", id));
        Assert.Equal("0\n", ctr.Ok("wait", id));
        Assert.Equal("", ctr.Ok("logs", "--tail", "0", id));
    }

    [Fact]
    public void Kill_RmForce_OfRunningContainers()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var a = ctr.Ok("run", "-d", image, "sleep", "60").Trim();
        var b = ctr.Ok("run", "-d", image, "sleep", "60").Trim();
        var r = ctr.Run("rm", b);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("You cannot remove a running container", r.Stderr, StringComparison.Ordinal);
        ctr.Ok("kill", a);
        Assert.Equal("137\n", ctr.Ok("wait", a));
        ctr.Ok("rm", "-f", b);
        Assert.Equal(a[..12] + "\n", ctr.Ok("ps", "-aq"));
        Assert.Contains(a, ctr.Ok("prune"), StringComparison.Ordinal);
    }

    [Fact]
    public void RunRm_LeavesNothing_AfterTheContainerIsSigkilled()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        using var run = ctr.Start("run", "--rm", "--name", "victim", image, "sleep", "60");
        var pid = WaitForPid(ctr, "victim");
        Process.GetProcessById(pid).Kill();
        Assert.True(run.WaitForExit(20_000));
        Assert.Equal(137, run.ExitCode);
        Assert.Empty(ctr.Leftovers());
    }

    [Fact]
    public void ForgeSigkilledMidRun_NextCommandCleansUp()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        using var run = ctr.Start("run", "--rm", "--name", "orphan", "-m", "32m", image, "sleep", "60");
        var pid = WaitForPid(ctr, "orphan");
        run.Kill(); // SIGKILL: forge gets no chance to clean up
        Assert.True(run.WaitForExit(10_000)); // with a timeout: the container still holds forge's stdout pipe
        Assert.True(File.Exists($"/proc/{pid}/stat"), "the container outlives its killed forge until the next command");

        // The next command settles it: the container is killed, its cgroups and its directory removed.
        Assert.Equal("", ctr.Ok("ps", "-aq"));
        WaitFor(() => !File.Exists($"/proc/{pid}/stat") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));
        Assert.Empty(ctr.Leftovers());
    }

    [Fact]
    public void ForgeSigkilled_WithoutRm_ContainerIsRecordedAsExited()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        using var run = ctr.Start("run", "--name", "kept", image, "sleep", "60");
        WaitForPid(ctr, "kept");
        run.Kill();
        Assert.True(run.WaitForExit(10_000));
        Assert.Matches(@"Exited \(137\)", ctr.Ok("ps", "-a"));
        ctr.Ok("rm", "kept");
    }

    /// <summary>The host PID of a running container, from inspect.</summary>
    private static int WaitForPid(CtrRoot ctr, string name)
    {
        var pid = 0;
        WaitFor(() =>
        {
            var r = ctr.Run("inspect", name);
            var m = System.Text.RegularExpressions.Regex.Match(r.Stdout, "\"Pid\": ([0-9]+)");
            return m.Success && (pid = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) > 0;
        });
        return pid;
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 20 s");
            Thread.Sleep(50);
        }
    }
    /// <summary>kill -s delivers the named signal (a trap sees it), top lists the container's processes, wait gives the exit code.</summary>
    [Fact]
    public void KillSignal_Top_Wait()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Ok("run", "-d", "--name", "trapper", image, "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        var top = "";
        Assert.True(SpinWait.SpinUntil(() => (top = ctr.Ok("top", "trapper")).Contains("sleep", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), top);
        Assert.Matches(@"^UID\s+PID\s+PPID\s+CMD\n", top);
        Assert.Contains("sh -c trap", top, StringComparison.Ordinal);
        Assert.Equal("trapper\n", ctr.Ok("kill", "-s", "TERM", "trapper"));
        Assert.Equal("3\n", ctr.Ok("wait", "trapper"));
        ctr.Ok("rm", "trapper");
    }

    /// <summary>The store can be named by FORGE_CTR_ROOT instead of --root.</summary>
    [Fact]
    public void ForgeCtrRoot_NamesTheStore()
    {
        using var ctr = new CtrRoot();
        ctr.ImportBusybox();
        var psi = new ProcessStartInfo(Forge.Testing.ForgeBinary.Path, ["ctr", "images", "-q"]) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["FORGE_CTR_ROOT"] = ctr.Root;
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(ctr.Ok("images", "-q"), output);
    }
}
