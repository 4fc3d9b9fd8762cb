using Forge.Sql.Execution;
using Forge.Sql.Planning;

namespace Forge.Sql.Tests;

/// <summary>REINDEX by collation, table, index or everything rebuilds indexes sqlite3 finds intact.</summary>
public sealed class ReindexTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-reindex-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reindex_forms_rebuild_indexes_and_unknown_names_are_refused_as_sqlite3_does()
    {
        var file = Path.Combine(_dir, "r.db");
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT COLLATE NOCASE, c); CREATE INDEX tb ON t(b); CREATE INDEX tc ON t(c, b); CREATE TABLE u(x UNIQUE)");
            db.Execute("BEGIN");
            var insert = db.Prepare("INSERT INTO t VALUES (?1, ?2, ?3)");
            for (var i = 1; i <= 3000; i++)
            {
                insert.Execute(i, (i % 2 == 0 ? "Name" : "name") + (i % 97), i % 13);
            }

            db.Execute("INSERT INTO u SELECT a FROM t WHERE a < 500; COMMIT");
            foreach (var form in new[] { "REINDEX", "REINDEX nocase", "REINDEX t", "REINDEX tc", "REINDEX main.u", "REINDEX BINARY" })
            {
                db.Execute(form);
                Assert.Equal("3000", db.ExecuteOne("SELECT count(*) FROM t INDEXED BY tc WHERE c >= 0").Rows[0].GetText(0));
            }

            Assert.Equal("unable to identify the object to be reindexed", Assert.Throws<SqlPrepareException>(() => db.Execute("REINDEX nope")).Message);
        }

        Assert.Equal("ok", Sqlite3.Run(file, "PRAGMA integrity_check;").Trim());
        const string Query = "SELECT count(*), count(DISTINCT b) FROM t INDEXED BY tb WHERE b > 'NAME5'; SELECT count(*) FROM u;";
        var copy = Path.Combine(_dir, "copy.db");
        File.Copy(file, copy);
        Sqlite3.Run(copy, "REINDEX;");
        Assert.Equal(Sqlite3.Run(copy, Query), Sqlite3.Run(file, Query));
    }
}
