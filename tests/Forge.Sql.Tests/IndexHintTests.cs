using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// NOT INDEXED and INDEXED BY bind the planner as in sqlite3: without an ORDER BY the row order
/// shows which access path ran (sqllogictest's slt_lang_aggfunc relies on it).
/// </summary>
public sealed class IndexHintTests
{
    [Fact]
    public void Not_indexed_and_indexed_by_choose_the_access_path_sqlite3_would()
    {
        const string Setup = "CREATE TABLE t1(x INTEGER, y VARCHAR(8)); INSERT INTO t1 VALUES (1, 'a'), (0, 'b'), (NULL, 'c'), (2, 'd'), (2, 'e'); CREATE INDEX t1i1 ON t1(x); CREATE INDEX t1i2 ON t1(y);";
        string[] queries =
        [
            "SELECT group_concat(x) FROM t1 NOT INDEXED",
            "SELECT group_concat(x) FROM t1",
            "SELECT group_concat(DISTINCT x) FROM t1 NOT INDEXED",
            "SELECT group_concat(x) FROM t1 NOT INDEXED WHERE x > 0",
            "SELECT group_concat(y) FROM t1 INDEXED BY t1i1 WHERE x >= 0",
            "SELECT group_concat(x) FROM t1 INDEXED BY t1i2 WHERE y > 'a'",
            "SELECT max(x), min(x) FROM t1 NOT INDEXED",
        ];
        using var db = Database.Open(":memory:");
        db.Execute(Setup);
        foreach (var q in queries)
        {
            var expected = Sqlite3.Run(":memory:", Setup + q + ";").TrimEnd('\n');
            var got = string.Join('\n', db.ExecuteOne(q).Rows.Select(r => string.Join('|', Enumerable.Range(0, r.Count).Select(i => r.GetText(i) ?? ""))));
            Assert.True(expected == got, $"{q}: sqlite3 {expected}, forge {got}");
        }
    }
}
