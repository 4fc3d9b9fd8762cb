namespace Forge.Sql.Tokenizer;

/// <summary>
/// SQLite's lexical rules (https://www.sqlite.org/lang_keywords.html and the behaviour of its
/// tokenizer): one call returns the token starting at a position, whitespace and comments included.
/// </summary>
public static class SqlTokenizer
{
    /// <summary>The token that starts at <paramref name="pos"/> (an <see cref="TokenKind.Eof"/> token at the end).</summary>
    public static Token Next(ReadOnlySpan<char> sql, int pos)
    {
        if (pos >= sql.Length)
        {
            return new Token(TokenKind.Eof, sql.Length, 0);
        }

        var c = sql[pos];
        var next = pos + 1 < sql.Length ? sql[pos + 1] : '\0';
        switch (c)
        {
            case ' ' or '\t' or '\n' or '\f' or '\r':
                {
                    var i = pos + 1;
                    while (i < sql.Length && IsSpace(sql[i]))
                    {
                        i++;
                    }

                    return new Token(TokenKind.Space, pos, i - pos);
                }

            case '-':
                if (next == '-')
                {
                    var i = pos + 2;
                    while (i < sql.Length && sql[i] != '\n')
                    {
                        i++;
                    }

                    return new Token(TokenKind.Comment, pos, i - pos);
                }

                if (next == '>')
                {
                    return pos + 2 < sql.Length && sql[pos + 2] == '>'
                        ? new Token(TokenKind.DoubleArrow, pos, 3)
                        : new Token(TokenKind.Arrow, pos, 2);
                }

                return new Token(TokenKind.Minus, pos, 1);

            case '/':
                if (next == '*')
                {
                    var i = pos + 2;
                    while (i < sql.Length && !(sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/'))
                    {
                        i++;
                    }

                    // An unterminated comment runs to the end of the input, as in SQLite.
                    var end = i < sql.Length ? i + 2 : sql.Length;
                    return new Token(TokenKind.Comment, pos, end - pos);
                }

                return new Token(TokenKind.Slash, pos, 1);

            case '(':
                return new Token(TokenKind.LeftParen, pos, 1);
            case ')':
                return new Token(TokenKind.RightParen, pos, 1);
            case ';':
                return new Token(TokenKind.Semicolon, pos, 1);
            case '+':
                return new Token(TokenKind.Plus, pos, 1);
            case '*':
                return new Token(TokenKind.Star, pos, 1);
            case '%':
                return new Token(TokenKind.Percent, pos, 1);
            case ',':
                return new Token(TokenKind.Comma, pos, 1);
            case '&':
                return new Token(TokenKind.BitAnd, pos, 1);
            case '~':
                return new Token(TokenKind.BitNot, pos, 1);
            case '=':
                return new Token(TokenKind.Eq, pos, next == '=' ? 2 : 1);
            case '<':
                return next switch
                {
                    '=' => new Token(TokenKind.Le, pos, 2),
                    '>' => new Token(TokenKind.Ne, pos, 2),
                    '<' => new Token(TokenKind.LShift, pos, 2),
                    _ => new Token(TokenKind.Lt, pos, 1),
                };
            case '>':
                return next switch
                {
                    '=' => new Token(TokenKind.Ge, pos, 2),
                    '>' => new Token(TokenKind.RShift, pos, 2),
                    _ => new Token(TokenKind.Gt, pos, 1),
                };
            case '!':
                return next == '=' ? new Token(TokenKind.Ne, pos, 2) : new Token(TokenKind.Illegal, pos, 1);
            case '|':
                return next == '|' ? new Token(TokenKind.Concat, pos, 2) : new Token(TokenKind.BitOr, pos, 1);
            case '\'' or '"' or '`':
                return Quoted(sql, pos, c, c == '\'' ? TokenKind.StringLiteral : TokenKind.QuotedIdentifier);
            case '[':
                {
                    var i = pos + 1;
                    while (i < sql.Length && sql[i] != ']')
                    {
                        i++;
                    }

                    return i < sql.Length
                        ? new Token(TokenKind.QuotedIdentifier, pos, i + 1 - pos)
                        : new Token(TokenKind.Illegal, pos, i - pos);
                }

            case '.':
                return IsDigit(next) ? Number(sql, pos) : new Token(TokenKind.Dot, pos, 1);
            case >= '0' and <= '9':
                return Number(sql, pos);
            case '?':
                {
                    var i = pos + 1;
                    while (i < sql.Length && IsDigit(sql[i]))
                    {
                        i++;
                    }

                    return new Token(TokenKind.Variable, pos, i - pos);
                }

            case '$' or '@' or ':' or '#':
                return NamedVariable(sql, pos);
            case 'x' or 'X' when next == '\'':
                return BlobLiteral(sql, pos);
            default:
                if (!IsIdChar(c) || IsDigit(c))
                {
                    return new Token(TokenKind.Illegal, pos, 1);
                }

                {
                    var i = pos + 1;
                    while (i < sql.Length && IsIdChar(sql[i]))
                    {
                        i++;
                    }

                    var kind = Keywords.Lookup(sql[pos..i]);
                    return new Token(kind, pos, i - pos);
                }
        }
    }

    /// <summary>SQLite's identifier characters: letters, digits, '_', '$' and every non-ASCII character.</summary>
    public static bool IsIdChar(char c) => c >= 0x80 || char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$';

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static Token Quoted(ReadOnlySpan<char> sql, int pos, char quote, TokenKind kind)
    {
        var i = pos + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return new Token(kind, pos, i + 1 - pos);
            }

            i++;
        }

        return new Token(TokenKind.Illegal, pos, i - pos);
    }

    private static Token Number(ReadOnlySpan<char> sql, int pos)
    {
        var i = pos;
        var kind = TokenKind.IntegerLiteral;
        if (sql[i] == '0' && i + 2 < sql.Length && (sql[i + 1] is 'x' or 'X') && char.IsAsciiHexDigit(sql[i + 2]))
        {
            i += 3;
            while (i < sql.Length && char.IsAsciiHexDigit(sql[i]))
            {
                i++;
            }
        }
        else
        {
            while (i < sql.Length && IsDigit(sql[i]))
            {
                i++;
            }

            if (i < sql.Length && sql[i] == '.')
            {
                kind = TokenKind.FloatLiteral;
                i++;
                while (i < sql.Length && IsDigit(sql[i]))
                {
                    i++;
                }
            }

            if (i < sql.Length && (sql[i] is 'e' or 'E'))
            {
                var j = i + 1;
                if (j < sql.Length && (sql[j] is '+' or '-'))
                {
                    j++;
                }

                if (j < sql.Length && IsDigit(sql[j]))
                {
                    kind = TokenKind.FloatLiteral;
                    i = j;
                    while (i < sql.Length && IsDigit(sql[i]))
                    {
                        i++;
                    }
                }
            }
        }

        // A number running straight into identifier characters ("1abc", "0x", "1e") is one illegal token.
        if (i < sql.Length && IsIdChar(sql[i]))
        {
            while (i < sql.Length && IsIdChar(sql[i]))
            {
                i++;
            }

            return new Token(TokenKind.Illegal, pos, i - pos);
        }

        return new Token(kind, pos, i - pos);
    }

    private static Token NamedVariable(ReadOnlySpan<char> sql, int pos)
    {
        var i = pos + 1;
        var named = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (IsIdChar(c))
            {
                named++;
                i++;
            }
            else if (sql[pos] == '$' && c == '(' && named > 0)
            {
                // Tcl-style array reference: $name(anything up to the closing parenthesis).
                var j = i + 1;
                while (j < sql.Length && sql[j] != ')' && !IsSpace(sql[j]))
                {
                    j++;
                }

                if (j < sql.Length && sql[j] == ')')
                {
                    i = j + 1;
                    break;
                }

                return new Token(TokenKind.Illegal, pos, j - pos);
            }
            else if (sql[pos] == '$' && c == ':' && i + 1 < sql.Length && sql[i + 1] == ':')
            {
                i += 2;
            }
            else
            {
                break;
            }
        }

        return named == 0 ? new Token(TokenKind.Illegal, pos, i - pos) : new Token(TokenKind.Variable, pos, i - pos);
    }

    private static Token BlobLiteral(ReadOnlySpan<char> sql, int pos)
    {
        var i = pos + 2;
        while (i < sql.Length && char.IsAsciiHexDigit(sql[i]))
        {
            i++;
        }

        var ok = i < sql.Length && sql[i] == '\'' && (i - pos) % 2 == 0;
        if (!ok)
        {
            while (i < sql.Length && sql[i] != '\'')
            {
                i++;
            }
        }

        if (i < sql.Length)
        {
            i++;
        }

        return new Token(ok ? TokenKind.Blob : TokenKind.Illegal, pos, i - pos);
    }
}
