using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

/// <summary>
/// A hand-written recursive-descent parser for SQLite's dialect. One instance parses one
/// statement; <see cref="Parse"/> and <see cref="ParseScript"/> are the entry points. Errors are
/// worded as SQLite words them. Every recursive path is depth-limited (SQLite's parser stack of
/// 100 entries is approximated by <see cref="MaxNesting"/> nesting units), so no input can
/// overflow the .NET stack.
/// </summary>
public sealed partial class SqlParser
{
    /// <summary>SQLite's SQLITE_MAX_EXPR_DEPTH.</summary>
    public const int MaxExprDepth = 1000;

    /// <summary>SQLite's SQLITE_MAX_COMPOUND_SELECT.</summary>
    public const int MaxCompoundSelect = 500;

    /// <summary>SQLITE_MAX_VARIABLE_NUMBER as Debian builds it.</summary>
    public const int MaxVariableNumber = 250000;

    /// <summary>
    /// Nesting units before "parser stack overflow": SQLite's parser stack holds 100 entries, a
    /// statement's own prefix takes about <see cref="BaseNesting"/>, and each construct costs what it
    /// costs SQLite (a parenthesis 1, a function call 3, a subquery 5, ...), measured against 3.40.
    /// </summary>
    internal const int MaxNesting = 100;

    internal const int BaseNesting = 7;

    private readonly string _sql;
    private Token _tok;
    private int _prevEnd;
    private int _nesting;
    private int _maxParam;
    private Dictionary<string, int>? _paramIndex;

    /// <summary>
    /// The first error SQLite only finds after parsing (while preparing the statement): reported
    /// when the statement parsed, so that a syntax error later in the statement wins, as in SQLite.
    /// </summary>
    private SqlError? _deferred;
    private List<string?>? _paramNames;

    private SqlParser(string sql)
    {
        _sql = sql;
    }

    /// <summary>
    /// Parses the first statement of <paramref name="sql"/> at or after <paramref name="offset"/>,
    /// skipping empty statements, as sqlite3_prepare does; <see cref="ParseResult.Tail"/> says where
    /// the rest begins. Never throws for any input.
    /// </summary>
    public static ParseResult Parse(string sql, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        try
        {
            var (statement, tail) = parser.ParseOne(offset);
            return new ParseResult(statement, null, tail, parser._maxParam, parser.ParameterNames());
        }
        catch (ParseFailure failure)
        {
            return new ParseResult(null, failure.Error, sql.Length, 0, []);
        }
        catch (InsufficientExecutionStackException)
        {
            return new ParseResult(null, new SqlError("parser stack overflow", parser._tok.Start), sql.Length, 0, []);
        }
    }

    /// <summary>Parses every statement of a script; throws <see cref="SqlParseException"/> at the first error.</summary>
    public static IReadOnlyList<Statement> ParseScript(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var list = new List<Statement>();
        var offset = 0;
        while (offset < sql.Length)
        {
            var result = Parse(sql, offset);
            if (result.Error is not null)
            {
                throw new SqlParseException(result.Error);
            }

            if (result.Statement is not null)
            {
                list.Add(result.Statement);
            }

            offset = result.Tail;
        }

        return list;
    }

    /// <summary>Parses exactly one expression (for tests and for the planner's own needs).</summary>
    public static Expr ParseExpression(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        try
        {
            parser.Start(0);
            var e = parser.ParseExpr();
            if (parser._tok.Kind != TokenKind.Eof)
            {
                parser.SyntaxError();
            }

            parser.ThrowDeferred();

            return e;
        }
        catch (ParseFailure failure)
        {
            throw new SqlParseException(failure.Error);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new SqlParseException(new SqlError("parser stack overflow", 0));
        }
    }

    private (Statement? Statement, int Tail) ParseOne(int offset)
    {
        Start(offset);
        while (_tok.Kind == TokenKind.Semicolon)
        {
            Advance();
        }

        if (_tok.Kind == TokenKind.Eof)
        {
            return (null, _sql.Length);
        }

        var statement = ParseStatement();
        if (_tok.Kind == TokenKind.Semicolon)
        {
            ThrowDeferred();
            return (statement, _tok.End);
        }

        if (_tok.Kind != TokenKind.Eof)
        {
            SyntaxError();
        }

        ThrowDeferred();
        return (statement, _sql.Length);
    }

    private void ThrowDeferred()
    {
        if (_deferred is not null)
        {
            throw new ParseFailure(_deferred);
        }
    }

    /// <summary>Records an error SQLite reports when preparing, not while parsing.</summary>
    private void Defer(string message, int offset) => _deferred ??= new SqlError(message, offset);

    private List<string?> ParameterNames()
    {
        var names = _paramNames ?? [];
        while (names.Count < _maxParam)
        {
            names.Add(null);
        }

        return names;
    }

    // ------------------------------------------------------------------ tokens

    private void Start(int offset)
    {
        _nesting = BaseNesting;
        _prevEnd = offset;
        _tok = new Token(TokenKind.Eof, offset, 0);
        Advance(offset);
    }

    /// <summary>Moves to the next significant token; an unrecognized token is an error as soon as it is reached.</summary>
    private void Advance()
    {
        _prevEnd = _tok.End;
        Advance(_tok.End);
    }

    private void Advance(int pos)
    {
        var t = NextSignificant(pos);
        _tok = t;
        if (t.Kind == TokenKind.Illegal)
        {
            Fail($"unrecognized token: \"{t.Text(_sql)}\"", t.Start);
        }
    }

    private Token NextSignificant(int pos)
    {
        while (true)
        {
            var t = SqlTokenizer.Next(_sql, pos);
            if (t.Kind is not (TokenKind.Space or TokenKind.Comment))
            {
                return t;
            }

            pos = t.End;
        }
    }

    /// <summary>The token after the current one (an illegal token is returned, not reported).</summary>
    private Token PeekNext() => NextSignificant(_tok.End);

    private bool At(TokenKind kind) => _tok.Kind == kind;

    private bool Accept(TokenKind kind)
    {
        if (_tok.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private void Expect(TokenKind kind)
    {
        if (_tok.Kind != kind)
        {
            SyntaxError();
        }

        Advance();
    }

    /// <summary>SQLite's <c>id</c>: an identifier, INDEXED, or a keyword that falls back to one.</summary>
    private static bool IsId(TokenKind kind) =>
        kind is TokenKind.Identifier or TokenKind.QuotedIdentifier or TokenKind.Indexed || Keywords.IsFallbackId(kind);

    /// <summary>SQLite's <c>nm</c>: an id, a join keyword or a string.</summary>
    private static bool IsNm(TokenKind kind) => IsId(kind) || Keywords.IsJoinKeyword(kind) || kind == TokenKind.StringLiteral;

    /// <summary>SQLite's <c>ids</c>: an id (without INDEXED) or a string.</summary>
    private static bool IsIds(TokenKind kind) => (IsId(kind) && kind != TokenKind.Indexed) || kind == TokenKind.StringLiteral;

    private string Name()
    {
        if (!IsNm(_tok.Kind))
        {
            SyntaxError();
        }

        var name = Dequote(_tok);
        Advance();
        return name;
    }

    private string IdsName()
    {
        if (!IsIds(_tok.Kind))
        {
            SyntaxError();
        }

        var name = Dequote(_tok);
        Advance();
        return name;
    }

    /// <summary>The token's text without quotes; doubled quotes inside become one.</summary>
    private string Dequote(Token t)
    {
        var span = t.Span(_sql);
        if (span.Length >= 2 && (span[0] is '"' or '\'' or '`' or '['))
        {
            var quote = span[0];
            var inner = span[1..^1];
            if (quote == '[')
            {
                return inner.ToString();
            }

            if (inner.IndexOf(quote) < 0)
            {
                return inner.ToString();
            }

            var q = quote.ToString();
            return inner.ToString().Replace(q + q, q, StringComparison.Ordinal);
        }

        return span.ToString();
    }

    private QualifiedName QualifiedName()
    {
        var start = _tok.Start;
        var first = Name();
        if (Accept(TokenKind.Dot))
        {
            var second = Name();
            return Mark(new QualifiedName(first, second), start);
        }

        return Mark(new QualifiedName(null, first), start);
    }

    private T Mark<T>(T node, int start)
        where T : Node
    {
        node.Start = start;
        node.End = Math.Max(start, _prevEnd);
        return node;
    }

    // ------------------------------------------------------------------ nesting

    private void Enter(int units)
    {
        _nesting += units;
        if (_nesting > MaxNesting)
        {
            Fail("parser stack overflow", _tok.Start);
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    private void Leave(int units) => _nesting -= units;

    // ------------------------------------------------------------------ errors

    [DoesNotReturn]
    private void SyntaxError() => throw Unexpected();

    /// <summary>The error for the current token: near "tok": syntax error, or incomplete input at the end.</summary>
    private ParseFailure Unexpected() => _tok.Kind == TokenKind.Eof
        ? new ParseFailure(new SqlError("incomplete input", _tok.Start))
        : new ParseFailure(new SqlError($"near \"{_tok.Text(_sql)}\": syntax error", _tok.Start));

    [DoesNotReturn]
    private static void Fail(string message, int offset) => throw new ParseFailure(new SqlError(message, offset));

    private sealed class ParseFailure(SqlError error) : Exception(error.Message)
    {
        public SqlError Error { get; } = error;
    }
}
