using System.Globalization;

namespace Forge.Sniff.Live;

/// <summary>The host's network interfaces as /sys/class/net describes them, in libpcap's order of preference.</summary>
internal static class NetInterfaces
{
    private const uint IffUp = 0x1;
    private const uint IffLoopback = 0x8;

    internal sealed record Info(string Name, int Index, bool Up, bool Running, bool Loopback, string OperState);

    public static List<Info> All()
    {
        var list = new List<Info>();
        string[] dirs;
        try
        {
            dirs = Directory.GetDirectories("/sys/class/net");
        }
        catch (IOException)
        {
            return list;
        }

        foreach (var dir in dirs)
        {
            var name = Path.GetFileName(dir);
            var flags = ParseHex(Read(dir, "flags"));
            var index = int.TryParse(Read(dir, "ifindex"), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;
            var oper = Read(dir, "operstate");
            var up = (flags & IffUp) != 0;
            var running = up && (oper is "up" or "unknown");
            list.Add(new Info(name, index, up, running, (flags & IffLoopback) != 0, oper));
        }

        list.Sort((a, b) => Merit(a).CompareTo(Merit(b)) is var c && c != 0 ? c : a.Index.CompareTo(b.Index));
        return list;
    }

    /// <summary>libpcap's figure of merit: up and running first, loopback after real interfaces.</summary>
    private static uint Merit(Info i) => (i.Up ? 0u : 0x80000000u) | (i.Running ? 0u : 0x40000000u) | (i.Loopback ? 0x10000000u : 0u);

    /// <summary>tcpdump's default: the first up, running, non-loopback interface.</summary>
    public static Info? Default()
    {
        foreach (var i in All())
        {
            if (i.Up && i.Running && !i.Loopback)
            {
                return i;
            }
        }

        return null;
    }

    private static string Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file)).Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static uint ParseHex(string s)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        return uint.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    /// <summary>tcpdump -D: "1.eth0 [Up, Running, Connected]", with the "any" pseudo-device after the real up interfaces.</summary>
    public static IEnumerable<string> ListLines()
    {
        var n = 0;
        var anyDone = false;
        foreach (var i in All())
        {
            if (!anyDone && (i.Loopback || !i.Running))
            {
                anyDone = true;
                yield return $"{++n}.any (Pseudo-device that captures on all interfaces) [Up, Running]";
            }

            var flags = new List<string>();
            if (i.Up)
            {
                flags.Add("Up");
            }

            if (i.Running)
            {
                flags.Add("Running");
            }

            if (i.Loopback)
            {
                flags.Add("Loopback");
            }
            else if (i.Up && i.OperState == "up")
            {
                flags.Add("Connected");
            }
            else if (i.Up && i.OperState == "down")
            {
                flags.Add("Disconnected");
            }

            yield return $"{++n}.{i.Name} [{(flags.Count == 0 ? "none" : string.Join(", ", flags))}]";
        }

        if (!anyDone)
        {
            yield return $"{++n}.any (Pseudo-device that captures on all interfaces) [Up, Running]";
        }
    }
}
