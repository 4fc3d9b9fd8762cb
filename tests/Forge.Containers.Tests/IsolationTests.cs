using Forge.Containers.Tests.Support;

namespace Forge.Containers.Tests;

/// <summary>What a process sees from inside the container: asserted from inside, with busybox.</summary>
public class IsolationTests
{
    [Fact]
    public void Ps_ShowsOnlyTheContainersProcesses_CommandIsPid1()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var output = ctr.Ok("run", "--rm", image, "sh", "-c", "sleep 30 & ps -o pid,comm; kill %1");
        var lines = output.Trim().Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal("PID   COMMAND", lines[0].Replace("  ", "  ", StringComparison.Ordinal));
        var processes = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["1", "sh"], processes[0]);
        Assert.Equal(3, processes.Count); // sh, sleep, ps
        Assert.All(processes, p => Assert.True(int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture) < 20, output));
    }

    [Fact]
    public void Hostname_IsTheShortIdOrTheFlag_AndEtcFilesAreWritten()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        Assert.Equal("box\nbox\n", ctr.Ok("run", "--rm", "--hostname", "box", image, "sh", "-c", "hostname; cat /etc/hostname"));
        var id = ctr.Ok("run", "-d", image, "hostname").Trim();
        Assert.Equal("0\n", ctr.Ok("wait", id));
        Assert.Equal(id[..12] + "\n", ctr.Ok("logs", id));
        Assert.Contains("localhost", ctr.Ok("run", "--rm", image, "cat", "/etc/hosts"), StringComparison.Ordinal);
    }

    [Fact]
    public void HostFiles_AreInvisible_RootIsTheImage()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        File.WriteAllText(ctr.File("host-secret"), "secret");
        var output = ctr.Ok("run", "--rm", image, "sh", "-c", $"ls /; test -e {ctr.File("host-secret")} && echo visible || echo invisible; test -e /work && echo work || true");
        Assert.Equal("bin\ndev\netc\nhome\nproc\nroot\nsrv\nsys\ntmp\nvar\ninvisible\n", output);
    }

    [Fact]
    public void Writes_GoToTheContainersLayer_NotTheImage()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var layers = Directory.GetDirectories(Path.Combine(ctr.Root, "images", "layers"));
        var passwd = Path.Combine(layers.Single(), "etc", "passwd");
        var before = File.ReadAllText(passwd);
        ctr.Ok("run", "--rm", image, "sh", "-c", "echo intruder:x:0:0::/:/bin/sh >> /etc/passwd; rm /bin/ls; touch /new");
        Assert.Equal(before, File.ReadAllText(passwd));
        Assert.True(File.Exists(Path.Combine(layers.Single(), "bin", "ls")) || new FileInfo(Path.Combine(layers.Single(), "bin", "ls")).LinkTarget is not null);
        Assert.Equal("clean\n", ctr.Ok("run", "--rm", image, "sh", "-c", "grep -q intruder /etc/passwd || test -e /new || test ! -e /bin/ls || echo clean"));
    }

    /// <summary>
    /// The mount points the init needs come from the store's shared init layer, so a container
    /// whose image lacks them leaves its writable layer empty (and the init layer stays empty:
    /// what is bound over its files never reaches it).
    /// </summary>
    [Fact]
    public void MountPoints_ComeFromTheSharedInitLayer_NotTheWritableLayer()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        Assert.Equal("ok\n", ctr.Ok("run", "--name", "quiet", image, "sh", "-c", "test -s /etc/hosts && test -s /etc/hostname && test -d /proc/1 && echo ok"));
        var upper = Path.Combine(Directory.GetDirectories(Path.Combine(ctr.Root, "containers")).Single(), "upper");
        Assert.Empty(Directory.EnumerateFileSystemEntries(upper));

        var initLayer = Path.Combine(ctr.Root, "images", "init-layer");
        Assert.Equal(["dev", "etc", "proc", "sys"], Directory.GetDirectories(initLayer).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(Path.Combine(initLayer, "etc")), f => Assert.Equal(0, new FileInfo(f).Length));
        ctr.Ok("rm", "quiet");
    }

    /// <summary>--env-file (comments skipped, values with spaces), --entrypoint, -i (stdin passed through) and --network host (the host's interfaces).</summary>
    [Fact]
    public void EnvFile_Entrypoint_Stdin_NetworkHost()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        File.WriteAllText(ctr.File("env"), "A=1\n# a comment\nB=two words\n");
        Assert.Equal("1|two words\n", ctr.Ok("run", "--rm", "--env-file", ctr.File("env"), image, "sh", "-c", "echo \"$A|$B\""));
        Assert.Equal("hello\n", ctr.Ok("run", "--rm", "--entrypoint", "/bin/echo", image, "hello"));

        var piped = ctr.RunWithInput("through stdin\n"u8.ToArray(), "run", "--rm", "-i", image, "cat");
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Equal("through stdin\n", piped.Stdout);

        var hostInterfaces = Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(' ', hostInterfaces), ctr.Ok("run", "--rm", "--network", "host", image, "sh", "-c", "ls /sys/class/net | sort | tr '\\n' ' '").TrimEnd());
    }

    [Fact]
    public void Capabilities_AreDockersDefaultSet_WithNoNewPrivs()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var status = ctr.Ok("run", "--rm", image, "cat", "/proc/self/status");
        Assert.Contains("CapInh:\t0000000000000000", status, StringComparison.Ordinal);
        Assert.Contains("CapPrm:\t00000000a80425fb", status, StringComparison.Ordinal);
        Assert.Contains("CapEff:\t00000000a80425fb", status, StringComparison.Ordinal);
        Assert.Contains("CapBnd:\t00000000a80425fb", status, StringComparison.Ordinal);
        Assert.Contains("CapAmb:\t0000000000000000", status, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", status, StringComparison.Ordinal);

        // A non-root user keeps the bounding set but has no effective capabilities.
        var nobody = ctr.Ok("run", "--rm", "-u", "65534", image, "sh", "-c", "id; grep CapEff /proc/self/status");
        Assert.Equal("uid=65534(nobody) gid=65534(nogroup)\nCapEff:\t0000000000000000\n", nobody);
    }

    [Fact]
    public void ProcAndSys_AreMaskedAndReadOnlyAsDockers()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var output = ctr.Ok("run", "--rm", image, "sh", "-c",
            "wc -c < /proc/keys; ls /sys/firmware | wc -l; echo x > /proc/sys/kernel/hostname 2>/dev/null && echo sys-writable; " +
            "touch /sys/x 2>/dev/null && echo sysfs-writable; grep -c ' /dev/shm ' /proc/mounts; ls /dev | tr '\\n' ' '");
        Assert.Equal("0\n0\n1\nconsole core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ".Replace("console ", "", StringComparison.Ordinal), output.Replace("console ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Network_None_HasOnlyLoopback()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        Assert.Equal("lo\n", ctr.Ok("run", "--rm", image, "ls", "/sys/class/net"));
    }

    [Fact]
    public void ReadOnlyRoot_VolumesAndTmpfs()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var r = ctr.Run("run", "--rm", "--read-only", image, "touch", "/x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stderr, StringComparison.Ordinal);

        var data = Directory.CreateDirectory(ctr.File("data")).FullName;
        ctr.Ok("run", "--rm", "-v", data + ":/data", image, "sh", "-c", "echo from-container > /data/out");
        Assert.Equal("from-container\n", File.ReadAllText(Path.Combine(data, "out")));
        r = ctr.Run("run", "--rm", "-v", data + ":/data:ro", image, "touch", "/data/x");
        Assert.NotEqual(0, r.ExitCode);

        Assert.Contains("tmpfs on /scratch type tmpfs", ctr.Ok("run", "--rm", "--read-only", "--tmpfs", "/scratch", image, "sh", "-c", "touch /scratch/ok && mount"), StringComparison.Ordinal);
    }

    [Fact]
    public void ExitCodes_AreTheContainers_Or125To127ForForge()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        Assert.Equal(42, ctr.Run("run", "--rm", image, "sh", "-c", "exit 42").ExitCode);
        var r = ctr.Run("run", "--rm", image, "nosuch");
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("exec: \"nosuch\": executable file not found in $PATH", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", image, "/etc/passwd");
        Assert.Equal(126, r.ExitCode);
        Assert.Contains("permission denied", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", "--badflag", image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("unknown flag: --badflag", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", image);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("no command specified", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NameInUse_Exit125_NothingCreated()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        ctr.Ok("run", "--name", "one", image, "true");
        var r = ctr.Run("run", "--name", "one", image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("Conflict. The container name \"/one\" is already in use by container", r.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(Path.Combine(ctr.Root, "containers")));
    }

    [Fact]
    public void Tty_GivesTheContainerATerminal()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        var output = ctr.Ok("run", "--rm", "-t", image, "sh", "-c", "test -t 0 && test -t 1 && echo tty; stty size; echo $TERM");
        Assert.Equal("tty\r\n24 80\r\nxterm\r\n", output);
        Assert.Equal("notty\n", ctr.Ok("run", "--rm", image, "sh", "-c", "test -t 1 && echo tty || echo notty"));
    }

    [Fact]
    public void User_FromFlagAndImage()
    {
        using var ctr = new CtrRoot();
        var image = ctr.ImportBusybox();
        Assert.Equal("65534:65534\n", ctr.Ok("run", "--rm", "-u", "nobody", image, "sh", "-c", "echo $(id -u):$(id -g)"));
        Assert.Equal("1000:1000\n", ctr.Ok("run", "--rm", "-u", "1000:1000", image, "sh", "-c", "echo $(id -u):$(id -g)"));
        Assert.Equal("/root\n", ctr.Ok("run", "--rm", image, "sh", "-c", "echo $HOME"));
    }
}
