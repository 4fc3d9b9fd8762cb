namespace Forge.Tunnel.Http;

/// <summary>Why a relay loop stopped.</summary>
internal enum RelayOutcomeKind
{
    /// <summary>The source ended cleanly between messages (or, for an until-close response body, at its end).</summary>
    SourceEnded,

    /// <summary>An Upgrade/CONNECT request or a 101/CONNECT-2xx response was forwarded; the caller copies the rest raw.</summary>
    Upgraded,

    /// <summary>A head, the next request, or body bytes did not arrive in time (408).</summary>
    Timeout,

    /// <summary>Invalid or truncated HTTP (400 for requests, 502 for responses).</summary>
    Malformed,

    /// <summary>The request head exceeded the size or field-count limit (431).</summary>
    HeadTooLarge,

    /// <summary>The request line exceeded its limit (414).</summary>
    UriTooLong,

    /// <summary>The request callback refused the request with its own status.</summary>
    Rejected,

    /// <summary>Writing to the destination failed (502).</summary>
    DestinationFailed,
}

/// <summary>
/// How a relay loop ended. <see cref="StatusCode"/> and <see cref="Reason"/> (one line) describe the error
/// response the caller may send (0 and a short note for <see cref="RelayOutcomeKind.SourceEnded"/> and
/// <see cref="RelayOutcomeKind.Upgraded"/>). <see cref="Messages"/> counts the heads forwarded to the
/// destination; <see cref="InsideMessage"/> is true when the loop stopped after forwarding part of a
/// message, when no error response can be inserted cleanly any more and the connection should just close.
/// </summary>
internal readonly record struct RelayOutcome(RelayOutcomeKind Kind, int StatusCode, string Reason)
{
    public int Messages { get; init; }

    public bool InsideMessage { get; init; }

    /// <summary>True for every kind except <see cref="RelayOutcomeKind.SourceEnded"/> and <see cref="RelayOutcomeKind.Upgraded"/>.</summary>
    public bool IsError => Kind is not (RelayOutcomeKind.SourceEnded or RelayOutcomeKind.Upgraded);
}

/// <summary>What the request callback decided: forward the (possibly rewritten) request, or refuse it.</summary>
internal readonly record struct RequestDecision
{
    /// <summary>Forward the request.</summary>
    public static RequestDecision Continue => default;

    public bool IsReject { get; private init; }

    public int StatusCode { get; private init; }

    public string? Message { get; private init; }

    /// <summary>Refuse the request: the relay stops with <see cref="RelayOutcomeKind.Rejected"/>, forwarding nothing of it.</summary>
    public static RequestDecision Reject(int statusCode, string message) =>
        new() { IsReject = true, StatusCode = statusCode, Message = message };
}
