namespace Forge.Containers.Cli;

/// <summary>
/// docker's command-line syntax (spf13/pflag): <c>--name value</c>, <c>--name=value</c>, <c>-n value</c>,
/// <c>-nvalue</c>, bundled boolean short flags (<c>-it</c>, <c>-dit</c>), repeatable flags, and flags
/// ending at the first positional argument when the verb takes a command (<c>run IMAGE CMD…</c>,
/// <c>exec ID CMD…</c>) or at <c>--</c>. Errors are usage errors with docker's wording.
/// </summary>
internal sealed class DockerArgs
{
    private readonly Dictionary<string, Flag> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    private sealed record Flag(string Long, string? Short, bool TakesValue);

    public DockerArgs Bool(string longName, string? shortName = null) => Add(longName, shortName, false);

    public DockerArgs Value(string longName, string? shortName = null) => Add(longName, shortName, true);

    private DockerArgs Add(string longName, string? shortName, bool takesValue)
    {
        var flag = new Flag(longName, shortName, takesValue);
        _flags["--" + longName] = flag;
        if (shortName is not null)
        {
            _flags["-" + shortName] = flag;
        }

        return this;
    }

    /// <summary>Parses <paramref name="args"/>; with <paramref name="stopAtPositional"/> everything from the first positional on is kept verbatim.</summary>
    public DockerArgs Parse(IReadOnlyList<string> args, bool stopAtPositional)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                Positionals.AddRange(args.Skip(i + 1));
                return this;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                if (stopAtPositional)
                {
                    Positionals.AddRange(args.Skip(i));
                    return this;
                }

                Positionals.Add(a);
                continue;
            }

            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=');
                var name = eq < 0 ? a : a[..eq];
                if (!_flags.TryGetValue(name, out var flag))
                {
                    throw new UsageException($"unknown flag: {name}");
                }

                if (!flag.TakesValue)
                {
                    Record(flag, eq < 0 ? "true" : a[(eq + 1)..]);
                    continue;
                }

                if (eq >= 0)
                {
                    Record(flag, a[(eq + 1)..]);
                }
                else if (i + 1 < args.Count)
                {
                    Record(flag, args[++i]);
                }
                else
                {
                    throw new UsageException($"flag needs an argument: {name}");
                }

                continue;
            }

            // Short flags: -it bundles booleans; -e VALUE / -eVALUE / -e=VALUE for one taking a value.
            for (var j = 1; j < a.Length; j++)
            {
                var name = "-" + a[j];
                if (!_flags.TryGetValue(name, out var flag))
                {
                    throw new UsageException($"unknown shorthand flag: '{a[j]}' in {a}");
                }

                if (!flag.TakesValue)
                {
                    Record(flag, "true");
                    continue;
                }

                var rest = a[(j + 1)..];
                if (rest.StartsWith('='))
                {
                    rest = rest[1..];
                }

                if (rest.Length > 0)
                {
                    Record(flag, rest);
                }
                else if (i + 1 < args.Count)
                {
                    Record(flag, args[++i]);
                }
                else
                {
                    throw new UsageException($"flag needs an argument: '{a[j]}' in {a}");
                }

                break;
            }
        }

        return this;
    }

    private void Record(Flag flag, string value)
    {
        _set.Add(flag.Long);
        if (!_values.TryGetValue(flag.Long, out var list))
        {
            _values[flag.Long] = list = [];
        }

        list.Add(value);
    }

    public bool Has(string longName) => _set.Contains(longName);

    public bool IsTrue(string longName) => _values.TryGetValue(longName, out var v) && v[^1] is not ("false" or "0");

    public string? Get(string longName) => _values.TryGetValue(longName, out var v) ? v[^1] : null;

    public IReadOnlyList<string> All(string longName) => _values.TryGetValue(longName, out var v) ? v : [];
}

/// <summary>A command-line mistake: docker prints it with a hint and exits 125 (forge's own failure); the host's exit 2 is for forge's top level.</summary>
internal sealed class UsageException(string message) : Exception(message);
