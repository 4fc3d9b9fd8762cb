using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Forge.Containers.Interop;
using Forge.Containers.Runtime;

namespace Forge.Containers.Cli;

internal sealed partial class Verbs
{
    private static readonly string[] s_psHeader = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"];
    private static readonly string[] s_topHeader = ["UID", "PID", "PPID", "CMD"];
    private static readonly string[] s_statsHeader = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"];

    private int Ps(List<string> args)
    {
        var parsed = new DockerArgs().Bool("all", "a").Bool("quiet", "q").Bool("no-trunc").Parse(args, stopAtPositional: false);
        var all = parsed.IsTrue("all");
        var list = _containers.List().Where(c => all || c.Status == ContainerStatus.Running).ToList();
        if (parsed.IsTrue("quiet"))
        {
            foreach (var c in list)
            {
                Console.Out.WriteLine(c.ShortId);
            }

            return 0;
        }

        var rows = new List<string[]> { s_psHeader };
        foreach (var c in list)
        {
            var command = string.Join(' ', new[] { c.Path }.Concat(c.Args));
            if (!parsed.IsTrue("no-trunc") && command.Length > 20)
            {
                command = command[..19] + "…";
            }

            rows.Add([c.ShortId, c.Image, Format.Quote(command), Format.Ago(c.Created), StatusText(c), "", c.Name]);
        }

        Console.Out.Write(Format.Table(rows));
        return 0;
    }

    private static string StatusText(ContainerRecord c) => c.Status switch
    {
        ContainerStatus.Running => "Up " + Format.Duration(DateTimeOffset.UtcNow - (c.StartedAt ?? c.Created)),
        ContainerStatus.Exited => $"Exited ({c.ExitCode}) {Format.Ago(c.FinishedAt)}",
        _ => "Created",
    };

    private int Stop(List<string> args)
    {
        var parsed = new DockerArgs().Value("time", "t").Value("timeout").Value("signal", "s").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER...");
        var seconds = int.TryParse(parsed.Get("time") ?? parsed.Get("timeout") ?? "10", CultureInfo.InvariantCulture, out var t) ? t : 10;
        var failed = false;
        foreach (var name in parsed.Positionals)
        {
            try
            {
                var record = _containers.Find(name);
                if (record.Status == ContainerStatus.Running)
                {
                    _ = Linux.kill(record.Pid, SignalByName(parsed.Get("signal") ?? "TERM"));
                    if (!WaitExited(record.Id, TimeSpan.FromSeconds(seconds)))
                    {
                        _ = Linux.kill(record.Pid, Linux.Sigkill);
                        WaitExited(record.Id, TimeSpan.FromSeconds(30));
                    }
                }

                Console.Out.WriteLine(name);
            }
            catch (CtrException e)
            {
                Console.Error.WriteLine(e.Message);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    /// <summary>Waits until the monitor has recorded the container's end (or removed it, for --rm).</summary>
    private bool WaitExited(string id, TimeSpan? timeout)
    {
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        while (true)
        {
            if (!_containers.TryRead(id, out var record) || record.Status == ContainerStatus.Exited)
            {
                return true;
            }

            if (!ContainerStore.IsAlive(record.MonitorPid, record.MonitorStartTime))
            {
                _containers.Reconcile();
                continue;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }
    }

    private static readonly string[] s_signals =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    private static int SignalByName(string name)
    {
        if (int.TryParse(name, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65)
        {
            return n;
        }

        var upper = name.ToUpperInvariant();
        if (upper.StartsWith("SIG", StringComparison.Ordinal))
        {
            upper = upper[3..];
        }

        var i = Array.IndexOf(s_signals, upper);
        return i > 0 ? i : throw new CtrException($"invalid signal: {name}");
    }

    private int Kill(List<string> args)
    {
        var parsed = new DockerArgs().Value("signal", "s").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER...");
        var signal = SignalByName(parsed.Get("signal") ?? "KILL");
        var failed = false;
        foreach (var name in parsed.Positionals)
        {
            try
            {
                var record = _containers.Find(name);
                if (record.Status != ContainerStatus.Running || !ContainerStore.IsAlive(record.Pid, record.PidStartTime))
                {
                    throw new CtrException($"Error response from daemon: cannot kill container: {name}: container {record.Id} is not running", 1);
                }

                _ = Linux.kill(record.Pid, signal);
                Console.Out.WriteLine(name);
            }
            catch (CtrException e)
            {
                Console.Error.WriteLine(e.Message);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    private int Rm(List<string> args)
    {
        var parsed = new DockerArgs().Bool("force", "f").Bool("volumes", "v").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER...");
        var failed = false;
        foreach (var name in parsed.Positionals)
        {
            try
            {
                var record = _containers.Find(name);
                if (record.Status == ContainerStatus.Running)
                {
                    if (!parsed.IsTrue("force"))
                    {
                        throw new CtrException($"Error response from daemon: You cannot remove a running container {record.Id}. Stop the container before attempting removal or force remove", 1);
                    }

                    _ = Linux.kill(record.Pid, Linux.Sigkill);
                    WaitExited(record.Id, TimeSpan.FromSeconds(30));
                }

                using (StoreLock.Acquire(_root))
                {
                    if (_containers.TryRead(record.Id, out var fresh))
                    {
                        Cgroups.Remove(fresh.CgroupDirs);
                        _containers.Delete(fresh.Id);
                    }
                }

                Console.Out.WriteLine(name);
            }
            catch (CtrException e)
            {
                Console.Error.WriteLine(e.Message);
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }

    private int Logs(List<string> args)
    {
        var parsed = new DockerArgs().Bool("follow", "f").Value("tail", "n").Bool("timestamps", "t").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER");
        var record = _containers.Find(parsed.Positionals[0]);
        var dir = _containers.PathOf(record.Id);
        var tail = parsed.Get("tail") is { } t && t != "all" ? int.Parse(t, CultureInfo.InvariantCulture) : -1;
        var streams = new[] { (Path.Combine(dir, "stdout.log"), Console.OpenStandardOutput()), (Path.Combine(dir, "stderr.log"), Console.OpenStandardError()) };
        var positions = new long[streams.Length];
        for (var i = 0; i < streams.Length; i++)
        {
            var (file, output) = streams[i];
            if (!File.Exists(file))
            {
                continue;
            }

            var bytes = File.ReadAllBytes(file);
            positions[i] = bytes.Length;
            var start = tail < 0 ? 0 : TailStart(bytes, tail);
            output.Write(bytes, start, bytes.Length - start);
            output.Flush();
        }

        while (parsed.IsTrue("follow"))
        {
            var running = _containers.TryRead(record.Id, out var now) && now.Status == ContainerStatus.Running;
            for (var i = 0; i < streams.Length; i++)
            {
                var (file, output) = streams[i];
                if (!File.Exists(file))
                {
                    continue;
                }

                using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (input.Length > positions[i])
                {
                    input.Position = positions[i];
                    input.CopyTo(output);
                    output.Flush();
                    positions[i] = input.Length;
                }
            }

            if (!running)
            {
                break;
            }

            // `logs -f` follows the files as `tail -f` does: it polls them while the container runs.
            Thread.Sleep(50);
        }

        return 0;
    }

    private static int TailStart(byte[] bytes, int lines)
    {
        var end = bytes.Length;
        if (end > 0 && bytes[end - 1] == '\n')
        {
            end--;
        }

        var count = 0;
        for (var i = end - 1; i >= 0; i--)
        {
            if (bytes[i] == '\n' && ++count == lines)
            {
                return i + 1;
            }
        }

        return lines == 0 ? bytes.Length : 0;
    }

    private int Wait(List<string> args)
    {
        var parsed = new DockerArgs().Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER...");
        foreach (var name in parsed.Positionals)
        {
            var record = _containers.Find(name);
            WaitExited(record.Id, timeout: null);
            var code = _containers.TryRead(record.Id, out var done) ? done.ExitCode : record.ExitCode;
            Console.Out.WriteLine(code.ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    }

    private int Inspect(List<string> args)
    {
        var parsed = new DockerArgs().Value("format", "f").Value("type").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "CONTAINER|IMAGE...");
        var result = new JsonArray();
        var failed = false;
        foreach (var name in parsed.Positionals)
        {
            if (parsed.Get("type") != "image" && TryFindContainer(name, out var c))
            {
                result.Add((JsonNode)ContainerJson(c));
            }
            else if (_images.TryResolve(name, out var image))
            {
                result.Add((JsonNode)ImageJson(image));
            }
            else
            {
                Console.Error.WriteLine($"Error: No such object: {name}");
                failed = true;
            }
        }

        Console.Out.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true, TypeInfoResolver = JsonContext.Default }));
        return failed ? 1 : 0;
    }

    private bool TryFindContainer(string name, out ContainerRecord record)
    {
        try
        {
            record = _containers.Find(name);
            return true;
        }
        catch (CtrException)
        {
            record = null!;
            return false;
        }
    }

    private JsonObject ContainerJson(ContainerRecord c)
    {
        var running = c.Status == ContainerStatus.Running;
        var config = new JsonObject();
        var specFile = Path.Combine(_containers.PathOf(c.Id), "config.json");
        if (File.Exists(specFile) && RuntimeSpecJson.Deserialize(File.ReadAllBytes(specFile)) is { } spec)
        {
            config["Hostname"] = spec.Hostname;
            config["User"] = spec.Process.User.Username ?? spec.Process.User.Uid.ToString(CultureInfo.InvariantCulture);
            config["Tty"] = spec.Process.Terminal;
            config["Env"] = new JsonArray([.. spec.Process.Env.Select(e => (JsonNode)e)]);
            config["Cmd"] = new JsonArray([.. spec.Process.Args.Select(e => (JsonNode)e)]);
            config["WorkingDir"] = spec.Process.Cwd;
            config["Image"] = c.Image;
        }

        return new JsonObject
        {
            ["Id"] = c.Id,
            ["Created"] = c.Created.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["Path"] = c.Path,
            ["Args"] = new JsonArray([.. c.Args.Select(a => (JsonNode)a)]),
            ["State"] = new JsonObject
            {
                ["Status"] = c.Status,
                ["Running"] = running,
                ["Paused"] = false,
                ["Restarting"] = false,
                ["OOMKilled"] = c.OomKilled,
                ["Dead"] = false,
                ["Pid"] = running ? c.Pid : 0,
                ["ExitCode"] = c.ExitCode,
                ["Error"] = c.Error,
                ["StartedAt"] = (c.StartedAt ?? DateTimeOffset.UnixEpoch).UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                ["FinishedAt"] = (c.FinishedAt ?? DateTimeOffset.UnixEpoch).UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            },
            ["Image"] = c.ImageId,
            ["Name"] = "/" + c.Name,
            ["HostConfig"] = new JsonObject
            {
                ["AutoRemove"] = c.AutoRemove,
                ["NetworkMode"] = c.NetworkMode,
                ["Memory"] = c.Memory,
                ["NanoCpus"] = c.NanoCpus,
                ["PidsLimit"] = c.PidsLimit,
                ["ReadonlyRootfs"] = c.ReadonlyRootfs,
                ["Init"] = c.Init,
            },
            ["GraphDriver"] = new JsonObject
            {
                ["Name"] = "overlay2",
                ["Data"] = new JsonObject
                {
                    ["UpperDir"] = Path.Combine(_containers.PathOf(c.Id), "upper"),
                    ["WorkDir"] = Path.Combine(_containers.PathOf(c.Id), "work"),
                },
            },
            ["Config"] = config,
        };
    }

    private int Top(List<string> args)
    {
        var parsed = new DockerArgs().Parse(args, stopAtPositional: true);
        RequireArgs(parsed, 1, "CONTAINER");
        var record = _containers.Find(parsed.Positionals[0]);
        if (record.Status != ContainerStatus.Running)
        {
            throw new CtrException($"Error response from daemon: container {record.Id} is not running", 1);
        }

        var rows = new List<string[]> { s_topHeader };
        foreach (var pid in Cgroups.Pids(record.CgroupDirs).Order())
        {
            try
            {
                var status = File.ReadAllLines($"/proc/{pid}/status");
                var uid = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] ?? "?";
                var ppid = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?[5..].Trim() ?? "?";
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
                rows.Add([uid, pid.ToString(CultureInfo.InvariantCulture), ppid, cmdline]);
            }
            catch (IOException)
            {
            }
        }

        Console.Out.Write(Format.Table(rows));
        return 0;
    }

    private int Stats(List<string> args)
    {
        var parsed = new DockerArgs().Bool("no-stream").Bool("all", "a").Bool("no-trunc").Parse(args, stopAtPositional: false);
        if (!parsed.IsTrue("no-stream"))
        {
            throw new CtrException("only `stats --no-stream` is supported yet", 1);
        }

        var list = parsed.Positionals.Count > 0
            ? parsed.Positionals.Select(_containers.Find).ToList()
            : _containers.List().Where(c => parsed.IsTrue("all") || c.Status == ContainerStatus.Running).ToList();
        var rows = new List<string[]> { s_statsHeader };
        var first = list.Select(c => (c, Cgroups.Stats(c.CgroupDirs))).ToList();
        // CPU % is usage over an interval: two samples of the cgroups' counters, half a second apart.
        var t0 = DateTime.UtcNow;
        Thread.Sleep(list.Count > 0 ? 500 : 0);
        var elapsed = (DateTime.UtcNow - t0).TotalSeconds;
        foreach (var (c, before) in first)
        {
            var s = Cgroups.Stats(c.CgroupDirs);
            var running = c.Status == ContainerStatus.Running;
            var limit = s.MemoryLimit is <= 0 or >= long.MaxValue / 2 ? TotalMemory() : Math.Min(s.MemoryLimit, TotalMemory());
            var cpu = running && elapsed > 0 ? (s.CpuNanoseconds - before.CpuNanoseconds) / (elapsed * 1e9) * 100 : 0;
            var memPercent = limit > 0 ? 100.0 * s.MemoryUsage / limit : 0;
            rows.Add([
                c.ShortId, c.Name, cpu.ToString("0.00", CultureInfo.InvariantCulture) + "%",
                $"{Format.BinarySize(s.MemoryUsage)} / {Format.BinarySize(limit)}", memPercent.ToString("0.00", CultureInfo.InvariantCulture) + "%",
                "0B / 0B", "0B / 0B", s.Pids.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        Console.Out.Write(Format.Table(rows));
        return 0;
    }

    private static long TotalMemory()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                return long.Parse(line[9..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private int Prune(List<string> args)
    {
        _ = new DockerArgs().Bool("force", "f").Parse(args, stopAtPositional: false);
        var deleted = new StringBuilder();
        using (StoreLock.Acquire(_root))
        {
            foreach (var c in _containers.List().Where(c => c.Status != ContainerStatus.Running))
            {
                Cgroups.Remove(c.CgroupDirs);
                _containers.Delete(c.Id);
                deleted.Append(c.Id).Append('\n');
            }

            // Staging directories of loads and imports that a killed forge left.
            _images.CleanTemp();
        }

        if (deleted.Length > 0)
        {
            Console.Out.Write("Deleted Containers:\n" + deleted + "\n");
        }

        Console.Out.WriteLine("Total reclaimed space: 0B");
        return 0;
    }
}
