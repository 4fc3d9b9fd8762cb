using Forge.Containers.Images;
using Forge.Containers.Runtime;

namespace Forge.Containers.Cli;

/// <summary>
/// The verbs of `forge ctr`, one method each, grouped by family in partial-class files
/// (Verbs.Run.cs, Verbs.Containers.cs, Verbs.Images.cs), all over one store root.
/// </summary>
internal sealed partial class Verbs
{
    public const string Usage = """
        Usage: forge ctr [--root DIR] COMMAND

        Containers:
          run [OPTIONS] IMAGE [COMMAND] [ARG...]   Create and run a new container
          ps [-a] [-q]                            List containers
          stop [-t SECS] CONTAINER...             Stop running containers (SIGTERM, then SIGKILL)
          kill [-s SIGNAL] CONTAINER...           Send a signal to running containers
          rm [-f] CONTAINER...                    Remove containers
          exec [-i] [-t] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]
                                                  Run a command in a running container
          logs [-f] [--tail N] CONTAINER          Print a detached container's output
          wait CONTAINER...                       Wait for containers to stop, print their exit codes
          inspect CONTAINER|IMAGE...              Low-level information as JSON
          top CONTAINER                           The processes of a container
          stats --no-stream [CONTAINER...]        Resource usage from the cgroup counters
          prune                                   Remove stopped containers and settle killed runs

        Images:
          images [-q]                             List images
          import FILE|- [REPOSITORY[:TAG]]        Make a one-layer image from a root filesystem tarball
          load [-i FILE]                          Load images from a docker save / OCI layout tarball
          save [-o FILE] IMAGE...                 Write images to a tarball (docker save format + OCI layout)
          tag SOURCE TARGET                       Add a name to an image
          rmi [-f] IMAGE...                       Remove images

        Run options: -d, --rm, -i, -t, --name N, -e K=V, --env-file F, -w DIR, -u UID[:GID],
          -v HOST:CTR[:ro], --tmpfs PATH, -m SIZE, --cpus N, --pids-limit N, --hostname H,
          --network none|host, --init, --read-only, --entrypoint E, --ulimit NAME=SOFT:HARD

        """;

    private readonly string _root;
    private readonly ImageStore _images;
    private readonly ContainerStore _containers;

    public Verbs(string root)
    {
        _root = root;
        _images = new ImageStore(root);
        _containers = new ContainerStore(root);
    }

    public int Dispatch(string verb, List<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h") && verb is not ("run" or "exec"))
        {
            Console.Out.Write(Usage);
            return 0;
        }

        if (verb is not ("__monitor" or "import" or "load" or "images" or "tag" or "save"))
        {
            // A forge killed mid-run left its container behind: settle it first.
            _containers.Reconcile();
        }

        return verb switch
        {
            "run" => RunVerb(args),
            "__monitor" => MonitorVerb(args),
            "ps" => Ps(args),
            "stop" => Stop(args),
            "kill" => Kill(args),
            "rm" => Rm(args),
            "logs" => Logs(args),
            "wait" => Wait(args),
            "inspect" => Inspect(args),
            "top" => Top(args),
            "stats" => Stats(args),
            "prune" => Prune(args),
            "images" => ImagesVerb(args),
            "import" => Import(args),
            "load" => Load(args),
            "save" => Save(args),
            "tag" => Tag(args),
            "rmi" => Rmi(args),
            "exec" => Exec(args),
            _ => throw new UsageException($"unknown command \"{verb}\" for \"forge ctr\""),
        };
    }

    private static void RequireArgs(DockerArgs parsed, int min, string what)
    {
        if (parsed.Positionals.Count < min)
        {
            throw new UsageException($"requires at least {min} argument{(min == 1 ? "" : "s")}: {what}");
        }
    }
}
