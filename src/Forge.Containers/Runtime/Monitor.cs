using System.Runtime.InteropServices;
using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// The process that starts a container and waits for it: `forge ctr run` itself in the
/// foreground, or the detached `forge ctr __monitor ID` that `run -d` leaves behind (docker's
/// containerd-shim). It records the lifecycle's transitions, forwards signals, reads the OOM
/// counter, removes the cgroups and, for --rm, the container.
/// </summary>
internal static class Monitor
{
    /// <summary>Runs the container to its end and returns its exit code. <paramref name="started"/> gets null once it runs, or the error.</summary>
    public static int Run(ContainerStore store, ContainerRecord record, RuntimeSpec spec, (int In, int Out, int Err) stdio, Action<CtrException?>? started = null, Terminal? terminal = null, LaunchThread? launch = null)
    {
        var bundle = store.PathOf(record.Id);
        if (record.MonitorPid != Environment.ProcessId)
        {
            // A detached monitor takes over from the `run -d` that created the record.
            record.MonitorPid = Environment.ProcessId;
            record.MonitorStartTime = ContainerStore.StartTime(record.MonitorPid);
            store.Write(record);
        }

        int pid;
        try
        {
            pid = Launcher.Start(bundle, spec, stdio, launch);
        }
        catch (CtrException e)
        {
            Cgroups.Remove(record.CgroupDirs);
            using (StoreLock.Acquire(store.Root))
            {
                record.ExitCode = e.ExitCode;
                record.Error = e.Message;
                record.FinishedAt = DateTimeOffset.UtcNow;
                if (record.AutoRemove)
                {
                    store.Delete(record.Id);
                }
                else
                {
                    store.Transition(record, ContainerStatus.Exited);
                }
            }

            started?.Invoke(e);
            throw;
        }

        terminal?.ChildStarted();
        record.Pid = pid;
        record.PidStartTime = ContainerStore.StartTime(pid);
        record.StartedAt = DateTimeOffset.UtcNow;
        store.Transition(record, ContainerStatus.Running);
        started?.Invoke(null);

        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _ = Linux.kill(pid, SignalNumber(context.Signal));
            }));
        }

        int code;
        try
        {
            code = Launcher.Wait(pid);
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }

        Tracing.Mark("monitor: container exited");
        terminal?.ChildExited();
        var oom = Cgroups.OomKilled(record.CgroupDirs);
        Cgroups.Remove(record.CgroupDirs);
        Tracing.Mark("monitor: cgroups removed");
        using (StoreLock.Acquire(store.Root))
        {
            if (!store.TryRead(record.Id, out var fresh))
            {
                return code; // removed meanwhile (rm -f)
            }

            fresh.ExitCode = code;
            fresh.OomKilled = oom;
            fresh.FinishedAt = DateTimeOffset.UtcNow;
            if (fresh.AutoRemove)
            {
                store.Delete(fresh.Id);
            }
            else
            {
                store.Transition(fresh, ContainerStatus.Exited);
            }
        }

        Tracing.Mark("monitor: record settled");
        return code;
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGQUIT => 3,
        _ => (int)signal,
    };
}
