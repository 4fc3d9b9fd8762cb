using System.Globalization;
using System.Text;
using System.Text.Json;
using Forge.Containers.Images;
using Forge.Containers.Interop;
using Forge.Containers.Runtime;

namespace Forge.Containers.Cli;

internal sealed partial class Verbs
{
    private int RunVerb(List<string> args)
    {
        var parsed = new DockerArgs()
            .Bool("detach", "d").Bool("rm").Bool("interactive", "i").Bool("tty", "t").Bool("init").Bool("read-only")
            .Value("name").Value("env", "e").Value("env-file").Value("workdir", "w").Value("user", "u").Value("volume", "v")
            .Value("tmpfs").Value("memory", "m").Value("cpus").Value("pids-limit").Value("hostname", "h").Value("network").Value("net")
            .Value("entrypoint").Value("ulimit")
            .Parse(args, stopAtPositional: true);
        RequireArgs(parsed, 1, "IMAGE [COMMAND] [ARG...]");
        var options = new RunOptions
        {
            Image = parsed.Positionals[0],
            Command = parsed.Positionals.Skip(1).ToList(),
            Detach = parsed.IsTrue("detach"),
            AutoRemove = parsed.IsTrue("rm"),
            Interactive = parsed.IsTrue("interactive"),
            Tty = parsed.IsTrue("tty"),
            Init = parsed.IsTrue("init"),
            ReadOnly = parsed.IsTrue("read-only"),
            Name = parsed.Get("name"),
            Workdir = parsed.Get("workdir"),
            User = parsed.Get("user"),
            Hostname = parsed.Get("hostname"),
            Network = parsed.Get("network") ?? parsed.Get("net") ?? "none",
            Entrypoint = parsed.Get("entrypoint"),
            Volumes = [.. parsed.All("volume")],
            Tmpfs = [.. parsed.All("tmpfs")],
            Ulimits = [.. parsed.All("ulimit")],
        };
        foreach (var file in parsed.All("env-file"))
        {
            options.Env.AddRange(ReadEnvFile(file));
        }

        options.Env.AddRange(parsed.All("env"));
        if (parsed.Get("memory") is { } memory)
        {
            options.Memory = BundleBuilder.ParseBytes(memory);
        }

        if (parsed.Get("cpus") is { } cpus)
        {
            options.Cpus = double.TryParse(cpus, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ? c : throw new CtrException($"invalid argument \"{cpus}\" for \"--cpus\" flag: failed to parse");
        }

        if (parsed.Get("pids-limit") is { } pids)
        {
            options.PidsLimit = long.TryParse(pids, CultureInfo.InvariantCulture, out var p) ? p : throw new CtrException($"invalid argument \"{pids}\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"{pids}\": invalid syntax");
        }

        if (options.Detach && options.AutoRemove && options.Tty)
        {
            throw new CtrException("-d with -t is not supported yet (a detached terminal needs attach)");
        }

        if (options.Name is { } name && !ValidName(name))
        {
            throw new CtrException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }

        Tracing.Mark("run: parsed");
        var image = _images.Resolve(options.Image);
        Tracing.Mark("run: image resolved");
        var id = ContainerStore.NewId();
        var bundle = _containers.PathOf(id);
        var command = BundleBuilder.Command(options, image);
        var namespaces = BundleBuilder.Namespaces(options);
        var unshareFlags = Launcher.NamespaceFlags(namespaces);
        var cgroups = Cgroups.Detect();
        ContainerRecord record;
        RuntimeSpec spec;
        LaunchThread? launch = null;
        using (StoreLock.Acquire(_root))
        {
            var existing = _containers.List();
            if (options.Name is { } taken && existing.FirstOrDefault(c => c.Name == taken) is { } owner)
            {
                throw new CtrException($"Conflict. The container name \"/{taken}\" is already in use by container \"{owner.Id}\". You have to remove (or rename) that container to be able to reuse that name.");
            }

            Directory.CreateDirectory(bundle);
            record = new ContainerRecord
            {
                Id = id,
                Name = options.Name ?? NameGenerator.Next(existing.Select(c => c.Name)),
                Image = options.Image,
                ImageId = image.Id,
                Created = DateTimeOffset.UtcNow,
                Path = command[0],
                Args = command[1..],
                CgroupDirs = cgroups.Directories("/forge/" + id),
                AutoRemove = options.AutoRemove,
                Detached = options.Detach,
                Tty = options.Tty,
                NetworkMode = options.Network,
                Memory = options.Memory ?? 0,
                NanoCpus = options.Cpus is { } n ? (long)(n * 1e9) : 0,
                PidsLimit = options.PidsLimit ?? 0,
                ReadonlyRootfs = options.ReadOnly,
                Init = options.Init,

                // This process owns the record until a monitor takes over: if it dies first, the
                // next command finds the owner gone and removes what was created.
                MonitorPid = Environment.ProcessId,
                MonitorStartTime = ContainerStore.StartTime(Environment.ProcessId),
            };
            try
            {
                // The record, complete but for the state, before anything it names exists: whoever
                // finds it with this process gone removes what was created. Each rewrite costs a
                // new inode (~0.2 ms on this machine's ext4), so the next one is "running".
                _containers.Write(record);

                // cgroups first, so that the launcher thread can join them (v1) while the bundle is written.
                cgroups.Create("/forge/" + id, BundleBuilder.Resources(options));
                Tracing.Mark("run: cgroups created");
                if (!options.Detach)
                {
                    // The thread joins the cgroups (v1, and not with a pids limit: it would count
                    // against it until it ends) and unshares the namespaces while the bundle is written.
                    var join = !cgroups.Unified && options.PidsLimit is null;
                    launch = LaunchThread.Start(join ? record.CgroupDirs : [], unshareFlags);
                }

                spec = BundleBuilder.Build(options, image, _images, id, bundle, command, namespaces);
                Tracing.Mark("run: bundle written");
            }
            catch
            {
                launch?.Abandon();
                Cgroups.Remove(record.CgroupDirs);
                _containers.Delete(id);
                throw;
            }
        }

        return options.Detach ? StartDetached(record) : RunForeground(record, spec, options, launch);
    }

    private static bool ValidName(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static List<string> ReadEnvFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CtrException($"open {path}: no such file or directory");
        }

        return File.ReadAllLines(path).Select(l => l.TrimStart()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    private int RunForeground(ContainerRecord record, RuntimeSpec spec, RunOptions options, LaunchThread? launch)
    {
        var devNull = Linux.open("/dev/null", Linux.ORdonly | Linux.OCloexec, 0);
        Terminal? terminal = null;
        try
        {
            (int, int, int) stdio = (options.Interactive ? 0 : devNull, 1, 2);
            if (options.Tty)
            {
                try
                {
                    terminal = Terminal.Open(options.Interactive);
                }
                catch
                {
                    launch?.Abandon();
                    Cgroups.Remove(record.CgroupDirs);
                    _containers.Delete(record.Id);
                    throw;
                }

                stdio = (terminal.Slave, terminal.Slave, terminal.Slave);
                spec.Annotations[Init.ContainerInit.ConsoleAnnotation] = terminal.SlavePath;
                File.WriteAllBytes(Path.Combine(_containers.PathOf(record.Id), "config.json"), RuntimeSpecJson.Serialize(spec));
            }

            return Runtime.Monitor.Run(_containers, record, spec, stdio, terminal: terminal, launch: launch);
        }
        finally
        {
            terminal?.Dispose();
            _ = Linux.close(devNull);
        }
    }

    /// <summary>
    /// `run -d`: a detached monitor (forge re-executed in its own session) starts and waits for
    /// the container; this process prints the ID once the monitor reports the container running.
    /// </summary>
    private unsafe int StartDetached(ContainerRecord record)
    {
        var fds = stackalloc int[2];
        if (Linux.pipe2(fds, Linux.OCloexec) != 0)
        {
            throw new CtrException("pipe2: " + Linux.ErrorText(Linux.Errno));
        }

        var devNull = Linux.open("/dev/null", Linux.ORdwr | Linux.OCloexec, 0);
        var log = Linux.open(Path.Combine(_containers.PathOf(record.Id), "monitor.log"), Linux.OWronly | Linux.OCreat | Linux.OAppend | Linux.OCloexec, 0x1a4);
        try
        {
            var self = Environment.ProcessPath ?? throw new CtrException("cannot find the forge binary");
            Spawn.Start(self, ["forge", "ctr", "--root", _root, "__monitor", record.Id], Spawn.CurrentEnvironment(),
                [(devNull, 0), (devNull, 1), (log, 2), (fds[1], 3)], newSession: true);
        }
        catch
        {
            _containers.Delete(record.Id);
            throw;
        }
        finally
        {
            _ = Linux.close(fds[1]);
            _ = Linux.close(devNull);
            _ = Linux.close(log);
        }

        var buffer = new byte[4096];
        var total = new MemoryStream();
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Linux.read(fds[0], p, (nuint)buffer.Length);
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

        _ = Linux.close(fds[0]);
        var report = Encoding.UTF8.GetString(total.ToArray());
        if (report.StartsWith("ok", StringComparison.Ordinal))
        {
            Console.Out.WriteLine(record.Id);
            return 0;
        }

        var newline = report.IndexOf('\n', StringComparison.Ordinal);
        if (newline > 0 && int.TryParse(report[..newline], CultureInfo.InvariantCulture, out var code))
        {
            throw new CtrException(report[(newline + 1)..], code);
        }

        throw new CtrException("the container's monitor exited before starting it" + (report.Length > 0 ? ": " + report : ""));
    }

    /// <summary>`__monitor ID`: the detached side of `run -d`; fd 3 is the pipe to the `run` that started it.</summary>
    private unsafe int MonitorVerb(List<string> args)
    {
        _ = Linux.fcntl(3, Linux.FSetfd, Linux.FdCloexec);
        void Report(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            fixed (byte* p = bytes)
            {
                _ = Linux.write(3, p, (nuint)bytes.Length);
            }

            _ = Linux.close(3);
        }

        if (args.Count != 1 || !_containers.TryRead(args[0], out var record))
        {
            Report($"{CtrException.ExitForge}\nno such container record");
            return CtrException.ExitForge;
        }

        var bundle = _containers.PathOf(record.Id);
        var spec = RuntimeSpecJson.Deserialize(File.ReadAllBytes(Path.Combine(bundle, "config.json")));
        var devNull = Linux.open("/dev/null", Linux.ORdonly | Linux.OCloexec, 0);
        var stdout = Linux.open(Path.Combine(bundle, "stdout.log"), Linux.OWronly | Linux.OCreat | Linux.OAppend | Linux.OCloexec, 0x1a0);
        var stderr = Linux.open(Path.Combine(bundle, "stderr.log"), Linux.OWronly | Linux.OCreat | Linux.OAppend | Linux.OCloexec, 0x1a0);
        try
        {
            return Runtime.Monitor.Run(_containers, record, spec, (devNull, stdout, stderr), started: e => Report(e is null ? "ok" : $"{e.ExitCode}\n{e.Message}"));
        }
        catch (CtrException)
        {
            return CtrException.ExitForge;
        }
        finally
        {
            _ = Linux.close(devNull);
            _ = Linux.close(stdout);
            _ = Linux.close(stderr);
        }
    }
}
