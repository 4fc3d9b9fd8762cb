using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// CREATE INDEX builds the tree bottom-up from the sorted keys: for every size from an empty table
/// to a tree of several interior levels (long keys with overflow pages make the levels deep
/// quickly), sqlite3 finds the file intact and answers the same through the index.
/// </summary>
public sealed class IndexBuildTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(300, 10)]
    [InlineData(5_000, 10)]
    [InlineData(20_000, 40)]
    [InlineData(3_000, 900)]
    [InlineData(2_000, 3_000)]
    public void Bulk_built_index_is_valid_and_answers_like_sqlite(int rows, int width)
    {
        var file = Path.Combine(_dir, $"i{rows}-{width}.db");
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, n INTEGER)");
            db.Execute("BEGIN");
            var insert = db.Prepare("INSERT INTO t VALUES (?1, ?2, ?3)");
            var random = new Random(rows + width);
            for (var i = 1; i <= rows; i++)
            {
                var k = random.Next(rows / 3 + 1).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
                insert.Execute(i, k + new string((char)('a' + (i % 26)), width), i % 7 == 0 ? null : random.Next(100));
            }

            db.Execute("COMMIT");
            db.Execute("CREATE INDEX t_k ON t(k DESC, id); CREATE INDEX t_n ON t(n, k); CREATE UNIQUE INDEX t_u ON t(id, n)");
        }

        Assert.Equal("ok", Sqlite3.Run(file, "PRAGMA integrity_check;").Trim());
        const string Queries = """
            SELECT count(*), min(k), max(k) FROM t INDEXED BY t_k WHERE k > '0';
            SELECT group_concat(id) FROM (SELECT id FROM t INDEXED BY t_n WHERE n = 5 ORDER BY n, k);
            SELECT count(*) FROM t INDEXED BY t_n WHERE n IS NULL;
            """;
        var copy = Path.Combine(_dir, "copy.db");
        File.Copy(file, copy, overwrite: true);
        Sqlite3.Run(copy, "REINDEX;");
        Assert.Equal(Sqlite3.Run(copy, Queries), Sqlite3.Run(file, Queries));
    }

    [Fact]
    public void Unique_index_on_duplicates_is_refused_and_leaves_no_trace()
    {
        using var db = Database.Open(Path.Combine(_dir, "u.db"));
        db.Execute("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, NULL), (1, 'y')");
        db.Execute("CREATE UNIQUE INDEX ok_b ON t(b)"); // NULLs never clash
        var e = Assert.Throws<SqlRuntimeException>(() => db.Execute("CREATE UNIQUE INDEX u_a ON t(a)"));
        Assert.Equal("UNIQUE constraint failed: t.a", e.Message);
        Assert.Equal("ok_b", db.ExecuteOne("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index'").Rows[0].GetText(0));
    }

    /// <summary>
    /// The sort orders entries by a packed prefix of the first column and falls back to whole
    /// records on ties: mixed storage classes, integers and reals that round to the same double,
    /// -0.0, texts sharing more than the prefix, NUL bytes, NOCASE/RTRIM and DESC must all come out
    /// in sqlite3's order (checked against a copy that sqlite3 re-indexed itself).
    /// </summary>
    [Fact]
    public void Bulk_build_orders_mixed_values_as_sqlite()
    {
        var random = new Random(20261126);
        string[] pool =
        [
            "NULL", "0", "-0.0", "0.0", "1", "1.0", "1.5", "-1", "9007199254740992", "9007199254740993", "9007199254740992.0",
            "9223372036854775807", "-9223372036854775808", "9.223372036854775807e18", "-9.3e18", "1e300", "-1e-300",
            "'a'", "'A'", "'a '", "'a  '", "'ab'", "'AB'", "'abcdefghijklmnopq1'", "'abcdefghijklmnopq2'", "'ABCDEFGHIJKLMNOPQ3'",
            "'abcdefghijklmnop'", "'x' || char(0) || 'y'", "'x'", "''", "x''", "x'00'", "x'0001'", "x'ff'", "'Zeta'", "'zeta '",
        ];
        var file = Path.Combine(_dir, "mixed.db");
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE t(a, b, c TEXT)");
            db.Execute("BEGIN");
            for (var i = 0; i < 3000; i++)
            {
                var a = pool[random.Next(pool.Length)];
                var b = pool[random.Next(pool.Length)];
                db.Execute($"INSERT INTO t VALUES ({a}, {b}, {a})");
            }

            db.Execute("COMMIT");
            db.Execute("""
                CREATE INDEX i_a ON t(a); CREATE INDEX i_ad ON t(a DESC); CREATE INDEX i_ab ON t(a, b DESC);
                CREATE INDEX i_an ON t(a COLLATE NOCASE); CREATE INDEX i_ar ON t(a COLLATE RTRIM DESC);
                CREATE INDEX i_c ON t(c COLLATE NOCASE, b);
                """);
        }

        Assert.Equal("ok", Sqlite3.Run(file, "PRAGMA integrity_check;").Trim());
        const string Queries = """
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_a ORDER BY a);
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_ad ORDER BY a DESC);
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_ab ORDER BY a, b DESC);
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_an ORDER BY a COLLATE NOCASE);
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_ar ORDER BY a COLLATE RTRIM DESC);
            SELECT group_concat(rowid) FROM (SELECT rowid FROM t INDEXED BY i_c ORDER BY c COLLATE NOCASE, b);
            SELECT count(*) FROM t INDEXED BY i_a WHERE a = 9007199254740992;
            SELECT count(*) FROM t INDEXED BY i_an WHERE a = 'ZETA ' COLLATE NOCASE;
            """;
        var copy = Path.Combine(_dir, "mixed-copy.db");
        File.Copy(file, copy, overwrite: true);
        Sqlite3.Run(copy, "REINDEX;");
        Assert.Equal(Sqlite3.Run(copy, Queries), Sqlite3.Run(file, Queries));
    }
}
