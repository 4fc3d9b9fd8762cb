namespace Forge.Containers.Cli;

/// <summary>Container names as docker makes them (adjective_noun), from forge's own word lists.</summary>
internal static class NameGenerator
{
    private static readonly string[] s_adjectives =
    [
        "amber", "bold", "brisk", "calm", "clever", "cosmic", "crisp", "daring", "eager", "fancy", "gentle", "glowing",
        "happy", "hardy", "humble", "jolly", "keen", "lively", "lucid", "mellow", "nimble", "noble", "placid", "proud",
        "quiet", "rapid", "serene", "sharp", "shiny", "steady", "swift", "tidy", "vivid", "wise", "witty", "zesty",
    ];

    private static readonly string[] s_nouns =
    [
        "anvil", "bellows", "billet", "chisel", "crucible", "ember", "file", "flux", "forge", "furnace", "hammer",
        "hearth", "ingot", "kiln", "ladle", "mandrel", "mold", "nail", "ore", "quench", "rivet", "scale", "slag",
        "smelter", "spark", "swage", "tempering", "tongs", "tuyere", "vise", "weld", "wrought",
    ];

    public static string Next(IEnumerable<string> taken)
    {
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        for (var attempt = 0; ; attempt++)
        {
            var name = s_adjectives[Random.Shared.Next(s_adjectives.Length)] + "_" + s_nouns[Random.Shared.Next(s_nouns.Length)];
            if (attempt > 10)
            {
                name += Random.Shared.Next(100);
            }

            if (!used.Contains(name))
            {
                return name;
            }
        }
    }
}
