using System.Text;

namespace Forge.Sql.Tests;

/// <summary>SAVEPOINT, RELEASE and ROLLBACK TO nest as in sqlite3, with and without BEGIN.</summary>
public sealed class SavepointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sql-savepoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_script_of_savepoints_prints_what_sqlite3_prints()
    {
        const string Script = """
            CREATE TABLE t(a);
            SAVEPOINT s1;
            INSERT INTO t VALUES(1);
            SAVEPOINT s2;
            INSERT INTO t VALUES(2);
            ROLLBACK TO s2;
            INSERT INTO t VALUES(3);
            SELECT group_concat(a) FROM t;
            RELEASE s2;
            ROLLBACK TRANSACTION TO SAVEPOINT s1;
            SELECT count(*) FROM t;
            INSERT INTO t VALUES(4);
            RELEASE SAVEPOINT s1;
            SELECT group_concat(a) FROM t;
            RELEASE nope;
            BEGIN;
            SAVEPOINT a;
            INSERT INTO t VALUES(5);
            SAVEPOINT A;
            INSERT INTO t VALUES(6);
            ROLLBACK TO a;
            RELEASE a;
            SELECT group_concat(a) FROM t;
            RELEASE a;
            COMMIT;
            SELECT group_concat(a) FROM t;
            SAVEPOINT x;
            CREATE TABLE u(b);
            ROLLBACK TO x;
            SELECT count(*) FROM sqlite_schema WHERE name = 'u';
            ROLLBACK;
            BEGIN; SAVEPOINT q; COMMIT;
            RELEASE q;
            """;
        var sqlite = ScriptDiff.Sqlite3Shell(Script, Path.Combine(_dir, "s.db"));
        var forge = ScriptDiff.ForgeShell(Script, Path.Combine(_dir, "f.db"));
        Assert.Equal(sqlite.Stdout, forge.Stdout);
        Assert.Equal(sqlite.Stderr, forge.Stderr);
    }

    [Fact]
    public void Random_savepoint_scripts_end_where_sqlite3_ends()
    {
        var random = new Random(2611);
        string[] names = ["a", "b", "c"];
        for (var round = 0; round < 20; round++)
        {
            var script = new StringBuilder("CREATE TABLE t(a);\n");
            for (var i = 0; i < 40; i++)
            {
                var n = names[random.Next(names.Length)];
                script.Append(random.Next(9) switch
                {
                    0 or 1 => $"SAVEPOINT {n};",
                    2 => $"RELEASE {n};",
                    3 => $"ROLLBACK TO {n};",
                    4 => random.Next(3) == 0 ? "BEGIN;" : random.Next(2) == 0 ? "COMMIT;" : "ROLLBACK;",
                    5 => $"DELETE FROM t WHERE a % 3 = {random.Next(3)};",
                    _ => $"INSERT INTO t VALUES({i});",
                });
                script.Append("\nSELECT 'state', count(*), total(a) FROM t;\n");
            }

            var sqlite = ScriptDiff.Sqlite3Shell(script.ToString(), Path.Combine(_dir, $"s{round}.db"));
            var forge = ScriptDiff.ForgeShell(script.ToString(), Path.Combine(_dir, $"f{round}.db"));
            Assert.True(sqlite.Stdout == forge.Stdout && sqlite.Stderr == forge.Stderr, $"round {round}:\n{script}\nsqlite3:\n{sqlite.Stdout}{sqlite.Stderr}\nforge:\n{forge.Stdout}{forge.Stderr}");
        }
    }
}
