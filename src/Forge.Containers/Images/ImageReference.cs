namespace Forge.Containers.Images;

/// <summary>
/// An image name as docker reads it: <c>[registry/]path[:tag]</c>, the tag defaulting to
/// <c>latest</c>. Path components are lowercase alphanumerics joined by one '.', one or two '_'
/// or any number of '-'; a tag is up to 128 of [A-Za-z0-9_.-] not starting with '.' or '-'.
/// Digests (<c>name@sha256:…</c>) are not stored by forge yet.
/// </summary>
internal readonly record struct ImageReference(string Repository, string Tag)
{
    public override string ToString() => Repository + ":" + Tag;

    public static bool TryParse(string text, out ImageReference reference)
    {
        reference = default;
        if (string.IsNullOrEmpty(text) || text.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        var repository = text;
        var tag = "latest";
        var colon = text.LastIndexOf(':');
        if (colon > text.LastIndexOf('/'))
        {
            repository = text[..colon];
            tag = text[(colon + 1)..];
            if (!ValidTag(tag))
            {
                return false;
            }
        }

        if (!ValidRepository(repository))
        {
            return false;
        }

        reference = new ImageReference(repository, tag);
        return true;
    }

    public static ImageReference Parse(string text) =>
        TryParse(text, out var r) ? r : throw new CtrException($"invalid reference format: \"{text}\"");

    private static bool ValidTag(string tag)
    {
        if (tag.Length is 0 or > 128 || tag[0] is '.' or '-')
        {
            return false;
        }

        foreach (var c in tag)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValidRepository(string repository)
    {
        if (repository.Length is 0 or > 255)
        {
            return false;
        }

        var parts = repository.Split('/');
        for (var p = 0; p < parts.Length; p++)
        {
            var part = parts[p];
            // The first component of several may be a registry host with a port (localhost:5000).
            var isHost = p == 0 && parts.Length > 1 && (part.Contains('.', StringComparison.Ordinal) || part.Contains(':', StringComparison.Ordinal) || part == "localhost");
            if (!(isHost ? ValidHost(part) : ValidComponent(part)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValidHost(string host)
    {
        foreach (var c in host)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or ':'))
            {
                return false;
            }
        }

        return host.Length > 0;
    }

    private static bool ValidComponent(string part)
    {
        if (part.Length == 0 || !IsLowerAlnum(part[0]) || !IsLowerAlnum(part[^1]))
        {
            return false;
        }

        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            if (IsLowerAlnum(c))
            {
                continue;
            }

            if (c == '.' && IsLowerAlnum(part[i + 1]))
            {
                continue;
            }

            if (c == '_')
            {
                var run = 1;
                while (part[i + run] == '_')
                {
                    run++;
                }

                if (run > 2)
                {
                    return false;
                }

                i += run - 1;
                continue;
            }

            if (c == '-')
            {
                continue;
            }

            return false;
        }

        return true;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'z';
}
