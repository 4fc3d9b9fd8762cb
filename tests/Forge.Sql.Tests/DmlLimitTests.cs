namespace Forge.Sql.Tests;

/// <summary>
/// UPDATE/DELETE ... ORDER BY ... LIMIT ... OFFSET, which Debian's sqlite3 3.40 accepts (built with
/// SQLITE_ENABLE_UPDATE_DELETE_LIMIT): rows chosen, errors and their texts compared with sqlite3.
/// </summary>
public sealed class DmlLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-dmllimit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Order_limit_and_offset_choose_the_rows()
    {
        ScriptDiff.Compare(_dir, ScriptDiff.Lines("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b, c TEXT COLLATE NOCASE);
            CREATE INDEX tb ON t(b);
            INSERT INTO t VALUES (1, 5, 'x'), (2, 3, 'Y'), (3, 5, 'z'), (4, NULL, 'w'), (5, 1, 'V'), (6, 2.5, 'a');
            UPDATE t SET c = 'u' ORDER BY b DESC, a LIMIT 2;
            SELECT * FROM t;
            UPDATE t SET c = 'o' ORDER BY b LIMIT 2 OFFSET 1;
            SELECT * FROM t;
            UPDATE t SET b = -b WHERE a > 1 ORDER BY c DESC, a LIMIT 3 RETURNING a, b;
            DELETE FROM t ORDER BY b NULLS LAST LIMIT 1;
            SELECT * FROM t;
            DELETE FROM t WHERE a > 1 ORDER BY c COLLATE BINARY DESC LIMIT 1;
            DELETE FROM t WHERE a > 1 ORDER BY c DESC LIMIT 1;
            DELETE FROM t ORDER BY a LIMIT 1, 1;
            DELETE FROM t WHERE b > 100 LIMIT 5;
            SELECT * FROM t;
            UPDATE t SET b = b + 1 LIMIT 0;
            UPDATE t SET b = b + 1 ORDER BY a LIMIT -1 OFFSET 1;
            UPDATE t SET b = b + 1 ORDER BY a DESC LIMIT 2 OFFSET -3;
            SELECT * FROM t;
            DELETE FROM t ORDER BY 2 LIMIT 1;
            DELETE FROM t ORDER BY 1 DESC LIMIT 1;
            SELECT * FROM t;
            UPDATE t SET c = 'q' ORDER BY a LIMIT 1.0;
            UPDATE t SET c = 'q' ORDER BY a LIMIT 1.5;
            UPDATE t SET c = 'q' ORDER BY a LIMIT 1 OFFSET 'x';
            DELETE FROM t LIMIT 'many';
            UPDATE t SET c = 'q' ORDER BY a;
            DELETE FROM t ORDER BY a;
            DELETE FROM t ORDER BY nosuch LIMIT 1;
            UPDATE t SET c = 'q' LIMIT 1 ORDER BY a;
            DELETE FROM t ORDER BY a LIMIT 1 RETURNING *;
            UPDATE t SET c = 'p' WHERE a > 2 ORDER BY a DESC LIMIT 1;
            SELECT * FROM t;
            """));
    }

    [Fact]
    public void Update_from_with_limit_and_triggers_on_the_chosen_rows()
    {
        ScriptDiff.Compare(_dir, ScriptDiff.Lines("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b);
            CREATE TABLE u(x, y);
            CREATE TABLE log(m);
            INSERT INTO t VALUES (1, 10), (2, 20), (3, 30), (4, 40);
            INSERT INTO u VALUES (1, 'one'), (2, 'two'), (3, 'three');
            CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('u ' || new.a || ' ' || new.b); END;
            CREATE TRIGGER td BEFORE DELETE ON t BEGIN INSERT INTO log VALUES ('d ' || old.a); END;
            UPDATE t SET b = y FROM u WHERE u.x = t.a ORDER BY a DESC LIMIT 2;
            DELETE FROM t WHERE b > 15 ORDER BY b DESC LIMIT 2;
            SELECT * FROM t;
            SELECT * FROM log;
            """));
    }

    /// <summary>Random ORDER BY/LIMIT/OFFSET writes (fixed seed) against sqlite3; ORDER BY always ends with the rowid so the choice is defined.</summary>
    [Fact]
    public void Random_limited_writes_match_sqlite3()
    {
        var rng = new Random(5150);
        var statements = new List<string> { "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c)" };
        for (var i = 0; i < 40; i++)
        {
            statements.Add($"INSERT INTO t(b, c) VALUES ({rng.Next(10)}, {(rng.Next(4) == 0 ? "NULL" : "'" + (char)('a' + rng.Next(6)) + "'")})");
        }

        string[] keys = ["b", "b DESC", "c", "c DESC NULLS FIRST", "c NULLS LAST", "b + a % 3", "length(c) DESC"];
        for (var i = 0; i < 150; i++)
        {
            var order = rng.Next(4) == 0 ? "" : $" ORDER BY {keys[rng.Next(keys.Length)]}, a{(rng.Next(2) == 0 ? " DESC" : "")}";
            var limit = $" LIMIT {rng.Next(-1, 6)}" + (rng.Next(3) == 0 ? $" OFFSET {rng.Next(-1, 4)}" : "");
            var where = rng.Next(2) == 0 ? $" WHERE b > {rng.Next(8)}" : "";
            statements.Add(rng.Next(3) == 0
                ? $"DELETE FROM t{where}{order}{limit}"
                : $"UPDATE t SET b = b + 1, c = coalesce(c, '') || 'x'{where}{order}{limit}");
            if (rng.Next(5) == 0)
            {
                statements.Add($"INSERT INTO t(b, c) VALUES ({rng.Next(10)}, 'n')");
            }

            statements.Add("SELECT count(*), sum(b), group_concat(c) FROM t");
        }

        statements.Add("SELECT * FROM t");
        ScriptDiff.Compare(_dir, statements);
    }
}
