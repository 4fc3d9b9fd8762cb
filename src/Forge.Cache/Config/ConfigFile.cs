using System.Text;
using Forge.Cache.Protocol;

namespace Forge.Cache.Config;

/// <summary>Reads redis.conf syntax: one directive per line, words split as sdssplitargs does, # comments.</summary>
internal static class ConfigFile
{
    /// <summary>Applies every line; returns Redis's fatal error text for the first bad line, or null.</summary>
    public static string? Load(CacheConfig config, string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var args = new ArgList();
            if (!RequestParser.SplitArgs(Encoding.UTF8.GetBytes(line), args))
            {
                return Fatal(i + 1, line, "Unbalanced quotes in configuration line");
            }

            if (args.Count == 0)
            {
                continue;
            }

            var name = Encoding.UTF8.GetString(args[0]).ToLowerInvariant();
            var words = new List<string>();
            for (var k = 1; k < args.Count; k++)
            {
                words.Add(Encoding.UTF8.GetString(args[k]));
            }

            if (name == "include")
            {
                return Fatal(i + 1, line, "include is not supported by forge cache");
            }

            var error = Apply(config, name, string.Join(' ', words), i + 1, line, words.Count);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Applies one directive; returns Redis's fatal error text or null.</summary>
    public static string? Apply(CacheConfig config, string name, string value, int lineNumber, string lineText, int wordCount = -1)
    {
        name = name.ToLowerInvariant();
        if (!CacheConfig.IsKnown(name))
        {
            return Fatal(lineNumber, lineText, "Bad directive or wrong number of arguments");
        }

        var directive = CacheConfig.Directives.First(d => d.Name == name || d.Aliases.Contains(name));
        if (wordCount == 0 && !directive.MultiArg && directive.Kind != DirectiveKind.Text)
        {
            return Fatal(lineNumber, lineText, "Bad directive or wrong number of arguments");
        }

        if (wordCount > 1 && !directive.MultiArg)
        {
            return Fatal(lineNumber, lineText, "Bad directive or wrong number of arguments");
        }

        var error = config.Set(name, value, startup: true);
        if (error is not null)
        {
            var reason = error.Contains(" - ", StringComparison.Ordinal) ? error[(error.IndexOf(" - ", StringComparison.Ordinal) + 3)..] : error;
            return Fatal(lineNumber, lineText, reason);
        }

        return null;
    }

    private static string Fatal(int line, string text, string reason) =>
        $"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}";
}
