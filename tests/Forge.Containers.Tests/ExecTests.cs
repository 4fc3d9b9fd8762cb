using Forge.Containers.Tests.Support;

namespace Forge.Containers.Tests;

/// <summary>exec joins the running container (namespaces, root, cgroups); --init stays PID 1.</summary>
public class ExecTests
{
    private static readonly string[] s_namespaces = ["mnt", "pid", "uts", "ipc", "net", "cgroup"];

    [Fact]
    public void Exec_JoinsTheContainersNamespacesRootAndCgroups()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Ok("run", "-d", "--name", "target", "-m", "64m", image, "sh", "-c", "echo written-by-pid1 > /tmp/marker; exec sleep 60");
        var script = string.Join("; ", s_namespaces.Select(ns => $"[ $(readlink /proc/self/ns/{ns}) = $(readlink /proc/1/ns/{ns}) ] && echo {ns}=same || echo {ns}=different"));
        var output = ctr.Ok("exec", "target", "sh", "-c", script + "; cat /tmp/marker; cat /sys/fs/cgroup/memory.max 2>/dev/null; hostname");
        var expected = string.Concat(s_namespaces.Select(ns => ns + "=same\n")) + "written-by-pid1\n";
        Assert.StartsWith(expected, output, StringComparison.Ordinal);

        // The exec'd process is counted in the container's cgroups (pids.current includes it).
        Assert.Equal("0\n", ctr.Ok("exec", "target", "sh", "-c", "ps -o pid,comm | grep -c '^ *1 sh' || true"));
        var r = ctr.Run("exec", "-e", "X=1", "-w", "/tmp", "target", "sh", "-c", "echo $X $(pwd) $(grep -c . /proc/self/status)");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("1 /tmp ", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(127, ctr.Run("exec", "target", "nosuch").ExitCode);
        Assert.Equal(5, ctr.Run("exec", "target", "sh", "-c", "exit 5").ExitCode);
        Assert.Equal("tty\r\n", ctr.Ok("exec", "-t", "target", "sh", "-c", "test -t 0 && echo tty"));
    }

    [Fact]
    public void Exec_IntoAStoppedContainer_Fails()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Ok("run", "--name", "done", image, "true");
        var r = ctr.Run("exec", "done", "true");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is not running", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_IsPid1_ReapsAndPassesTheExitCode()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var r = ctr.Run("run", "--rm", "--init", image, "sh", "-c", "ps -o pid,args | grep '^ *1 ' | grep -q forge-init && echo init-is-pid1; exit 7");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("init-is-pid1\n", r.Stdout);
    }

    /// <summary>Without the forge-init binary (FORGE_CTR_INIT names a missing file), forge re-executes itself as the init stage.</summary>
    [Fact]
    public void InitStage_WithoutForgeInit_IsForgeReexecuted()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Environment["FORGE_CTR_INIT"] = Path.Combine(ctr.TempPath, "no-such-forge-init");
        var r = ctr.Run("run", "--rm", "--init", image, "sh", "-c", "ps -o pid,args | grep '^ *1 ' | grep -q 'ctr __init' && echo forge-is-pid1; hostname -s >/dev/null && exit 5");
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("forge-is-pid1\n", r.Stdout);
    }
}
