using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Forge.Io.Interop;
using Microsoft.Extensions.Logging;

namespace Forge.Io;

/// <summary>
/// One epoll instance and the thread that waits on it (docs/ARCHITECTURE.md, "Forge.Io"; the
/// cache's use: docs/cache.md, "Threading model"; the tunnel's: docs/tunnel.md, "Threading").
/// Sockets are registered edge-triggered for input and output; an event wakes the connection
/// that waits for it, and the connection's code then runs on this thread, inline, until it waits
/// again, as in Redis's event loop. A connection asks for readiness only when it has nothing left
/// to read, so the common request costs one recv, one send and a share of an epoll_wait; .NET's
/// own socket engine tries each receive first and gets EAGAIN when the client has not sent yet.
/// Work queued with <see cref="RunBeforeWait"/> runs once the events of an iteration are handled,
/// before the next wait (Redis's beforeSleep): what many connections produced in one iteration
/// can leave in one write.
/// </summary>
public sealed unsafe class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = ulong.MaxValue;

    private readonly int _epfd;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly int _threadId;
    private readonly ILogger _logger;
    private readonly Lock _slotsGate = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private List<Action> _beforeWait = [];
    private List<Action> _beforeWaitRunning = [];
    private SocketReadiness?[] _slots = new SocketReadiness?[64];
    private int _slotCount;
    private readonly Lock _fdGate = new();
    private volatile bool _stopping;
    private bool _disposed; // under _fdGate: the descriptors are closed

    public EventLoop(int index, ILogger logger, string name = "io-loop")
    {
        _logger = logger;
        _epfd = Linux.epoll_create1(Linux.EpollCloexec);
        if (_epfd < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        _wakeFd = Linux.eventfd(0, Linux.EfdCloexec | Linux.EfdNonblock);
        if (_wakeFd < 0 || Control(Linux.EpollCtlAdd, _wakeFd, Linux.EpollIn, WakeToken) != 0)
        {
            var message = Marshal.GetLastPInvokeErrorMessage();
            if (_wakeFd >= 0)
            {
                Linux.close(_wakeFd);
            }

            Linux.close(_epfd);
            throw new InvalidOperationException($"eventfd failed: {message}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"{name}-{index}" };
        _threadId = _thread.ManagedThreadId;
        _thread.UnsafeStart();
    }

    /// <summary>True on this loop's thread.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>
    /// Continues on this loop's thread (at once when already there). A connection's commands run
    /// there, so that they execute in the order the loop sees its connections' input, as in
    /// Redis: a connection started by the accept thread or woken on the thread pool (a blocking
    /// pop served) comes back here before it reads and runs anything more.
    /// </summary>
    public SwitchAwaitable SwitchTo() => new(this);

    /// <summary>Runs <paramref name="action"/> on this loop's thread, soon (from any thread).</summary>
    public void Post(Action action)
    {
        lock (_fdGate)
        {
            if (!_disposed)
            {
                _posted.Enqueue(action);
                ulong one = 1;
                Linux.write(_wakeFd, (byte*)&one, 8);
                return;
            }
        }

        // The loop is gone: run it anyway, on the thread pool (it finds its waits closed).
        ThreadPool.UnsafeQueueUserWorkItem(static a => a(), action, preferLocal: false);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on this loop's thread after the events of the current
    /// iteration are handled and before the loop waits again. Call it on the loop's thread.
    /// </summary>
    public void RunBeforeWait(Action action)
    {
        if (!IsCurrentThread)
        {
            throw new InvalidOperationException("RunBeforeWait is for the loop's own thread; use Post");
        }

        _beforeWait.Add(action);
    }

    private void RunBeforeWaitActions()
    {
        // An action may queue more (a write that made another connection ready): run until none.
        while (_beforeWait.Count > 0)
        {
            (_beforeWait, _beforeWaitRunning) = (_beforeWaitRunning, _beforeWait);
            foreach (var action in _beforeWaitRunning)
            {
                try
                {
                    action();
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Before-wait action failed");
                }
            }

            _beforeWaitRunning.Clear();
        }
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Connection continuation failed");
            }
        }
    }

    /// <summary>The awaitable of <see cref="SwitchTo"/>.</summary>
    public readonly struct SwitchAwaitable(EventLoop loop) : ICriticalNotifyCompletion
    {
        public SwitchAwaitable GetAwaiter() => this;

        public bool IsCompleted => loop.IsCurrentThread;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => loop.Post(continuation);

        public void UnsafeOnCompleted(Action continuation) => loop.Post(continuation);
    }

    /// <summary>Sockets registered now (for tests and diagnostics).</summary>
    public int Registered
    {
        get
        {
            lock (_slotsGate)
            {
                return _slotCount - _freeSlots.Count;
            }
        }
    }

    /// <summary>Adds a non-blocking socket; its readiness events arrive on this loop's thread.</summary>
    public SocketReadiness Register(Socket socket)
    {
        int slot;
        SocketReadiness readiness;
        lock (_slotsGate)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _slotCount++;
                if (slot == _slots.Length)
                {
                    // Grow by copying: the loop thread may be reading the old array, whose entries
                    // stay valid; it sees the new array on its next lookup.
                    var grown = new SocketReadiness?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }
            }

            readiness = new SocketReadiness(this, socket, slot);
            Volatile.Write(ref _slots[slot], readiness);
        }

        int result, error;
        lock (_fdGate)
        {
            if (_disposed)
            {
                Release(readiness);
                throw new ObjectDisposedException(nameof(EventLoop));
            }

            result = Control(Linux.EpollCtlAdd, (int)socket.Handle, Linux.EpollIn | Linux.EpollOut | Linux.EpollRdHup | Linux.EpollEt, readiness.Token);
            error = result != 0 ? Marshal.GetLastPInvokeError() : 0;
        }

        if (result != 0)
        {
            Release(readiness);
            throw new SocketException(error);
        }

        return readiness;
    }

    /// <summary>Removes the socket (before it is closed) and frees its slot.</summary>
    public void Unregister(SocketReadiness readiness)
    {
        ArgumentNullException.ThrowIfNull(readiness);

        // Hold a reference on the descriptor while it is named: a socket closed behind our back
        // has given its number back, and the number may already be another socket's.
        var handle = readiness.Socket.SafeHandle;
        var referenced = false;
        try
        {
            handle.DangerousAddRef(ref referenced);
            lock (_fdGate)
            {
                if (!_disposed)
                {
                    Control(Linux.EpollCtlDel, (int)handle.DangerousGetHandle(), 0, 0);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // closed already: the kernel dropped the registration with the file
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }

        Release(readiness);
    }

    private void Release(SocketReadiness readiness)
    {
        lock (_slotsGate)
        {
            if (ReferenceEquals(_slots[readiness.Slot], readiness))
            {
                Volatile.Write(ref _slots[readiness.Slot], null);
                _freeSlots.Push(readiness.Slot);
            }
        }
    }

    private int Control(int op, int fd, uint events, ulong token)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + Linux.EpollDataOffset) = token;
        return Linux.epoll_ctl(_epfd, op, fd, ev);
    }

    private void Run()
    {
        var size = Linux.EpollEventSize;
        var offset = Linux.EpollDataOffset;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        try
        {
            while (!_stopping)
            {
                var n = Linux.epoll_wait(_epfd, events, MaxEvents, -1);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Linux.Eintr)
                    {
                        continue;
                    }

                    _logger.LogError("epoll_wait failed: {Message}", Marshal.GetPInvokeErrorMessage(errno));
                    return;
                }

                var slots = Volatile.Read(ref _slots);
                for (var i = 0; i < n; i++)
                {
                    var e = events + (i * size);
                    var mask = *(uint*)e;
                    var token = *(ulong*)(e + offset);
                    if (token == WakeToken)
                    {
                        ulong drained;
                        Linux.read(_wakeFd, (byte*)&drained, 8);
                        RunPosted();
                        slots = Volatile.Read(ref _slots);
                        continue;
                    }

                    var slot = (int)(uint)token;
                    if (slot >= slots.Length)
                    {
                        slots = Volatile.Read(ref _slots);
                    }

                    var readiness = Volatile.Read(ref slots[slot]);
                    if (readiness is null || readiness.Token != token)
                    {
                        continue; // an event for a socket unregistered since (its slot was reused)
                    }

                    try
                    {
                        readiness.OnEvents(mask);
                    }
                    catch (Exception ex)
                    {
                        // The connection's own code runs inside OnEvents and handles its errors;
                        // whatever escapes must not end the loop that serves everyone else.
                        _logger.LogError(ex, "Connection event handler failed");
                    }
                }

                RunBeforeWaitActions();
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    public void Dispose()
    {
        lock (_fdGate)
        {
            if (_stopping)
            {
                return; // disposed already (or being disposed)
            }

            _stopping = true;
            ulong one = 1;
            Linux.write(_wakeFd, (byte*)&one, 8);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        // From here Post runs work on the thread pool and Register refuses.
        lock (_fdGate)
        {
            _disposed = true;
        }

        // Connections still registered will get no more events: end their waits.
        SocketReadiness?[] slots;
        lock (_slotsGate)
        {
            slots = [.. _slots];
        }

        foreach (var readiness in slots)
        {
            readiness?.CloseWaiters();
        }

        // Continuations posted too late for the loop: they find their waits closed and end.
        RunPosted();

        lock (_fdGate)
        {
            Linux.close(_wakeFd);
            Linux.close(_epfd);
        }
    }

    /// <summary>The loops of a server: connections are handed out round-robin.</summary>
    public sealed class Group : IDisposable
    {
        private readonly EventLoop[] _loops;
        private int _next;

        public Group(int count, ILogger logger, string name = "io-loop")
        {
            _loops = new EventLoop[Math.Max(1, count)];
            for (var i = 0; i < _loops.Length; i++)
            {
                _loops[i] = new EventLoop(i, logger, name);
            }
        }

        /// <summary>The next loop, round-robin.</summary>
        public EventLoop Next() => _loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)_loops.Length)];

        public int Registered => _loops.Sum(l => l.Registered);

        public SocketReadiness Register(Socket socket)
        {
            return Next().Register(socket);
        }

        public void Dispose()
        {
            foreach (var loop in _loops)
            {
                loop.Dispose();
            }
        }
    }
}

/// <summary>
/// A socket registered with an <see cref="EventLoop"/>: one awaitable for "readable" and one for
/// "writable". Edge-triggered events are latched, so an event that arrives while nobody waits is
/// kept for the next wait; the wait then completes at once.
/// </summary>
public sealed class SocketReadiness
{
    private static long s_generation;

    internal SocketReadiness(EventLoop loop, Socket socket, int slot)
    {
        Loop = loop;
        Socket = socket;
        Slot = slot;
        Token = ((ulong)(uint)Interlocked.Increment(ref s_generation) << 32) | (uint)slot;
    }

    public Socket Socket { get; }

    /// <summary>The loop whose thread runs this connection.</summary>
    public EventLoop Loop { get; }

    public int Slot { get; }

    /// <summary>epoll's data word: the slot and a generation, so a stale event for a reused slot is ignored.</summary>
    public ulong Token { get; }

    public Waiter Readable { get; } = new();

    public Waiter Writable { get; } = new();

    internal void OnEvents(uint mask)
    {
        if ((mask & (Linux.EpollRdHup | Linux.EpollHup | Linux.EpollErr)) != 0)
        {
            // The peer closed (or reset) its side. Data that came with it arrives in this same
            // edge-triggered event, and no event will follow: a reader that takes the data must
            // find the socket readable again (to read the end of stream), so it stays readable.
            Readable.SignalForever();
        }
        else if ((mask & Linux.EpollIn) != 0)
        {
            Readable.Signal();
        }

        if ((mask & (Linux.EpollOut | Linux.EpollHup | Linux.EpollErr)) != 0)
        {
            Writable.Signal();
        }
    }

    /// <summary>Leaves the loop; waits in progress and later ones complete with false.</summary>
    public void Close()
    {
        Loop.Unregister(this);
        CloseWaiters();
    }

    internal void CloseWaiters()
    {
        Readable.Close();
        Writable.Close();
    }

    /// <summary>
    /// A reusable awaitable for one kind of readiness, with one waiter at a time. The continuation
    /// runs inline on the thread that signals it (the loop's), except after <see cref="Close"/>.
    /// </summary>
    public sealed class Waiter : IValueTaskSource<bool>
    {
        private const int Idle = 0;
        private const int Ready = 1;
        private const int Waiting = 2;
        private const int Closed = 3;

        private ManualResetValueTaskSourceCore<bool> _core;
        private int _state;
        private volatile bool _forever;

        /// <summary>
        /// When set, a wait that has to wait continues on the thread pool instead of inline on
        /// the loop's thread: for CPU-heavy phases (a TLS handshake) that must not stall the
        /// loop's other connections. Set it only from the waiting side, between waits.
        /// </summary>
        public bool ContinueOnThreadPool { get; set; }

        /// <summary>
        /// Completes at once (true) when an event came since the last wait, or ever after
        /// <see cref="SignalForever"/>; false once closed.
        /// </summary>
        public ValueTask<bool> WaitAsync()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready)
            {
                return new ValueTask<bool>(true);
            }

            if (Volatile.Read(ref _state) == Closed)
            {
                return new ValueTask<bool>(false);
            }

            if (_forever)
            {
                return new ValueTask<bool>(true);
            }

            _core.Reset();
            _core.RunContinuationsAsynchronously = ContinueOnThreadPool; // Interrupt may have set it
            if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle)
            {
                return new ValueTask<bool>(this, _core.Version);
            }

            // Signalled (or closed) between the two steps.
            return new ValueTask<bool>(Interlocked.CompareExchange(ref _state, Idle, Ready) == Ready);
        }

        /// <summary>An event: completes the wait in progress, inline, or latches for the next one.</summary>
        public void Signal() => Complete(inline: true);

        /// <summary>A lasting condition (the peer closed): every later wait completes at once.</summary>
        public void SignalForever()
        {
            _forever = true;
            Signal();
        }

        /// <summary>
        /// Ends a wait in progress with true without an event (a cancelled read or write: the
        /// waiter re-checks its token), its continuation on the thread pool, not on the caller's.
        /// Without a wait in progress it latches, like an event: a wait about to start (its token
        /// fired first) returns at once and its owner sees the cancellation.
        /// </summary>
        public void Interrupt() => Complete(inline: false);

        private void Complete(bool inline)
        {
            while (true)
            {
                switch (Volatile.Read(ref _state))
                {
                    case Waiting:
                        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                        {
                            if (!inline)
                            {
                                _core.RunContinuationsAsynchronously = true;
                            }

                            _core.SetResult(true);
                            return;
                        }

                        break;
                    case Idle:
                        if (Interlocked.CompareExchange(ref _state, Ready, Idle) == Idle)
                        {
                            return;
                        }

                        break;
                    default:
                        return; // already latched, or closed
                }
            }
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _state, Closed) == Waiting)
            {
                // The closing thread may hold locks the waiter's continuation takes: not inline.
                _core.RunContinuationsAsynchronously = true;
                _core.SetResult(false);
            }
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
