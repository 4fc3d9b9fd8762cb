using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Forge.Tunnel.Server;

/// <summary>
/// Leases let a reconnecting client reclaim its subdomain or TCP port during the grace period after
/// its connection dropped, and nobody else. A lease is <c>base64url(payload) "." base64url(HMAC-SHA256)</c>
/// with payload <c>kind "|" name "|" owner "|" session-nonce</c>; the key is random per server
/// process, so leases die with the server (after a restart every name is free again anyway).
/// </summary>
internal sealed class LeaseSigner
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Sign(string kind, string name, string owner)
    {
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var payload = Encoding.UTF8.GetBytes($"{kind}|{name}|{owner}|{nonce}");
        var mac = HMACSHA256.HashData(_key, payload);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>True when the lease was signed by this server for this kind and name.</summary>
    public bool Verify(string? lease, string kind, string name) => NameOf(lease, kind) == name;

    /// <summary>The name a lease this server signed for <paramref name="kind"/> names, else null.</summary>
    public string? NameOf(string? lease, string kind)
    {
        if (string.IsNullOrEmpty(lease) || lease.Length > 1024)
        {
            return null;
        }

        var dot = lease.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(lease.AsSpan(0, dot));
            var mac = Base64Url.DecodeFromChars(lease.AsSpan(dot + 1));
            if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
            {
                return null;
            }

            var parts = Encoding.UTF8.GetString(payload).Split('|');
            return parts.Length == 4 && parts[0] == kind ? parts[1] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
