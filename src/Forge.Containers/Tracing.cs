using System.Diagnostics;

namespace Forge.Containers;

/// <summary>
/// FORGE_CTR_TRACE=1: prints milliseconds since the process started at named points of `run`
/// (on stderr), to see where start-up time goes. Costs one environment lookup otherwise.
/// </summary>
internal static class Tracing
{
    private static readonly bool s_enabled = Environment.GetEnvironmentVariable("FORGE_CTR_TRACE") == "1";

    public static void Mark(string what)
    {
        if (s_enabled)
        {
            var since = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine($"[{Environment.ProcessId} {since.TotalMilliseconds,7:0.0} ms] {what}");
        }
    }
}
