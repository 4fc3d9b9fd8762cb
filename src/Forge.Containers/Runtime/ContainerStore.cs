using System.Globalization;
using System.Text.Json;
using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// Containers under ROOT/containers/&lt;id&gt;/: state.json (<see cref="ContainerRecord"/>), the
/// bundle's config.json (<see cref="RuntimeSpec"/>), rootfs/ (the overlay's mount point, mounted
/// only inside the container's own mount namespace, so it vanishes with the container), upper/
/// and work/ (the overlay's writable layer), hostname, hosts, resolv.conf, and the logs.
/// </summary>
internal sealed class ContainerStore
{
    public ContainerStore(string root)
    {
        Root = root;
        Dir = Path.Combine(root, "containers");
    }

    public string Root { get; }

    public string Dir { get; }

    public string PathOf(string id) => Path.Combine(Dir, id);

    /// <summary>A new container ID: 32 random bytes in hex, as docker's.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[32];
        Linux.FillRandom(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public List<ContainerRecord> List()
    {
        var list = new List<ContainerRecord>();
        if (!Directory.Exists(Dir))
        {
            return list;
        }

        foreach (var dir in Directory.GetDirectories(Dir))
        {
            if (TryRead(Path.GetFileName(dir), out var record))
            {
                list.Add(record);
            }
        }

        list.Sort((a, b) => b.Created.CompareTo(a.Created));
        return list;
    }

    public bool TryRead(string id, out ContainerRecord record)
    {
        record = null!;
        var file = Path.Combine(PathOf(id), "state.json");
        try
        {
            record = ContainerRecordJson.Deserialize(File.ReadAllBytes(file));
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Write(ContainerRecord record) =>
        AtomicFile.Write(Path.Combine(PathOf(record.Id), "state.json"), ContainerRecordJson.Serialize(record));

    /// <summary>Moves a record to a new state, refusing transitions the lifecycle does not have.</summary>
    public void Transition(ContainerRecord record, string to)
    {
        if (!ContainerStatus.CanMove(record.Status, to))
        {
            throw new InvalidOperationException($"container {record.ShortId}: cannot go from {record.Status} to {to}");
        }

        record.Status = to;
        Write(record);
    }

    /// <summary>Finds a container by full ID, unique ID prefix or name (docker's "No such container" otherwise).</summary>
    public ContainerRecord Find(string idOrName)
    {
        var all = List();
        foreach (var r in all)
        {
            if (r.Id == idOrName || r.Name == idOrName || "/" + r.Name == idOrName)
            {
                return r;
            }
        }

        var matches = all.Where(r => idOrName.Length > 0 && r.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1)
        {
            return matches[0];
        }

        if (matches.Count > 1)
        {
            throw new CtrException($"Error response from daemon: multiple IDs found with provided prefix: {idOrName}", 1);
        }

        throw new CtrException($"Error response from daemon: No such container: {idOrName}", 1);
    }

    /// <summary>The start time of a process (field 22 of /proc/PID/stat), to tell a PID from a reused one; 0 when gone.</summary>
    public static long StartTime(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public static bool IsAlive(int pid, long startTime) => pid > 0 && startTime != 0 && StartTime(pid) == startTime;

    /// <summary>
    /// Settles containers whose monitor died without recording their end (forge SIGKILLed
    /// mid-run): the container is killed through its cgroups, the cgroups are removed, and the
    /// record becomes "exited" (137), or goes away if it was started with --rm.
    /// </summary>
    public void Reconcile()
    {
        foreach (var record in List())
        {
            if (record.Status == ContainerStatus.Exited || IsAlive(record.MonitorPid, record.MonitorStartTime))
            {
                continue;
            }

            // Created but never started (its creator died), or running without its monitor.
            using (StoreLock.Acquire(Root))
            {
                if (!TryRead(record.Id, out var fresh) || fresh.Status == ContainerStatus.Exited || IsAlive(fresh.MonitorPid, fresh.MonitorStartTime))
                {
                    continue;
                }

                if (IsAlive(fresh.Pid, fresh.PidStartTime))
                {
                    _ = Linux.kill(fresh.Pid, Linux.Sigkill);
                }

                Cgroups.Remove(fresh.CgroupDirs);
                if (fresh.AutoRemove)
                {
                    Delete(fresh.Id);
                    continue;
                }

                var started = fresh.Status == ContainerStatus.Running;
                fresh.Status = ContainerStatus.Exited;
                fresh.ExitCode = started ? 137 : CtrException.ExitForge;
                fresh.Error = started ? "forge (the container's monitor) was killed" : "forge was killed before the container started";
                fresh.FinishedAt ??= DateTimeOffset.UtcNow;
                Write(fresh);
            }
        }
    }

    /// <summary>Removes a stopped container's directory (its cgroups must be gone already).</summary>
    public void Delete(string id)
    {
        var dir = PathOf(id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
