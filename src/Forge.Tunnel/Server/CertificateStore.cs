using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Forge.Tunnel.Server;

/// <summary>
/// The server's certificates, chosen per connection by the name the visitor asked for in TLS SNI:
/// an exact DNS name first, then a wildcard (<c>*.example.com</c> covers one label), then the first
/// certificate given. Loaded from PEM files (fullchain + private key).
/// </summary>
internal sealed class CertificateStore
{
    private readonly List<(SslStreamCertificateContext Context, string[] Names)> _certificates = [];

    public bool IsEmpty => _certificates.Count == 0;

    public static CertificateStore Load(IReadOnlyList<string> certPaths, IReadOnlyList<string> keyPaths)
    {
        if (certPaths.Count != keyPaths.Count)
        {
            throw new ArgumentException("every --cert needs its --key, in the same order");
        }

        var store = new CertificateStore();
        for (var i = 0; i < certPaths.Count; i++)
        {
            var context = TunnelServer.LoadCertificate(certPaths[i], keyPaths[i]);
            store._certificates.Add((context, DnsNames(context.TargetCertificate)));
        }

        return store;
    }

    public SslStreamCertificateContext Select(string? serverName)
    {
        if (!string.IsNullOrEmpty(serverName))
        {
            var name = serverName.TrimEnd('.').ToLowerInvariant();
            foreach (var (context, names) in _certificates)
            {
                if (names.Contains(name))
                {
                    return context;
                }
            }

            foreach (var (context, names) in _certificates)
            {
                if (names.Any(n => MatchesWildcard(n, name)))
                {
                    return context;
                }
            }
        }

        return _certificates[0].Context;
    }

    internal static bool MatchesWildcard(string pattern, string name)
    {
        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(name[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase);
    }

    private static string[] DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames().Select(n => n.ToLowerInvariant()));
            }
        }

        return [.. names];
    }
}
