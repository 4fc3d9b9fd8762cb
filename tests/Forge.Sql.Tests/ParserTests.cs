using Forge.Sql.Parsing;

namespace Forge.Sql.Tests;

public class ParserTests
{
    internal static void AssertRoundTrip(Statement statement)
    {
        var sql = statement.ToSql();
        var again = SqlParser.Parse(sql);
        Assert.True(again.Error is null, $"re-parse of {sql} failed: {again.Error?.Message}");
        Assert.Equal(statement, again.Statement);
        Assert.Equal(sql, again.Statement!.ToSql());
    }
}
