using System.Runtime.InteropServices;
using System.Text.Json;
using Forge.Containers.Init;
using Forge.Containers.Interop;
using Forge.Containers.Runtime;

namespace Forge.Containers.Cli;

internal sealed partial class Verbs
{
    /// <summary>
    /// `exec [-i] [-t] [-e K=V] [-w DIR] [-u USER] CONTAINER CMD…`: the container's bundle spec with
    /// the process replaced, written beside it as exec-&lt;n&gt;.json, started by the init stage in
    /// the container's namespaces, cgroups and root; the exit code is the command's.
    /// </summary>
    private int Exec(List<string> args)
    {
        var parsed = new DockerArgs()
            .Bool("interactive", "i").Bool("tty", "t").Bool("detach", "d").Value("env", "e").Value("env-file")
            .Value("workdir", "w").Value("user", "u").Bool("privileged")
            .Parse(args, stopAtPositional: true);
        RequireArgs(parsed, 2, "CONTAINER COMMAND [ARG...]");
        if (parsed.IsTrue("privileged") || parsed.IsTrue("detach"))
        {
            throw new CtrException("exec --privileged and -d are not supported yet", 1);
        }

        var record = _containers.Find(parsed.Positionals[0]);
        if (record.Status != ContainerStatus.Running || !ContainerStore.IsAlive(record.Pid, record.PidStartTime))
        {
            throw new CtrException($"Error response from daemon: container {record.Id} is not running", 1);
        }

        var dir = _containers.PathOf(record.Id);
        var spec = RuntimeSpecJson.Deserialize(File.ReadAllBytes(Path.Combine(dir, "config.json")));
        spec.Process.Args = parsed.Positionals.Skip(1).ToList();
        spec.Process.Terminal = parsed.IsTrue("tty");
        var env = spec.Process.Env;
        foreach (var file in parsed.All("env-file"))
        {
            env.AddRange(ReadEnvFile(file));
        }

        foreach (var kv in parsed.All("env"))
        {
            var key = kv.Split('=')[0];
            env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
            env.Add(kv.Contains('=', StringComparison.Ordinal) ? kv : key + "=" + Environment.GetEnvironmentVariable(key));
        }

        if (parsed.IsTrue("tty") && !env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)))
        {
            env.Add("TERM=xterm");
        }

        if (parsed.Get("workdir") is { } workdir)
        {
            spec.Process.Cwd = workdir;
        }

        if (parsed.Get("user") is { } user)
        {
            spec.Process.User = BundleBuilder.ParseUser(user);
        }

        spec.Annotations.Remove(ContainerInit.InitAnnotation);
        spec.Annotations[ContainerInit.ExecPidAnnotation] = record.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var specFile = Path.Combine(dir, $"exec-{Environment.ProcessId}.json");
        var devNull = Linux.open("/dev/null", Linux.ORdonly | Linux.OCloexec, 0);
        Terminal? terminal = null;
        try
        {
            (int, int, int) stdio = (parsed.IsTrue("interactive") ? 0 : devNull, 1, 2);
            if (parsed.IsTrue("tty"))
            {
                terminal = Terminal.Open(parsed.IsTrue("interactive"));
                stdio = (terminal.Slave, terminal.Slave, terminal.Slave);
            }

            File.WriteAllBytes(specFile, RuntimeSpecJson.Serialize(spec));
            var pid = Launcher.StartExec(specFile, record.Pid, stdio);
            terminal?.ChildStarted();
            var registrations = new List<PosixSignalRegistration>();
            foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    _ = Linux.kill(pid, number);
                }));
            }

            try
            {
                return Launcher.Wait(pid);
            }
            finally
            {
                foreach (var r in registrations)
                {
                    r.Dispose();
                }

                terminal?.ChildExited();
            }
        }
        finally
        {
            terminal?.Dispose();
            _ = Linux.close(devNull);
            File.Delete(specFile);
        }
    }
}
