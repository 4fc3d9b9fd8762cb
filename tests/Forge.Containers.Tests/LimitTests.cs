using Forge.Containers.Tests.Support;

namespace Forge.Containers.Tests;

/// <summary>cgroup limits (v1 on this machine, v2 where the host has it), asserted from inside and from the cgroup files.</summary>
public class LimitTests
{
    [Fact]
    public void Memory_OverTheLimit_OomKilled_Exit137()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var r = ctr.Run("run", "--name", "hog", "-m", "16m", image, "sh", "-c", "x=0123456789; while true; do x=$x$x; done");
        Assert.Equal(137, r.ExitCode);
        Assert.Contains("\"OOMKilled\": true", ctr.Ok("inspect", "hog"), StringComparison.Ordinal);
        Assert.Contains("\"ExitCode\": 137", ctr.Ok("inspect", "hog"), StringComparison.Ordinal);
    }

    [Fact]
    public void PidsLimit_ForkFails()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var r = ctr.Run("run", "--rm", "--pids-limit", "4", image, "sh", "-c", "for i in 1 2 3 4 5 6; do sleep 10 & done; echo unreachable");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("can't fork", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CpusMemoryPids_AreWrittenToTheContainersCgroup_StatsReadsThem()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var id = ctr.Ok("run", "-d", "--cpus", "0.5", "-m", "64m", "--pids-limit", "10", image, "sleep", "30").Trim();
        var dirs = CtrRoot.CgroupDirs().Where(d => d.EndsWith(id, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dirs);
        string Read(string file) => File.ReadAllText(dirs.Select(d => Path.Combine(d, file)).First(File.Exists)).Trim();
        if (dirs.Any(d => File.Exists(Path.Combine(d, "cpu.max"))))
        {
            Assert.Equal("50000 100000", Read("cpu.max"));
            Assert.Equal("67108864", Read("memory.max"));
        }
        else
        {
            Assert.Equal("50000", Read("cpu.cfs_quota_us"));
            Assert.Equal("67108864", Read("memory.limit_in_bytes"));
        }

        Assert.Equal("10", Read("pids.max"));
        var stats = ctr.Ok("stats", "--no-stream");
        Assert.Matches(id[..12] + @"\s+\S+\s+[0-9.]+%\s+[0-9.]+[KMG]?i?B / 64MiB\s+[0-9.]+%\s+0B / 0B\s+0B / 0B\s+1\n", stats);
    }

    /// <summary>
    /// cgroup v2, as forge sees it on a unified host: here a private mount namespace where
    /// /sys/fs/cgroup is the cgroup2 hierarchy alone. This machine binds memory, cpu and pids to
    /// v1, so its v2 tree delegates none of them: a container without limits runs in its own v2
    /// cgroup (removed afterwards), and a limit is refused with the controller named, exit 125.
    /// </summary>
    [Fact]
    public void CgroupV2_RunsInItsOwnCgroup_AndRefusesLimitsWithoutTheirController()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Wrapper = ["unshare", "-m", "sh", "-c", "umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec \"$0\" \"$@\""];
        var r = ctr.Run("run", "--rm", image, "sh", "-c", "cat /proc/self/cgroup; echo ran");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("0::/\n", r.Stdout, StringComparison.Ordinal); // its own cgroup namespace, rooted at its v2 cgroup
        Assert.EndsWith("ran\n", r.Stdout, StringComparison.Ordinal);

        var available = File.ReadAllText(File.Exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "/sys/fs/cgroup/unified/cgroup.controllers" : "/sys/fs/cgroup/cgroup.controllers");
        foreach (var (flag, value, controller) in new[] { ("-m", "64m", "memory"), ("--pids-limit", "5", "pids"), ("--cpus", "0.5", "cpu") })
        {
            if (available.Split(' ', StringSplitOptions.TrimEntries).Contains(controller))
            {
                continue; // a host that delegates it to v2 applies the limit instead
            }

            var refused = ctr.Run("run", "--rm", flag, value, image, "true");
            Assert.True(refused.ExitCode == 125, refused.ToString());
            Assert.Contains($"the {controller} cgroup controller is not available", refused.Stderr, StringComparison.Ordinal);
        }

        ctr.Wrapper = null;
        Assert.Empty(ctr.Ok("ps", "-aq"));
    }

    [Fact]
    public void ImpossibleLimits_Exit125_NothingCreated()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var r = ctr.Run("run", "--rm", "-m", "1k", image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("Minimum memory limit allowed is 6MB", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", "--cpus", "1000", image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("range of CPUs is from 0.01", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", "--ulimit", "nofile=1000000:1000000", image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("setrlimit RLIMIT_NOFILE", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", ctr.Ok("ps", "-aq"));
    }
}
