namespace Forge.Sniff.Decoding;

/// <summary>if_indextoname from /sys/class/net (what SLL2 lines show before the packet type).</summary>
internal static class Interfaces
{
    private static Dictionary<uint, string>? s_names;

    public static string? NameOf(uint index)
    {
        s_names ??= Load();
        return s_names.TryGetValue(index, out var name) ? name : null;
    }

    private static Dictionary<uint, string> Load()
    {
        var names = new Dictionary<uint, string>();
        try
        {
            foreach (var dir in Directory.GetDirectories("/sys/class/net"))
            {
                try
                {
                    var text = File.ReadAllText(Path.Combine(dir, "ifindex")).Trim();
                    if (uint.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var i))
                    {
                        names[i] = Path.GetFileName(dir);
                    }
                }
                catch (IOException)
                {
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return names;
    }
}
