namespace Forge.Cache.Storage;

/// <summary>
/// Redis's glob matcher (stringmatchlen in util.c): * ? [abc] [^a-z] [!a] and \ escapes, used by
/// KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET. Iterative with backtracking on the last star, so
/// hostile patterns ("*a*a*a*...b") cost O(pattern × text) instead of exponential time.
/// </summary>
internal static class Glob
{
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool nocase = false)
    {
        if (text.IsEmpty)
        {
            // stringmatchlen never enters its loop for an empty string: only "" matches it.
            return pattern.IsEmpty;
        }

        var p = 0;
        var t = 0;
        var starP = -1;
        var starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                var c = pattern[p];
                if (c == (byte)'*')
                {
                    while (p + 1 < pattern.Length && pattern[p + 1] == (byte)'*')
                    {
                        p++;
                    }

                    starP = p++;
                    starT = t;
                    continue;
                }

                if (c == (byte)'?')
                {
                    p++;
                    t++;
                    continue;
                }

                if (c == (byte)'[')
                {
                    if (MatchClass(pattern, ref p, text[t], nocase))
                    {
                        t++;
                        continue;
                    }
                }
                else
                {
                    if (c == (byte)'\\' && p + 1 < pattern.Length)
                    {
                        p++;
                        c = pattern[p];
                    }

                    if (Eq(c, text[t], nocase))
                    {
                        p++;
                        t++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == (byte)'*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Matches one character against the class starting at pattern[p] ('['); advances p past it.</summary>
    private static bool MatchClass(ReadOnlySpan<byte> pattern, ref int p, byte ch, bool nocase)
    {
        p++;
        var not = p < pattern.Length && (pattern[p] == (byte)'^');
        if (not)
        {
            p++;
        }

        var match = false;
        while (true)
        {
            if (p >= pattern.Length)
            {
                // Unterminated class: Redis treats the end of the pattern as closing it.
                break;
            }

            if (pattern[p] == (byte)'\\' && p + 1 < pattern.Length)
            {
                p++;
                if (Eq(pattern[p], ch, nocase))
                {
                    match = true;
                }
            }
            else if (pattern[p] == (byte)']')
            {
                break;
            }
            else if (p + 2 < pattern.Length && pattern[p + 1] == (byte)'-')
            {
                int start = pattern[p];
                int end = pattern[p + 2];
                int c = ch;
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                if (nocase)
                {
                    start = Lower((byte)start);
                    end = Lower((byte)end);
                    c = Lower(ch);
                }

                p += 2;
                if (c >= start && c <= end)
                {
                    match = true;
                }
            }
            else if (Eq(pattern[p], ch, nocase))
            {
                match = true;
            }

            p++;
        }

        if (p < pattern.Length)
        {
            p++; // past ']'
        }

        return not ? !match : match;
    }

    private static bool Eq(byte a, byte b, bool nocase) => a == b || (nocase && Lower(a) == Lower(b));

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
