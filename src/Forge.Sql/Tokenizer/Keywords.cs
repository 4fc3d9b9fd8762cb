using System.Collections.Frozen;

namespace Forge.Sql.Tokenizer;

/// <summary>
/// SQLite's keyword table (case-insensitive, ASCII only) and its fallback rule: the keywords that
/// may stand for an identifier wherever the grammar has no use for the keyword itself.
/// </summary>
public static class Keywords
{
    private static readonly FrozenDictionary<string, TokenKind> s_byName = Build();
    private static readonly FrozenDictionary<string, TokenKind>.AlternateLookup<ReadOnlySpan<char>> s_lookup =
        s_byName.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly bool[] s_fallback = BuildFallback();

    /// <summary>All keyword names, upper case.</summary>
    public static IEnumerable<string> Names => s_byName.Keys;

    /// <summary>The keyword <paramref name="word"/> spells, or <see cref="TokenKind.Identifier"/>.</summary>
    public static TokenKind Lookup(ReadOnlySpan<char> word)
    {
        if (word.Length < 2 || word.Length > 17)
        {
            return TokenKind.Identifier;
        }

        foreach (var c in word)
        {
            if (c >= 0x80)
            {
                return TokenKind.Identifier;
            }
        }

        return s_lookup.TryGetValue(word, out var kind) ? kind : TokenKind.Identifier;
    }

    /// <summary>True for keyword tokens.</summary>
    public static bool IsKeyword(TokenKind kind) => kind >= TokenKind.Abort;

    /// <summary>
    /// True when the keyword falls back to an identifier (SQLite's <c>%fallback ID</c>), and for
    /// WINDOW, OVER and FILTER, which SQLite's tokenizer turns into identifiers outside their context.
    /// </summary>
    public static bool IsFallbackId(TokenKind kind) => s_fallback[(int)kind];

    /// <summary>CROSS FULL INNER LEFT NATURAL OUTER RIGHT (SQLite's JOIN_KW), allowed as names but not in expressions' bare identifiers.</summary>
    public static bool IsJoinKeyword(TokenKind kind) => kind is TokenKind.Cross or TokenKind.Full or TokenKind.Inner
        or TokenKind.Left or TokenKind.Natural or TokenKind.Outer or TokenKind.Right;

    private static FrozenDictionary<string, TokenKind> Build()
    {
        var map = new Dictionary<string, TokenKind>(StringComparer.OrdinalIgnoreCase);
        for (var k = TokenKind.Abort; k <= TokenKind.Without; k++)
        {
            var name = k switch
            {
                TokenKind.CurrentDate => "CURRENT_DATE",
                TokenKind.CurrentTime => "CURRENT_TIME",
                TokenKind.CurrentTimestamp => "CURRENT_TIMESTAMP",
                TokenKind.IsNull => "ISNULL",
                TokenKind.NotNull => "NOTNULL",
                _ => k.ToString().ToUpperInvariant(),
            };
            map[name] = k;
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static bool[] BuildFallback()
    {
        var table = new bool[256];
        TokenKind[] ids =
        [
            TokenKind.Abort, TokenKind.Action, TokenKind.After, TokenKind.Analyze, TokenKind.Asc, TokenKind.Attach,
            TokenKind.Before, TokenKind.Begin, TokenKind.By, TokenKind.Cascade, TokenKind.Cast, TokenKind.Column,
            TokenKind.Conflict, TokenKind.Database, TokenKind.Deferred, TokenKind.Desc, TokenKind.Detach, TokenKind.Do,
            TokenKind.Each, TokenKind.End, TokenKind.Exclusive, TokenKind.Explain, TokenKind.Fail, TokenKind.For,
            TokenKind.Ignore, TokenKind.Immediate, TokenKind.Initially, TokenKind.Instead, TokenKind.Like,
            TokenKind.Glob, TokenKind.Regexp, TokenKind.Match, TokenKind.No, TokenKind.Plan, TokenKind.Query,
            TokenKind.Key, TokenKind.Of, TokenKind.Offset, TokenKind.Pragma, TokenKind.Raise, TokenKind.Recursive,
            TokenKind.Release, TokenKind.Replace, TokenKind.Restrict, TokenKind.Row, TokenKind.Rows, TokenKind.Rollback,
            TokenKind.Savepoint, TokenKind.Temp, TokenKind.Temporary, TokenKind.Trigger, TokenKind.Vacuum,
            TokenKind.View, TokenKind.Virtual, TokenKind.With, TokenKind.Without, TokenKind.Nulls, TokenKind.First,
            TokenKind.Last, TokenKind.Current, TokenKind.Following, TokenKind.Partition, TokenKind.Preceding,
            TokenKind.Range, TokenKind.Unbounded, TokenKind.Exclude, TokenKind.Groups, TokenKind.Others,
            TokenKind.Ties, TokenKind.Generated, TokenKind.Always, TokenKind.Materialized, TokenKind.Reindex,
            TokenKind.Rename, TokenKind.CurrentTime, TokenKind.CurrentDate, TokenKind.CurrentTimestamp, TokenKind.If,
            TokenKind.Window, TokenKind.Over, TokenKind.Filter,
        ];
        foreach (var k in ids)
        {
            table[(int)k] = true;
        }

        return table;
    }
}
