namespace Forge.Sql.Tokenizer;

/// <summary>
/// The behaviour of <c>sqlite3_complete()</c>: is this text one or more complete statements, i.e.
/// does it end with a ';' that lies outside strings, identifiers, comments and CREATE TRIGGER
/// bodies? The shell uses it to decide whether to keep reading lines.
/// </summary>
public static class StatementCompleteness
{
    // Token classes of the state machine.
    private const int Semi = 0;
    private const int Ws = 1;
    private const int Other = 2;
    private const int Explain = 3;
    private const int Create = 4;
    private const int Temp = 5;
    private const int Trigger = 6;
    private const int End = 7;

    // States: 0 invalid, 1 start (complete), 2 normal, 3 after EXPLAIN, 4 after CREATE,
    // 5 inside a trigger, 6 after a ';' inside a trigger, 7 after END inside a trigger.
    private static readonly byte[,] s_transitions =
    {
        { 1, 0, 2, 3, 4, 2, 2, 2 },
        { 1, 1, 2, 3, 4, 2, 2, 2 },
        { 1, 2, 2, 2, 2, 2, 2, 2 },
        { 1, 3, 3, 2, 4, 2, 2, 2 },
        { 1, 4, 2, 2, 2, 4, 5, 2 },
        { 6, 5, 5, 5, 5, 5, 5, 5 },
        { 6, 6, 5, 5, 5, 5, 5, 7 },
        { 1, 7, 5, 5, 5, 5, 5, 5 },
    };

    /// <summary>True when <paramref name="sql"/> ends a complete statement.</summary>
    public static bool IsComplete(ReadOnlySpan<char> sql)
    {
        var state = 0;
        var i = 0;
        while (i < sql.Length)
        {
            int token;
            var c = sql[i];
            switch (c)
            {
                case ';':
                    token = Semi;
                    i++;
                    break;
                case ' ' or '\r' or '\t' or '\n' or '\f':
                    token = Ws;
                    i++;
                    break;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    {
                        var j = i + 2;
                        while (j + 1 < sql.Length && !(sql[j] == '*' && sql[j + 1] == '/'))
                        {
                            j++;
                        }

                        if (j + 1 >= sql.Length)
                        {
                            return false;
                        }

                        i = j + 2;
                        token = Ws;
                        break;
                    }

                case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                    {
                        var j = i + 2;
                        while (j < sql.Length && sql[j] != '\n')
                        {
                            j++;
                        }

                        if (j >= sql.Length)
                        {
                            return state == 1;
                        }

                        i = j + 1;
                        token = Ws;
                        break;
                    }

                case '[' or '`' or '"' or '\'':
                    {
                        var close = c == '[' ? ']' : c;
                        var j = i + 1;
                        while (j < sql.Length && sql[j] != close)
                        {
                            j++;
                        }

                        if (j >= sql.Length)
                        {
                            return false;
                        }

                        // A doubled quote is two adjacent strings here, which classifies the same.
                        i = j + 1;
                        token = Other;
                        break;
                    }

                default:
                    if (SqlTokenizer.IsIdChar(c))
                    {
                        var j = i + 1;
                        while (j < sql.Length && SqlTokenizer.IsIdChar(sql[j]))
                        {
                            j++;
                        }

                        token = Keywords.Lookup(sql[i..j]) switch
                        {
                            TokenKind.Create => Create,
                            TokenKind.Trigger => Trigger,
                            TokenKind.Temp or TokenKind.Temporary => Temp,
                            TokenKind.End => End,
                            TokenKind.Explain => Explain,
                            _ => Other,
                        };
                        i = j;
                    }
                    else
                    {
                        token = Other;
                        i++;
                    }

                    break;
            }

            state = s_transitions[state, token];
        }

        return state == 1;
    }
}
