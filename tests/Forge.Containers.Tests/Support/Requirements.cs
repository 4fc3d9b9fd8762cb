namespace Forge.Containers.Tests.Support;

/// <summary>What the container tests need; a test that cannot run fails and says why (never skips).</summary>
internal static class Requirements
{
    public const string Busybox = "/bin/busybox";

    public static void Check()
    {
        var status = File.ReadAllText("/proc/self/status");
        Assert.True(status.Contains("\nUid:\t0\t", StringComparison.Ordinal),
            "the container tests need root (namespaces, mounts, cgroups): run them as root, as CI does");
        Assert.True(File.Exists(Busybox) && new FileInfo(Busybox).Length > 500_000,
            "the container tests build their images from Debian's busybox-static: apt-get install busybox-static (test.sh installs it)");
        Assert.True(Directory.Exists("/sys/fs/cgroup"), "the container tests need a cgroup hierarchy mounted under /sys/fs/cgroup");
    }
}
