using System.Text;

namespace Forge.Sql.Execution.Functions;

/// <summary>
/// LIKE and GLOB on UTF-8 text, character by character. LIKE: '%' any run, '_' one character,
/// an optional escape character, ASCII letters compared without case (SQLite without ICU).
/// GLOB: '*', '?', and sets "[abc]", "[a-z]", "[^...]" (a ']' first in a set is literal), case
/// sensitive. Matching is iterative — on a mismatch it backtracks only to the last '*' or '%',
/// which is enough for these wildcards — so no pattern can exhaust the stack; patterns longer than
/// SQLite's limit (50,000 bytes) are refused as SQLite refuses them.
/// </summary>
internal static class PatternMatch
{
    public const int MaxPatternLength = 50000;

    /// <summary>
    /// "x LIKE p" / "x GLOB p" on SQL values: NULL when either is NULL, and never a match when either
    /// is a blob (Debian's sqlite3 is built with SQLITE_LIKE_DOESNT_MATCH_BLOBS, which answers 0
    /// even for a NULL other operand).
    /// </summary>
    public static Forge.Sql.Records.SqlValue Evaluate(in Forge.Sql.Records.SqlValue text, in Forge.Sql.Records.SqlValue pattern, bool like, int escape = -1)
    {
        if (text.Type == Forge.Sql.Records.SqlType.Blob || pattern.Type == Forge.Sql.Records.SqlType.Blob)
        {
            return Forge.Sql.Records.SqlValue.FromInteger(0);
        }

        if (text.IsNull || pattern.IsNull)
        {
            return Forge.Sql.Records.SqlValue.Null;
        }

        var s = Values.SqlArithmetic.TextBytes(text);
        var p = Values.SqlArithmetic.TextBytes(pattern);
        return Forge.Sql.Records.SqlValue.FromInteger((like ? Like(s, p, escape) : Glob(s, p)) ? 1 : 0);
    }

    public static bool Like(ReadOnlySpan<byte> text, ReadOnlySpan<byte> pattern, int escape = -1) =>
        Match(Decode(text), Decode(Check(pattern)), like: true, escape);

    public static bool Glob(ReadOnlySpan<byte> text, ReadOnlySpan<byte> pattern) =>
        Match(Decode(text), Decode(Check(pattern)), like: false, -1);

    /// <summary>The escape character of "LIKE ... ESCAPE e": exactly one character.</summary>
    public static int EscapeChar(ReadOnlySpan<byte> escape)
    {
        var chars = Decode(escape);
        if (chars.Length != 1)
        {
            throw new SqlRuntimeException("ESCAPE expression must be a single character");
        }

        return chars[0];
    }

    private static ReadOnlySpan<byte> Check(ReadOnlySpan<byte> pattern) =>
        pattern.Length > MaxPatternLength ? throw new SqlRuntimeException("LIKE or GLOB pattern too complex") : pattern;

    private static int[] Decode(ReadOnlySpan<byte> utf8)
    {
        var result = new List<int>(utf8.Length);
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var r, out var n) != System.Buffers.OperationStatus.Done)
            {
                r = Rune.ReplacementChar;
                n = Math.Max(n, 1);
            }

            result.Add(r.Value);
            utf8 = utf8[n..];
        }

        return [.. result];
    }

    private static int Fold(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    private static bool Match(int[] s, int[] p, bool like, int escape)
    {
        int matchAll = like ? '%' : '*', matchOne = like ? '_' : '?';
        int si = 0, pi = 0;
        int starP = -1, starS = -1;
        while (si < s.Length)
        {
            if (pi < p.Length)
            {
                var c = p[pi];
                if (c == matchAll && (!like || escape != matchAll))
                {
                    starP = ++pi;
                    starS = si;
                    continue;
                }

                if (c == matchOne && (!like || escape != matchOne))
                {
                    pi++;
                    si++;
                    continue;
                }

                if (!like && c == '[')
                {
                    var end = SetMatches(p, pi, s[si], out var matched);
                    if (end > 0 && matched)
                    {
                        pi = end;
                        si++;
                        continue;
                    }

                    if (end < 0)
                    {
                        return false; // an unterminated set matches nothing
                    }
                }
                else
                {
                    if (like && c == escape)
                    {
                        if (pi + 1 >= p.Length)
                        {
                            return false; // an escape at the end matches nothing
                        }

                        c = p[pi + 1];
                        if (Same(c, s[si], like))
                        {
                            pi += 2;
                            si++;
                            continue;
                        }
                    }
                    else if (Same(c, s[si], like))
                    {
                        pi++;
                        si++;
                        continue;
                    }
                }
            }

            // Mismatch: let the last wildcard run swallow one more character, or fail.
            if (starP < 0)
            {
                return false;
            }

            pi = starP;
            si = ++starS;
        }

        // Only wildcard runs may remain in the pattern.
        while (pi < p.Length && p[pi] == matchAll && (!like || escape != matchAll))
        {
            pi++;
        }

        return pi == p.Length;
    }

    private static bool Same(int a, int b, bool like) => a == b || (like && Fold(a) == Fold(b));

    /// <summary>
    /// Matches <paramref name="c"/> against the set starting at p[start] == '['. Returns the index
    /// after the closing ']' (and whether it matched), or -1 when the set is not closed.
    /// </summary>
    private static int SetMatches(int[] p, int start, int c, out bool matched)
    {
        matched = false;
        var i = start + 1;
        var invert = false;
        if (i < p.Length && p[i] == '^')
        {
            invert = true;
            i++;
        }

        var seen = false;
        if (i < p.Length && p[i] == ']')
        {
            seen = c == ']';
            i++;
        }

        var prior = -1;
        while (i < p.Length && p[i] != ']')
        {
            if (p[i] == '-' && prior >= 0 && i + 1 < p.Length && p[i + 1] != ']')
            {
                if (c >= prior && c <= p[i + 1])
                {
                    seen = true;
                }

                prior = -1;
                i += 2;
                continue;
            }

            prior = p[i];
            if (c == p[i])
            {
                seen = true;
            }

            i++;
        }

        if (i >= p.Length)
        {
            return -1;
        }

        matched = seen != invert;
        return i + 1;
    }
}
