using System.Text.Json.Nodes;

namespace Forge.Containers.Images;

/// <summary>
/// A stored image: its ID (the digest of its OCI image config), the config's bytes exactly as
/// loaded (so the ID stays reproducible), the layers' diff IDs bottom first, and its tags.
/// </summary>
internal sealed class Image
{
    public Image(string id, byte[] configBytes)
    {
        Id = id;
        ConfigBytes = configBytes;
        Config = JsonNode.Parse(configBytes) as JsonObject ?? throw new CtrException("invalid image config: not a JSON object");
        var diffIds = new List<string>();
        if (Config["rootfs"]?["diff_ids"] is JsonArray ids)
        {
            foreach (var d in ids)
            {
                var value = d?.GetValue<string>();
                if (!Digest.IsValid(value))
                {
                    throw new CtrException($"invalid image config: bad diff_id \"{value}\"");
                }

                diffIds.Add(value!);
            }
        }

        DiffIds = diffIds;
    }

    public string Id { get; }

    public string ShortId => Digest.Hex(Id)[..12];

    public byte[] ConfigBytes { get; }

    public JsonObject Config { get; }

    public IReadOnlyList<string> DiffIds { get; }

    public List<string> RepoTags { get; } = [];

    /// <summary>The "config" object (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts…), empty when absent.</summary>
    public JsonObject RunConfig => Config["config"] as JsonObject ?? [];

    public DateTimeOffset? Created =>
        Config["created"]?.GetValue<string>() is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t) ? t : null;

    public static List<string> Strings(JsonNode? node)
    {
        var list = new List<string>();
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                list.Add(item?.GetValue<string>() ?? "");
            }
        }
        else if (node is JsonValue value && value.TryGetValue<string>(out var s))
        {
            list.Add(s);
        }

        return list;
    }
}
