using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// Rows appended in rowid order fill their pages as SQLite's balance_quick does: the file has about
/// as many pages as sqlite3 makes for the same rows, and stays valid for sqlite3.
/// </summary>
public sealed class AppendFillTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-append-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sequential_inserts_fill_pages_like_sqlite()
    {
        const int Rows = 20_000;
        var forgeFile = Path.Combine(_dir, "forge.db");
        using (var db = Database.Open(forgeFile))
        {
            db.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL)");
            db.Execute("BEGIN");
            var insert = db.Prepare("INSERT INTO t VALUES (?1, ?2, ?3)");
            for (var i = 1; i <= Rows; i++)
            {
                insert.Execute(i, "name-" + i, i + 0.25);
            }

            db.Execute("COMMIT");
        }

        Assert.Equal("ok", Sqlite3.Run(forgeFile, "PRAGMA integrity_check;").Trim());
        Assert.Equal($"{Rows}|{Rows}|{(Rows * (Rows + 1L) / 2) + (Rows / 4)}.0", Sqlite3.Run(forgeFile, "SELECT count(*), max(id), sum(score) FROM t;").Trim());

        var sqliteFile = Path.Combine(_dir, "sqlite.db");
        Sqlite3.Run(sqliteFile, $"""
            CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Rows})
            INSERT INTO t SELECT i, 'name-' || i, i + 0.25 FROM n;
            """);
        var forgePages = long.Parse(Sqlite3.Run(forgeFile, "PRAGMA page_count;").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var sqlitePages = long.Parse(Sqlite3.Run(sqliteFile, "PRAGMA page_count;").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(forgePages <= sqlitePages * 11 / 10, $"forge used {forgePages} pages, sqlite3 {sqlitePages}");
    }
}
