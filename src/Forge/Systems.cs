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
    /// <summary>Each system's command name and the factory that builds its command tree.</summary>
    public static IEnumerable<(string Name, Func<Command> Create)> All(Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        yield return ("tunnel", () => TunnelCommand.Create(loggerFactory));
        yield return ("cache", () => CacheCommand.Create(loggerFactory));
        yield return ("sql", SqlCommand.Create);
        yield return ("sniff", SniffCommand.Create);
        if (OperatingSystem.IsLinux())
        {
            yield return ("ctr", CtrCommand.Create);
        }
    }
}
