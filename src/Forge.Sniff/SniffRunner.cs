using System.Text;
using Forge.Sniff.Capture;
using Forge.Sniff.Cli;
using Forge.Sniff.Decoding;
using Forge.Sniff.Live;
using Forge.Sniff.Output;

namespace Forge.Sniff;

/// <summary>
/// tcpdump's main(): options → a packet source (file or live socket) → optional filter → the
/// printer and/or the pcap writer. Exit codes as tcpdump's: 0 done, 1 any error (usage included).
/// </summary>
internal static class SniffRunner
{
    public const string Version = "4.99.3";

    public static int Run(IReadOnlyList<string> args)
    {
        var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        var stdout = Console.OpenStandardOutput();
        using var stop = new CancellationTokenSource();
        void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
        {
            // Like tcpdump's pcap_breakloop: finish the packet in hand, print the statistics, exit 0.
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
        return Run(args, stdout, stderr, Console.OpenStandardInput, stop.Token);
    }

    internal static int Run(IReadOnlyList<string> args, Stream stdout, TextWriter stderr, Func<Stream> stdin, CancellationToken cancellationToken)
    {
        var options = OptionParser.Parse(args, out var error, out var showUsage);
        if (options is null)
        {
            stderr.Write($"forge sniff: {error}\n");
            if (showUsage)
            {
                Usage(stderr);
            }

            return 1;
        }

        if (options.Help)
        {
            var w = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
            Usage(w);
            w.Flush();
            return 0;
        }

        if (options.Version)
        {
            var w = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
            w.Write($"forge sniff (tcpdump {Version} work-alike)\n");
            w.Flush();
            return 0;
        }

        if (options.ListInterfaces)
        {
            return LiveCapture.ListInterfaces(stdout, stderr);
        }

        if (options.Expression.Count > 0)
        {
            stderr.Write($"forge sniff: filter expressions are not supported yet: {string.Join(' ', options.Expression)}\n");
            return 1;
        }

        IPacketSource source;
        try
        {
            if (options.ReadFile is { } file)
            {
                var stream = file == "-" ? stdin() : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                try
                {
                    source = new CaptureFileReader(stream);
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }

                stderr.Write($"reading from file {file}, link-type {LinkType.Text(source.LinkType)}, snapshot length {source.SnapLen}\n");
            }
            else
            {
                source = LiveCapture.Open(options, stderr, cancellationToken);
            }
        }
        catch (FileNotFoundException)
        {
            stderr.Write($"forge sniff: {options.ReadFile}: No such file or directory\n");
            return 1;
        }
        catch (DirectoryNotFoundException)
        {
            stderr.Write($"forge sniff: {options.ReadFile}: No such file or directory\n");
            return 1;
        }
        catch (UnauthorizedAccessException)
        {
            stderr.Write($"forge sniff: {options.ReadFile}: Permission denied\n");
            return 1;
        }
        catch (CaptureFileException ex)
        {
            stderr.Write($"forge sniff: {ex.Message}\n");
            return 1;
        }
        catch (LiveCaptureException ex)
        {
            stderr.Write($"forge sniff: {ex.Message}\n");
            return 1;
        }
        catch (IOException ex)
        {
            stderr.Write($"forge sniff: {options.ReadFile}: {ex.Message}\n");
            return 1;
        }

        using (source)
        {
            return Loop(options, source, stdout, stderr, cancellationToken);
        }
    }

    private static int Loop(SniffOptions options, IPacketSource source, Stream stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var printing = options.WriteFile is null || options.PrintWhileWriting;
        if (printing && !Decoders.HasLinkDecoder(source.LinkType) && options.WriteFile is null)
        {
            stderr.Write($"forge sniff: packet printing is not supported for link type {LinkType.Describe(source.LinkType).Name}: use -w\n");
            return 1;
        }

        RotatingWriter? writer = null;
        if (options.WriteFile is { } path)
        {
            try
            {
                writer = new RotatingWriter(path, options, source.LinkType, Math.Min(source.SnapLen, options.SnapLen), stdout);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.Write($"forge sniff: {path}: {ex.Message}\n");
                return 1;
            }
        }

        using var output = new OutputBuffer(writer?.UsesStdout == true ? Stream.Null : stdout);
        var printer = printing
            ? new Printer(output, new PrintOptions
            {
                Numeric = options.Numeric,
                Verbose = options.Verbose,
                Quiet = options.Quiet,
                LinkHeader = options.LinkHeader,
                AbsoluteSeq = options.AbsoluteSeq,
                NoChecksum = options.NoChecksum,
                Hex = options.Hex,
                HexAscii = options.HexAscii,
                Ascii = options.Ascii,
                TimeFormat = options.TimeFormat,
                PacketNumbers = options.PacketNumbers,
                Nano = options.NanoPrecision,
                Json = options.Json,
            })
            : null;
        IPacketFilter? filter = null;
        var count = 0;
        var exit = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!source.Next(out var header, out var data))
                {
                    break;
                }

                if (filter is not null && !filter.Matches(data, header.Length, header.LinkType))
                {
                    continue;
                }

                if (writer is not null && !writer.Write(header, data))
                {
                    // tcpdump -G with -W: the last file is full; it says so and ends with status 0.
                    output.Flush();
                    stderr.Write($"Maximum file limit reached: {options.FileCount}\n");
                    break;
                }

                count++;
                if (printer is not null)
                {
                    printer.PrintPacket(header, data);
                    if (options.LineBuffered || options.PacketBuffered)
                    {
                        output.Flush();
                    }
                    else if (output.ShouldFlush)
                    {
                        output.Drain();
                    }
                }

                if (options.Count > 0 && count >= options.Count)
                {
                    break;
                }
            }
        }
        catch (CaptureFileException ex)
        {
            output.Flush();
            stderr.Write($"forge sniff: pcap_loop: {ex.Message}\n");
            exit = 1;
        }
        catch (LiveCaptureException ex)
        {
            output.Flush();
            stderr.Write($"forge sniff: {ex.Message}\n");
            exit = 1;
        }
        catch (IOException ex)
        {
            stderr.Write($"forge sniff: {ex.Message}\n");
            exit = 1;
        }
        finally
        {
            try
            {
                output.Flush();
            }
            catch (IOException)
            {
            }

            writer?.Dispose();
        }

        if (source is LiveCapture live)
        {
            if (live.Cancelled && printing)
            {
                // Interrupted mid-line perhaps: tcpdump prints a newline before the statistics.
                stdout.Write("\n"u8);
                stdout.Flush();
            }

            live.PrintStatistics(stderr, count);
        }

        return exit;
    }

    internal static void Usage(TextWriter w)
    {
        w.Write($"forge sniff (tcpdump {Version} work-alike)\n");
        w.Write("Usage: forge sniff [-AdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]\n");
        w.Write("\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]\n");
        w.Write("\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]\n");
        w.Write("\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]\n");
        w.Write("\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]\n");
        w.Write("\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]\n");
        w.Write("\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]\n");
        w.Write("\t\t[ -z postrotate-command ] [ -Z user ] [ --json ] [ expression ]\n");
    }
}
