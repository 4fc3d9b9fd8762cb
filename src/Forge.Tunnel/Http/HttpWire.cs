using System.Text;

namespace Forge.Tunnel.Http;

/// <summary>Serialisation shared by request and response heads.</summary>
internal static class HttpWire
{
    /// <summary>Writes CRLF ending the start line, each field line, and the empty line ending the head.</summary>
    public static int WriteFields(HttpHeaders headers, Span<byte> span)
    {
        var at = 0;
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        foreach (var field in headers)
        {
            at += Encoding.Latin1.GetBytes(field.Name, span[at..]);
            span[at++] = (byte)':';
            span[at++] = (byte)' ';
            at += Encoding.Latin1.GetBytes(field.Value, span[at..]);
            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
        }

        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        return at;
    }
}
