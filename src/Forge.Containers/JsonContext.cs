using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Forge.Containers;

/// <summary>Source-generated JSON metadata (no reflection, so NativeAOT and trimming stay clean).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
internal sealed partial class JsonContext : JsonSerializerContext
{
}
