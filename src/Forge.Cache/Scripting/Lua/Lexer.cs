using System.Text;

namespace Forge.Cache.Scripting.Lua;

internal enum Tok
{
    Eof,
    Name,
    Number,
    String,

    // keywords
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,

    // symbols
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Hash,
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Assign,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Colon,
    Comma,
    Dot,
    Concat,
    Dots,
}

/// <summary>Lua 5.1's lexer over the script's bytes (llex.c behaviour and error texts).</summary>
internal sealed class Lexer
{
    private static readonly Dictionary<string, Tok> s_keywords = new(StringComparer.Ordinal)
    {
        ["and"] = Tok.And,
        ["break"] = Tok.Break,
        ["do"] = Tok.Do,
        ["else"] = Tok.Else,
        ["elseif"] = Tok.Elseif,
        ["end"] = Tok.End,
        ["false"] = Tok.False,
        ["for"] = Tok.For,
        ["function"] = Tok.Function,
        ["if"] = Tok.If,
        ["in"] = Tok.In,
        ["local"] = Tok.Local,
        ["nil"] = Tok.Nil,
        ["not"] = Tok.Not,
        ["or"] = Tok.Or,
        ["repeat"] = Tok.Repeat,
        ["return"] = Tok.Return,
        ["then"] = Tok.Then,
        ["true"] = Tok.True,
        ["until"] = Tok.Until,
        ["while"] = Tok.While,
    };

    private readonly byte[] _src;
    private readonly string _chunk;
    private int _pos;

    public Lexer(byte[] source, string chunkName)
    {
        _src = source;
        _chunk = chunkName;
        Line = 1;
        if (_src.Length > 0 && _src[0] == '#')
        {
            while (_pos < _src.Length && _src[_pos] != '\n')
            {
                _pos++; // a first line starting with '#' is skipped (shebang)
            }
        }
    }

    public int Line { get; private set; }

    public Tok Token { get; private set; }

    public string? Name { get; private set; }

    public double Number { get; private set; }

    public byte[]? Str { get; private set; }

    /// <summary>The token's source text, for "near '...'" messages.</summary>
    public string TokenText { get; private set; } = "";

    private int Peek(int ahead = 0) => _pos + ahead < _src.Length ? _src[_pos + ahead] : -1;

    public LuaException Error(string message, bool near = true)
    {
        var text = $"{_chunk}:{Line}: {message}";
        if (near)
        {
            text += $" near '{(Token == Tok.Eof ? "<eof>" : TokenText)}'";
        }

        return new LuaException(text);
    }

    public void Next()
    {
        while (true)
        {
            var start = _pos;
            var c = Peek();
            switch (c)
            {
                case -1:
                    Token = Tok.Eof;
                    TokenText = "<eof>";
                    return;
                case '\n':
                case '\r':
                    NewLine();
                    continue;
                case ' ':
                case '\t':
                case '\f':
                case '\v':
                    _pos++;
                    continue;
                case '-':
                    if (Peek(1) != '-')
                    {
                        Set(Tok.Minus, start, 1);
                        return;
                    }

                    _pos += 2;
                    if (Peek() == '[')
                    {
                        var level = LongBracketLevel();
                        if (level >= 0)
                        {
                            ReadLongString(level, isComment: true);
                            continue;
                        }
                    }

                    while (Peek() is not (-1 or '\n' or '\r'))
                    {
                        _pos++;
                    }

                    continue;
                case '[':
                    {
                        var level = LongBracketLevel();
                        if (level >= 0)
                        {
                            Str = ReadLongString(level, isComment: false);
                            Token = Tok.String;
                            TokenText = Encoding.UTF8.GetString(_src, start, _pos - start);
                            return;
                        }

                        if (level == -1)
                        {
                            Set(Tok.LBracket, start, 1);
                            return;
                        }

                        TokenText = "[";
                        throw Error("invalid long string delimiter");
                    }

                case '=':
                    Set(Peek(1) == '=' ? Tok.Eq : Tok.Assign, start, Peek(1) == '=' ? 2 : 1);
                    return;
                case '<':
                    Set(Peek(1) == '=' ? Tok.Le : Tok.Lt, start, Peek(1) == '=' ? 2 : 1);
                    return;
                case '>':
                    Set(Peek(1) == '=' ? Tok.Ge : Tok.Gt, start, Peek(1) == '=' ? 2 : 1);
                    return;
                case '~':
                    if (Peek(1) == '=')
                    {
                        Set(Tok.Ne, start, 2);
                        return;
                    }

                    Set(Tok.Eof, start, 1);
                    Token = Tok.Ne;
                    TokenText = "~";
                    throw Error("unexpected symbol");
                case '"':
                case '\'':
                    ReadString((byte)c, start);
                    return;
                case '.':
                    if (Peek(1) == '.')
                    {
                        if (Peek(2) == '.')
                        {
                            Set(Tok.Dots, start, 3);
                            return;
                        }

                        Set(Tok.Concat, start, 2);
                        return;
                    }

                    if (Peek(1) is >= '0' and <= '9')
                    {
                        ReadNumber(start);
                        return;
                    }

                    Set(Tok.Dot, start, 1);
                    return;
                default:
                    if (c is >= '0' and <= '9')
                    {
                        ReadNumber(start);
                        return;
                    }

                    if (c is '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z'))
                    {
                        while (Peek() is '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
                        {
                            _pos++;
                        }

                        var word = Encoding.ASCII.GetString(_src, start, _pos - start);
                        TokenText = word;
                        if (s_keywords.TryGetValue(word, out var kw))
                        {
                            Token = kw;
                        }
                        else
                        {
                            Token = Tok.Name;
                            Name = word;
                        }

                        return;
                    }

                    var single = c switch
                    {
                        '+' => Tok.Plus,
                        '*' => Tok.Star,
                        '/' => Tok.Slash,
                        '%' => Tok.Percent,
                        '^' => Tok.Caret,
                        '#' => Tok.Hash,
                        '(' => Tok.LParen,
                        ')' => Tok.RParen,
                        '{' => Tok.LBrace,
                        '}' => Tok.RBrace,
                        ']' => Tok.RBracket,
                        ';' => Tok.Semi,
                        ':' => Tok.Colon,
                        ',' => Tok.Comma,
                        _ => Tok.Eof,
                    };
                    if (single == Tok.Eof)
                    {
                        _pos++;
                        Token = Tok.Name;
                        TokenText = c < 32 || c > 126 ? $"char({c})" : ((char)c).ToString();
                        throw Error("unexpected symbol");
                    }

                    Set(single, start, 1);
                    return;
            }
        }
    }

    private void Set(Tok t, int start, int len)
    {
        _pos = start + len;
        Token = t;
        TokenText = Encoding.ASCII.GetString(_src, start, len);
    }

    private void NewLine()
    {
        var c = _src[_pos++];
        if (Peek() is '\n' or '\r' && Peek() != c)
        {
            _pos++;
        }

        Line++;
    }

    /// <summary>At '[': the level of "[==[" (>= 0), -1 for a plain '[', -2 for "[=" without a second bracket.</summary>
    private int LongBracketLevel()
    {
        var p = _pos + 1;
        var level = 0;
        while (p < _src.Length && _src[p] == '=')
        {
            p++;
            level++;
        }

        if (p < _src.Length && _src[p] == '[')
        {
            _pos = p + 1;
            return level;
        }

        return level == 0 ? -1 : -2;
    }

    private byte[] ReadLongString(int level, bool isComment)
    {
        if (Peek() is '\n' or '\r')
        {
            NewLine(); // the first newline is skipped
        }

        var buf = new List<byte>();
        while (true)
        {
            var c = Peek();
            if (c == -1)
            {
                Token = Tok.Eof;
                throw Error(isComment ? "unfinished long comment" : "unfinished long string");
            }

            if (c == ']')
            {
                var p = _pos + 1;
                var l = 0;
                while (p < _src.Length && _src[p] == '=')
                {
                    p++;
                    l++;
                }

                if (l == level && p < _src.Length && _src[p] == ']')
                {
                    _pos = p + 1;
                    return isComment ? [] : [.. buf];
                }

                buf.Add((byte)']');
                _pos++;
                continue;
            }

            if (c is '\n' or '\r')
            {
                NewLine();
                buf.Add((byte)'\n');
                continue;
            }

            buf.Add((byte)c);
            _pos++;
        }
    }

    private void ReadString(byte quote, int start)
    {
        _pos++;
        var buf = new List<byte>();
        while (true)
        {
            var c = Peek();
            if (c == -1)
            {
                Token = Tok.Eof;
                throw Error("unfinished string");
            }

            if (c is '\n' or '\r')
            {
                Token = Tok.String;
                TokenText = Encoding.UTF8.GetString(_src, start, _pos - start);
                throw Error("unfinished string");
            }

            _pos++;
            if (c == quote)
            {
                break;
            }

            if (c != '\\')
            {
                buf.Add((byte)c);
                continue;
            }

            var e = Peek();
            switch (e)
            {
                case 'a': buf.Add(7); _pos++; break;
                case 'b': buf.Add(8); _pos++; break;
                case 'f': buf.Add(12); _pos++; break;
                case 'n': buf.Add(10); _pos++; break;
                case 'r': buf.Add(13); _pos++; break;
                case 't': buf.Add(9); _pos++; break;
                case 'v': buf.Add(11); _pos++; break;
                case '\n':
                case '\r':
                    NewLine();
                    buf.Add(10);
                    break;
                case -1:
                    continue;
                default:
                    if (e is >= '0' and <= '9')
                    {
                        var v = 0;
                        for (var i = 0; i < 3 && Peek() is >= '0' and <= '9'; i++)
                        {
                            v = (v * 10) + (Peek() - '0');
                            _pos++;
                        }

                        if (v > 255)
                        {
                            Token = Tok.String;
                            TokenText = Encoding.UTF8.GetString(_src, start, _pos - start);
                            throw Error("escape sequence too large");
                        }

                        buf.Add((byte)v);
                    }
                    else
                    {
                        buf.Add((byte)e);
                        _pos++;
                    }

                    break;
            }
        }

        Str = [.. buf];
        Token = Tok.String;
        TokenText = Encoding.UTF8.GetString(_src, start, _pos - start);
    }

    private void ReadNumber(int start)
    {
        while (Peek() is (>= '0' and <= '9') or '.' or '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z')
            || (Peek() is '+' or '-' && (_src[_pos - 1] | 0x20) == 'e'))
        {
            _pos++;
        }

        TokenText = Encoding.ASCII.GetString(_src, start, _pos - start);
        if (!Lua.TryParseNumber(_src.AsSpan(start, _pos - start), out var d) || TokenText.Contains("inf", StringComparison.OrdinalIgnoreCase) || TokenText.Contains("nan", StringComparison.OrdinalIgnoreCase))
        {
            Token = Tok.Number;
            throw Error("malformed number");
        }

        Token = Tok.Number;
        Number = d;
    }
}
