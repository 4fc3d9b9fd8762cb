using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// Joins of more tables than the planner permutes exhaustively are ordered by a beam search, so a
/// chain of rowid equalities is walked through rowid lookups instead of nested scans in FROM order
/// (sqllogictest's select5 joins up to 64 tables of this shape).
/// </summary>
public sealed class JoinOrderTests
{
    [Theory]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(20)]
    public void A_chain_of_rowid_equalities_is_joined_by_lookups_whatever_the_from_order(int n)
    {
        var setup = new System.Text.StringBuilder();
        for (var i = 1; i <= n; i++)
        {
            setup.Append($"CREATE TABLE t{i}(a{i} INTEGER PRIMARY KEY, b{i} INTEGER, x{i} TEXT);");
            for (var r = 1; r <= 10; r++)
            {
                setup.Append($"INSERT INTO t{i} VALUES({r}, {((r * 7) + i) % 10 + 1}, 't{i} row {r}');");
            }
        }

        // FROM lists the tables backwards; the constant sits on the last one.
        var from = string.Join(", ", Enumerable.Range(1, n).Reverse().Select(i => $"t{i}"));
        var where = string.Join(" AND ", Enumerable.Range(1, n - 1).Select(i => $"b{i} = a{i + 1}").Prepend("a1 = 3"));
        var select = string.Join(", ", Enumerable.Range(1, n).Select(i => $"x{i}"));
        var query = $"SELECT {select} FROM {from} WHERE {where}";

        using var db = Database.Open(":memory:");
        db.Execute(setup.ToString());
        var plan = string.Join('\n', db.ExecuteOne("EXPLAIN QUERY PLAN " + query).Rows.Select(r => r.GetText(3)));
        Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal);

        var expected = Sqlite3.Run(":memory:", setup + query + ";").TrimEnd('\n');
        var got = string.Join('\n', db.ExecuteOne(query).Rows.Select(r => string.Join('|', Enumerable.Range(0, r.Count).Select(i => r.GetText(i) ?? ""))));
        Assert.Equal(expected, got);
    }
}
