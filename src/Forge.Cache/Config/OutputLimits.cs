using System.Globalization;

namespace Forge.Cache.Config;

/// <summary>One class's client-output-buffer-limit: hard bytes, soft bytes, soft seconds (0 = none).</summary>
internal readonly record struct OutputLimit(long Hard, long Soft, long SoftSeconds);

/// <summary>Parses "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60" (classes in any subset).</summary>
internal static class OutputLimits
{
    public static (string? Value, string? Error) Normalise(string value)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length % 4 != 0)
        {
            return (null, "Wrong number of arguments in buffer limit configuration.");
        }

        var current = new Dictionary<string, OutputLimit>
        {
            ["normal"] = new(0, 0, 0),
            ["slave"] = new(256L << 20, 64L << 20, 60),
            ["pubsub"] = new(32L << 20, 8L << 20, 60),
        };
        for (var i = 0; i < words.Length; i += 4)
        {
            var cls = words[i].ToLowerInvariant();
            if (cls == "replica")
            {
                cls = "slave";
            }

            if (!current.ContainsKey(cls))
            {
                return (null, "Invalid client class specified in buffer limit configuration.");
            }

            if (!CacheConfig.TryParseMemory(words[i + 1], out var hard) || !CacheConfig.TryParseMemory(words[i + 2], out var soft) ||
                !long.TryParse(words[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out var secs) || hard < 0 || soft < 0)
            {
                return (null, "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }

            current[cls] = new OutputLimit(hard, soft, secs);
        }

        var text = string.Join(' ', current.Select(kv => $"{kv.Key} {kv.Value.Hard} {kv.Value.Soft} {kv.Value.SoftSeconds}"));
        return (text, null);
    }

    public static OutputLimit For(string normalised, string cls)
    {
        var words = normalised.Split(' ');
        for (var i = 0; i + 3 < words.Length; i += 4)
        {
            if (words[i] == cls)
            {
                return new OutputLimit(long.Parse(words[i + 1], CultureInfo.InvariantCulture), long.Parse(words[i + 2], CultureInfo.InvariantCulture), long.Parse(words[i + 3], CultureInfo.InvariantCulture));
            }
        }

        return new OutputLimit(0, 0, 0);
    }
}
