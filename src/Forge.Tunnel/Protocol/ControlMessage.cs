using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Tunnel.Protocol;

/// <summary>
/// Handshake messages carried in CONTROL frames on stream 0 as UTF-8 JSON (docs/tunnel-protocol.md §5).
/// One shape with optional members: <c>hello</c> (client → server), <c>welcome</c> and
/// <c>error</c> (server → client).
/// </summary>
internal sealed class ControlMessage
{
    public const string HelloType = "hello";
    public const string WelcomeType = "welcome";
    public const string ErrorType = "error";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    // hello
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    /// <summary>"http" or "tcp".</summary>
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("subdomain")]
    public string? Subdomain { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    /// <summary>A lease the server signed earlier; lets a reconnecting client reclaim its name or port.</summary>
    [JsonPropertyName("lease")]
    public string? Lease { get; set; }

    [JsonPropertyName("client")]
    public string? Client { get; set; }

    // welcome
    [JsonPropertyName("urls")]
    public string[]? Urls { get; set; }

    [JsonPropertyName("address")]
    public string? Address { get; set; }

    [JsonPropertyName("leaseSeconds")]
    public int? LeaseSeconds { get; set; }

    // error
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When true on an error, the client should not retry (bad token, name taken by another token).</summary>
    [JsonPropertyName("fatal")]
    public bool? Fatal { get; set; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, ControlMessageJson.Default.ControlMessage);

    public static ControlMessage? TryDeserialize(ReadOnlySpan<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, ControlMessageJson.Default.ControlMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ControlMessageJson : JsonSerializerContext
{
}
