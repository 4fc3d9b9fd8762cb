using Forge.Sql.Execution;

namespace Forge.Sql.Tests;

/// <summary>
/// A prepared INSERT keeps its compiled form between executions while the schema stays the same,
/// and compiles again after any schema change (indexes, columns, triggers, a rolled-back DDL,
/// recursive_triggers, TEMP triggers): the rows end as sqlite3 leaves them.
/// </summary>
public sealed class PreparedWriteTests
{
    [Fact]
    public void A_prepared_insert_follows_schema_changes_between_executions()
    {
        using var db = Database.Open(":memory:");
        var script = new System.Text.StringBuilder();
        void Both(string sql)
        {
            db.Execute(sql);
            script.Append(sql).Append(";\n");
        }

        Both("CREATE TABLE t(a INTEGER, b TEXT); CREATE TABLE log(x)");
        var insert = db.Prepare("INSERT INTO t(a, b) VALUES (?1, ?2)");
        var n = 0;
        void Insert(bool fails = false)
        {
            n++;
            var b = $"v{n % 3}";
            if (fails)
            {
                var error = Assert.ThrowsAny<Exception>(() => insert.Execute(n, b));
                Assert.Equal("UNIQUE constraint failed: t.b", error.Message);
                return;
            }

            insert.Execute(n, b);
            script.Append($"INSERT INTO t(a, b) VALUES ({n}, '{b}');\n");
        }

        Insert();
        Insert();
        Insert();
        Both("CREATE UNIQUE INDEX tb ON t(b)");
        Insert(fails: true); // v1 exists: the unique index is seen
        Both("DROP INDEX tb");
        Insert();
        Both("ALTER TABLE t ADD COLUMN c DEFAULT 'dflt'");
        Insert();
        Both("CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.a * 10); END");
        Insert();
        Insert();
        Both("BEGIN; DROP TRIGGER tr; ROLLBACK");
        Insert();
        Both("DROP TRIGGER tr");
        Insert();
        Both("CREATE TEMP TRIGGER tt AFTER INSERT ON t BEGIN INSERT INTO log VALUES (-new.a); END");
        Insert();
        Both("DROP TRIGGER tt");
        Insert();

        const string Check = "SELECT a, b, c FROM t ORDER BY a; SELECT x FROM log ORDER BY rowid;";
        var expected = Sqlite3.Run(":memory:", script + Check).TrimEnd('\n');
        var got = string.Join('\n', db.Execute(Check).SelectMany(r => r.Rows).Select(r => string.Join('|', Enumerable.Range(0, r.Count).Select(i => r.GetText(i) ?? ""))));
        Assert.Equal(expected, got);
    }
}
