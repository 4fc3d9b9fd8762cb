using System.Runtime.InteropServices;

namespace Forge.Containers.Interop;

/// <summary>
/// posix_spawn(3): glibc clones with CLONE_VM|CLONE_VFORK and runs only its own C code before
/// execve, so no managed code ever runs in the child of this multi-threaded process. Used for the
/// container's init stage (from a thread that unshared the new namespaces) and for the detached
/// monitor of `run -d`.
/// </summary>
internal static unsafe partial class Spawn
{
    private const short PosixSpawnSetsigdef = 0x04;
    private const short PosixSpawnSetsigmask = 0x08;
    private const short PosixSpawnSetsid = 0x80;

    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 (x86-64
    // and arm64); the buffers are larger to leave room.
    private const int OpaqueSize = 512;

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(byte* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(byte* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(byte* attributes, byte* mask);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(byte* attributes, byte* signals);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(byte* attributes);

    [LibraryImport("libc")]
    private static partial int sigemptyset(byte* set);

    [LibraryImport("libc")]
    private static partial int sigfillset(byte* set);

    [LibraryImport("libc")]
    private static partial int posix_spawn(int* pid, byte* path, byte* actions, byte* attributes, byte** argv, byte** envp);

    /// <summary>
    /// Starts <paramref name="path"/> with every signal at its default disposition and none blocked
    /// (.NET ignores SIGPIPE, and an ignored signal would stay ignored across execve). Each
    /// (from, to) pair in <paramref name="dups"/> is dup2'd in the child, which clears close-on-exec
    /// on the target. Returns the child's PID; throws with errno's text on failure.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(int From, int To)> dups, bool newSession)
    {
        var actions = stackalloc byte[OpaqueSize];
        var attributes = stackalloc byte[OpaqueSize];
        var empty = stackalloc byte[OpaqueSize];
        var all = stackalloc byte[OpaqueSize];
        var strings = new List<nint>();
        try
        {
            _ = posix_spawn_file_actions_init(actions);
            _ = posix_spawnattr_init(attributes);
            _ = sigemptyset(empty);
            _ = sigfillset(all);
            var flags = (short)(PosixSpawnSetsigdef | PosixSpawnSetsigmask | (newSession ? PosixSpawnSetsid : 0));
            _ = posix_spawnattr_setflags(attributes, flags);
            _ = posix_spawnattr_setsigmask(attributes, empty);
            _ = posix_spawnattr_setsigdefault(attributes, all);
            foreach (var (from, to) in dups)
            {
                _ = posix_spawn_file_actions_adddup2(actions, from, to);
            }

            var argvPtr = stackalloc byte*[argv.Count + 1];
            for (var i = 0; i < argv.Count; i++)
            {
                argvPtr[i] = Utf8(argv[i], strings);
            }

            argvPtr[argv.Count] = null;
            var envPtr = new byte*[env.Count + 1];
            for (var i = 0; i < env.Count; i++)
            {
                envPtr[i] = Utf8(env[i], strings);
            }

            var pathPtr = Utf8(path, strings);
            int pid;
            fixed (byte** envp = envPtr)
            {
                var error = posix_spawn(&pid, pathPtr, actions, attributes, argvPtr, envp);
                if (error != 0)
                {
                    throw new IOException($"{path}: {Linux.ErrorText(error)}");
                }
            }

            return pid;
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>The current environment as KEY=VALUE strings.</summary>
    public static List<string> CurrentEnvironment()
    {
        var list = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            list.Add($"{e.Key}={e.Value}");
        }

        return list;
    }

    private static byte* Utf8(string s, List<nint> owned)
    {
        var p = Marshal.StringToCoTaskMemUTF8(s);
        owned.Add(p);
        return (byte*)p;
    }
}
