using Forge.Sql.Execution;
using Forge.Sql.Planning;

namespace Forge.Sql.Tests;

/// <summary>CREATE TEMP VIEW belongs to the connection: queryable, never written to the file.</summary>
public sealed class TempViewTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-tempview-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Temp_views_are_the_connections_and_not_the_files()
    {
        var file = Path.Combine(_dir, "v.db");
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2), (3, 4)");
            db.Execute("CREATE TEMP VIEW v1 AS SELECT a + b AS s FROM t; CREATE VIEW temp.v2 AS SELECT max(a) FROM t");
            Assert.Equal("3,7", db.ExecuteOne("SELECT group_concat(s) FROM v1").Rows[0].GetText(0));
            db.Execute("BEGIN; INSERT INTO t VALUES (5, 6); ROLLBACK"); // the catalog is reloaded from the file
            Assert.Equal("3", db.ExecuteOne("SELECT * FROM v2").Rows[0].GetText(0));
            Assert.Equal("", Sqlite3.Run(file, "SELECT name FROM sqlite_schema WHERE type = 'view';").Trim());
            db.Execute("DROP VIEW v1");
            Assert.Equal("no such table: v1", Assert.Throws<SqlPrepareException>(() => db.Execute("SELECT * FROM v1")).Message);
        }

        using var again = Database.Open(file);
        Assert.Equal("no such table: v2", Assert.Throws<SqlPrepareException>(() => again.Execute("SELECT * FROM v2")).Message);
    }
}
