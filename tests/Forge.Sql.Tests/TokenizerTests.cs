using Forge.Sql.Tokenizer;

namespace Forge.Sql.Tests;

public class TokenizerTests
{
    private static List<(TokenKind Kind, string Text)> Tokens(string sql, bool trivia = false)
    {
        var list = new List<(TokenKind, string)>();
        var pos = 0;
        while (true)
        {
            var t = SqlTokenizer.Next(sql, pos);
            if (t.Kind == TokenKind.Eof)
            {
                Assert.Equal(sql.Length, t.Start);
                return list;
            }

            Assert.Equal(pos, t.Start);
            Assert.True(t.Length > 0);
            if (trivia || t.Kind is not (TokenKind.Space or TokenKind.Comment))
            {
                list.Add((t.Kind, t.Text(sql)));
            }

            pos = t.End;
        }
    }

    private static (TokenKind Kind, string Text) Single(string sql)
    {
        var tokens = Tokens(sql);
        Assert.Single(tokens);
        return tokens[0];
    }

    [Theory]
    [InlineData("abc", TokenKind.Identifier)]
    [InlineData("_a$1", TokenKind.Identifier)]
    [InlineData("été", TokenKind.Identifier)]
    [InlineData("\"a b\"", TokenKind.QuotedIdentifier)]
    [InlineData("\"a\"\"b\"", TokenKind.QuotedIdentifier)]
    [InlineData("[a b]", TokenKind.QuotedIdentifier)]
    [InlineData("`a``b`", TokenKind.QuotedIdentifier)]
    [InlineData("'it''s'", TokenKind.StringLiteral)]
    [InlineData("''", TokenKind.StringLiteral)]
    [InlineData("X'0aFF'", TokenKind.Blob)]
    [InlineData("x''", TokenKind.Blob)]
    [InlineData("123", TokenKind.IntegerLiteral)]
    [InlineData("0x1F", TokenKind.IntegerLiteral)]
    [InlineData("0XaBc", TokenKind.IntegerLiteral)]
    [InlineData("1.5", TokenKind.FloatLiteral)]
    [InlineData(".5", TokenKind.FloatLiteral)]
    [InlineData("5.", TokenKind.FloatLiteral)]
    [InlineData("1e10", TokenKind.FloatLiteral)]
    [InlineData("1E+10", TokenKind.FloatLiteral)]
    [InlineData("2.5e-3", TokenKind.FloatLiteral)]
    [InlineData("?", TokenKind.Variable)]
    [InlineData("?12", TokenKind.Variable)]
    [InlineData(":name", TokenKind.Variable)]
    [InlineData("@name", TokenKind.Variable)]
    [InlineData("$name", TokenKind.Variable)]
    [InlineData("$a::b(c)", TokenKind.Variable)]
    [InlineData("#abc", TokenKind.Variable)]
    [InlineData(";", TokenKind.Semicolon)]
    [InlineData("(", TokenKind.LeftParen)]
    [InlineData(")", TokenKind.RightParen)]
    [InlineData(",", TokenKind.Comma)]
    [InlineData(".", TokenKind.Dot)]
    [InlineData("+", TokenKind.Plus)]
    [InlineData("-", TokenKind.Minus)]
    [InlineData("*", TokenKind.Star)]
    [InlineData("/", TokenKind.Slash)]
    [InlineData("%", TokenKind.Percent)]
    [InlineData("||", TokenKind.Concat)]
    [InlineData("->", TokenKind.Arrow)]
    [InlineData("->>", TokenKind.DoubleArrow)]
    [InlineData("<", TokenKind.Lt)]
    [InlineData("<=", TokenKind.Le)]
    [InlineData(">", TokenKind.Gt)]
    [InlineData(">=", TokenKind.Ge)]
    [InlineData("=", TokenKind.Eq)]
    [InlineData("==", TokenKind.Eq)]
    [InlineData("!=", TokenKind.Ne)]
    [InlineData("<>", TokenKind.Ne)]
    [InlineData("&", TokenKind.BitAnd)]
    [InlineData("|", TokenKind.BitOr)]
    [InlineData("~", TokenKind.BitNot)]
    [InlineData("<<", TokenKind.LShift)]
    [InlineData(">>", TokenKind.RShift)]
    [InlineData("SELECT", TokenKind.Select)]
    [InlineData("select", TokenKind.Select)]
    [InlineData("SeLeCt", TokenKind.Select)]
    [InlineData("current_timestamp", TokenKind.CurrentTimestamp)]
    [InlineData("notnull", TokenKind.NotNull)]
    [InlineData("ISNULL", TokenKind.IsNull)]
    public void Single_token(string sql, TokenKind kind)
    {
        var (k, text) = Single(sql);
        Assert.Equal(kind, k);
        Assert.Equal(sql, text);
    }

    [Theory]
    [InlineData("X'1'")]
    [InlineData("X'GG'")]
    [InlineData("'abc")]
    [InlineData("\"abc")]
    [InlineData("[abc")]
    [InlineData("`abc")]
    [InlineData("1abc")]
    [InlineData("0x")]
    [InlineData("1e")]
    [InlineData("0x1g")]
    [InlineData("@")]
    [InlineData(":")]
    [InlineData("$")]
    [InlineData("!")]
    [InlineData("\\")]
    public void Illegal_tokens(string sql)
    {
        var t = SqlTokenizer.Next(sql, 0);
        Assert.Equal(TokenKind.Illegal, t.Kind);
        Assert.Equal(sql.Length, t.Length);
    }

    [Fact]
    public void Tcl_variable_without_closing_parenthesis_is_illegal_up_to_the_space()
    {
        Assert.Equal(new Token(TokenKind.Illegal, 0, 7), SqlTokenizer.Next("$a::b(c d)", 0));
    }

    [Fact]
    public void Illegal_blob_runs_to_its_closing_quote()
    {
        var t = SqlTokenizer.Next("X'123' + 1", 0);
        Assert.Equal(new Token(TokenKind.Illegal, 0, 6), t);
    }

    [Fact]
    public void Comments_and_whitespace_are_tokens_with_positions()
    {
        var tokens = Tokens("a -- c\n/* b */ b /* open", trivia: true);
        Assert.Equal(
            [
                (TokenKind.Identifier, "a"), (TokenKind.Space, " "), (TokenKind.Comment, "-- c"), (TokenKind.Space, "\n"),
                (TokenKind.Comment, "/* b */"), (TokenKind.Space, " "), (TokenKind.Identifier, "b"), (TokenKind.Space, " "),
                (TokenKind.Comment, "/* open"),
            ],
            tokens);
    }

    [Fact]
    public void Numbers_and_operators_split_as_sqlite_does()
    {
        Assert.Equal(
            [(TokenKind.FloatLiteral, "1.2"), (TokenKind.FloatLiteral, ".3")],
            Tokens("1.2.3"));
        Assert.Equal(
            [(TokenKind.IntegerLiteral, "1"), (TokenKind.Minus, "-"), (TokenKind.IntegerLiteral, "2")],
            Tokens("1-2"));
        Assert.Equal(
            [(TokenKind.Identifier, "a"), (TokenKind.DoubleArrow, "->>"), (TokenKind.StringLiteral, "'$'")],
            Tokens("a->>'$'"));
        Assert.Equal([(TokenKind.Lt, "<"), (TokenKind.Gt, ">")], Tokens("< >"));
        Assert.Equal([(TokenKind.Identifier, "t"), (TokenKind.Dot, "."), (TokenKind.Star, "*")], Tokens("t.*"));
    }

    [Fact]
    public void Keyword_table_and_fallbacks()
    {
        Assert.Equal(147, Keywords.Names.Count());
        Assert.True(Keywords.IsFallbackId(TokenKind.Key));
        Assert.True(Keywords.IsFallbackId(TokenKind.Rollback));
        Assert.True(Keywords.IsFallbackId(TokenKind.If));
        Assert.False(Keywords.IsFallbackId(TokenKind.Select));
        Assert.False(Keywords.IsFallbackId(TokenKind.Left));
        Assert.True(Keywords.IsJoinKeyword(TokenKind.Left));
        Assert.Equal(TokenKind.Identifier, Keywords.Lookup("ſelect"));
        Assert.Equal(TokenKind.Identifier, Keywords.Lookup("true"));
        Assert.Equal(TokenKind.Identifier, Keywords.Lookup("rowid"));
    }

    [Theory]
    [InlineData("SELECT 1;", true)]
    [InlineData("SELECT 1", false)]
    [InlineData("", false)]
    [InlineData(";", true)]
    [InlineData("SELECT ';'", false)]
    [InlineData("SELECT ';';", true)]
    [InlineData("SELECT 1; -- done", true)]
    [InlineData("SELECT 1; /* open", false)]
    [InlineData("SELECT \"a;b\";", true)]
    [InlineData("SELECT [a;b];", true)]
    [InlineData("SELECT 'unterminated;", false)]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;", false)]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true)]
    [InlineData("CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", false)]
    [InlineData("EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true)]
    [InlineData("CREATE TABLE trigger(a);", true)]
    [InlineData("SELECT 1; SELECT 2;", true)]
    public void Complete_statements(string sql, bool complete)
    {
        Assert.Equal(complete, StatementCompleteness.IsComplete(sql));
    }
}
