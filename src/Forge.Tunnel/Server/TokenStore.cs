using System.Security.Cryptography;
using System.Text;

namespace Forge.Tunnel.Server;

/// <summary>
/// The --tokens file: one token per line, optionally followed by whitespace and a name for logs and
/// ownership; blank lines and lines starting with '#' are ignored. Tokens are kept only as SHA-256
/// hashes and compared in constant time.
/// </summary>
internal sealed class TokenStore
{
    private readonly List<(byte[] Hash, string Name)> _tokens = [];

    public int Count => _tokens.Count;

    public static TokenStore Load(string path)
    {
        var store = new TokenStore();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var token = parts[0];
            if (token.Length < 8)
            {
                throw new FormatException($"{path}:{lineNumber}: token is shorter than 8 characters");
            }

            var name = parts.Length > 1 ? parts[1] : $"token#{lineNumber}";
            store._tokens.Add((Hash(token), name));
        }

        return store;
    }

    /// <summary>The token's name when it is valid, else null.</summary>
    public string? Authenticate(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var hash = Hash(token);
        string? match = null;
        foreach (var (candidate, name) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, hash))
            {
                match ??= name;
            }
        }

        return match;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
