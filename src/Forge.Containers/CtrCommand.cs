using System.CommandLine;
using Forge.Containers.Cli;
using Forge.Containers.Init;

namespace Forge.Containers;

/// <summary>
/// <c>forge ctr [--root DIR] VERB …</c>: docker's container commands without a daemon. docker's
/// flags (<c>-v HOST:CTR</c>, <c>-it</c>, <c>-e K=V</c>, <c>-m 256m</c>) clash with the host's global
/// <c>-v</c> and with System.CommandLine's syntax, so the command takes its words raw and
/// <see cref="DockerArgs"/> reads them as docker's pflag would.
/// </summary>
public static class CtrCommand
{
    public const string DefaultRoot = "/var/lib/forge";

    public static Command Create()
    {
        var rest = new Argument<string[]>("ARGS")
        {
            Description = "[--root DIR] VERB [OPTIONS]: run, ps, stop, kill, rm, logs, exec, inspect, wait, top, stats, " +
                          "images, rmi, import, load, save, tag, prune. State lives under --root (default " + DefaultRoot +
                          ", or FORGE_CTR_ROOT). Run 'forge ctr VERB --help' for a verb's options.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("ctr", "Containers without a daemon: docker's commands over namespaces, cgroups and overlayfs, images in a content-addressed store (issue #7: images, run, exec, cgroup limits; no bridge networking or OCI runtime interface yet)") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        // Flags System.CommandLine or the host would act on (help, version, the global -v) are taken here and ignored.
        foreach (var flag in new[] { "-h", "--help", "-?", "-v", "--version" })
        {
            command.Options.Add(new Option<bool>(flag) { Hidden = true });
        }

        command.SetAction(result =>
        {
            var argv = Environment.GetCommandLineArgs();
            var at = Array.IndexOf(argv, "ctr");
            var args = at >= 0 ? argv.Skip(at + 1).ToArray() : result.GetValue(rest) ?? [];
            return Run(args);
        });
        return command;
    }

    /// <summary>
    /// The init stage for a bundle directory or an exec's spec file: the entry point of the
    /// separate <c>forge-init</c> binary and of <c>forge ctr __init</c>. Returns only on failure.
    /// </summary>
    public static int RunInit(string bundleOrSpec) => ContainerInit.Run(bundleOrSpec);

    /// <summary>Runs one `forge ctr` command line (everything after "ctr") and returns its exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        Tracing.Mark("ctr: command line parsed by the host");
        var root = Environment.GetEnvironmentVariable("FORGE_CTR_ROOT") is { Length: > 0 } fromEnv ? fromEnv : DefaultRoot;
        var i = 0;
        while (i < args.Count && args[i].StartsWith("--root", StringComparison.Ordinal))
        {
            if (args[i] == "--root" && i + 1 < args.Count)
            {
                root = args[i + 1];
                i += 2;
            }
            else if (args[i].StartsWith("--root=", StringComparison.Ordinal))
            {
                root = args[i][7..];
                i++;
            }
            else
            {
                Console.Error.WriteLine("forge ctr: flag needs an argument: --root");
                return CtrException.ExitForge;
            }
        }

        if (i >= args.Count || args[i] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Verbs.Usage);
            return i >= args.Count ? 2 : 0;
        }

        var verb = args[i];
        var verbArgs = args.Skip(i + 1).ToList();
        if (verb == "__init")
        {
            // The init stage when no NativeAOT forge-init was built: this process is PID 1 of the container.
            return RunInit(verbArgs.Count > 0 ? verbArgs[0] : ".");
        }

        try
        {
            return new Verbs(Path.GetFullPath(root)).Dispatch(verb, verbArgs);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"forge ctr {verb}: {e.Message}");
            Console.Error.WriteLine($"See 'forge ctr {verb} --help'.");
            return CtrException.ExitForge;
        }
        catch (CtrException e)
        {
            Console.Error.WriteLine($"forge: {e.Message}");
            return e.ExitCode;
        }
    }
}
