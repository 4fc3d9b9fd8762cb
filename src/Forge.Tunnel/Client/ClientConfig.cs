using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Tunnel.Client;

/// <summary>
/// The saved client configuration (as jprq's `auth` stores it): $XDG_CONFIG_HOME/forge/tunnel.json,
/// or ~/.config/forge/tunnel.json, written with mode 0600 because it holds the token.
/// </summary>
internal sealed class ClientConfig
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("server")]
    public string? Server { get; set; }

    public static string DefaultPath
    {
        get
        {
            var baseDir = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(baseDir))
            {
                baseDir = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return Path.Combine(baseDir, "forge", "tunnel.json");
        }
    }

    public static ClientConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new ClientConfig();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ClientConfigJson.Default.ClientConfig) ?? new ClientConfig();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, ClientConfigJson.Default.ClientConfig));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClientConfig))]
internal sealed partial class ClientConfigJson : JsonSerializerContext
{
}
