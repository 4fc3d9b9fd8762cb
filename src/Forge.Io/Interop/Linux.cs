using System.Runtime.InteropServices;

namespace Forge.Io.Interop;

/// <summary>
/// epoll(7) and eventfd(2) through LibraryImport, for the connection event loops
/// (EventLoop.cs). Constants are from the kernel's uapi headers (linux/eventpoll.h,
/// linux/eventfd.h).
/// </summary>
internal static partial class Linux
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 1u << 31;

    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;

    public const int Eintr = 4;

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes: u32 events, u64 data) and naturally
    /// aligned elsewhere (16 bytes, data at offset 8).
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);
}
