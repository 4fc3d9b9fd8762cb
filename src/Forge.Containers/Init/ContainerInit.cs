using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Forge.Containers.Interop;
using Forge.Containers.Runtime;

namespace Forge.Containers.Init;

/// <summary>
/// The container's init stage: a freshly exec'd process (never a fork of the .NET process) that
/// starts as PID 1 in the namespaces its parent thread unshared, reads the bundle's config.json,
/// and between there and execve of the user's command does what must happen inside the new
/// namespaces: join the cgroups, unshare the cgroup namespace, make mounts private, mount the
/// overlay root and the spec's mounts, create /dev's nodes, set the hostname, pivot_root and
/// detach the old root, mask and read-only paths, rlimits, the controlling terminal, user and
/// groups, capabilities, no_new_privs, working directory, signal dispositions.
/// <para>
/// A failure is written to fd 3 ("CODE\nMESSAGE") before exiting with CODE (125 setup, 126 not
/// executable, 127 not found); fd 3 is close-on-exec, so the parent reading EOF with nothing
/// in it knows the user's command is running.
/// </para>
/// </summary>
internal static partial class ContainerInit
{
    public const int ErrorFd = 3;
    public const string OverlayAnnotation = "org.forge.rootfs.overlay";
    public const string ConsoleAnnotation = "org.forge.console";

    /// <summary>Set in an exec's spec: the host PID of the container's init, whose namespaces and root to join.</summary>
    public const string ExecPidAnnotation = "org.forge.exec.pid";

    /// <summary>Set by --init: stay PID 1, reap zombies and forward signals to the command instead of exec'ing it.</summary>
    public const string InitAnnotation = "org.forge.init";
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// Runs the init stage for a bundle directory (a new container) or a spec file (an exec into a
    /// running one); returns only on failure, with the exit code (or, with --init, the command's).
    /// </summary>
    public static int Run(string bundleOrSpec)
    {
        _ = Linux.fcntl(ErrorFd, Linux.FSetfd, Linux.FdCloexec);
        Tracing.Mark("init: started");
        try
        {
            var isBundle = Directory.Exists(bundleOrSpec);
            var spec = RuntimeSpecJson.Deserialize(File.ReadAllBytes(isBundle ? Path.Combine(bundleOrSpec, "config.json") : bundleOrSpec));
            if (spec.Annotations.TryGetValue(ExecPidAnnotation, out var pid))
            {
                JoinContainer(spec, int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                return StartProcess(spec);
            }

            return Create(isBundle ? bundleOrSpec : Path.GetDirectoryName(Path.GetFullPath(bundleOrSpec))!, spec);
        }
        catch (CtrException e)
        {
            Report(e.ExitCode, e.Message);
            return e.ExitCode;
        }
        catch (Exception e)
        {
            Report(CtrException.ExitForge, e.Message);
            return CtrException.ExitForge;
        }
    }

    private static unsafe void Report(int code, string message)
    {
        var bytes = Encoding.UTF8.GetBytes($"{code}\n{message}");
        fixed (byte* p = bytes)
        {
            _ = Linux.write(ErrorFd, p, (nuint)bytes.Length);
        }
    }

    private static int Create(string bundle, RuntimeSpec spec)
    {
        var rootfs = Path.GetFullPath(spec.Root.Path, bundle);

        // 1. cgroups, then the cgroup namespace rooted at the container's cgroup.
        if (spec.Linux.CgroupsPath is { } cgroupsPath && Environment.GetEnvironmentVariable(LaunchThread.JoinedVariable) != "1")
        {
            Cgroups.Join(Cgroups.Detect().Directories(cgroupsPath));
        }

        if (spec.Linux.Namespaces.Any(n => n.Type == "cgroup" && n.Path is null))
        {
            Check(Linux.unshare(Linux.CloneNewCgroup), "unshare the cgroup namespace");
        }

        Tracing.Mark("init: cgroups joined");
        // 2. Nothing mounted from here on propagates back to the host.
        Check(Linux.mount(null, "/", null, Linux.MsRec | Linux.MsPrivate, null), "make / private");

        // 3. The root: the image's layers under the container's writable layer, or the bundle's directory.
        if (spec.Annotations.TryGetValue(OverlayAnnotation, out var overlay))
        {
            Check(Linux.mount("overlay", rootfs, "overlay", 0, overlay), "mount the overlay root");
        }
        else
        {
            Check(Linux.mount(rootfs, rootfs, null, Linux.MsBind | Linux.MsRec, null), "bind the root");
        }

        Tracing.Mark("init: root mounted");
        foreach (var m in spec.Mounts)
        {
            MountOne(rootfs, m);
            if (m.Destination == "/dev" && m.Type == "tmpfs")
            {
                CreateDevices(rootfs);
            }
        }

        if (spec.Process.Terminal && spec.Annotations.TryGetValue(ConsoleAnnotation, out var console))
        {
            var target = Path.Combine(rootfs, "dev/console");
            if (!File.Exists(target))
            {
                File.WriteAllBytes(target, []);
            }

            Check(Linux.mount(console, target, null, Linux.MsBind, null), "bind /dev/console");
        }

        if (spec.Hostname is { Length: > 0 } hostname)
        {
            var name = Encoding.UTF8.GetBytes(hostname);
            Check(Linux.sethostname(name, (nuint)name.Length), "sethostname");
        }

        Tracing.Mark("init: mounts done");
        // 4. pivot_root with the old root stacked on the new one, then detached.
        Check(Linux.chdir(rootfs), "chdir to the root");
        Check(Linux.PivotRoot(".", "."), "pivot_root");
        Check(Linux.umount2(".", Linux.MntDetach), "detach the old root");
        Check(Linux.chdir("/"), "chdir /");

        foreach (var path in spec.Linux.MaskedPaths)
        {
            Mask(path);
        }

        foreach (var path in spec.Linux.ReadonlyPaths)
        {
            ReadOnly(path);
        }

        if (spec.Root.Readonly)
        {
            Check(Linux.mount(null, "/", null, Linux.MsBind | Linux.MsRemount | Linux.MsRdonly, null), "remount / read-only");
        }

        Tracing.Mark("init: pivoted and masked");
        return StartProcess(spec);
    }

    /// <summary>
    /// exec: the launcher thread joined the container's IPC, UTS, network and PID namespaces; this
    /// joins its cgroups, cgroup and mount namespaces (unsharing CLONE_FS first, as setns into a
    /// mount namespace requires of a multi-threaded process) and its root, taken from
    /// /proc/PID/root before the mount namespace changes what /proc means.
    /// </summary>
    private static void JoinContainer(RuntimeSpec spec, int pid)
    {
        if (spec.Linux.CgroupsPath is { } cgroupsPath)
        {
            Cgroups.Join(Cgroups.Detect().Directories(cgroupsPath));
        }

        var root = Linux.open($"/proc/{pid}/root", Linux.OPath | Linux.ODirectory | Linux.OCloexec, 0);
        var mnt = Linux.open($"/proc/{pid}/ns/mnt", Linux.ORdonly | Linux.OCloexec, 0);
        var cgroup = File.Exists($"/proc/{pid}/ns/cgroup") ? Linux.open($"/proc/{pid}/ns/cgroup", Linux.ORdonly | Linux.OCloexec, 0) : -1;
        if (root < 0 || mnt < 0)
        {
            throw new CtrException($"container process {pid} is gone: {Linux.ErrorText(Linux.Errno)}");
        }

        if (cgroup >= 0)
        {
            Check(Linux.setns(cgroup, Linux.CloneNewCgroup), "join the cgroup namespace");
        }

        Check(Linux.unshare(Linux.CloneFs), "unshare the filesystem attributes");
        Check(Linux.setns(mnt, Linux.CloneNewNs), "join the mount namespace");
        Check(Linux.fchdir(root), "enter the container's root");
        Check(Linux.chroot("."), "chroot to the container's root");
        Check(Linux.chdir("/"), "chdir /");
        _ = Linux.close(root);
        _ = Linux.close(mnt);
        if (cgroup >= 0)
        {
            _ = Linux.close(cgroup);
        }
    }

    /// <summary>The process, inside the container's root: rlimits, terminal, user, working directory, capabilities, no_new_privs, then execve (or, with --init, a supervised child).</summary>
    private static int StartProcess(RuntimeSpec spec)
    {
        foreach (var limit in spec.Process.Rlimits ?? [])
        {
            SetRlimit(limit);
        }

        if (spec.Process.Terminal)
        {
            _ = Linux.setsid();
            Check(Linux.ioctl_int(0, Linux.Tiocsctty, 0), "make the terminal the controlling terminal");
        }

        var env = new List<string>(spec.Process.Env);
        var (uid, gid, groups, home) = ResolveUser(spec.Process.User);
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            env.Add("HOME=" + home);
        }

        var cwd = spec.Process.Cwd.Length > 0 ? spec.Process.Cwd : "/";
        Directory.CreateDirectory(cwd);
        if (spec.Process.Args.Count == 0)
        {
            throw new CtrException("no command specified");
        }

        var executable = FindExecutable(spec.Process.Args[0], env);

        var caps = spec.Process.Capabilities;
        var lastCap = Capabilities.LastCap();
        var bounding = caps is null ? ulong.MaxValue : Capabilities.Mask(caps.Bounding);
        for (var cap = 0; cap <= lastCap; cap++)
        {
            if ((bounding & (1UL << cap)) == 0)
            {
                Check(Linux.prctl(Linux.PrCapbsetDrop, (nuint)cap, 0, 0, 0), $"drop capability {cap}");
            }
        }

        SetIds(uid, gid, groups);
        Check(Linux.chdir(cwd), "chdir " + cwd);
        if (caps is not null)
        {
            SetCapabilities(uid == 0 ? Capabilities.Mask(caps.Effective) : 0, uid == 0 ? Capabilities.Mask(caps.Permitted) : 0, Capabilities.Mask(caps.Inheritable));
            _ = Linux.prctl(Linux.PrCapAmbient, Linux.PrCapAmbientClearAll, 0, 0, 0);
        }

        if (spec.Process.NoNewPrivileges)
        {
            Check(Linux.prctl(Linux.PrSetNoNewPrivs, 1, 0, 0, 0), "set no_new_privs");
        }

        if (spec.Annotations.ContainsKey(InitAnnotation))
        {
            return Supervise(executable, spec.Process.Args, env);
        }

        Tracing.Mark("init: exec");
        ResetSignals();
        Execve(executable, spec.Process.Args, env);
        return CtrException.ExitForge; // not reached: Execve returns only by throwing
    }

    /// <summary>
    /// --init: this process stays PID 1 (with the container's user and capabilities already set),
    /// starts the command with posix_spawn, forwards the usual signals to it, reaps every orphan
    /// the namespace hands it, and exits with the command's status when the command ends.
    /// </summary>
    private static int Supervise(string executable, List<string> args, List<string> env)
    {
        int child;
        try
        {
            child = Spawn.Start(executable, args, env, [], newSession: false);
        }
        catch (IOException e)
        {
            throw new CtrException($"unable to start container process: exec: \"{args[0]}\": {e.Message}", CtrException.ExitCannotInvoke);
        }

        _ = Linux.close(ErrorFd); // started: the parent reads EOF
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _ = Linux.kill(child, context.Signal switch { PosixSignal.SIGTERM => 15, PosixSignal.SIGINT => 2, PosixSignal.SIGHUP => 1, _ => 3 });
            }));
        }

        while (true)
        {
            var pid = Linux.waitpid(-1, out var status, 0);
            if (pid == child)
            {
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            if (pid < 0 && Linux.Errno == Linux.Echild)
            {
                return CtrException.ExitForge;
            }
        }
    }

    private static void MountOne(string rootfs, SpecMount m)
    {
        var (flags, propagation, data, bind, recursive) = ParseOptions(m.Options ?? []);
        bind |= m.Type == "bind";
        var target = SecureJoin(rootfs, m.Destination);
        if (bind)
        {
            var source = m.Source ?? throw new CtrException($"bind mount {m.Destination} without a source");
            var isFile = File.Exists(source) || (Path.Exists(source) && !Directory.Exists(source));
            if (isFile)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (!Path.Exists(target))
                {
                    File.WriteAllBytes(target, []);
                }
            }
            else
            {
                Directory.CreateDirectory(target);
            }

            Check(Linux.mount(source, target, null, Linux.MsBind | (recursive ? Linux.MsRec : 0), null), $"bind {source} on {m.Destination}");
            if ((flags & ~Linux.MsBind) != 0)
            {
                Check(Linux.mount(null, target, null, Linux.MsBind | Linux.MsRemount | flags, null), $"remount {m.Destination}");
            }
        }
        else
        {
            Directory.CreateDirectory(target);
            Check(Linux.mount(m.Source ?? m.Type, target, m.Type, flags, data.Length > 0 ? data : null), $"mount {m.Type} on {m.Destination}");
        }

        if (propagation != 0)
        {
            Check(Linux.mount(null, target, null, propagation, null), $"set propagation of {m.Destination}");
        }
    }

    private static (ulong Flags, ulong Propagation, string Data, bool Bind, bool Recursive) ParseOptions(List<string> options)
    {
        ulong flags = 0, propagation = 0;
        bool bind = false, recursive = false;
        var data = new StringBuilder();
        foreach (var o in options)
        {
            switch (o)
            {
                case "ro": flags |= Linux.MsRdonly; break;
                case "rw": flags &= ~Linux.MsRdonly; break;
                case "nosuid": flags |= Linux.MsNosuid; break;
                case "suid": flags &= ~Linux.MsNosuid; break;
                case "nodev": flags |= Linux.MsNodev; break;
                case "dev": flags &= ~Linux.MsNodev; break;
                case "noexec": flags |= Linux.MsNoexec; break;
                case "exec": flags &= ~Linux.MsNoexec; break;
                case "strictatime": flags |= Linux.MsStrictatime; break;
                case "noatime": flags |= Linux.MsNoatime; break;
                case "relatime": break;
                case "bind": bind = true; break;
                case "rbind": bind = true; recursive = true; break;
                case "private": propagation = Linux.MsPrivate; break;
                case "rprivate": propagation = Linux.MsPrivate | Linux.MsRec; break;
                case "slave": propagation = Linux.MsSlave; break;
                case "rslave": propagation = Linux.MsSlave | Linux.MsRec; break;
                default:
                    if (data.Length > 0)
                    {
                        data.Append(',');
                    }

                    data.Append(o);
                    break;
            }
        }

        return (flags, propagation, data.ToString(), bind, recursive);
    }

    /// <summary>
    /// Joins a container path onto the root, resolving symbolic links in the image as the
    /// container would see them (an absolute link restarts at the root, ".." stops there), so a
    /// hostile image cannot point a mount outside its root.
    /// </summary>
    internal static string SecureJoin(string root, string path)
    {
        var parts = new List<string>();
        var pending = new Stack<string>();
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            pending.Push(p);
        }

        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            var candidate = Path.Combine(root, string.Join('/', parts), part);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                parts.Add(part);
                continue;
            }

            if (++links > 40)
            {
                throw new CtrException($"too many levels of symbolic links in {path}");
            }

            if (target.StartsWith('/'))
            {
                parts.Clear();
            }

            foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(p);
            }
        }

        return parts.Count == 0 ? root : Path.Combine(root, string.Join('/', parts));
    }

    private static void CreateDevices(string rootfs)
    {
        var dev = Path.Combine(rootfs, "dev");
        foreach (var (name, major, minor) in new[] { ("null", 1u, 3u), ("zero", 1u, 5u), ("full", 1u, 7u), ("random", 1u, 8u), ("urandom", 1u, 9u), ("tty", 5u, 0u) })
        {
            var path = Path.Combine(dev, name);
            Check(Linux.mknod(path, Linux.SIfchr | 0x1b6, Images.LayerExtractor.MakeDevice(major, minor)), "mknod /dev/" + name);
            Check(Linux.chmod(path, 0x1b6), "chmod /dev/" + name);
        }

        foreach (var (name, target) in new[] { ("ptmx", "pts/ptmx"), ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"), ("core", "/proc/kcore") })
        {
            File.CreateSymbolicLink(Path.Combine(dev, name), target);
        }
    }

    private static void Mask(string path)
    {
        if (Directory.Exists(path))
        {
            Check(Linux.mount("tmpfs", path, "tmpfs", Linux.MsRdonly, null), "mask " + path);
        }
        else if (Path.Exists(path))
        {
            Check(Linux.mount("/dev/null", path, null, Linux.MsBind, null), "mask " + path);
        }
    }

    private static void ReadOnly(string path)
    {
        if (!Path.Exists(path))
        {
            return;
        }

        Check(Linux.mount(path, path, null, Linux.MsBind | Linux.MsRec, null), "bind " + path);
        // A remount replaces the mount's flags: keep procfs's nosuid, nodev, noexec.
        Check(Linux.mount(null, path, null, Linux.MsBind | Linux.MsRemount | Linux.MsRdonly | Linux.MsRec | Linux.MsNosuid | Linux.MsNodev | Linux.MsNoexec, null), "make read-only " + path);
    }

    private static readonly Dictionary<string, int> s_rlimits = new(StringComparer.Ordinal)
    {
        ["RLIMIT_CPU"] = 0,
        ["RLIMIT_FSIZE"] = 1,
        ["RLIMIT_DATA"] = 2,
        ["RLIMIT_STACK"] = 3,
        ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5,
        ["RLIMIT_NPROC"] = 6,
        ["RLIMIT_NOFILE"] = 7,
        ["RLIMIT_MEMLOCK"] = 8,
        ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10,
        ["RLIMIT_SIGPENDING"] = 11,
        ["RLIMIT_MSGQUEUE"] = 12,
        ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14,
        ["RLIMIT_RTTIME"] = 15,
    };

    private static void SetRlimit(SpecRlimit limit)
    {
        if (!s_rlimits.TryGetValue(limit.Type, out var resource))
        {
            throw new CtrException($"unknown rlimit {limit.Type}");
        }

        var value = new Linux.Rlimit { Current = limit.Soft, Max = limit.Hard };
        if (Linux.setrlimit(resource, value) != 0)
        {
            var errno = Linux.Errno;
            _ = Linux.getrlimit(resource, out var current);
            var why = errno == Linux.Eperm && limit.Hard > current.Max
                ? $": the hard limit is {current.Max} and raising it needs CAP_SYS_RESOURCE, which this host does not give"
                : "";
            throw new CtrException($"setrlimit {limit.Type} {limit.Soft}:{limit.Hard}: {Linux.ErrorText(errno)}{why}");
        }
    }

    private static (int Uid, int Gid, List<int> Groups, string Home) ResolveUser(SpecUser user)
    {
        var uid = user.Uid;
        var gid = user.Gid;
        var home = "/";
        var groups = new List<int>(user.AdditionalGids ?? []);
        var name = user.Username;
        var entries = ReadColonFile("/etc/passwd");
        if (name is not null)
        {
            var entry = entries.FirstOrDefault(e => e[0] == name)
                ?? throw new CtrException($"unable to find user {name}: no matching entries in passwd file");
            uid = int.Parse(entry[2], System.Globalization.CultureInfo.InvariantCulture);
            gid = int.Parse(entry[3], System.Globalization.CultureInfo.InvariantCulture);
        }

        var byUid = entries.FirstOrDefault(e => e[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (byUid is not null)
        {
            name ??= byUid[0];
            home = byUid[5];
            if (user.Username is null && user.Gid == 0 && uid != 0)
            {
                gid = int.Parse(byUid[3], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        else if (uid == 0)
        {
            home = "/root";
        }

        if (name is not null)
        {
            foreach (var g in ReadColonFile("/etc/group"))
            {
                if (g[3].Split(',').Contains(name) && int.TryParse(g[2], System.Globalization.CultureInfo.InvariantCulture, out var id) && !groups.Contains(id))
                {
                    groups.Add(id);
                }
            }
        }

        return (uid, gid, groups, home);
    }

    private static List<string[]> ReadColonFile(string path)
    {
        var list = new List<string[]>();
        if (!File.Exists(path))
        {
            return list;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4)
            {
                list.Add(fields.Length >= 7 ? fields : [.. fields, "", "", "/"]);
            }
        }

        return list;
    }

    private static unsafe void SetIds(int uid, int gid, List<int> groups)
    {
        var list = groups.ToArray();
        fixed (int* p = list)
        {
            Check(Linux.setgroups((nuint)list.Length, p), "setgroups");
        }

        Check(Linux.setgid(gid), "setgid");
        Check(Linux.setuid(uid), "setuid");
    }

    private static unsafe void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new Linux.CapHeader { Version = 0x20080522, Pid = 0 };
        var data = stackalloc Linux.CapData[2];
        data[0] = new Linux.CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new Linux.CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        if (Linux.syscall_cap(Linux.SysCapset, &header, data) != 0)
        {
            throw new CtrException($"capset: {Linux.ErrorText(Linux.Errno)}");
        }
    }

    private static unsafe void ResetSignals()
    {
        for (var sig = 1; sig < 65; sig++)
        {
            if (sig is 9 or 19 or 32 or 33)
            {
                continue;
            }

            _ = Linux.signal(sig, 0);
        }

        var empty = stackalloc byte[128];
        new Span<byte>(empty, 128).Clear();
        _ = Linux.sigprocmask(2, empty, null);
    }

    /// <summary>docker's lookup: a name with a slash is a path, anything else is searched in the container's $PATH.</summary>
    private static string FindExecutable(string name, List<string> env)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            if (!Path.Exists(name))
            {
                throw new CtrException($"unable to start container process: exec: \"{name}\": stat {name}: no such file or directory", CtrException.ExitNotFound);
            }

            return name;
        }

        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        throw new CtrException($"unable to start container process: exec: \"{name}\": executable file not found in $PATH", CtrException.ExitNotFound);
    }

    private static unsafe void Execve(string path, List<string> args, List<string> env)
    {
        var owned = new List<nint>();
        var argv = new nint[args.Count + 1];
        var envp = new nint[env.Count + 1];
        for (var i = 0; i < args.Count; i++)
        {
            argv[i] = Marshal.StringToCoTaskMemUTF8(args[i]);
        }

        for (var i = 0; i < env.Count; i++)
        {
            envp[i] = Marshal.StringToCoTaskMemUTF8(env[i]);
        }

        var pathPtr = Marshal.StringToCoTaskMemUTF8(path);
        fixed (nint* a = argv)
        fixed (nint* e = envp)
        {
            _ = Linux.execve((byte*)pathPtr, (byte**)a, (byte**)e);
        }

        var errno = Linux.Errno;
        var code = errno is Linux.Enoent ? CtrException.ExitNotFound : CtrException.ExitCannotInvoke;
        var text = errno switch
        {
            Linux.Eacces => "permission denied",
            Linux.Enoent => "no such file or directory",
            _ => Linux.ErrorText(errno).ToLowerInvariant(),
        };
        if (Directory.Exists(path))
        {
            text = "is a directory";
        }

        throw new CtrException($"unable to start container process: exec: \"{args[0]}\": {text}", code);
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new CtrException($"{what}: {Linux.ErrorText(Linux.Errno)}");
        }
    }
}
