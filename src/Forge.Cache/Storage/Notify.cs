namespace Forge.Cache.Storage;

/// <summary>
/// Keyspace notification classes (notify-keyspace-events), with the letters Redis uses:
/// K keyspace, E keyevent, g generic, $ string, l list, s set, h hash, z zset, x expired,
/// e evicted, t stream, d module, m key miss, n new key, A alias for "g$lshzxetd".
/// </summary>
[Flags]
internal enum Notify
{
    None = 0,
    Keyspace = 1 << 0,
    Keyevent = 1 << 1,
    Generic = 1 << 2,
    String = 1 << 3,
    List = 1 << 4,
    Set = 1 << 5,
    Hash = 1 << 6,
    Zset = 1 << 7,
    Expired = 1 << 8,
    Evicted = 1 << 9,
    Stream = 1 << 10,
    KeyMiss = 1 << 11,
    Module = 1 << 12,
    New = 1 << 13,
    All = Generic | String | List | Set | Hash | Zset | Expired | Evicted | Stream | Module,
}

internal static class NotifyFlags
{
    /// <summary>Parses the directive's letters; null when a letter is unknown.</summary>
    public static Notify? Parse(string text)
    {
        var flags = Notify.None;
        foreach (var ch in text)
        {
            flags |= ch switch
            {
                'A' => Notify.All,
                'g' => Notify.Generic,
                '$' => Notify.String,
                'l' => Notify.List,
                's' => Notify.Set,
                'h' => Notify.Hash,
                'z' => Notify.Zset,
                'x' => Notify.Expired,
                'e' => Notify.Evicted,
                'K' => Notify.Keyspace,
                'E' => Notify.Keyevent,
                't' => Notify.Stream,
                'm' => Notify.KeyMiss,
                'd' => Notify.Module,
                'n' => Notify.New,
                _ => (Notify)(-1),
            };
            if ((int)flags == -1 || flags < 0)
            {
                return null;
            }
        }

        return flags;
    }

    /// <summary>The canonical text CONFIG GET prints (keyspaceEventsFlagsToString).</summary>
    public static string Format(Notify flags)
    {
        var s = "";
        if ((flags & Notify.All) == Notify.All)
        {
            s += "A";
        }
        else
        {
            (Notify F, char C)[] order =
            [
                (Notify.Generic, 'g'), (Notify.String, '$'), (Notify.List, 'l'), (Notify.Set, 's'), (Notify.Hash, 'h'),
                (Notify.Zset, 'z'), (Notify.Expired, 'x'), (Notify.Evicted, 'e'), (Notify.Stream, 't'), (Notify.Module, 'd'), (Notify.New, 'n'),
            ];
            foreach (var (f, c) in order)
            {
                if ((flags & f) != 0)
                {
                    s += c;
                }
            }
        }

        if ((flags & Notify.Keyspace) != 0)
        {
            s += "K";
        }

        if ((flags & Notify.Keyevent) != 0)
        {
            s += "E";
        }

        if ((flags & Notify.KeyMiss) != 0)
        {
            s += "m";
        }

        return s;
    }
}
