using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// A row deleted from a leaf that stays a third full is removed in place: its bytes join the
/// content area or the freeblock list. sqlite3 must find the freeblock lists valid (ascending, no
/// two blocks closer than 4 bytes, fragments counted) — including lists sqlite3 itself started —
/// and read the same rows.
/// </summary>
public sealed class DeleteInPlaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-delete-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(512, false)]
    [InlineData(4096, false)]
    [InlineData(1024, true)]
    [InlineData(65536, true)]
    public void Random_deletes_leave_a_file_sqlite3_finds_intact(int pageSize, bool sqliteStarts)
    {
        var file = Path.Combine(_dir, $"d{pageSize}{sqliteStarts}.db");
        var setup = $"""
            PRAGMA page_size = {pageSize};
            CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b);
            CREATE INDEX t_a ON t(a);
            INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)
            SELECT i, substr('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 1, abs(random()) % 40) || i, CASE WHEN i % 97 = 0 THEN randomblob({pageSize}) ELSE i END FROM c;
            """;
        if (sqliteStarts)
        {
            // sqlite3 writes the file and leaves freeblocks of its own behind.
            Sqlite3.Run(file, setup + "DELETE FROM t WHERE id % 5 = 0;");
        }
        else
        {
            using var create = Database.Open(file);
            create.Execute(setup.Replace($"PRAGMA page_size = {pageSize};", "", StringComparison.Ordinal).Replace("randomblob", "zeroblob", StringComparison.Ordinal).Replace("abs(random()) % 40", "i % 40", StringComparison.Ordinal));
        }

        var random = new Random(pageSize);
        using (var db = Database.Open(file))
        {
            for (var round = 0; round < 30; round++)
            {
                var m = random.Next(2, 9);
                db.Execute($"DELETE FROM t WHERE id % {m} = {random.Next(m)} AND id % 3 = {round % 3}");
                if (round % 4 == 0)
                {
                    db.Execute($"INSERT INTO t(a, b) VALUES ('again {round}', {round})");
                }
            }
        }

        Assert.Equal("ok", Sqlite3.Run(file, "PRAGMA integrity_check;").Trim());
        using var check = Database.Open(file);
        var forge = string.Join('\n', check.ExecuteOne("SELECT id, a, length(b) FROM t ORDER BY id").Rows.Select(r => $"{r.GetText(0)}|{r.GetText(1)}|{r.GetText(2)}"));
        Assert.Equal(Sqlite3.Run(file, "SELECT id, a, length(b) FROM t ORDER BY id;").TrimEnd('\n'), forge);
    }
}
