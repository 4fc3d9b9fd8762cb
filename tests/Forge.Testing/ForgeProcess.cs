using System.Diagnostics;
using System.Text;

namespace Forge.Testing;

/// <summary>
/// A running `forge` process with its output collected line by line. Disposing kills the whole
/// process tree, so a failing test never leaves a server behind.
/// </summary>
public sealed class ForgeProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly object _gate = new();

    private ForgeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    private const string DefaultSignalEnv = "/usr/bin/env";

    public static ForgeProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        // A test run started as a background job (`./test.sh &` from a non-interactive shell) has
        // SIGINT ignored, and an ignored signal stays ignored across exec: forge would never see the
        // Ctrl-C the tests send. env --default-signal=INT restores the default, then execs forge
        // (same PID). Seen 2026-11-26: the tunnel's Ctrl-C test timed out in such runs only.
        var useEnv = File.Exists(DefaultSignalEnv);
        var psi = new ProcessStartInfo(useEnv ? DefaultSignalEnv : ForgeBinary.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (useEnv)
        {
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add(ForgeBinary.Path);
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Keep the user's saved tunnel config and the like out of tests.
        psi.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "forge-test-home-" + Environment.ProcessId);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var result = new ForgeProcess(process);
        process.OutputDataReceived += (_, e) => result.Add(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => result.Add(result._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs forge to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var p = Start(args);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p._process.WaitForExitAsync(cts.Token);
        p._process.WaitForExit(); // flush the async output readers
        return (p._process.ExitCode, p.Stdout, p.Stderr);
    }

    /// <summary>Writes <paramref name="text"/> to the process's stdin and closes it.</summary>
    public void WriteStdinAndClose(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Close();
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Waits until a line of stdout or stderr matches, or fails with everything seen so far.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null, int skip = 0)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                var seen = 0;
                foreach (var line in _stdout.Concat(_stderr))
                {
                    if (match(line) && seen++ >= skip)
                    {
                        return line;
                    }
                }
            }

            if (_process.HasExited)
            {
                await Task.Delay(50);
                lock (_gate)
                {
                    var found = _stdout.Concat(_stderr).Where(match).Skip(skip).FirstOrDefault();
                    if (found is not null)
                    {
                        return found;
                    }
                }

                throw new InvalidOperationException($"forge exited ({_process.ExitCode}) before the expected line.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"expected line not seen.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"forge did not exit within {timeout.TotalSeconds} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGINT (Ctrl-C), as a user at a terminal would.</summary>
    public void Interrupt() => _ = Posix.Kill(_process.Id, Posix.SigInt);

    /// <summary>Sends SIGKILL: the process gets no chance to clean up.</summary>
    public void KillHard() => _ = Posix.Kill(_process.Id, Posix.SigKill);

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
