using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// The thread that will unshare the namespaces and spawn the init stage, started early. On a
/// cgroup v1 host it first moves itself (through each hierarchy's <c>tasks</c> file) into
/// the container's cgroups, so that the init it spawns starts there: the first migration into a
/// new cgroup waits for an RCU grace period (~10 ms measured here), and done on this thread it
/// overlaps with the caller writing the bundle instead of delaying the init. Then it unshares
/// the namespaces it was given (~0.6 ms, most of it the network namespace), also meanwhile. The
/// caller must <see cref="Run"/> or <see cref="Abandon"/> it before removing those cgroups.
/// </summary>
internal sealed class LaunchThread
{
    /// <summary>Tells the init stage (through its environment) that it already is in its cgroups.</summary>
    public const string JoinedVariable = "FORGE_CTR_CGROUPS_JOINED";

    private readonly Thread _thread;
    private readonly object _gate = new();
    private bool _go;
    private readonly IReadOnlyList<string> _taskFiles;
    private Action? _work;
    private Exception? _failure;

    private readonly int _unshareFlags;

    private LaunchThread(IReadOnlyList<string> taskFiles, int unshareFlags)
    {
        _taskFiles = taskFiles;
        _unshareFlags = unshareFlags;
        _thread = new Thread(Body) { Name = "forge ctr launcher", IsBackground = true };
    }

    /// <summary>True once the thread is in every cgroup it was given.</summary>
    public bool JoinedCgroups { get; private set; }

    // The namespaces this thread is in since its own unshare (0: still the caller's), or why that failed.
    private int _unshared;
    private CtrException? _unshareError;

    /// <summary>
    /// Starts the thread; it joins the v1 cgroup directories given (none: it joins nothing), then
    /// unshares <paramref name="unshareFlags"/> (0: nothing, the work passed to Run does it).
    /// </summary>
    public static LaunchThread Start(IReadOnlyList<string> v1CgroupDirs, int unshareFlags = 0)
    {
        var launch = new LaunchThread(v1CgroupDirs.Select(d => Path.Combine(d, "tasks")).ToList(), unshareFlags);
        launch._thread.Start();
        return launch;
    }

    private void Body()
    {
        try
        {
            if (_taskFiles.Count > 0)
            {
                // "0" is the writing thread itself. The kernel moves `current` without taking the
                // global threadgroup lock, whose write side waits for an RCU grace period: writing
                // the TID took ~7.5 ms for six hierarchies here, writing 0 ~1.6 ms.
                foreach (var file in _taskFiles)
                {
                    File.WriteAllText(file, "0");
                }

                JoinedCgroups = true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The init stage joins them itself.
        }

        if (_unshareFlags != 0)
        {
            try
            {
                Unshare(_unshareFlags);
            }
            catch (CtrException e)
            {
                _unshareError = e; // reported when the work asks for these namespaces
            }
        }

        lock (_gate)
        {
            while (!_go)
            {
                System.Threading.Monitor.Wait(_gate);
            }
        }

        try
        {
            _work?.Invoke();
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    /// <summary>
    /// On this thread (from the work passed to <see cref="Run"/>): puts it in new namespaces for
    /// <paramref name="flags"/>, unless it already unshared exactly those at its start.
    /// </summary>
    public void Unshare(int flags)
    {
        if (_unshareError is { } error)
        {
            throw error;
        }

        if (_unshared == flags)
        {
            return;
        }

        if (_unshared != 0)
        {
            throw new InvalidOperationException("the launcher thread unshared other namespaces than the spec's");
        }

        if (Linux.unshare(flags) != 0)
        {
            throw new CtrException("unshare: " + Linux.ErrorText(Linux.Errno));
        }

        _unshared = flags;
    }

    /// <summary>Runs <paramref name="work"/> on the thread, waits for it to end, and rethrows its exception.</summary>
    public void Run(Action work)
    {
        lock (_gate)
        {
            _work = work;
            _go = true;
            System.Threading.Monitor.Pulse(_gate);
        }

        _thread.Join();
        if (_failure is not null)
        {
            throw _failure as CtrException ?? new CtrException(_failure.Message, _failure);
        }
    }

    /// <summary>Lets the thread end without doing anything (the container will not start).</summary>
    public void Abandon() => Run(() => { });
}
