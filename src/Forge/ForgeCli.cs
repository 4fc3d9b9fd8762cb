using System.CommandLine;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Forge;

/// <summary>
/// Composes the command trees that each system's library exposes. No system logic lives here:
/// the host owns only the global options (--verbose), logging set-up and the exit-code policy.
/// </summary>
public static class ForgeCli
{
    /// <summary>Exit code for success.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code for a runtime error (the command ran and failed).</summary>
    public const int ExitRuntimeError = 1;

    /// <summary>Exit code for a usage error (unknown command, bad flag, missing argument).</summary>
    public const int ExitUsageError = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildRootCommand(args.Length > 0 ? args[0] : null);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                Console.Error.WriteLine($"forge: {error.Message}");
            }

            Console.Error.WriteLine($"Run '{CommandPath(parseResult)} --help' for usage.");
            return ExitUsageError;
        }

        try
        {
            // Ctrl-C and SIGTERM cancel the action's token; it then has a few seconds to close cleanly.
            return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"forge: {ex.Message}");
            return ExitRuntimeError;
        }
    }

    /// <summary>
    /// The root command. When <paramref name="system"/> names a system, only that system's tree is
    /// built: building all five cost ~15 ms of a ~20 ms NativeAOT start, which `forge ctr` pays
    /// twice per container (the launcher, and the init stage it re-executes). Otherwise (no
    /// command, `--help`, an unknown word) every system is there, for help and errors.
    /// </summary>
    public static RootCommand BuildRootCommand(string? system = null)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log debug detail to stderr",
            Recursive = true,
        };

        var root = new RootCommand("Forge: five systems in one command. Run 'forge SYSTEM --help' for a system's commands.");
        root.Options.Add(verbose);

        ILoggerFactory LoggerFactoryFor(ParseResult result) => CreateLoggerFactory(result.GetValue(verbose));

        var systems = Systems.All(LoggerFactoryFor).ToList();
        var only = systems.Where(s => s.Name == system).ToList();
        foreach (var (_, create) in only.Count > 0 ? only : systems)
        {
            root.Subcommands.Add(create());
        }

        root.SetAction(result =>
        {
            // `forge` with no command: show help, as git does, and exit as a usage error.
            new System.CommandLine.Help.HelpAction().Invoke(result);
            return ExitUsageError;
        });
        return root;
    }

    internal static ILoggerFactory CreateLoggerFactory(bool verbose) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss.fff ";
                options.UseUtcTimestamp = false;
            });
            builder.AddFilter("Microsoft", LogLevel.Warning);
        });

    public static string Version =>
        typeof(ForgeCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "forge" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
