using System.CommandLine;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Shell;
using Forge.Sql.Slt;

namespace Forge.Sql;

/// <summary>
/// <c>forge sql [OPTIONS] [FILE] [SQL...]</c>: the sqlite3 shell (3.40) over forge's engine — SQL and
/// dot-commands from the arguments, from a pipe or typed at a prompt, sqlite3's options, output
/// modes, error messages and exit codes. <c>forge sql --slt FILE...</c> runs sqllogictest files.
/// </summary>
public static class SqlCommand
{
    public static Command Create()
    {
        var rest = new Argument<string[]>("ARGS")
        {
            Description = "[FILE] [SQL...]: the database file (in memory when absent), then SQL or dot-commands to run " +
                          "(stdin when none). Options as sqlite3's: -bail -batch -interactive -header -noheader -csv -column " +
                          "-box -table -markdown -json -line -list -quote -tabs -separator SEP -newline SEP -nullvalue TEXT " +
                          "-cmd COMMAND -version. --slt FILE...: run sqllogictest files (--slt-sqlite3 runs them through " +
                          "/usr/bin/sqlite3 instead; --slt-verbose lists every failure).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("sql", "An SQL engine whose database files are SQLite 3 files: the sqlite3 shell, and a sqllogictest runner (--slt)") { rest };
        command.TreatUnmatchedTokensAsErrors = false;

        // sqlite3's single-dash flags that would otherwise read as -h (help) or -v (verbose) bundles.
        foreach (var flag in new[] { "-header", "-headers", "-version", "-help" })
        {
            command.Options.Add(new Option<bool>(flag) { Hidden = true });
        }

        command.SetAction(result =>
        {
            var argv = Environment.GetCommandLineArgs();
            var at = Array.IndexOf(argv, "sql");
            var args = at >= 0 ? [.. argv.Skip(at + 1)] : new List<string>(result.GetValue(rest) ?? []);
            return Run(args);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> args)
    {
        var stdout = new ShellOutput(Console.OpenStandardOutput(), ownsStream: false);
        var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        try
        {
            if (args.Any(a => a is "--slt" or "-slt"))
            {
                return SltRunner.RunCommandLine(args, stdout, stderr);
            }

            return RunShell(args, stdout, stderr, Console.In, Console.IsInputRedirected);
        }
        finally
        {
            stdout.Dispose();
            stderr.Flush();
        }
    }

    /// <summary>The shell with its options (sqlite3's main()); testable with any stdin/stdout/stderr.</summary>
    internal static int RunShell(IReadOnlyList<string> args, ShellOutput stdout, TextWriter stderr, TextReader stdin, bool stdinRedirected)
    {
        string? file = null;
        var commands = new List<string>();
        var preCommands = new List<string>();
        var settings = new List<Action<SqlShell>>();
        bool? interactive = null;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith('-') || a == "-")
            {
                if (file is null)
                {
                    file = a;
                }
                else
                {
                    commands.Add(a);
                }

                continue;
            }

            var z = a.StartsWith("--", StringComparison.Ordinal) ? a[1..] : a;
            string? Value()
            {
                if (i + 1 < args.Count)
                {
                    return args[++i];
                }

                stderr.Write($"Error: missing argument to {a}\n");
                return null;
            }

            switch (z)
            {
                case "-bail":
                    settings.Add(s => s.Bail = true);
                    break;
                case "-batch":
                    interactive = false;
                    break;
                case "-interactive":
                    interactive = true;
                    break;
                case "-header" or "-headers":
                    settings.Add(s => s.SetHeaders(true));
                    break;
                case "-noheader" or "-noheaders":
                    settings.Add(s => s.SetHeaders(false));
                    break;
                case "-csv" or "-column" or "-box" or "-table" or "-markdown" or "-json" or "-line" or "-list" or "-quote" or "-tabs":
                    {
                        // As sqlite3's main(): the mode only (no headers turned on), and the separators of -csv/-quote/-tabs.
                        var mode = z[1..];
                        settings.Add(s =>
                        {
                            var p = s.Printer;
                            p.Mode = mode switch
                            {
                                "csv" => OutputMode.Csv,
                                "column" => OutputMode.Column,
                                "box" => OutputMode.Box,
                                "table" => OutputMode.Table,
                                "markdown" => OutputMode.Markdown,
                                "json" => OutputMode.Json,
                                "line" => OutputMode.Line,
                                "quote" => OutputMode.Quote,
                                _ => OutputMode.List,
                            };
                            switch (mode)
                            {
                                case "csv":
                                    p.ColSeparator = ",";
                                    break;
                                case "quote":
                                    p.ColSeparator = ",";
                                    p.RowSeparator = "\n";
                                    break;
                                case "tabs":
                                    p.ColSeparator = "\t";
                                    p.RowSeparator = "\n";
                                    break;
                            }
                        });
                        break;
                    }

                case "-separator" or "-newline" or "-nullvalue" or "-cmd":
                    {
                        if (Value() is not { } v)
                        {
                            return 1;
                        }

                        switch (z)
                        {
                            case "-separator":
                                settings.Add(s => s.Printer.ColSeparator = v);
                                break;
                            case "-newline":
                                settings.Add(s => s.Printer.RowSeparator = v);
                                break;
                            case "-nullvalue":
                                settings.Add(s => s.Printer.NullValue = v);
                                break;
                            default:
                                preCommands.Add(v);
                                break;
                        }

                        break;
                    }

                case "-help":
                    stderr.Write("Usage: forge sql [OPTIONS] FILENAME [SQL...]\nOptions as sqlite3's: -bail -batch -interactive -header -noheader -csv -column -box -table -markdown -json -line -list -quote -tabs -separator SEP -newline SEP -nullvalue TEXT -cmd COMMAND -version\n");
                    return 1;
                case "-version":
                    stdout.Write("3.40.1 (forge sql)\n");
                    return 0;
                default:
                    stderr.Write($"Error: unknown option: {a}\nUse -help for a list of options.\n");
                    return 1;
            }
        }

        Database db;
        try
        {
            db = Database.Open(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Records.SqliteCorruptException)
        {
            stderr.Write($"Error: unable to open database \"{file}\": {ex.Message}\n");
            return 1;
        }

        var isInteractive = interactive ?? (commands.Count == 0 && !stdinRedirected);
        using var shell = new SqlShell(db, file, stdout, stderr, isInteractive);
        foreach (var s in settings)
        {
            s(shell);
        }

        foreach (var c in preCommands)
        {
            var rc = shell.RunArgument(c);
            if (rc != 0 && shell.Bail)
            {
                return rc;
            }
        }

        if (commands.Count > 0)
        {
            foreach (var c in commands)
            {
                var rc = shell.RunArgument(c);
                if (rc != 0 || shell.ExitCode is not null)
                {
                    return shell.ExitCode ?? rc;
                }
            }

            return 0;
        }

        bool failed;
        if (isInteractive)
        {
            stdout.Write("forge sql (SQLite 3.40.1 compatible)\nEnter \".help\" for usage hints.\n");
            if (args.Count == 0)
            {
                stdout.Write("Connected to a transient in-memory database.\nUse \".open FILENAME\" to reopen on a persistent database.\n");
            }

            stdout.Flush();
            if (!stdinRedirected)
            {
                using var editor = new LineEditor(LineEditor.DefaultHistoryFile);
                failed = shell.ProcessInput(editor, fromFile: false);
            }
            else
            {
                failed = shell.ProcessInput(new PromptingLineSource(stdin, stdout), fromFile: false);
            }
        }
        else
        {
            failed = shell.ProcessInput(new ReaderLineSource(stdin), fromFile: false);
        }

        return shell.ExitCode ?? (failed ? 1 : 0);
    }

    /// <summary>-interactive with a redirected stdin: the prompts, then plain lines.</summary>
    private sealed class PromptingLineSource(TextReader reader, ShellOutput output) : ILineSource
    {
        private readonly ReaderLineSource _lines = new(reader);

        public string? ReadLine(bool continuation)
        {
            output.Write(continuation ? "   ...> " : "sqlite> ");
            output.Flush();
            var line = _lines.ReadLine(continuation);
            if (line is not null)
            {
                // What readline shows of a line it read from a pipe.
                output.Write(line + "\n");
            }

            return line;
        }
    }
}
