using System.Globalization;

namespace Forge.Sniff.Cli;

/// <summary>
/// tcpdump's command line, parsed as GNU getopt_long does: bundled short flags (-nnvvv, -XX, -c5),
/// option arguments attached or in the next word, long options with = or a separate value, options
/// and expression words in any order, "--" ending the options. Errors use getopt's and tcpdump's wording.
/// </summary>
internal static class OptionParser
{
    /// <summary>Short options that take an argument (tcpdump 4.99's SHORTOPTS, the ones with ':').</summary>
    private const string WithArgument = "BcCEFGijmMrsTVwWyzZQ";

    /// <summary>Short options tcpdump knows that take none.</summary>
    private const string WithoutArgument = "aAbdDefhHIJKlLnNOpqStuUvxXY#";

    /// <summary>tcpdump options this work-alike refuses for now (they parse, then fail with a clear message).</summary>
    private const string NotSupported = "abdEfFHIjJLmMNOTuVyYzZ";

    private static readonly (string Name, bool Argument, string Id)[] s_longOptions =
    [
        ("buffer-size", true, "B"),
        ("list-interfaces", false, "D"),
        ("help", false, "h"),
        ("interface", true, "i"),
        ("monitor-mode", false, "I"),
        ("time-stamp-type", true, "j"),
        ("list-time-stamp-types", false, "J"),
        ("micro", false, "micro"),
        ("nano", false, "nano"),
        ("time-stamp-precision", true, "time-stamp-precision"),
        ("dont-verify-checksums", false, "K"),
        ("list-data-link-types", false, "L"),
        ("no-optimize", false, "O"),
        ("no-promiscuous-mode", false, "p"),
        ("direction", true, "Q"),
        ("snapshot-length", true, "s"),
        ("absolute-tcp-sequence-numbers", false, "S"),
        ("packet-buffered", false, "U"),
        ("linktype", true, "y"),
        ("immediate-mode", false, "immediate-mode"),
        ("debug-filter-parser", false, "Y"),
        ("relinquish-privileges", true, "Z"),
        ("count", false, "count"),
        ("fp-type", false, "fp-type"),
        ("number", false, "#"),
        ("print", false, "print"),
        ("version", false, "version"),
        ("json", false, "json"),
    ];

    /// <summary>Parses <paramref name="args"/>; on error returns null and sets <paramref name="error"/> (tcpdump prints the usage after it).</summary>
    public static SniffOptions? Parse(IReadOnlyList<string> args, out string? error, out bool showUsage)
    {
        var o = new SniffOptions();
        error = null;
        showUsage = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                for (i++; i < args.Count; i++)
                {
                    o.Expression.Add(args[i]);
                }

                break;
            }

            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var body = a[2..];
                string? inline = null;
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    inline = body[(eq + 1)..];
                    body = body[..eq];
                }

                var match = FindLong(body, out var ambiguous);
                if (match is null)
                {
                    error = ambiguous ? $"option '{a}' is ambiguous" : $"unrecognized option '{a}'";
                    showUsage = true;
                    return null;
                }

                var (name, takesArgument, id) = match.Value;
                string? value = null;
                if (takesArgument)
                {
                    if (inline is not null)
                    {
                        value = inline;
                    }
                    else if (i + 1 < args.Count)
                    {
                        value = args[++i];
                    }
                    else
                    {
                        error = $"option '--{name}' requires an argument";
                        showUsage = true;
                        return null;
                    }
                }
                else if (inline is not null)
                {
                    error = $"option '--{name}' doesn't allow an argument";
                    showUsage = true;
                    return null;
                }

                if (!Apply(o, id, value, out error))
                {
                    return null;
                }

                continue;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                o.Expression.Add(a);
                continue;
            }

            for (var j = 1; j < a.Length; j++)
            {
                var c = a[j];
                if (WithArgument.Contains(c, StringComparison.Ordinal))
                {
                    string value;
                    if (j + 1 < a.Length)
                    {
                        value = a[(j + 1)..];
                    }
                    else if (i + 1 < args.Count)
                    {
                        value = args[++i];
                    }
                    else
                    {
                        error = $"option requires an argument -- '{c}'";
                        showUsage = true;
                        return null;
                    }

                    if (!Apply(o, c.ToString(), value, out error))
                    {
                        return null;
                    }

                    break;
                }

                if (!WithoutArgument.Contains(c, StringComparison.Ordinal))
                {
                    error = $"invalid option -- '{c}'";
                    showUsage = true;
                    return null;
                }

                if (!Apply(o, c.ToString(), null, out error))
                {
                    return null;
                }
            }
        }

        if (o.TimeFormat > 5)
        {
            error = "only -t, -tt, -ttt, -tttt and -ttttt are supported";
            return null;
        }

        return o;
    }

    private static (string Name, bool Argument, string Id)? FindLong(string name, out bool ambiguous)
    {
        ambiguous = false;
        (string, bool, string)? found = null;
        foreach (var option in s_longOptions)
        {
            if (option.Name == name)
            {
                return option;
            }

            if (name.Length > 0 && option.Name.StartsWith(name, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    ambiguous = true;
                }

                found = option;
            }
        }

        return ambiguous ? null : found;
    }

    private static bool Apply(SniffOptions o, string id, string? v, out string? error)
    {
        error = null;
        switch (id)
        {
            case "A":
                o.Ascii++;
                break;
            case "B":
                {
                    var kib = Atoi(v!);
                    if (kib <= 0 || kib > int.MaxValue / 1024)
                    {
                        error = $"invalid packet buffer size {v}";
                        return false;
                    }

                    o.BufferSize = (int)(kib * 1024);
                    break;
                }

            case "c":
                {
                    var n = Atoi(v!);
                    if (n <= 0 || n > int.MaxValue)
                    {
                        error = $"invalid packet count {v}";
                        return false;
                    }

                    o.Count = (int)n;
                    break;
                }

            case "C":
                if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mb) || mb <= 0)
                {
                    error = $"invalid file size {v}";
                    return false;
                }

                if (mb > long.MaxValue / 1_000_000)
                {
                    error = $"file size {v} is too large";
                    return false;
                }

                o.FileSize = mb * 1_000_000;
                break;
            case "D":
                o.ListInterfaces = true;
                break;
            case "e":
                o.LinkHeader = true;
                break;
            case "G":
                {
                    var g = Atoi(v!);
                    if (g < 0 || g > int.MaxValue)
                    {
                        error = $"invalid number of seconds {v}";
                        return false;
                    }

                    o.RotateSeconds = (int)g;
                    break;
                }

            case "h":
                o.Help = true;
                break;
            case "i":
                o.Interface = v;
                break;
            case "K":
                o.NoChecksum = true;
                break;
            case "l":
                o.LineBuffered = true;
                break;
            case "n":
                o.Numeric++;
                break;
            case "p":
                o.NoPromiscuous = true;
                break;
            case "q":
                o.Quiet++;
                break;
            case "Q":
                if (v is not ("in" or "out" or "inout"))
                {
                    error = $"unknown capture direction `{v}'";
                    return false;
                }

                o.Direction = v == "inout" ? null : v;
                break;
            case "r":
                o.ReadFile = v;
                break;
            case "s":
                {
                    if (!TryStrtol(v!, out var s) || s < 0 || s > SniffOptions.DefaultSnapLen)
                    {
                        error = $"invalid snaplen {v} (must be >= 0 and <= {SniffOptions.DefaultSnapLen})";
                        return false;
                    }

                    o.SnapLen = s == 0 ? SniffOptions.DefaultSnapLen : (int)s;
                    break;
                }

            case "S":
                o.AbsoluteSeq = true;
                break;
            case "t":
                o.TimeFormat++;
                break;
            case "U":
                o.PacketBuffered = true;
                break;
            case "v":
                o.Verbose++;
                break;
            case "w":
                o.WriteFile = v;
                break;
            case "W":
                {
                    var w = Atoi(v!);
                    if (w <= 0 || w > int.MaxValue)
                    {
                        error = $"invalid number of output files {v}";
                        return false;
                    }

                    o.FileCount = (int)w;
                    break;
                }

            case "x":
                o.Hex++;
                break;
            case "X":
                o.HexAscii++;
                break;
            case "#":
                o.PacketNumbers = true;
                break;
            case "micro":
                o.NanoPrecision = false;
                break;
            case "nano":
                o.NanoPrecision = true;
                break;
            case "time-stamp-precision":
                if (v == "micro")
                {
                    o.NanoPrecision = false;
                }
                else if (v == "nano")
                {
                    o.NanoPrecision = true;
                }
                else
                {
                    error = "unsupported time stamp precision";
                    return false;
                }

                break;
            case "immediate-mode":
                o.Immediate = true;
                break;
            case "print":
                o.PrintWhileWriting = true;
                break;
            case "json":
                o.Json = true;
                break;
            case "version":
                o.Version = true;
                break;
            default:
                error = id.Length == 1 && NotSupported.Contains(id, StringComparison.Ordinal)
                    ? $"option -{id} is not supported yet"
                    : $"option --{id} is not supported yet";
                return false;
        }

        return true;
    }

    /// <summary>C's atoi: optional blanks and sign, then digits; stops at the first non-digit.</summary>
    internal static long Atoi(string s)
    {
        var i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        long v = 0;
        for (; i < s.Length && s[i] is >= '0' and <= '9'; i++)
        {
            v = Math.Min((v * 10) + (s[i] - '0'), (long)int.MaxValue + 1);
        }

        return negative ? -v : v;
    }

    /// <summary>strtol(s, &amp;end, 0) that must consume the whole string (decimal, 0x hex, 0 octal).</summary>
    private static bool TryStrtol(string s, out long v)
    {
        v = 0;
        var t = s.Trim();
        var negative = t.StartsWith('-');
        if (negative || t.StartsWith('+'))
        {
            t = t[1..];
        }

        bool ok;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = long.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v);
        }
        else if (t.Length > 1 && t[0] == '0')
        {
            ok = true;
            foreach (var c in t)
            {
                if (c is < '0' or > '7')
                {
                    ok = false;
                    break;
                }

                v = (v * 8) + (c - '0');
            }
        }
        else
        {
            ok = t.Length > 0 && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        }

        if (negative)
        {
            v = -v;
        }

        return ok;
    }
}
