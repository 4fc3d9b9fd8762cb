using System.CommandLine;
using Forge.Sniff.Cli;

namespace Forge.Sniff;

/// <summary>
/// <c>forge sniff [tcpdump options] [expression]</c>: capture with AF_PACKET or read pcap/pcapng files,
/// decode, and print what tcpdump 4.99 prints. tcpdump's command line (bundled short flags such as
/// -nnvvv and -c5) is not System.CommandLine's syntax, so the command takes the raw words and
/// <see cref="OptionParser"/> reads them as getopt_long would.
/// </summary>
public static class SniffCommand
{
    public static Command Create()
    {
        var rest = new Argument<string[]>("ARGS")
        {
            Description = "tcpdump's options and expression: -r FILE, -w FILE, -i IFACE, -c N, -s LEN, -n, -v.., -q, -e, " +
                          "-x/-X/-A, -t.., -#, -l, -S, -U, -p, -Q in|out|inout, -B KiB, -C MB, -G SEC, -W N, -D, " +
                          "--time-stamp-precision micro|nano, --immediate-mode, --print, --json (JSON Lines). " +
                          "Filter expressions come with the BPF compiler (not yet).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("sniff", "Packet capture and decoding with tcpdump's command line and output (issue #6: files, decoders, live AF_PACKET capture; no filter expressions yet)") { rest };
        command.TreatUnmatchedTokensAsErrors = false;

        // tcpdump flags that System.CommandLine would otherwise take as -h (help) or the host's -v (verbose).
        foreach (var flag in new[] { "-h", "--help", "-v", "-vv", "-vvv", "-vvvv", "--version" })
        {
            command.Options.Add(new Option<bool>(flag) { Hidden = true });
        }

        // A synchronous action: SniffRunner handles SIGINT/SIGTERM itself, so that an interrupted capture
        // prints its statistics and exits 0 as tcpdump does (the host's async handling would exit 130).
        command.SetAction(result =>
        {
            var argv = Environment.GetCommandLineArgs();
            var at = Array.IndexOf(argv, "sniff");
            var args = at >= 0 ? argv.Skip(at + 1).ToArray() : result.GetValue(rest) ?? [];
            return SniffRunner.Run(args);
        });
        return command;
    }
}
