using System.Diagnostics;
using System.Text;
using Forge.Testing;

namespace Forge.Containers.Tests.Support;

/// <summary>
/// One test's own `forge ctr --root DIR` store in a temp directory, and the runner for forge
/// commands on it. Disposing force-removes every container, then checks that nothing is left
/// behind — no mount of the root in the host's mount table, no new cgroup directories under
/// /sys/fs/cgroup/*/forge, no container or staging directories, no monitor process — and
/// deletes the directory even when the check (or the test) failed.
/// </summary>
internal sealed class CtrRoot : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly HashSet<string> _cgroupsBefore = CgroupDirs();
    private readonly DateTime _createdUtc = DateTime.UtcNow.AddSeconds(-1);

    public CtrRoot()
    {
        Requirements.Check();
        Root = Path.Combine(_temp.Path, "root");
    }

    public string Root { get; }

    /// <summary>Extra environment variables for every forge command this store runs.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>A command line that execs forge ("$0" "$@") after preparing something, e.g. a private mount namespace.</summary>
    public string[]? Wrapper { get; set; }

    public string TempPath => _temp.Path;

    public string File(string name) => _temp.File(name);

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs `forge ctr --root ROOT ARGS…` to completion (60 s at most).</summary>
    public Result Run(params string[] args) => RunWithInput(null, args);

    public Result RunWithInput(byte[]? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Wrapper?[0] ?? ForgeBinary.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        if (Wrapper is not null)
        {
            foreach (var w in Wrapper[1..])
            {
                psi.ArgumentList.Add(w);
            }

            psi.ArgumentList.Add(ForgeBinary.Path);
        }

        foreach (var (key, value) in Environment)
        {
            psi.Environment[key] = value;
        }

        psi.ArgumentList.Add("ctr");
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(Root);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"forge ctr {string.Join(' ', args)} did not finish within 60 s");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts `forge ctr --root ROOT ARGS…` without waiting (for SIGKILL tests).</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(ForgeBinary.Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in Environment)
        {
            psi.Environment[key] = value;
        }

        psi.ArgumentList.Add("ctr");
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(Root);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Runs and asserts exit 0; returns stdout.</summary>
    public string Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"forge ctr {string.Join(' ', args)} failed: {r}");
        return r.Stdout;
    }

    public string ImportBusybox(string tag = "busybox:test")
    {
        var tar = File("rootfs.tar");
        if (!System.IO.File.Exists(tar))
        {
            TestImages.WriteRootfsTar(tar);
        }

        Ok("import", tar, tag);
        return tag;
    }

    public static HashSet<string> CgroupDirs()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            var forge = Path.Combine(hierarchy, "forge");
            if (Directory.Exists(forge))
            {
                foreach (var d in Directory.GetDirectories(forge))
                {
                    set.Add(d);
                }
            }
        }

        return set;
    }

    /// <summary>Everything the store or the kernel still holds for this root; empty when clean.</summary>
    public List<string> Leftovers()
    {
        var left = new List<string>();
        foreach (var line in System.IO.File.ReadLines("/proc/self/mountinfo"))
        {
            if (line.Contains(_temp.Path, StringComparison.Ordinal))
            {
                left.Add("mount: " + line);
            }
        }

        foreach (var d in CgroupDirs())
        {
            if (!_cgroupsBefore.Contains(d))
            {
                left.Add("cgroup: " + d);
            }
        }

        foreach (var sub in new[] { "containers", "tmp" })
        {
            var dir = Path.Combine(Root, sub);
            if (Directory.Exists(dir))
            {
                foreach (var e in Directory.EnumerateFileSystemEntries(dir))
                {
                    left.Add("state: " + e);
                }
            }
        }

        // The .NET runtime's diagnostic IPC files of a process that was PID 1 (an init stage
        // that ran managed code in the container's PID namespace, before pivot_root): they land
        // in the host's /tmp and are never removed, since the init execs instead of exiting.
        foreach (var pattern in new[] { "clr-debug-pipe-1-*", "dotnet-diagnostic-1-*" })
        {
            foreach (var f in Directory.EnumerateFileSystemEntries("/tmp", pattern))
            {
                if (System.IO.File.GetLastWriteTimeUtc(f) >= _createdUtc)
                {
                    left.Add("host /tmp: " + f);
                }
            }
        }

        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            try
            {
                var cmdline = System.IO.File.ReadAllText(Path.Combine(proc, "cmdline"));
                if (cmdline.Contains(Root, StringComparison.Ordinal) && int.TryParse(Path.GetFileName(proc), out var pid) && pid != System.Environment.ProcessId)
                {
                    left.Add($"process {pid}: {cmdline.Replace('\0', ' ')}");
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return left;
    }

    /// <summary>Removes every container of this root (as a user would), then fails the test if anything is left.</summary>
    public void AssertClean()
    {
        var ids = Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0)
        {
            Run(["rm", "-f", .. ids]);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<string> left;
        while ((left = Leftovers()).Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.True(left.Count == 0, "left behind:\n" + string.Join('\n', left));
    }

    public void Dispose()
    {
        try
        {
            AssertClean();
        }
        finally
        {
            // Last resort, so that a failed test does not leak into the next one: kill what runs
            // in the containers' cgroups and remove them.
            foreach (var d in CgroupDirs())
            {
                if (!_cgroupsBefore.Contains(d))
                {
                    try
                    {
                        foreach (var pid in System.IO.File.ReadAllLines(Path.Combine(d, "cgroup.procs")))
                        {
                            Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill();
                        }

                        // A killed process leaves the cgroup when it is reaped: remove it once empty.
                        var procs = Path.Combine(d, "cgroup.procs");
                        SpinWait.SpinUntil(() => System.IO.File.ReadAllText(procs).Length == 0, TimeSpan.FromSeconds(5));

                        Directory.Delete(d);
                    }
                    catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
                    {
                    }
                }
            }

            _temp.Dispose();
        }
    }

    public static string Text(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal);

    public static string Joined(IEnumerable<string> lines) => new StringBuilder().AppendJoin('\n', lines).ToString();
}
