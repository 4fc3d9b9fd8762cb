using System.Text;

namespace Forge.Sql.Shell;

/// <summary>
/// The interactive prompt's line editor on Console.ReadKey: left/right/home/end (and ^A/^E),
/// backspace/delete, ^K/^U, up/down through the history, ^D on an empty line ends the input, ^C
/// drops the line. The history lives in ~/.forge_sql_history (the newest 1000 lines).
/// </summary>
internal sealed class LineEditor : ILineSource, IDisposable
{
    private const int MaxHistory = 1000;
    private readonly List<string> _history = [];
    private readonly string? _historyFile;
    private readonly TextWriter _console;
    private readonly int _loaded;

    public LineEditor(string? historyFile)
    {
        _historyFile = historyFile;
        _console = Console.Out;
        if (historyFile is not null && File.Exists(historyFile))
        {
            try
            {
                _history.AddRange(File.ReadAllLines(historyFile).Where(l => l.Length > 0).TakeLast(MaxHistory));
            }
            catch (IOException)
            {
            }
        }

        _loaded = _history.Count;
    }

    public static string? DefaultHistoryFile =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".forge_sql_history") : null;

    public string? ReadLine(bool continuation)
    {
        var prompt = continuation ? "   ...> " : "sqlite> ";
        _console.Write(prompt);
        _console.Flush();
        var buffer = new StringBuilder();
        var pos = 0;
        var historyIndex = _history.Count;
        string? pending = null;
        var saved = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        _console.Write("\n");
                        var line = buffer.ToString();
                        if (line.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != line))
                        {
                            _history.Add(line);
                        }

                        return line;
                    case ConsoleKey.LeftArrow:
                        pos = Math.Max(0, pos - 1);
                        break;
                    case ConsoleKey.RightArrow:
                        pos = Math.Min(buffer.Length, pos + 1);
                        break;
                    case ConsoleKey.Home:
                        pos = 0;
                        break;
                    case ConsoleKey.End:
                        pos = buffer.Length;
                        break;
                    case ConsoleKey.Backspace:
                        if (pos > 0)
                        {
                            buffer.Remove(--pos, 1);
                        }

                        break;
                    case ConsoleKey.Delete:
                        if (pos < buffer.Length)
                        {
                            buffer.Remove(pos, 1);
                        }

                        break;
                    case ConsoleKey.UpArrow or ConsoleKey.DownArrow:
                        {
                            var next = historyIndex + (key.Key == ConsoleKey.UpArrow ? -1 : 1);
                            if (next < 0 || next > _history.Count)
                            {
                                break;
                            }

                            if (historyIndex == _history.Count)
                            {
                                pending = buffer.ToString();
                            }

                            historyIndex = next;
                            buffer.Clear().Append(next == _history.Count ? pending ?? "" : _history[next]);
                            pos = buffer.Length;
                            break;
                        }

                    default:
                        if (ctrl && key.Key == ConsoleKey.A)
                        {
                            pos = 0;
                        }
                        else if (ctrl && key.Key == ConsoleKey.E)
                        {
                            pos = buffer.Length;
                        }
                        else if (ctrl && key.Key == ConsoleKey.B)
                        {
                            pos = Math.Max(0, pos - 1);
                        }
                        else if (ctrl && key.Key == ConsoleKey.F)
                        {
                            pos = Math.Min(buffer.Length, pos + 1);
                        }
                        else if (ctrl && key.Key == ConsoleKey.K)
                        {
                            buffer.Length = pos;
                        }
                        else if (ctrl && key.Key == ConsoleKey.U)
                        {
                            buffer.Remove(0, pos);
                            pos = 0;
                        }
                        else if (ctrl && key.Key == ConsoleKey.D)
                        {
                            if (buffer.Length == 0)
                            {
                                return null;
                            }

                            if (pos < buffer.Length)
                            {
                                buffer.Remove(pos, 1);
                            }
                        }
                        else if (ctrl && key.Key == ConsoleKey.C)
                        {
                            _console.Write("^C\n");
                            return "";
                        }
                        else if (key.KeyChar >= ' ' || key.KeyChar == '\t')
                        {
                            buffer.Insert(pos++, key.KeyChar);
                            if (pos == buffer.Length)
                            {
                                // Typing at the end: the character is all that changes on the screen.
                                _console.Write(key.KeyChar);
                                _console.Flush();
                                continue;
                            }
                        }

                        break;
                }

                Redraw(prompt, buffer, pos);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = saved;
        }
    }

    private void Redraw(string prompt, StringBuilder buffer, int pos)
    {
        var back = buffer.Length - pos;
        _console.Write("\r" + prompt + buffer + "\u001b[K" + (back > 0 ? $"\u001b[{back}D" : ""));
        _console.Flush();
    }

    public void Dispose()
    {
        if (_historyFile is null || _history.Count == _loaded)
        {
            return;
        }

        try
        {
            File.WriteAllLines(_historyFile, _history.TakeLast(MaxHistory));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
