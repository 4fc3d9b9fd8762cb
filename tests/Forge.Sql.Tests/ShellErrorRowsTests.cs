namespace Forge.Sql.Tests;

/// <summary>
/// A SELECT that fails while stepping: sqlite3's shell prints the rows stepped through before the
/// error (in every mode, columnar ones included), then the error; forge's shell the same bytes.
/// </summary>
public sealed class ShellErrorRowsTests
{
    private const string Setup = """
        create table t(a);
        insert into t values(1),(2),(3),(-9223372036854775808),(4);

        """;

    [Theory]
    [InlineData("list", true)]
    [InlineData("list", false)]
    [InlineData("csv", true)]
    [InlineData("column", true)]
    [InlineData("box", true)]
    [InlineData("table", false)]
    [InlineData("markdown", true)]
    [InlineData("json", true)]
    [InlineData("line", true)]
    [InlineData("insert", true)]
    [InlineData("quote", true)]
    public void Rows_before_a_runtime_error_are_printed_then_the_error(string mode, bool headers)
    {
        var script = Setup + $"""
            .headers {(headers ? "on" : "off")}
            .mode {mode}
            select a, abs(a) from t;
            select 'next';
            select abs(a) from t order by a desc;
            select 1; select abs(-9223372036854775808); select 2;
            select a, (select abs(a)) from t where a < 2;
            select a from t where abs(a) > 0 limit 3;
            select a, abs(a) from t where rowid > 3;
            values (1), (abs(-9223372036854775808));
            select 'end';

            """;
        var expected = ScriptDiff.Sqlite3Shell(script);
        var actual = ScriptDiff.ForgeShell(script);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.Stderr, actual.Stderr);
        Assert.Equal(expected.Code, actual.Code);
    }

    [Fact]
    public void Bail_stops_after_printing_the_rows()
    {
        var script = Setup + """
            .bail on
            select a, abs(a) from t;
            select 'not reached';

            """;
        var expected = ScriptDiff.Sqlite3Shell(script);
        var actual = ScriptDiff.ForgeShell(script);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_select_given_as_an_argument_prints_its_rows_then_stops()
    {
        var expected = ScriptDiff.Sqlite3Shell("", ":memory:", "create table t(a); insert into t values(1),(-9223372036854775808); select abs(a) from t; select 2;");
        var actual = ScriptDiff.ForgeShell("", ":memory:", "create table t(a); insert into t values(1),(-9223372036854775808); select abs(a) from t; select 2;");
        Assert.Equal(expected, actual);
    }
}
