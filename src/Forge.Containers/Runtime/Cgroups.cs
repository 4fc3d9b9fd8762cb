using System.Globalization;
using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// cgroups, v1 or v2 as the host mounts them (read from /proc/self/mountinfo at run time). On a
/// v1 host (this machine: controllers under /sys/fs/cgroup/&lt;controller&gt;, plus a cgroup2 tree
/// holding only hugetlb) a container gets one directory per controller it needs; on a v2 host one
/// directory in the unified tree. The container's path is docker's <c>/forge/&lt;id&gt;</c>
/// below each hierarchy's root; the parent <c>/forge</c> stays, as docker's <c>/docker</c> does.
/// </summary>
internal sealed class Cgroups
{
    private static readonly string[] s_v1Controllers = ["memory", "cpu", "cpuacct", "pids", "devices", "freezer"];

    private Cgroups(bool unified, Dictionary<string, string> v1Mounts, string? v2Mount)
    {
        Unified = unified;
        V1Mounts = v1Mounts;
        V2Mount = v2Mount;
    }

    /// <summary>True on a pure cgroup v2 host (/sys/fs/cgroup is cgroup2).</summary>
    public bool Unified { get; }

    /// <summary>v1 controller name → its hierarchy's mount point.</summary>
    public Dictionary<string, string> V1Mounts { get; }

    public string? V2Mount { get; }

    public static Cgroups Detect()
    {
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        string? v2 = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }

            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3)
            {
                continue;
            }

            var mountPoint = left[4];
            if (right[0] == "cgroup2")
            {
                v2 ??= mountPoint;
            }
            else if (right[0] == "cgroup")
            {
                foreach (var option in right[2].Split(','))
                {
                    if (Array.IndexOf(s_v1Controllers, option) >= 0)
                    {
                        v1.TryAdd(option, mountPoint);
                    }
                }
            }
        }

        var unified = v1.Count == 0 && v2 is not null;
        return new Cgroups(unified, v1, unified ? v2 : null);
    }

    /// <summary>The directories a container with <paramref name="cgroupsPath"/> lives in, one per hierarchy.</summary>
    public List<string> Directories(string cgroupsPath)
    {
        var relative = cgroupsPath.TrimStart('/');
        var dirs = new List<string>();
        if (Unified)
        {
            dirs.Add(Path.Combine(V2Mount!, relative));
            return dirs;
        }

        foreach (var mount in V1Mounts.Values.Distinct())
        {
            dirs.Add(Path.Combine(mount, relative));
        }

        return dirs;
    }

    /// <summary>Creates the container's cgroups and writes its limits. Throws <see cref="CtrException"/> (125) for a limit the kernel refuses.</summary>
    public List<string> Create(string cgroupsPath, SpecResources? resources)
    {
        var dirs = Directories(cgroupsPath);
        if (dirs.Count == 0)
        {
            throw new CtrException("no cgroup hierarchy is mounted (looked for cgroup and cgroup2 in /proc/self/mountinfo)");
        }

        try
        {
            if (Unified)
            {
                EnableV2Controllers(dirs[0]);
            }

            foreach (var dir in dirs)
            {
                Directory.CreateDirectory(dir);
            }

            if (Unified)
            {
                WriteV2Limits(dirs[0], resources);
            }
            else
            {
                WriteV1Limits(cgroupsPath, resources);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(dirs);
            throw new CtrException($"failed to create cgroup {cgroupsPath}: {e.Message}", e);
        }
        catch (CtrException)
        {
            Remove(dirs);
            throw;
        }

        return dirs;
    }

    private void EnableV2Controllers(string dir)
    {
        // Each ancestor below the root must delegate memory, cpu and pids to its children.
        var root = V2Mount!;
        var parts = Path.GetRelativePath(root, dir).Split('/');
        var current = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            Directory.CreateDirectory(current);
        }

        current = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var available = File.ReadAllText(Path.Combine(current, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var c in new[] { "memory", "cpu", "pids" })
            {
                if (Array.IndexOf(available, c) >= 0)
                {
                    TryWrite(Path.Combine(current, "cgroup.subtree_control"), "+" + c);
                }
            }

            current = Path.Combine(current, parts[i]);
        }
    }

    private static void WriteV2Limits(string dir, SpecResources? r)
    {
        // The controllers the parent delegates to this cgroup; a limit file of any other does not exist.
        var controllers = File.ReadAllText(Path.Combine(dir, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        void Require(string controller, string flag)
        {
            if (Array.IndexOf(controllers, controller) < 0)
            {
                throw new CtrException($"the {controller} cgroup controller is not available (cgroup v2: not in {Path.Combine(dir, "cgroup.controllers")}): cannot apply {flag}");
            }
        }

        if (r?.Memory?.Limit is { } limit)
        {
            Require("memory", "-m");
            Write(dir, "memory.max", limit.ToString(CultureInfo.InvariantCulture), "memory");
            if (File.Exists(Path.Combine(dir, "memory.swap.max")))
            {
                Write(dir, "memory.swap.max", "0", "memory");
            }
        }

        if (r?.Cpu?.Quota is { } quota)
        {
            Require("cpu", "--cpus");
            Write(dir, "cpu.max", $"{quota} {r.Cpu.Period ?? 100000}", "cpu");
        }

        if (r?.Pids?.Limit is { } pids and > 0)
        {
            Require("pids", "--pids-limit");
            Write(dir, "pids.max", pids.ToString(CultureInfo.InvariantCulture), "pids");
        }
    }

    private void WriteV1Limits(string cgroupsPath, SpecResources? r)
    {
        string? Dir(string controller) => V1Mounts.TryGetValue(controller, out var m) ? Path.Combine(m, cgroupsPath.TrimStart('/')) : null;

        if (r?.Memory?.Limit is { } limit)
        {
            var dir = Dir("memory") ?? throw new CtrException("the memory cgroup controller is not mounted: cannot apply -m");
            Write(dir, "memory.limit_in_bytes", limit.ToString(CultureInfo.InvariantCulture), "memory");
            // Swap off, as docker does for -m without --memory-swap... docker allows as much swap
            // again; forge turns it off so that the limit is what the container gets.
            if (File.Exists(Path.Combine(dir, "memory.memsw.limit_in_bytes")))
            {
                Write(dir, "memory.memsw.limit_in_bytes", limit.ToString(CultureInfo.InvariantCulture), "memory");
            }

            TryWrite(Path.Combine(dir, "memory.swappiness"), "0");
        }

        if (r?.Cpu?.Quota is { } quota)
        {
            var dir = Dir("cpu") ?? throw new CtrException("the cpu cgroup controller is not mounted: cannot apply --cpus");
            Write(dir, "cpu.cfs_period_us", (r.Cpu.Period ?? 100000).ToString(CultureInfo.InvariantCulture), "cpu");
            Write(dir, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture), "cpu");
        }

        if (r?.Pids?.Limit is { } pids and > 0)
        {
            var dir = Dir("pids") ?? throw new CtrException("the pids cgroup controller is not mounted: cannot apply --pids-limit");
            Write(dir, "pids.max", pids.ToString(CultureInfo.InvariantCulture), "pids");
        }

        if (Dir("devices") is { } devices)
        {
            // docker's default device rules: nothing but the nodes /dev holds (and mknod of any).
            Write(devices, "devices.deny", "a", "devices");
            foreach (var rule in s_defaultDeviceRules)
            {
                Write(devices, "devices.allow", rule, "devices");
            }
        }
    }

    /// <summary>docker's default device cgroup rules.</summary>
    private static readonly string[] s_defaultDeviceRules =
    [
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
        "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
    ];

    private static void Write(string dir, string file, string value, string controller)
    {
        try
        {
            File.WriteAllText(Path.Combine(dir, file), value);
        }
        catch (IOException e)
        {
            throw new CtrException($"cgroup {controller}: writing {value} to {file} failed: {e.Message}", e);
        }
    }

    private static bool TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Moves the calling process into each directory (writing 0 to cgroup.procs means "me").</summary>
    public static void Join(IEnumerable<string> dirs)
    {
        foreach (var dir in dirs)
        {
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "0");
        }
    }

    /// <summary>The PIDs (host namespace) in a container's cgroups.</summary>
    public static HashSet<int> Pids(IEnumerable<string> dirs)
    {
        var pids = new HashSet<int>();
        foreach (var dir in dirs)
        {
            var procs = Path.Combine(dir, "cgroup.procs");
            if (!File.Exists(procs))
            {
                continue;
            }

            try
            {
                foreach (var line in File.ReadLines(procs))
                {
                    if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        return pids;
    }

    /// <summary>
    /// Kills whatever is left in the container's cgroups and removes the directories (rmdir
    /// fails with EBUSY until the last process is gone, so this retries for a while).
    /// </summary>
    public static void Remove(IEnumerable<string> dirs)
    {
        var list = dirs.Where(Directory.Exists).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (list.Count > 0)
        {
            foreach (var pid in Pids(list))
            {
                // Never forge itself: its launcher thread may sit in the cgroups for a moment.
                if (pid != Environment.ProcessId)
                {
                    _ = Linux.kill(pid, Linux.Sigkill);
                }
            }

            for (var i = list.Count - 1; i >= 0; i--)
            {
                try
                {
                    Directory.Delete(list[i]);
                    list.RemoveAt(i);
                }
                catch (DirectoryNotFoundException)
                {
                    list.RemoveAt(i);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                }
            }

            if (list.Count > 0)
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>True when the kernel's OOM killer killed a process of this container (v1 memory.oom_control, v2 memory.events).</summary>
    public static bool OomKilled(IEnumerable<string> dirs)
    {
        foreach (var dir in dirs)
        {
            foreach (var file in new[] { "memory.oom_control", "memory.events" })
            {
                var path = Path.Combine(dir, file);
                if (!File.Exists(path))
                {
                    continue;
                }

                foreach (var line in File.ReadLines(path))
                {
                    if (line.StartsWith("oom_kill ", StringComparison.Ordinal) && line[9..].Trim() != "0")
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Counters for `stats`: memory usage and limit (bytes), CPU time (ns), PIDs.</summary>
    public static (long MemoryUsage, long MemoryLimit, long CpuNanoseconds, long Pids) Stats(IEnumerable<string> dirs)
    {
        long memory = 0, limit = 0, cpu = 0, pids = 0;
        foreach (var dir in dirs)
        {
            memory = Math.Max(memory, ReadLong(dir, "memory.usage_in_bytes") ?? ReadLong(dir, "memory.current") ?? 0);
            limit = Math.Max(limit, ReadLong(dir, "memory.limit_in_bytes") ?? ReadLong(dir, "memory.max") ?? 0);
            cpu = Math.Max(cpu, ReadLong(dir, "cpuacct.usage") ?? CpuStatUsec(dir) * 1000 ?? 0);
            pids = Math.Max(pids, ReadLong(dir, "pids.current") ?? 0);
        }

        return (memory, limit, cpu, pids);
    }

    private static long? CpuStatUsec(string dir)
    {
        var path = Path.Combine(dir, "cpu.stat");
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("usage_usec ", StringComparison.Ordinal))
            {
                return long.Parse(line[11..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static long? ReadLong(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
