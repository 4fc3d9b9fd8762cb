namespace Forge.Tunnel.Http;

/// <summary>
/// Bounds applied while reading HTTP/1.1 message heads from an untrusted peer. RFC 9112 leaves the
/// limits to the implementation (§2.3, §3: "a server that receives a request-target longer than any
/// URI it wishes to parse MUST respond with a 414"; RFC 6585 §5 defines 431 for oversized heads).
/// </summary>
internal sealed record HttpLimits
{
    /// <summary>The defaults: 32 KiB heads, 8 KiB request lines, 100 fields, 10 s head, 60 s idle.</summary>
    public static HttpLimits Default { get; } = new();

    /// <summary>Largest accepted head (start line, fields and the closing empty line); larger => 431.</summary>
    public int MaxHeadBytes { get; init; } = 32 * 1024;

    /// <summary>Largest accepted request line without its line terminator; longer => 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Most field lines in one head; more => 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>
    /// A head must be complete this long after its first byte arrived; the first head of a connection
    /// must be complete this long after the connection was handed to the relay (slowloris defence).
    /// </summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest wait for the first byte of the next request on a keep-alive connection, and the
    /// longest silence tolerated while a body is being read.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
