using System.Globalization;
using System.Text;
using System.Text.Json;
using Forge.Containers.Images;
using Forge.Containers.Init;

namespace Forge.Containers.Runtime;

/// <summary>
/// Turns `run`'s options and an image into an OCI bundle in the container's directory: config.json
/// (<see cref="RuntimeSpec"/>) plus the files it points at (hostname, hosts, resolv.conf, the
/// overlay's upper and work dirs). The runtime below (<see cref="Launcher"/>, <see cref="ContainerInit"/>)
/// knows only bundles, so `forge ctr oci create` can later start bundles that others wrote.
/// </summary>
internal static class BundleBuilder
{
    /// <summary>docker's masked paths (moby oci/defaults.go).</summary>
    public static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    /// <summary>docker's read-only paths.</summary>
    public static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The container's command line by docker's rules for Entrypoint and Cmd; "no command specified" when empty.</summary>
    public static List<string> Command(RunOptions options, Image image)
    {
        var entrypoint = options.Entrypoint is not null
            ? (options.Entrypoint.Length > 0 ? [options.Entrypoint] : [])
            : Image.Strings(image.RunConfig["Entrypoint"]);
        var cmd = options.Command.Count > 0 || options.Entrypoint is not null ? options.Command : Image.Strings(image.RunConfig["Cmd"]);
        List<string> args = [.. entrypoint, .. cmd];
        return args.Count > 0 ? args : throw new CtrException("no command specified");
    }

    /// <summary>The container's namespaces: everything but user (and network with --network host), cgroup where the kernel has it.</summary>
    public static List<SpecNamespace> Namespaces(RunOptions options)
    {
        List<SpecNamespace> namespaces = [new() { Type = "pid" }, new() { Type = "mount" }, new() { Type = "uts" }, new() { Type = "ipc" }];
        if (options.Network == "none")
        {
            namespaces.Add(new SpecNamespace { Type = "network" });
        }
        else if (options.Network != "host")
        {
            throw new CtrException($"network {options.Network} not found (forge supports --network none and host until bridge networking lands)");
        }

        if (File.Exists("/proc/self/ns/cgroup"))
        {
            namespaces.Add(new SpecNamespace { Type = "cgroup" });
        }

        return namespaces;
    }

    /// <summary>
    /// Writes the bundle for a container whose <paramref name="command"/> and
    /// <paramref name="namespaces"/> the caller already worked out (<see cref="Command"/>,
    /// <see cref="Namespaces"/>: checked before anything is created) and returns its spec.
    /// </summary>
    public static RuntimeSpec Build(RunOptions options, Image image, ImageStore images, string id, string bundle, List<string> command, List<SpecNamespace> namespaces)
    {
        var config = image.RunConfig;
        var spec = new RuntimeSpec();
        var hostname = options.Hostname ?? id[..12];
        spec.Hostname = options.Network == "host" ? null : hostname;

        spec.Process.Args = command;

        // Environment: the image's, then -e / --env-file; PATH and HOSTNAME as docker adds them.
        var env = new List<string>();
        void SetEnv(string kv)
        {
            var eq = kv.IndexOf('=');
            var key = eq < 0 ? kv : kv[..eq];
            if (key.Length == 0)
            {
                throw new CtrException($"invalid environment variable: {kv}");
            }

            if (eq < 0)
            {
                var host = Environment.GetEnvironmentVariable(key);
                if (host is null)
                {
                    return;
                }

                kv = key + "=" + host;
            }

            env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
            env.Add(kv);
        }

        if (!Image.Strings(config["Env"]).Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            env.Add("PATH=" + ContainerInit.DefaultPath);
        }

        env.Add("HOSTNAME=" + hostname);
        if (options.Tty)
        {
            env.Add("TERM=xterm");
        }

        foreach (var e in Image.Strings(config["Env"]))
        {
            SetEnv(e);
        }

        foreach (var e in options.Env)
        {
            SetEnv(e);
        }

        spec.Process.Env = env;
        spec.Process.Terminal = options.Tty;

        var workdir = options.Workdir ?? (config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/");
        if (!workdir.StartsWith('/'))
        {
            throw new CtrException($"the working directory '{workdir}' is invalid, it needs to be an absolute path");
        }

        spec.Process.Cwd = workdir;
        spec.Process.User = ParseUser(options.User ?? config["User"]?.GetValue<string>() ?? "");
        spec.Process.Capabilities = new SpecCapabilities
        {
            Bounding = [.. Capabilities.DockerDefault],
            Effective = [.. Capabilities.DockerDefault],
            Permitted = [.. Capabilities.DockerDefault],
        };
        spec.Process.NoNewPrivileges = true;
        spec.Process.Rlimits = options.Ulimits.Count > 0 ? [.. options.Ulimits.Select(ParseUlimit)] : null;

        // Root: the init layer's mount points over the image's layers (top first), under the
        // container's own upper dir.
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
        Directory.CreateDirectory(Path.Combine(bundle, "upper"));
        Directory.CreateDirectory(Path.Combine(bundle, "work"));
        List<string> lowers = [images.InitLayer(), .. image.DiffIds.Reverse().Select(images.LayerDir)];

        spec.Root = new SpecRoot { Path = "rootfs", Readonly = options.ReadOnly };
        spec.Annotations[ContainerInit.OverlayAnnotation] =
            $"lowerdir={string.Join(':', lowers)},upperdir={Path.Combine(bundle, "upper")},workdir={Path.Combine(bundle, "work")}";

        if (options.Init)
        {
            spec.Annotations[ContainerInit.InitAnnotation] = "true";
        }

        spec.Mounts = DefaultMounts();
        File.WriteAllText(Path.Combine(bundle, "hostname"), hostname + "\n");
        File.WriteAllText(Path.Combine(bundle, "hosts"), options.Network == "host" && File.Exists("/etc/hosts")
            ? File.ReadAllText("/etc/hosts")
            : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        File.WriteAllText(Path.Combine(bundle, "resolv.conf"), File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "");
        foreach (var f in new[] { "resolv.conf", "hostname", "hosts" })
        {
            spec.Mounts.Add(new SpecMount { Destination = "/etc/" + f, Type = "bind", Source = Path.Combine(bundle, f), Options = ["rbind", "rprivate"] });
        }

        foreach (var v in options.Volumes)
        {
            spec.Mounts.Add(ParseVolume(v));
        }

        foreach (var t in options.Tmpfs)
        {
            var colon = t.IndexOf(':');
            var dest = colon < 0 ? t : t[..colon];
            if (!dest.StartsWith('/'))
            {
                throw new CtrException($"invalid mount config for type \"tmpfs\": invalid mount path: '{dest}' mount path must be absolute");
            }

            var mountOptions = new List<string> { "nosuid", "nodev", "noexec" };
            if (colon >= 0)
            {
                mountOptions.AddRange(t[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
            }

            spec.Mounts.Add(new SpecMount { Destination = dest, Type = "tmpfs", Source = "tmpfs", Options = mountOptions });
        }

        spec.Linux.Namespaces = namespaces;
        spec.Linux.CgroupsPath = "/forge/" + id;
        spec.Linux.Resources = Resources(options);
        spec.Linux.MaskedPaths = [.. MaskedPaths];
        spec.Linux.ReadonlyPaths = [.. ReadonlyPaths];
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), RuntimeSpecJson.Serialize(spec));
        return spec;
    }

    /// <summary>docker's default mounts (moby oci/defaults.go), minus /sys/fs/cgroup.</summary>
    internal static List<SpecMount> DefaultMounts() =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    ];

    internal static SpecResources? Resources(RunOptions options)
    {
        if (options.Memory is null && options.Cpus is null && options.PidsLimit is null)
        {
            return null;
        }

        var r = new SpecResources();
        if (options.Memory is { } memory)
        {
            if (memory < 6 * 1024 * 1024)
            {
                throw new CtrException("Minimum memory limit allowed is 6MB");
            }

            r.Memory = new SpecMemory { Limit = memory, Swap = memory };
        }

        if (options.Cpus is { } cpus)
        {
            var n = Environment.ProcessorCount;
            if (cpus < 0.01 || cpus > n)
            {
                throw new CtrException($"range of CPUs is from 0.01 to {n}.00, as there are only {n} CPUs available");
            }

            r.Cpu = new SpecCpu { Quota = (long)Math.Round(cpus * 100000), Period = 100000 };
        }

        if (options.PidsLimit is { } pids)
        {
            r.Pids = new SpecPids { Limit = pids };
        }

        return r;
    }

    /// <summary>-u / USER: "uid", "uid:gid", "name", "name:gid".</summary>
    internal static SpecUser ParseUser(string user)
    {
        var result = new SpecUser();
        if (user.Length == 0)
        {
            return result;
        }

        var colon = user.IndexOf(':');
        var u = colon < 0 ? user : user[..colon];
        var g = colon < 0 ? null : user[(colon + 1)..];
        if (int.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            result.Uid = uid;
        }
        else
        {
            result.Username = u;
        }

        if (g is not null)
        {
            if (!int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                throw new CtrException($"unable to find group {g}: group names are not supported yet, use a numeric GID");
            }

            result.Gid = gid;
        }

        return result;
    }

    private static SpecMount ParseVolume(string v)
    {
        var parts = v.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            throw new CtrException($"invalid volume specification: '{v}'");
        }

        var (source, dest) = (parts[0], parts[1]);
        if (!source.StartsWith('/'))
        {
            throw new CtrException($"invalid volume specification: '{v}': named volumes are not supported yet, the host path must be absolute");
        }

        if (!dest.StartsWith('/'))
        {
            throw new CtrException($"invalid volume specification: '{v}': invalid mount config: mount path must be absolute");
        }

        var options = new List<string> { "rbind" };
        if (parts.Length == 3)
        {
            foreach (var o in parts[2].Split(','))
            {
                if (o is not ("ro" or "rw"))
                {
                    throw new CtrException($"invalid mode: {o}");
                }

                options.Add(o);
            }
        }

        if (!Path.Exists(source))
        {
            Directory.CreateDirectory(source);
        }

        return new SpecMount { Destination = dest, Type = "bind", Source = source, Options = options };
    }

    private static SpecRlimit ParseUlimit(string text)
    {
        // --ulimit nofile=1024:2048
        var eq = text.IndexOf('=');
        if (eq < 0)
        {
            throw new CtrException($"invalid ulimit argument: {text}");
        }

        var values = text[(eq + 1)..].Split(':');
        if (!ulong.TryParse(values[0], CultureInfo.InvariantCulture, out var soft) || !ulong.TryParse(values[^1], CultureInfo.InvariantCulture, out var hard) || soft > hard)
        {
            throw new CtrException($"invalid ulimit argument: {text}");
        }

        return new SpecRlimit { Type = "RLIMIT_" + text[..eq].ToUpperInvariant(), Soft = soft, Hard = hard };
    }

    /// <summary>docker's sizes: 256m, 1g, 512k, 1024b, a bare number of bytes.</summary>
    public static long ParseBytes(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        long unit = 1;
        if (s.EndsWith('b'))
        {
            s = s[..^1];
        }

        if (s.Length > 0 && s[^1] is 'k' or 'm' or 'g' or 't')
        {
            unit = s[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            s = s[..^1];
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
        {
            throw new CtrException($"invalid size: '{text}'");
        }

        return (long)(n * unit);
    }

    internal static string Describe(RuntimeSpec spec)
    {
        var sb = new StringBuilder();
        foreach (var a in spec.Process.Args)
        {
            sb.Append(sb.Length > 0 ? " " : "").Append(a);
        }

        return sb.ToString();
    }
}
