using System.CommandLine;
using Forge.Cache;
using Forge.Containers;
using Forge.Sniff;
using Forge.Sql;
using Forge.Tunnel;
using Microsoft.Extensions.Logging;

namespace Forge;

/// <summary>
/// The one registry of systems. A system appears here (and so in `forge --help`) when its first
/// issue lands; there are no placeholder commands.
/// </summary>
internal static class Systems
{
    public static IEnumerable<Command> All(Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        yield return TunnelCommand.Create(loggerFactory);
        yield return CacheCommand.Create(loggerFactory);
        yield return SqlCommand.Create();
        yield return SniffCommand.Create();
        if (OperatingSystem.IsLinux())
        {
            yield return CtrCommand.Create();
        }
    }
}
