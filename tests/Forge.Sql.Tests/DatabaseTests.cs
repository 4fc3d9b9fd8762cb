using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;

namespace Forge.Sql.Tests;

/// <summary>
/// The first end-to-end slice of the engine (CREATE TABLE/INDEX, INSERT, single-table SELECT,
/// transactions) on real files: what forge writes passes sqlite3's integrity check and reads the
/// same in sqlite3; what sqlite3 writes reads the same in forge.
/// </summary>
public sealed class DatabaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_dir, name);

    private static string Rows(ResultSet r) => string.Join('\n', r.Rows.Select(row => string.Join('|', Enumerable.Range(0, row.Count).Select(i => row.GetText(i) ?? ""))));

    private static string Sqlite(string file, string sql) => Sqlite3.Run(file, sql).TrimEnd('\n');

    [Fact]
    public void Create_insert_select_in_memory()
    {
        using var db = Database.Open(":memory:");
        db.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, tag);");
        db.Execute("INSERT INTO t VALUES (1, 'ann', 3.5, NULL), (2, 'bob', '7', x'01'); INSERT INTO t(name, score) VALUES ('cy', 1);");
        Assert.Equal("1|ann|3.5|\n2|bob|7.0|\u0001\n3|cy|1.0|", Rows(db.ExecuteOne("SELECT * FROM t")));
        Assert.Equal("cy|real\nann|real", Rows(db.ExecuteOne("SELECT name, typeof(score) FROM t WHERE score < 5 ORDER BY score")));
        Assert.Equal("3\n2", Rows(db.ExecuteOne("SELECT rowid FROM t ORDER BY 1 DESC LIMIT 2")));
        Assert.Equal("NOT NULL constraint failed: t.name", Assert.Throws<SqlRuntimeException>(() => db.Execute("INSERT INTO t(id) VALUES (9)").ToList()).Message);
        Assert.Equal("UNIQUE constraint failed: t.id", Assert.Throws<SqlRuntimeException>(() => db.Execute("INSERT INTO t VALUES (1, 'dup', 0, 0)").ToList()).Message);
        Assert.Equal("no such table: nope", Assert.Throws<SqlPrepareException>(() => db.Execute("SELECT * FROM nope").ToList()).Message);
        Assert.Equal("no such column: zz", Assert.Throws<SqlPrepareException>(() => db.Execute("SELECT zz FROM t").ToList()).Message);
        Assert.Equal("near \"FORM\": syntax error", Assert.Throws<SqlParseException>(() => db.Execute("SELECT * FORM t").ToList()).Message);
        Assert.Equal("3", Rows(db.ExecuteOne("SELECT max(1, 2, 3)")));
    }

    [Fact]
    public void Failed_statements_and_rollback_leave_no_trace()
    {
        using var db = Database.Open(":memory:");
        db.Execute("CREATE TABLE t(a UNIQUE)");
        // The second row fails: the whole statement is undone, the first row too.
        Assert.Throws<SqlRuntimeException>(() => db.Execute("INSERT INTO t VALUES (1), (1)"));
        Assert.Equal("", Rows(db.ExecuteOne("SELECT * FROM t")));
        db.Execute("BEGIN; INSERT INTO t VALUES (5);");
        Assert.Throws<SqlRuntimeException>(() => db.Execute("INSERT INTO t VALUES (6), (5)"));
        db.Execute("INSERT INTO t VALUES (7)");
        Assert.Equal("5\n7", Rows(db.ExecuteOne("SELECT a FROM t ORDER BY a")));
        db.Execute("ROLLBACK");
        Assert.Equal("", Rows(db.ExecuteOne("SELECT * FROM t")));
        db.Execute("BEGIN; INSERT INTO t VALUES (8); COMMIT;");
        Assert.Equal("8", Rows(db.ExecuteOne("SELECT * FROM t")));
    }

    [Fact]
    public void What_forge_writes_sqlite3_checks_and_reads_the_same()
    {
        var file = PathOf("forge.db");
        var random = new Random(5);
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, price REAL, data BLOB, note TEXT UNIQUE);");
            db.Execute("CREATE INDEX items_name ON items(name, price DESC);");
            db.Execute("BEGIN");
            for (var i = 0; i < 3000; i++)
            {
                var big = random.Next(20) == 0 ? new string((char)('a' + (i % 26)), random.Next(2000, 9000)) : "n" + i;
                db.Parameters = [((long)(i * 7919 % 3001) * 1000) + random.Next(1000), "Name" + random.Next(500), random.NextDouble() * 100, new byte[] { (byte)i, 0, 255 }, big];
                db.Execute("INSERT INTO items VALUES (?, ?, ?, ?, ?)");
            }

            db.Execute("COMMIT");
            db.Parameters = [];
        }

        Assert.Equal("ok", Sqlite(file, "PRAGMA integrity_check;"));
        const string Query = "SELECT id, quote(name), CAST(price * 1000000 AS INTEGER), price, quote(data), length(note), substr(note, 1, 5) FROM items ORDER BY id;";
        using var reopened = Database.Open(file);
        Assert.Equal(Sqlite(file, Query), Rows(reopened.ExecuteOne(Query)));
        Assert.Equal(Sqlite(file, "SELECT count(*) FROM items WHERE name = 'name7';"), Sqlite(file, "SELECT count(*) FROM items INDEXED BY items_name WHERE name = 'NAME7';"));
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(65536)]
    public void What_sqlite3_writes_forge_reads_the_same(int pageSize)
    {
        var file = PathOf($"sqlite-{pageSize}.db");
        var script = new StringBuilder($"PRAGMA page_size={pageSize}; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c, d REAL UNIQUE); BEGIN;\n");
        for (var i = 1; i <= 2000; i++)
        {
            script.Append(System.Globalization.CultureInfo.InvariantCulture, $"INSERT INTO t VALUES ({i * 3}, '{new string('x', i % 97 == 0 ? 5000 : i % 13)}', {(i % 5 == 0 ? "NULL" : i % 2 == 0 ? $"'{i}'" : $"{i}.5")}, {i}.25);\n");
        }

        script.Append("COMMIT; DELETE FROM t WHERE a % 7 = 0; CREATE INDEX tb ON t(b);\n");
        Sqlite(file, script.ToString());
        const string Query = "SELECT a, length(b), quote(c), typeof(c), d FROM t WHERE a > 100 ORDER BY a DESC LIMIT 500 OFFSET 10;";
        using var db = Database.Open(file);
        Assert.Equal(Sqlite(file, Query), Rows(db.ExecuteOne(Query)));

        // Writing through forge keeps the file valid for sqlite3 (table, UNIQUE autoindex and tb).
        db.Execute("INSERT INTO t VALUES (7, 'seven', 7, 7.75)");
        Assert.Equal("UNIQUE constraint failed: t.d", Assert.Throws<SqlRuntimeException>(() => db.Execute("INSERT INTO t(b, d) VALUES ('x', 7.75)").ToList()).Message);
        Assert.Equal("ok", Sqlite(file, "PRAGMA integrity_check;"));
        Assert.Equal("7|seven|7", Sqlite(file, "SELECT a, b, c FROM t WHERE b = 'seven';"));
    }
}
