using Forge.Tunnel.Mux;

namespace Forge.Tunnel.Server;

/// <summary>One subdomain or TCP port and who holds it.</summary>
internal sealed class TunnelEntry
{
    public required string Kind { get; init; }

    /// <summary>The subdomain, or the TCP port as a string.</summary>
    public required string Name { get; init; }

    /// <summary>The token name that claimed it ("" without --tokens).</summary>
    public required string Owner { get; init; }

    /// <summary>The connected client's session; null during the grace period after it dropped.</summary>
    public MuxSession? Session { get; set; }

    public DateTime? DisconnectedAt { get; set; }

    /// <summary>For TCP tunnels: the public listener (closed while the client is away).</summary>
    public System.Net.Sockets.Socket? Listener { get; set; }

    public int Generation { get; set; }
}

/// <summary>
/// Which client holds which subdomain or TCP port. A name stays bound to its client while connected
/// and for a grace period after it drops; during the grace period only the same token, or a client
/// presenting the lease the server signed for that name, may reclaim it.
/// </summary>
internal sealed class TunnelRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TunnelEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeSpan _grace;

    public TunnelRegistry(TimeSpan grace)
    {
        _grace = grace;
    }

    private static string Key(string kind, string name) => kind + ":" + name;

    public TunnelEntry? Find(string kind, string name)
    {
        lock (_gate)
        {
            return _entries.GetValueOrDefault(Key(kind, name));
        }
    }

    public bool IsTaken(string kind, string name)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(Key(kind, name));
        }
    }

    /// <summary>
    /// Claims a name for a session. Returns the entry, or null with the reason it is refused.
    /// <paramref name="previous"/> receives the session that held it before (a stale connection of
    /// the same client), which the caller closes.
    /// </summary>
    public TunnelEntry? TryClaim(string kind, string name, string owner, bool hasValidLease, MuxSession session, out string? error, out MuxSession? previous)
    {
        error = null;
        previous = null;
        lock (_gate)
        {
            var key = Key(kind, name);
            if (_entries.TryGetValue(key, out var existing))
            {
                var label = kind == "tcp" ? $"port {name}" : $"subdomain '{name}'";
                if (existing.Owner.Length > 0 && existing.Owner != owner)
                {
                    error = $"{label} is held by another token";
                    return null;
                }

                var sameClient = hasValidLease || (owner.Length > 0 && existing.Owner == owner && existing.Session is null);
                if (!sameClient)
                {
                    error = existing.Session is null
                        ? $"{label} is reserved for its previous client for a grace period; try again later or pick another"
                        : $"{label} is already in use";
                    return null;
                }

                previous = existing.Session;
                existing.Session = session;
                existing.DisconnectedAt = null;
                existing.Generation++;
                return existing;
            }

            var entry = new TunnelEntry { Kind = kind, Name = name, Owner = owner, Session = session };
            _entries[key] = entry;
            return entry;
        }
    }

    /// <summary>
    /// Marks the entry's client as gone. After the grace period, if nobody reclaimed it, the entry is
    /// removed and <paramref name="onFreed"/> runs (closing a TCP listener, for instance).
    /// </summary>
    public void Disconnected(TunnelEntry entry, MuxSession session, Action<TunnelEntry> onFreed)
    {
        int generation;
        lock (_gate)
        {
            if (entry.Session != session)
            {
                return; // already reclaimed by a newer session
            }

            entry.Session = null;
            entry.DisconnectedAt = DateTime.UtcNow;
            generation = entry.Generation;
            if (_grace <= TimeSpan.Zero)
            {
                _entries.Remove(Key(entry.Kind, entry.Name));
                onFreed(entry);
                return;
            }
        }

        _ = Task.Delay(_grace).ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    if (entry.Session is not null || entry.Generation != generation)
                    {
                        return;
                    }

                    _entries.Remove(Key(entry.Kind, entry.Name));
                }

                onFreed(entry);
            },
            TaskScheduler.Default);
    }
}
