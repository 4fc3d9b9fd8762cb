using System.Text;
using Forge.Containers.Init;
using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// Starts a bundle's init stage in new namespaces. A fresh thread unshares the mount, PID, UTS,
/// IPC and network namespaces (which applies to that thread only), then posix_spawns the init
/// binary: the child is PID 1 of the new PID namespace and no managed code runs between its
/// clone and its execve. The thread then ends (after unsharing the PID namespace it could not
/// create threads anyway). The init reports a setup failure on a close-on-exec pipe; EOF with
/// nothing in it means the user's command has been exec'd.
/// </summary>
internal static class Launcher
{
    /// <summary>
    /// The init stage: <c>forge-init</c> beside the forge binary (src/Forge.Containers.Init; about
    /// 2 ms to start as NativeAOT), else forge itself re-executed as <c>forge ctr __init</c>.
    /// FORGE_CTR_INIT overrides the path (a missing file selects the fallback).
    /// </summary>
    public static (string Path, List<string> Argv) InitCommand(string bundle)
    {
        var overridePath = Environment.GetEnvironmentVariable("FORGE_CTR_INIT");
        var aot = overridePath ?? Path.Combine(AppContext.BaseDirectory, "forge-init");
        if (File.Exists(aot))
        {
            return (aot, ["forge-init", bundle]);
        }

        var self = Environment.ProcessPath ?? throw new CtrException("cannot find the forge binary to run the init stage");
        return (self, ["forge", "ctr", "__init", bundle]);
    }

    public static int NamespaceFlags(RuntimeSpec spec) => NamespaceFlags(spec.Linux.Namespaces);

    /// <summary>The unshare(2) flags for the namespaces the launcher thread creates (cgroup: the init's).</summary>
    public static int NamespaceFlags(IEnumerable<SpecNamespace> namespaces)
    {
        var flags = 0;
        foreach (var ns in namespaces)
        {
            if (ns.Path is not null)
            {
                throw new CtrException($"joining an existing {ns.Type} namespace is not supported yet");
            }

            flags |= ns.Type switch
            {
                "pid" => Linux.CloneNewPid,
                "mount" => Linux.CloneNewNs,
                "uts" => Linux.CloneNewUts,
                "ipc" => Linux.CloneNewIpc,
                "network" => Linux.CloneNewNet,
                "cgroup" => 0, // unshared by the init after it joined its cgroups
                "user" => throw new CtrException("user namespaces are not supported yet"),
                _ => throw new CtrException($"unknown namespace type {ns.Type}"),
            };
        }

        return flags;
    }

    /// <summary>
    /// Starts the init with <paramref name="stdio"/> as its fds 0, 1, 2 and returns its host PID
    /// once the user's command runs; throws <see cref="CtrException"/> with the init's code and
    /// message when setup failed (the init has been reaped then).
    /// </summary>
    public static int Start(string bundle, RuntimeSpec spec, (int In, int Out, int Err) stdio, LaunchThread? launch = null)
    {
        int flags;
        try
        {
            flags = NamespaceFlags(spec);
        }
        catch
        {
            launch?.Abandon();
            throw;
        }

        launch ??= LaunchThread.Start([]);
        return Spawn(bundle, stdio, launch, () => launch.Unshare(flags));
    }

    /// <summary>
    /// exec: the launcher thread joins the running container's IPC, UTS, network and PID
    /// namespaces (PID: for its children), and the init, started with the exec's spec file, joins
    /// the cgroups, the cgroup and mount namespaces and the root itself.
    /// </summary>
    public static int StartExec(string specFile, int containerPid, (int In, int Out, int Err) stdio)
    {
        return Spawn(specFile, stdio, LaunchThread.Start([]), () =>
        {
            foreach (var (name, type) in new[] { ("ipc", Linux.CloneNewIpc), ("uts", Linux.CloneNewUts), ("net", Linux.CloneNewNet), ("pid", Linux.CloneNewPid) })
            {
                var fd = Linux.open($"/proc/{containerPid}/ns/{name}", Linux.ORdonly | Linux.OCloexec, 0);
                if (fd < 0)
                {
                    throw new CtrException($"container process {containerPid} is gone: {Linux.ErrorText(Linux.Errno)}", 1);
                }

                var ok = Linux.setns(fd, type) == 0;
                var errno = Linux.Errno;
                _ = Linux.close(fd);
                if (!ok)
                {
                    throw new CtrException($"setns {name}: {Linux.ErrorText(errno)}");
                }
            }
        });
    }

    private static unsafe int Spawn(string bundleOrSpec, (int In, int Out, int Err) stdio, LaunchThread launch, Action prepareThread)
    {
        string path;
        List<string> argv;
        var fds = stackalloc int[2];
        try
        {
            (path, argv) = InitCommand(bundleOrSpec);
            if (Linux.pipe2(fds, Linux.OCloexec) != 0)
            {
                throw new CtrException("pipe2: " + Linux.ErrorText(Linux.Errno));
            }
        }
        catch
        {
            launch.Abandon();
            throw;
        }

        int readFd = fds[0], writeFd = fds[1];
        var env = Interop.Spawn.CurrentEnvironment();

        // A JIT-built init (forge-init beside a framework-dependent forge, or `forge ctr __init`)
        // would create the runtime's diagnostic pipes in the host's /tmp as PID 1, and never
        // remove them: it execs the command instead of exiting. (The command gets the spec's
        // environment, not this one.)
        env.RemoveAll(e => e.StartsWith("DOTNET_EnableDiagnostics=", StringComparison.Ordinal));
        env.Add("DOTNET_EnableDiagnostics=0");
        var pid = 0;
        try
        {
            launch.Run(() =>
            {
                if (launch.JoinedCgroups)
                {
                    env.Add(LaunchThread.JoinedVariable + "=1");
                }

                prepareThread();
                pid = Interop.Spawn.Start(path, argv, env, [(stdio.In, 0), (stdio.Out, 1), (stdio.Err, 2), (writeFd, ContainerInit.ErrorFd)], newSession: false);
            });
        }
        catch
        {
            _ = Linux.close(readFd);
            throw;
        }
        finally
        {
            _ = Linux.close(writeFd);
        }

        Tracing.Mark("launcher: init spawned");
        var report = ReadAll(readFd);
        Tracing.Mark("launcher: init exec'd the command");
        _ = Linux.close(readFd);
        if (report.Length > 0)
        {
            _ = Linux.waitpid(pid, out _, 0);
            var newline = report.IndexOf('\n', StringComparison.Ordinal);
            var code = newline > 0 && int.TryParse(report[..newline], System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : CtrException.ExitForge;
            throw new CtrException(newline > 0 ? report[(newline + 1)..] : report, code);
        }

        return pid;
    }

    private static unsafe string ReadAll(int fd)
    {
        var buffer = new byte[4096];
        var total = new MemoryStream();
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Linux.read(fd, p, (nuint)buffer.Length);
            }

            if (n < 0 && Linux.Errno == Linux.Eintr)
            {
                continue;
            }

            if (n <= 0)
            {
                break;
            }

            total.Write(buffer, 0, (int)n);
        }

        return Encoding.UTF8.GetString(total.ToArray());
    }

    /// <summary>Waits for a child and returns docker's exit code for it (128+signal when killed by a signal).</summary>
    public static int Wait(int pid)
    {
        while (true)
        {
            var r = Linux.waitpid(pid, out var status, 0);
            if (r == pid)
            {
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            if (r < 0 && Linux.Errno != Linux.Eintr)
            {
                throw new CtrException("waitpid: " + Linux.ErrorText(Linux.Errno));
            }
        }
    }
}
