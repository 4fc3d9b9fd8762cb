using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// ORDER BY ... LIMIT keeps a bounded heap and, once it is full, evaluates a sort key only while
/// the keys before it tie with the worst row kept: rows tied on leading keys, NULLs, mixed storage
/// classes and DESC keys must still come out as sqlite3 orders them.
/// </summary>
public sealed class TopNTests
{
    [Fact]
    public void Top_n_with_ties_nulls_and_mixed_types_matches_sqlite()
    {
        var random = new Random(7);
        string[] pool = ["NULL", "1", "2", "2.0", "2.5", "-3", "'a'", "'B'", "'b'", "x'01'", "10", "0.5"];
        var setup = new System.Text.StringBuilder("CREATE TABLE t(a, b, c, d);");
        for (var i = 0; i < 400; i++)
        {
            setup.Append($"INSERT INTO t VALUES ({pool[random.Next(pool.Length)]}, {pool[random.Next(4)]}, {random.Next(5)}, 'row {i}');");
        }

        string[] queries =
        [
            "SELECT a, b, c, d FROM t ORDER BY a DESC, b, c LIMIT 7",
            "SELECT a, b, c, d FROM t ORDER BY c, a DESC LIMIT 25 OFFSET 3",
            "SELECT d FROM t ORDER BY b NULLS LAST, a NULLS FIRST, c DESC LIMIT 40",
            "SELECT d, c + 1 FROM t ORDER BY c + 1 DESC, a COLLATE NOCASE, d LIMIT 11",
            "SELECT a, d FROM t ORDER BY a, rowid DESC LIMIT 1",
            "SELECT rowid, a FROM t WHERE c > 1 ORDER BY rowid DESC LIMIT 5",
        ];
        using var db = Database.Open(":memory:");
        db.Execute(setup.ToString());
        foreach (var q in queries)
        {
            var expected = Sqlite3.Run(":memory:", setup + q + ";").TrimEnd('\n');
            var got = string.Join('\n', db.ExecuteOne(q).Rows.Select(r => string.Join('|', Enumerable.Range(0, r.Count).Select(i => r.GetText(i) ?? ""))));
            Assert.True(expected == got, $"{q}\nsqlite3:\n{expected}\nforge:\n{got}");
        }
    }
}
