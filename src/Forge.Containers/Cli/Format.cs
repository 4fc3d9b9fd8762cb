using System.Globalization;
using System.Text;

namespace Forge.Containers.Cli;

/// <summary>docker's table layout (text/tabwriter, 3 spaces of padding) and its human-readable sizes and durations.</summary>
internal static class Format
{
    public static string Table(IReadOnlyList<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                sb.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 3));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>go-units HumanSizeWithPrecision(size, 3): decimal units, 3 significant digits ("4.26MB").</summary>
    public static string Size(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        var i = 0;
        while (bytes >= 1000 && i < units.Length - 1)
        {
            bytes /= 1000;
            i++;
        }

        return bytes.ToString("G3", CultureInfo.InvariantCulture) + units[i];
    }

    /// <summary>go-units BytesSize: binary units ("1.5MiB").</summary>
    public static string BinarySize(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (bytes >= 1024 && i < units.Length - 1)
        {
            bytes /= 1024;
            i++;
        }

        return bytes.ToString("0.##", CultureInfo.InvariantCulture) + units[i];
    }

    /// <summary>go-units HumanDuration: "Less than a second", "3 seconds", "About a minute", "5 minutes", "About an hour", …</summary>
    public static string Duration(TimeSpan d)
    {
        var seconds = (int)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }

        if (seconds == 1)
        {
            return "1 second";
        }

        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }

        var minutes = (int)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }

        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }

        var hours = (int)Math.Round(d.TotalHours);
        if (hours == 1)
        {
            return "About an hour";
        }

        if (hours < 48)
        {
            return $"{hours} hours";
        }

        if (hours < 24 * 7 * 2)
        {
            return $"{hours / 24} days";
        }

        return $"{hours / 24 / 7} weeks";
    }

    public static string Ago(DateTimeOffset? when) => when is { } w ? Duration(DateTimeOffset.UtcNow - w) + " ago" : "N/A";

    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
