using System.Diagnostics;

namespace Forge.Containers;

/// <summary>
/// FORGE_CTR_TRACE=1: prints, at named points of `run` (on stderr), the wall-clock time in
/// milliseconds within the minute (to compare the launcher's and the init's lines) and the
/// milliseconds since the process started (the kernel counts that in scheduler ticks, so it is
/// coarse), to see where start-up time goes. Costs one environment lookup otherwise.
/// </summary>
internal static class Tracing
{
    private static readonly bool s_enabled = Environment.GetEnvironmentVariable("FORGE_CTR_TRACE") == "1";

    public static void Mark(string what)
    {
        if (s_enabled)
        {
            var now = DateTime.Now;
            var since = now - Process.GetCurrentProcess().StartTime;
            var clock = (now.Second * 1000.0) + (now.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerMillisecond);
            Console.Error.WriteLine($"[{Environment.ProcessId} {clock,9:0.00} {since.TotalMilliseconds,7:0.0} ms] {what}");
        }
    }
}
