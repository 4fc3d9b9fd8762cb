using System.Security.Cryptography;

namespace Forge.Containers.Images;

/// <summary>Content digests in the OCI image-spec form <c>sha256:&lt;64 hex&gt;</c>.</summary>
internal static class Digest
{
    public const string Prefix = "sha256:";

    public static string Of(ReadOnlySpan<byte> data) => Prefix + Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Of(Stream stream) => Prefix + Convert.ToHexStringLower(SHA256.HashData(stream));

    public static string FromHash(byte[] hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>True for <c>sha256:</c> followed by exactly 64 lowercase hex digits.</summary>
    public static bool IsValid(string? digest)
    {
        if (digest is null || !digest.StartsWith(Prefix, StringComparison.Ordinal) || digest.Length != Prefix.Length + 64)
        {
            return false;
        }

        foreach (var c in digest.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The 64 hex digits of a valid digest (throws on anything else, so it is safe as a file name).</summary>
    public static string Hex(string digest)
    {
        if (!IsValid(digest))
        {
            throw new CtrException($"invalid digest \"{digest}\"");
        }

        return digest[Prefix.Length..];
    }
}
