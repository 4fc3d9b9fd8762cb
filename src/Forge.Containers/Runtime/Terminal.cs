using System.Runtime.InteropServices;
using Forge.Containers.Interop;

namespace Forge.Containers.Runtime;

/// <summary>
/// The pseudo-terminal of `run -t`: the container gets the slave as its stdin, stdout, stderr and
/// controlling terminal (and /dev/console); forge copies between the master and its own stdio,
/// puts its own terminal in raw mode while the container runs, and forwards window-size changes
/// (SIGWINCH) to the master.
/// </summary>
internal sealed unsafe class Terminal : IDisposable
{
    private readonly int _master;
    private readonly bool _interactive;
    private readonly byte[] _saved = new byte[Termios.Size];
    private bool _raw;
    private Thread? _output;
    private PosixSignalRegistration? _winch;

    private Terminal(int master, int slave, string slavePath, bool interactive)
    {
        _master = master;
        Slave = slave;
        SlavePath = slavePath;
        _interactive = interactive;
    }

    public int Slave { get; private set; }

    public string SlavePath { get; }

    public static Terminal Open(bool interactive)
    {
        var master = Linux.posix_openpt(Linux.ORdwr | Linux.ONoctty | Linux.OCloexec);
        if (master < 0 || Linux.grantpt(master) != 0 || Linux.unlockpt(master) != 0)
        {
            throw new CtrException("cannot allocate a pseudo-terminal: " + Linux.ErrorText(Linux.Errno));
        }

        var name = stackalloc byte[256];
        if (Linux.ptsname_r(master, name, 256) != 0)
        {
            throw new CtrException("ptsname: " + Linux.ErrorText(Linux.Errno));
        }

        var path = Marshal.PtrToStringUTF8((nint)name)!;
        var slave = Linux.open(path, Linux.ORdwr | Linux.ONoctty | Linux.OCloexec, 0);
        if (slave < 0)
        {
            throw new CtrException($"open {path}: {Linux.ErrorText(Linux.Errno)}");
        }

        var terminal = new Terminal(master, slave, path, interactive);
        terminal.CopyWindowSize();
        return terminal;
    }

    /// <summary>Copies forge's own window size (or 24x80 when stdout is not a terminal) to the container's terminal.</summary>
    public void CopyWindowSize()
    {
        var size = new Linux.Winsize { Rows = 24, Columns = 80 };
        if (Linux.ioctl(1, Linux.Tiocgwinsz, ref size) != 0 || size.Rows == 0)
        {
            size = new Linux.Winsize { Rows = 24, Columns = 80 };
        }

        _ = Linux.ioctl(_master, Linux.Tiocswinsz, ref size);
    }

    public void ChildStarted()
    {
        _ = Linux.close(Slave);
        Slave = -1;
        if (_interactive && Termios.isatty(0) == 1)
        {
            fixed (byte* t = _saved)
            {
                if (Termios.tcgetattr(0, t) == 0)
                {
                    var raw = stackalloc byte[Termios.Size];
                    new Span<byte>(t, Termios.Size).CopyTo(new Span<byte>(raw, Termios.Size));
                    Termios.cfmakeraw(raw);
                    _raw = Termios.tcsetattr(0, 0, raw) == 0;
                }
            }
        }

        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopyWindowSize());
        _output = new Thread(() => Pump(_master, 1)) { IsBackground = true, Name = "forge ctr tty out" };
        _output.Start();
        if (_interactive)
        {
            new Thread(() => Pump(0, _master)) { IsBackground = true, Name = "forge ctr tty in" }.Start();
        }
    }

    public void ChildExited()
    {
        // The master reads EIO once the last slave fd is closed: the output is then complete.
        _output?.Join(TimeSpan.FromSeconds(2));
        Restore();
    }

    private static void Pump(int from, int to)
    {
        var buffer = stackalloc byte[8192];
        while (true)
        {
            var n = Linux.read(from, buffer, 8192);
            if (n < 0 && Linux.Errno == Linux.Eintr)
            {
                continue;
            }

            if (n <= 0)
            {
                return;
            }

            var done = 0;
            while (done < n)
            {
                var w = Linux.write(to, buffer + done, (nuint)(n - done));
                if (w < 0 && Linux.Errno == Linux.Eintr)
                {
                    continue;
                }

                if (w <= 0)
                {
                    return;
                }

                done += (int)w;
            }
        }
    }

    private void Restore()
    {
        if (_raw)
        {
            fixed (byte* t = _saved)
            {
                _ = Termios.tcsetattr(0, 0, t);
            }

            _raw = false;
        }
    }

    public void Dispose()
    {
        Restore();
        _winch?.Dispose();
        if (Slave >= 0)
        {
            _ = Linux.close(Slave);
        }

        _ = Linux.close(_master);
    }
}
