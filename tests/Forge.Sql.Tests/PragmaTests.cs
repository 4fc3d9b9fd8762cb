using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>PRAGMA: schema introspection, header fields and checks print what sqlite3 prints.</summary>
public sealed class PragmaTests : IDisposable
{
    private const string Schema = """
        CREATE TABLE t(id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL DEFAULT 'x', score REAL DEFAULT (1+2), k TEXT COLLATE NOCASE, UNIQUE(name));
        CREATE TABLE u(a, b, c, PRIMARY KEY(b DESC, a), UNIQUE(c));
        CREATE INDEX i1 ON t(score);
        CREATE UNIQUE INDEX i2 ON t(k DESC, name);
        CREATE VIEW v AS SELECT id, name AS n FROM t;
        INSERT INTO t(name, k) VALUES ('a', 'A'), ('b', 'B');
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-pragma-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pragmas_print_what_sqlite3_prints()
    {
        string[] pragmas =
        [
            "PRAGMA table_info(t)", "PRAGMA table_info(u)", "PRAGMA table_xinfo(t)", "PRAGMA main.table_info(\"u\")", "PRAGMA table_info = t",
            "PRAGMA index_list(t)", "PRAGMA index_list(u)", "PRAGMA index_info(i2)", "PRAGMA index_xinfo(i2)", "PRAGMA index_info(sqlite_autoindex_u_1)",
            "PRAGMA index_xinfo(sqlite_autoindex_t_1)", "PRAGMA table_list", "PRAGMA page_size", "PRAGMA page_count", "PRAGMA freelist_count",
            "PRAGMA encoding", "PRAGMA journal_mode", "PRAGMA foreign_keys", "PRAGMA user_version", "PRAGMA application_id",
            "PRAGMA integrity_check", "PRAGMA quick_check", "PRAGMA nosuch", "PRAGMA table_info(nosuch)", "PRAGMA index_info(nosuch)",
        ];
        var forgeFile = Path.Combine(_dir, "f.db");
        var sqliteFile = Path.Combine(_dir, "s.db");
        Sqlite3.Run(sqliteFile, Schema);
        using var db = Database.Open(forgeFile);
        db.Execute(Schema);
        foreach (var p in pragmas)
        {
            var expected = Sqlite3.Run(sqliteFile, ".headers on\n" + p + ";").TrimEnd('\n');
            var result = db.ExecuteOne(p);
            var lines = result.Rows.Count == 0 ? [] : new[] { string.Join('|', result.Columns) }.Concat(result.Rows.Select(r => string.Join('|', Enumerable.Range(0, r.Count).Select(i => r.GetText(i) ?? ""))));
            Assert.True(expected == string.Join('\n', lines), $"{p}\nsqlite3:\n{expected}\nforge:\n{string.Join('\n', lines)}");
        }
    }

    [Fact]
    public void Cache_size_reads_back_what_was_set_as_sqlite3_does()
    {
        // The default differs on purpose (forge keeps 8000 KiB, sqlite3 2000 KiB); what is set reads
        // back as sqlite3 reads it back.
        using var db = Database.Open(Path.Combine(_dir, "c.db"));
        Assert.Equal("-8000", db.ExecuteOne("PRAGMA cache_size").Rows[0].GetText(0));
        foreach (var setting in new[] { "100", "-4000", "0", "5" })
        {
            var expected = Sqlite3.Run(Path.Combine(_dir, "s.db"), $"PRAGMA cache_size = {setting}; PRAGMA cache_size;").Trim();
            db.Execute($"PRAGMA cache_size = {setting}");
            Assert.Equal(expected, db.ExecuteOne("PRAGMA cache_size").Rows[0].GetText(0));
        }
    }

    [Fact]
    public void User_version_and_application_id_are_stored_in_the_header()
    {
        var file = Path.Combine(_dir, "v.db");
        using (var db = Database.Open(file))
        {
            db.Execute("CREATE TABLE t(a); PRAGMA user_version = 42; PRAGMA application_id = -5;");
            db.Execute("BEGIN; PRAGMA user_version = 7; ROLLBACK;");
        }

        Assert.Equal("42\n-5", Sqlite3.Run(file, "PRAGMA user_version; PRAGMA application_id;").TrimEnd('\n'));
        Assert.Equal("ok", Sqlite3.Run(file, "PRAGMA integrity_check;").Trim());
    }
}
