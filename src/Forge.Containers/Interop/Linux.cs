using System.Runtime.InteropServices;

namespace Forge.Containers.Interop;

/// <summary>
/// The Linux system calls the container runtime needs, through LibraryImport. Constants are from
/// the kernel's uapi headers (linux/sched.h, linux/mount.h, linux/prctl.h, linux/capability.h,
/// asm-generic/fcntl.h); system call numbers for x86-64 and arm64 where glibc has no wrapper.
/// </summary>
internal static partial class Linux
{
    // clone/unshare flags (linux/sched.h)
    public const int CloneFs = 0x00000200;
    public const int CloneNewNs = 0x00020000;
    public const int CloneNewCgroup = 0x02000000;
    public const int CloneNewUts = 0x04000000;
    public const int CloneNewIpc = 0x08000000;
    public const int CloneNewPid = 0x20000000;
    public const int CloneNewNet = 0x40000000;

    // mount flags (linux/mount.h)
    public const ulong MsRdonly = 1;
    public const ulong MsNosuid = 2;
    public const ulong MsNodev = 4;
    public const ulong MsNoexec = 8;
    public const ulong MsRemount = 32;
    public const ulong MsNoatime = 1024;
    public const ulong MsBind = 4096;
    public const ulong MsRec = 16384;
    public const ulong MsPrivate = 1 << 18;
    public const ulong MsSlave = 1 << 19;
    public const ulong MsStrictatime = 1 << 24;
    public const int MntDetach = 2;

    // prctl (linux/prctl.h)
    public const int PrCapbsetDrop = 24;
    public const int PrSetNoNewPrivs = 38;
    public const int PrSetChildSubreaper = 36;
    public const int PrSetPdeathsig = 1;
    public const int PrCapAmbient = 47;
    public const int PrCapAmbientClearAll = 4;

    // open/fcntl (asm-generic/fcntl.h)
    public const int ORdonly = 0;
    public const int OWronly = 1;
    public const int ORdwr = 2;
    public const int OCreat = 0x40;
    public const int ONoctty = 0x100;
    public const int OTrunc = 0x200;
    public const int OAppend = 0x400;
    public const int OCloexec = 0x80000;
    public const int ODirectory = 0x10000;
    public const int OPath = 0x200000;
    public const int FSetfd = 2;
    public const int FdCloexec = 1;

    // file types (sys/stat.h)
    public const uint SIfchr = 0x2000;
    public const uint SIfblk = 0x6000;
    public const uint SIfifo = 0x1000;

    public const int AtFdcwd = -100;
    public const int AtSymlinkNofollow = 0x100;

    // errno
    public const int Eperm = 1;
    public const int Enoent = 2;
    public const int Esrch = 3;
    public const int Eintr = 4;
    public const int Eacces = 13;
    public const int Eexist = 17;
    public const int Enotdir = 20;
    public const int Einval = 22;
    public const int Echild = 10;

    public const int Sigkill = 9;
    public const int Sigterm = 15;

    public const int Wnohang = 1;

    public const uint Tiocswinsz = 0x5414;
    public const uint Tiocgwinsz = 0x5413;
    public const uint Tiocsctty = 0x540E;

    private static readonly bool s_arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public static long SysPivotRoot => s_arm64 ? 41 : 155;

    public static long SysCapset => s_arm64 ? 91 : 126;

    public static long SysCapget => s_arm64 ? 90 : 125;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong Current;
        public ulong Max;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Winsize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial long syscall_pivot_root(long number, string newRoot, string putOld);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial long syscall_cap(long number, CapHeader* header, CapData* data);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sethostname([MarshalAs(UnmanagedType.LPArray)] byte[] name, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setrlimit(int resource, in Rlimit limit);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getrlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchdir(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chroot(string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, int uid, int gid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int link(string existing, string newPath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setuid(int uid);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setgid(int gid);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int setgroups(nuint size, int* list);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint getrandom(byte* buffer, nuint length, uint flags);

    /// <summary>
    /// Fills <paramref name="buffer"/> from the kernel's CSPRNG (getrandom(2), blocking only until
    /// it is first seeded). For container IDs: RandomNumberGenerator would load and initialise
    /// OpenSSL first, about 3 ms of every `run` in the NativeAOT build.
    /// </summary>
    public static unsafe void FillRandom(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var n = getrandom(p + done, (nuint)(buffer.Length - done), 0);
                if (n < 0)
                {
                    if (Errno == Eintr)
                    {
                        continue;
                    }

                    throw new CtrException("getrandom: " + ErrorText(Errno));
                }

                done += (int)n;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getpid();

    [LibraryImport("libc")]
    public static partial int gettid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, ref Winsize size);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl_int(int fd, nuint request, nint argument);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint signal(int signal, nint handler);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int sigprocmask(int how, byte* set, byte* oldSet);

    /// <summary>errno of the last call, and its text as strerror(3) gives it.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public static int PivotRoot(string newRoot, string putOld) => (int)syscall_pivot_root(SysPivotRoot, newRoot, putOld);
}

/// <summary>termios(3) for the -t terminal: raw mode on the user's terminal while a container owns it.</summary>
internal static partial class Termios
{
    // glibc's struct termios is 60 bytes on x86-64 and arm64; the buffer is larger.
    public const int Size = 64;

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int tcsetattr(int fd, int when, byte* termios);

    [LibraryImport("libc")]
    public static unsafe partial void cfmakeraw(byte* termios);

    [LibraryImport("libc")]
    public static partial int isatty(int fd);
}
