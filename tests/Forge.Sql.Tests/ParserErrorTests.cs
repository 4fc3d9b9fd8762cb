using System.Text;
using Forge.Sql.Parsing;

namespace Forge.Sql.Tests;

public class ParserErrorTests
{
    private static string Error(string sql)
    {
        var result = SqlParser.Parse(sql);
        Assert.NotNull(result.Error);
        return result.Error!.Message;
    }

    [Theory]
    [InlineData("SELECT * FORM t", "near \"FORM\": syntax error", 9)]
    [InlineData("SELECT 1 +", "incomplete input", 10)]
    [InlineData("SELECT 1 + ;", "near \";\": syntax error", 11)]
    [InlineData("SELECT X'1'", "unrecognized token: \"X'1'\"", 7)]
    [InlineData("SELECT 'abc", "unrecognized token: \"'abc\"", 7)]
    [InlineData("SELECT 1 x y", "near \"y\": syntax error", 11)]
    public void Messages_and_offsets(string sql, string message, int offset)
    {
        var result = SqlParser.Parse(sql);
        Assert.Equal(new SqlError(message, offset), result.Error);
        Assert.Null(result.Statement);
    }

    [Fact]
    public void Syntax_error_before_an_unrecognized_token_wins()
    {
        Assert.Equal("near \"FROM\": syntax error", Error("SELECT FROM 'abc"));
    }

    [Fact]
    public void Expression_depth_limit()
    {
        var sb = new StringBuilder("SELECT 1");
        for (var i = 0; i < 1100; i++)
        {
            sb.Append(" + 1");
        }

        Assert.Equal("Expression tree is too large (maximum depth 1000)", Error(sb.ToString()));

        sb.Clear().Append("SELECT 1");
        for (var i = 0; i < 998; i++)
        {
            sb.Append(" + 1");
        }

        Assert.Null(SqlParser.Parse(sb.ToString()).Error);
    }

    [Fact]
    public void Compound_select_limit()
    {
        var sb = new StringBuilder("SELECT 1");
        for (var i = 0; i < 499; i++)
        {
            sb.Append(" UNION SELECT 1");
        }

        Assert.Null(SqlParser.Parse(sb.ToString()).Error);
        sb.Append(" UNION SELECT 1");
        Assert.Equal("too many terms in compound SELECT", Error(sb.ToString()));
    }

    [Fact]
    public void Many_values_rows_are_not_a_compound()
    {
        var sb = new StringBuilder("VALUES (1)");
        for (var i = 0; i < 2000; i++)
        {
            sb.Append(", (1)");
        }

        Assert.Null(SqlParser.Parse(sb.ToString()).Error);
    }

    [Theory]
    [InlineData("(", ")", 100000)]
    [InlineData("(SELECT ", ")", 100000)]
    [InlineData("- ", "", 100000)]
    [InlineData("NOT ", "", 100000)]
    [InlineData("CASE WHEN ", " THEN 1 END", 100000)]
    [InlineData("f(", ")", 100000)]
    [InlineData("1 IN (", ")", 100000)]
    [InlineData("CAST(", " AS INT)", 100000)]
    [InlineData("EXISTS (SELECT ", ")", 100000)]
    public void Deep_nesting_is_an_error_not_a_crash(string open, string close, int depth)
    {
        var sb = new StringBuilder("SELECT ");
        for (var i = 0; i < depth; i++)
        {
            sb.Append(open);
        }

        sb.Append('1');
        for (var i = 0; i < depth; i++)
        {
            sb.Append(close);
        }

        Assert.Equal("parser stack overflow", Error(sb.ToString()));
    }

    [Fact]
    public void Deep_from_nesting_is_an_error_not_a_crash()
    {
        var sql = "SELECT * FROM " + new string('(', 50000) + "t" + new string(')', 50000);
        Assert.Equal("parser stack overflow", Error(sql));
    }

    // Where SQLite 3.40's 100-entry parser stack overflows, per construct (measured with sqlite3).
    [Theory]
    [InlineData("(", ")", 93)]
    [InlineData("(select ", ")", 18)]
    [InlineData("abs(", ")", 31)]
    [InlineData("case when 1 then ", " end", 18)]
    [InlineData("1 in (", ")", 31)]
    [InlineData("exists (select ", ")", 15)]
    [InlineData("1 + (", ")", 31)]
    public void Nesting_limit_matches_sqlite(string open, string close, int deepestAccepted)
    {
        string Nest(int n)
        {
            var sb = new StringBuilder("SELECT ");
            for (var i = 0; i < n; i++)
            {
                sb.Append(open);
            }

            sb.Append('1');
            for (var i = 0; i < n; i++)
            {
                sb.Append(close);
            }

            return sb.ToString();
        }

        Assert.Null(SqlParser.Parse(Nest(deepestAccepted)).Error);
        Assert.Equal("parser stack overflow", Error(Nest(deepestAccepted + 1)));
    }

    [Fact]
    public void Virtual_tables_and_window_functions_are_rejected_with_a_clear_message()
    {
        Assert.Equal("CREATE VIRTUAL TABLE is not supported", Error("CREATE VIRTUAL TABLE v USING fts5(a)"));
        Assert.Equal("window functions are not supported", Error("SELECT row_number() OVER (ORDER BY a) FROM t"));
    }

    [Fact]
    public void Parse_script_throws_the_first_error()
    {
        var e = Assert.Throws<SqlParseException>(() => SqlParser.ParseScript("SELECT 1; SELEC 2; SELECT 3"));
        Assert.Equal("near \"SELEC\": syntax error", e.Message);
        Assert.Equal(10, e.Error.Offset);
    }
}
