namespace Forge.Sql.Tokenizer;

/// <summary>One token: its kind and where it lies in the source text (no string is allocated).</summary>
public readonly record struct Token(TokenKind Kind, int Start, int Length)
{
    /// <summary>The offset just past the token.</summary>
    public int End => Start + Length;

    /// <summary>The token's text as a span of <paramref name="sql"/>.</summary>
    public ReadOnlySpan<char> Span(string sql) => sql.AsSpan(Start, Length);

    /// <summary>The token's text (allocates).</summary>
    public string Text(string sql) => sql.Substring(Start, Length);
}
