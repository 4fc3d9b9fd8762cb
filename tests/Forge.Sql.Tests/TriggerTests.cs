using Forge.Sql.Execution;
using Forge.Sql.Parsing;

namespace Forge.Sql.Tests;

/// <summary>
/// Triggers against sqlite3 3.40: CREATE/DROP TRIGGER and their errors, what sqlite_schema keeps,
/// firing (BEFORE/AFTER/INSTEAD OF, NEW/OLD, WHEN, UPDATE OF, RAISE, nesting and recursion), files
/// written by one engine and fired by the other, the shell's .schema/.dump, and random scripts.
/// </summary>
public sealed class TriggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-trigger-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Same(string script) => ScriptDiff.Compare(_dir, ScriptDiff.Lines(script));

    [Fact]
    public void Parses_and_writes_back_every_form()
    {
        var sql = "CREATE TEMP TRIGGER IF NOT EXISTS tr INSTEAD OF UPDATE OF a, \"b c\" ON v FOR EACH ROW WHEN new.a > 1 BEGIN "
            + "UPDATE OR IGNORE t SET a = new.a FROM u WHERE t.b = u.b; INSERT INTO t (a) SELECT 1 ON CONFLICT DO NOTHING; DELETE FROM t WHERE a = old.a; SELECT RAISE(ABORT, 'no'); END";
        var parsed = SqlParser.Parse(sql);
        Assert.Null(parsed.Error);
        var t = Assert.IsType<CreateTriggerStmt>(parsed.Statement);
        Assert.True(t.Temp && t.IfNotExists && t.ForEachRow);
        Assert.Equal(TriggerTime.InsteadOf, t.Time);
        Assert.Equal(TriggerEvent.Update, t.Event);
        Assert.Equal(["a", "b c"], t.UpdateOf!);
        Assert.Equal(4, t.Body.Count);
        var written = t.ToSql();
        var again = SqlParser.Parse(written);
        Assert.Null(again.Error);
        Assert.Equal(written, again.Statement!.ToSql());
        Assert.Null(((CreateTriggerStmt)SqlParser.Parse("CREATE TRIGGER x DELETE ON t BEGIN SELECT 1; END").Statement!).Time);
    }

    [Theory]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN END", "near \"END\": syntax error")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1 END", "incomplete input")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1 LIMIT 1; END", "near \"LIMIT\": syntax error")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO main.t VALUES (1); END", "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN DELETE FROM t INDEXED BY i; END", "the INDEXED BY clause is not allowed on UPDATE or DELETE statements within triggers")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN DELETE FROM t NOT INDEXED; END", "the NOT INDEXED clause is not allowed on UPDATE or DELETE statements within triggers")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO t VALUES (1) RETURNING *; END", "cannot use RETURNING in a trigger")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO t DEFAULT VALUES; END", "near \"DEFAULT\": syntax error")]
    [InlineData("CREATE TEMP TRIGGER main.x AFTER INSERT ON t BEGIN SELECT 1; END", "temporary trigger may not have qualified name")]
    [InlineData("CREATE TRIGGER x AFTER INSERT ON t FOR EACH STATEMENT BEGIN SELECT 1; END", "near \"STATEMENT\": syntax error")]
    public void Parse_errors_are_sqlites(string sql, string message)
    {
        Assert.Equal(message, SqlParser.Parse(sql).Error?.Message);
        var (_, stderr, _) = ScriptDiff.Sqlite3Shell("", ":memory:", "CREATE TABLE t(a); " + sql);
        Assert.Equal("Error: in prepare, " + message, stderr.Split('\n')[0]);
    }

    [Fact]
    public void Create_and_drop_errors_and_what_sqlite_schema_keeps()
    {
        Same("""
            CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT);
            CREATE VIEW v1 AS SELECT * FROM t1;
            CREATE  TRIGGER  IF NOT EXISTS  main.tr1  AFTER INSERT ON t1 FOR EACH ROW WHEN new.a > 0 BEGIN SELECT 1; END ;
            CREATE TRIGGER tr1 AFTER INSERT ON t1 BEGIN SELECT 1; END;
            CREATE TRIGGER IF NOT EXISTS tr1 AFTER INSERT ON t1 BEGIN SELECT 2; END;
            CREATE TRIGGER tr2 INSTEAD OF INSERT ON t1 BEGIN SELECT 1; END;
            CREATE TRIGGER tr2 BEFORE INSERT ON v1 BEGIN SELECT 1; END;
            CREATE TRIGGER tr2 AFTER DELETE ON main.v1 BEGIN SELECT 1; END;
            CREATE TRIGGER tr2 UPDATE ON v1 BEGIN SELECT 1; END;
            CREATE TRIGGER tr2 AFTER INSERT ON nosuch BEGIN SELECT 1; END;
            CREATE TRIGGER sqlite_x AFTER INSERT ON t1 BEGIN SELECT 1; END;
            CREATE TRIGGER tr3 AFTER INSERT ON sqlite_schema BEGIN SELECT 1; END;
            CREATE TRIGGER tr4 AFTER UPDATE OF nosuchcol ON t1 BEGIN INSERT INTO nosuchtable VALUES (new.zz); END;
            CREATE TRIGGER "Tr 5" INSTEAD OF DELETE ON V1 BEGIN SELECT old.a; END;
            SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY rowid;
            DROP TRIGGER nosuch;
            DROP TRIGGER IF EXISTS nosuch;
            DROP TRIGGER main.nosuch;
            DROP TRIGGER tr4;
            DROP TRIGGER tr4;
            DROP VIEW v1;
            SELECT name FROM sqlite_schema;
            CREATE TRIGGER tr6 BEFORE DELETE ON t1 BEGIN SELECT 1; END;
            DROP TABLE t1;
            SELECT count(*) FROM sqlite_schema;
            DROP TRIGGER tr6;
            """);
    }

    [Fact]
    public void New_and_old_in_before_and_after_triggers()
    {
        Same("""
            CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT, c REAL, d DEFAULT 7);
            CREATE TABLE log(x);
            CREATE TRIGGER b1 BEFORE INSERT ON t1 BEGIN INSERT INTO log VALUES ('b1 ' || quote(new.rowid) || ' ' || quote(new.a) || ' ' || quote(new.b) || ' ' || quote(new.c) || ' ' || quote(new.d)); END;
            CREATE TRIGGER a1 AFTER INSERT ON t1 BEGIN INSERT INTO log VALUES ('a1 ' || quote(new.rowid) || ' ' || quote(new.a) || ' ' || quote(new.b) || ' ' || quote(new.c) || ' ' || quote(new.d)); END;
            CREATE TRIGGER a2 AFTER INSERT ON t1 BEGIN INSERT INTO log VALUES ('a2'); END;
            INSERT INTO t1(b, c) VALUES (5, '3');
            INSERT INTO t1 VALUES (10, 5, 3, NULL), ('11', x'41', 'x', 1.5);
            CREATE TRIGGER bu BEFORE UPDATE ON t1 BEGIN INSERT INTO log VALUES ('bu ' || quote(old.a) || ' ' || quote(new.a) || ' ' || quote(new.b) || ' ' || quote(new.c)); UPDATE t1 SET d = 99 WHERE a = new.a; END;
            CREATE TRIGGER au AFTER UPDATE ON t1 BEGIN INSERT INTO log VALUES ('au ' || quote(old.a) || ' ' || quote(new.a) || ' ' || quote(new.b) || ' ' || quote(new.d)); END;
            UPDATE t1 SET b = 42, c = '2' WHERE a = 10;
            UPDATE t1 SET a = a + 100 WHERE a = 11;
            CREATE TRIGGER bd BEFORE DELETE ON t1 WHEN old.a = 1 BEGIN DELETE FROM t1 WHERE a = 1; INSERT INTO log VALUES ('bd ' || old.a); END;
            CREATE TRIGGER ad AFTER DELETE ON t1 BEGIN INSERT INTO log VALUES ('ad ' || old.a || ' ' || old.b); END;
            DELETE FROM t1 WHERE a IN (1, 10);
            SELECT * FROM log;
            SELECT * FROM t1;
            """);
    }

    [Fact]
    public void Update_of_columns_when_clauses_and_subqueries()
    {
        Same("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
            CREATE TABLE log(m);
            CREATE TRIGGER ub AFTER UPDATE OF b ON t BEGIN INSERT INTO log VALUES ('b ' || old.b || '->' || new.b); END;
            CREATE TRIGGER uc AFTER UPDATE OF c, B ON t WHEN new.c IS NOT old.c BEGIN INSERT INTO log VALUES ('c ' || new.c); END;
            CREATE TRIGGER ui BEFORE INSERT ON t WHEN (SELECT count(*) FROM log) >= 5 BEGIN SELECT RAISE(ABORT, 'log is full'); END;
            CREATE TRIGGER uj AFTER INSERT ON t WHEN new.a IN (SELECT a FROM t WHERE b = 'x') BEGIN INSERT INTO log SELECT 'j ' || count(*) FROM t; END;
            INSERT INTO t VALUES (1, 'x', 1), (2, 'y', 2);
            UPDATE t SET c = 5;
            UPDATE t SET c = c WHERE a = 1;
            UPDATE t SET b = 'z' WHERE a = 2;
            UPDATE t SET a = a WHERE a = 1;
            SELECT * FROM log;
            INSERT INTO t VALUES (3, 'w', 3);
            INSERT INTO t VALUES (4, 'x', 3);
            SELECT * FROM log;
            SELECT * FROM t;
            """);
    }

    [Fact]
    public void Raise_ignore_abort_fail_rollback()
    {
        Same("""
            CREATE TABLE t(a UNIQUE, b);
            CREATE TABLE log(x);
            CREATE TRIGGER tb BEFORE INSERT ON t WHEN new.b = 'abort' BEGIN SELECT RAISE(ABORT, 'no abort'); END;
            CREATE TRIGGER tf BEFORE INSERT ON t WHEN new.b = 'fail' BEGIN SELECT RAISE(FAIL, 'no fail'); END;
            CREATE TRIGGER ti BEFORE INSERT ON t WHEN new.b = 'ign' BEGIN INSERT INTO log VALUES ('ignored ' || new.a); SELECT RAISE(IGNORE); INSERT INTO log VALUES ('not reached'); END;
            CREATE TRIGGER tr BEFORE INSERT ON t WHEN new.b = 'rb' BEGIN SELECT RAISE(ROLLBACK, 'rolled back'); END;
            CREATE TRIGGER ta AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('after ' || new.a); END;
            INSERT INTO t VALUES (1, 'x'), (2, 'abort');
            SELECT count(*) FROM t;
            INSERT INTO t VALUES (1, 'x'), (2, 'fail');
            SELECT count(*) FROM t;
            INSERT INTO t VALUES (3, 'ign'), (4, 'y');
            SELECT * FROM t;
            BEGIN;
            INSERT INTO t VALUES (5, 'z');
            INSERT INTO t VALUES (6, 'rb');
            COMMIT;
            SELECT * FROM t;
            SELECT * FROM log;
            SELECT RAISE(IGNORE);
            UPDATE t SET b = RAISE(FAIL, 'x');
            CREATE TRIGGER td BEFORE DELETE ON t WHEN old.a = 4 BEGIN SELECT RAISE(IGNORE); END;
            CREATE TRIGGER tu BEFORE UPDATE ON t BEGIN SELECT CASE WHEN new.b = 'bad' THEN RAISE(ABORT, 'bad value') END; END;
            DELETE FROM t;
            SELECT * FROM t;
            UPDATE t SET b = 'bad';
            """);
    }

    [Fact]
    public void Nesting_recursion_and_the_depth_limit()
    {
        Same("""
            CREATE TABLE a(x INTEGER PRIMARY KEY, y);
            CREATE TABLE b(x, y);
            CREATE TABLE log(m);
            CREATE TRIGGER ta AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x, new.y); INSERT INTO log VALUES ('ta ' || new.x); END;
            CREATE TRIGGER tb AFTER INSERT ON b WHEN new.x < 5 BEGIN INSERT INTO a VALUES (new.x + 10, new.y || 'b'); INSERT INTO log VALUES ('tb ' || new.x); END;
            INSERT INTO a VALUES (1, 'q');
            SELECT * FROM a;
            SELECT * FROM b;
            SELECT * FROM log;
            CREATE TABLE r(n);
            CREATE TRIGGER rr AFTER INSERT ON r WHEN new.n < 10 BEGIN INSERT INTO r VALUES (new.n + 1); END;
            INSERT INTO r VALUES (1);
            SELECT count(*) FROM r;
            PRAGMA recursive_triggers;
            PRAGMA recursive_triggers = ON;
            PRAGMA recursive_triggers;
            INSERT INTO r VALUES (1);
            SELECT count(*), max(n) FROM r;
            DROP TRIGGER rr;
            CREATE TRIGGER rr AFTER INSERT ON r BEGIN INSERT INTO r VALUES (new.n + 1); END;
            INSERT INTO r VALUES (1);
            SELECT count(*), max(n) FROM r;
            PRAGMA recursive_triggers = 0;
            INSERT INTO r VALUES (1);
            SELECT count(*), max(n) FROM r;
            """);
    }

    [Fact]
    public void Replace_fires_delete_triggers_only_with_recursive_triggers()
    {
        Same("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE);
            CREATE TABLE log(m);
            CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('del ' || old.a || ' ' || old.b); END;
            CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ins ' || new.a || ' ' || new.b); END;
            CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('upd ' || old.b || ' ' || new.b); END;
            INSERT INTO t VALUES (1, 'x'), (2, 'y');
            INSERT OR REPLACE INTO t VALUES (1, 'z');
            REPLACE INTO t VALUES (3, 'y');
            INSERT INTO t VALUES (3, 'w') ON CONFLICT (a) DO UPDATE SET b = excluded.b || '!';
            INSERT INTO t VALUES (4, 'w!') ON CONFLICT DO NOTHING;
            SELECT * FROM log;
            DELETE FROM log;
            PRAGMA recursive_triggers = 1;
            INSERT OR REPLACE INTO t VALUES (1, 'q');
            UPDATE OR REPLACE t SET b = 'q' WHERE a = 3;
            SELECT * FROM log;
            SELECT * FROM t;
            """);
    }

    [Fact]
    public void A_running_trigger_is_not_fired_again_whatever_the_conflict_action()
    {
        // tr0 runs for INSERT OR IGNORE; tr5's plain INSERT would code it for another conflict action.
        Same("""
            CREATE TABLE t2(x INTEGER PRIMARY KEY, y, z);
            CREATE TRIGGER tr0 BEFORE INSERT ON t2 BEGIN DELETE FROM t2 WHERE y > new.x + 3; END;
            CREATE TRIGGER tr5 BEFORE DELETE ON t2 BEGIN INSERT INTO t2(y, z) VALUES (old.z, 'tr5'); END;
            INSERT INTO t2 VALUES (1, 10, 'a'), (2, 20, 'b');
            INSERT OR IGNORE INTO t2 VALUES (5, 2, 'i');
            SELECT * FROM t2;
            """);
    }

    [Fact]
    public void A_conflict_that_replace_triggers_bring_back_fails()
    {
        Same("""
            PRAGMA recursive_triggers = 1;
            CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE);
            CREATE TRIGGER td AFTER DELETE ON t WHEN old.b <> 'keep' BEGIN INSERT INTO t VALUES (old.a, 'back'); END;
            INSERT INTO t VALUES (1, 'x'), (2, 'keep');
            INSERT OR REPLACE INTO t VALUES (1, 'y');
            SELECT * FROM t ORDER BY a;
            INSERT OR REPLACE INTO t VALUES (3, 'keep');
            SELECT * FROM t ORDER BY a;
            """);
    }

    [Fact]
    public void Instead_of_triggers_make_views_writable()
    {
        Same("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b, c TEXT);
            INSERT INTO t VALUES (1, 'x', '10'), (2, 'y', '20');
            CREATE VIEW v(p, q, r) AS SELECT a, b, c + 0 FROM t;
            INSERT INTO v VALUES (1, 2, 3);
            UPDATE v SET q = 1;
            DELETE FROM v;
            CREATE TABLE log(x);
            CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO log VALUES ('vi ' || quote(new.rowid) || quote(new.p) || quote(new.q) || quote(new.r)); INSERT INTO t VALUES (new.p, new.q, new.r); END;
            CREATE TRIGGER vu INSTEAD OF UPDATE OF q ON v BEGIN INSERT INTO log VALUES ('vu ' || quote(old.rowid) || quote(new.rowid) || quote(old.p) || quote(new.p) || quote(new.q) || quote(old.r) || quote(new.r)); UPDATE t SET b = new.q WHERE a = old.p; END;
            CREATE TRIGGER vd INSTEAD OF DELETE ON v FOR EACH ROW WHEN old.p > 1 BEGIN INSERT INTO log VALUES ('vd ' || quote(old.rowid) || quote(old.p) || quote(old.q) || quote(old.r)); DELETE FROM t WHERE a = old.p; END;
            INSERT INTO v VALUES (3, '2', 3.0);
            INSERT INTO v(q) VALUES (5);
            UPDATE v SET q = q || '!' WHERE p > 1;
            UPDATE v SET p = 7;
            UPDATE v SET p = 8, q = 9 WHERE r = 10;
            DELETE FROM v WHERE p <> 2;
            SELECT * FROM log;
            SELECT * FROM t;
            SELECT * FROM v;
            """);
    }

    [Fact]
    public void Errors_in_a_trigger_body_are_the_firing_statements_prepare_errors()
    {
        Same("""
            CREATE TABLE log(m);
            CREATE TABLE t2(a);
            CREATE TRIGGER bad AFTER INSERT ON log BEGIN INSERT INTO nosuch VALUES (1); END;
            INSERT INTO log VALUES (1);
            DROP TRIGGER bad;
            CREATE TRIGGER bad AFTER INSERT ON log BEGIN SELECT * FROM nosuch; END;
            INSERT INTO log SELECT 1 WHERE 0;
            DROP TRIGGER bad;
            CREATE TRIGGER bad AFTER INSERT ON log BEGIN UPDATE log SET m = 5 WHERE nosuch = 1; END;
            INSERT INTO log VALUES (1);
            DROP TRIGGER bad;
            CREATE TRIGGER bad AFTER INSERT ON log BEGIN SELECT old.m; END;
            INSERT INTO log VALUES (1);
            DELETE FROM log;
            DROP TRIGGER bad;
            CREATE TRIGGER bad AFTER INSERT ON log BEGIN INSERT INTO t2 VALUES (1, 2); END;
            INSERT INTO log VALUES (1);
            DROP TRIGGER bad;
            CREATE TRIGGER bad AFTER DELETE ON log BEGIN SELECT new.m; END;
            DELETE FROM log;
            SELECT count(*) FROM log;
            """);
    }

    [Fact]
    public void Alter_table_rewrites_the_triggers_as_sqlite3_does()
    {
        Same("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
            CREATE TABLE u(x, y);
            CREATE TRIGGER t1 AFTER UPDATE OF b, c ON t WHEN old.b <> new.b BEGIN UPDATE u SET y = new.b WHERE x = old.a; INSERT INTO u(x, y) SELECT a, b FROM t WHERE t.b = new.b; DELETE FROM u WHERE y = (SELECT max(b) FROM t); END;
            CREATE TRIGGER t2 BEFORE DELETE ON u BEGIN SELECT b FROM t, u AS uu WHERE t.a = uu.x; UPDATE OR IGNORE t SET b = old.y WHERE a = old.x; END;
            CREATE TRIGGER t3 AFTER INSERT ON "t" BEGIN INSERT INTO u VALUES (new.a, new."b"); END;
            ALTER TABLE t RENAME COLUMN b TO bb;
            SELECT name, tbl_name, sql FROM sqlite_schema;
            ALTER TABLE t RENAME TO tt;
            SELECT name, tbl_name, sql FROM sqlite_schema;
            INSERT INTO tt VALUES (1, 2, 3);
            UPDATE tt SET bb = 5;
            DELETE FROM u;
            SELECT * FROM tt;
            SELECT * FROM u;
            ALTER TABLE tt DROP COLUMN c;
            ALTER TABLE tt DROP COLUMN bb;
            ALTER TABLE u DROP COLUMN y;
            SELECT name, tbl_name, sql FROM sqlite_schema;
            """);
    }

    [Fact]
    public void Temp_triggers_fire_first_and_stay_out_of_the_file()
    {
        var file = ScriptDiff.Compare(_dir, ScriptDiff.Lines("""
            CREATE TABLE t(a);
            CREATE TABLE log(m);
            CREATE TEMP TRIGGER tt AFTER INSERT ON log BEGIN INSERT INTO t VALUES ('tt'); END;
            CREATE TRIGGER mt AFTER INSERT ON log BEGIN INSERT INTO t VALUES ('mt'); END;
            CREATE TEMPORARY TRIGGER tt2 AFTER INSERT ON log BEGIN INSERT INTO t VALUES ('tt2'); END;
            CREATE TRIGGER mt2 AFTER INSERT ON log BEGIN INSERT INTO t VALUES ('mt2'); END;
            CREATE TRIGGER temp.tt3 AFTER INSERT ON log BEGIN INSERT INTO t VALUES ('tt3'); END;
            INSERT INTO log VALUES (1);
            SELECT * FROM t;
            DROP TRIGGER main.tt2;
            DROP TRIGGER temp.tt2;
            DROP TABLE log;
            DROP TRIGGER tt;
            """));
        Assert.Equal("", Sqlite3.Run(file, "SELECT name FROM sqlite_schema WHERE type = 'trigger';"));
    }

    [Fact]
    public void Forge_writes_triggers_that_sqlite3_fires()
    {
        var file = Path.Combine(_dir, "forge.db");
        using (var db = Database.Open(file))
        {
            db.Execute("""
                CREATE TABLE t(a INTEGER PRIMARY KEY, b);
                CREATE TABLE log(m);
                CREATE TRIGGER ti AFTER INSERT ON t
                  WHEN new.b IS NOT NULL
                BEGIN
                  INSERT INTO log VALUES ('ins ' || new.a || ' ' || new.b);
                END;
                CREATE VIEW v AS SELECT a, b FROM t;
                CREATE TRIGGER vd INSTEAD OF DELETE ON v BEGIN DELETE FROM t WHERE a = old.a; INSERT INTO log VALUES ('vd ' || old.a); END;
                INSERT INTO t VALUES (1, 'x'), (2, NULL);
                """);
        }

        Assert.Equal("ok\n", Sqlite3.Run(file, "PRAGMA integrity_check;"));
        Assert.Equal("ins 1 x\nins 3 y\nvd 1\n2|\n3|y\n", Sqlite3.Run(file, "INSERT INTO t VALUES (3, 'y'); DELETE FROM v WHERE a = 1; SELECT * FROM log; SELECT * FROM t;"));
        Assert.Equal(
            "CREATE TRIGGER ti AFTER INSERT ON t\n  WHEN new.b IS NOT NULL\nBEGIN\n  INSERT INTO log VALUES ('ins ' || new.a || ' ' || new.b);\nEND\n",
            Sqlite3.Run(file, "SELECT sql FROM sqlite_schema WHERE name = 'ti';"));
        Assert.Equal("ok\n", Sqlite3.Run(file, "PRAGMA integrity_check;"));
    }

    [Fact]
    public void Sqlite3_writes_triggers_that_forge_fires()
    {
        var file = Path.Combine(_dir, "sqlite.db");
        Sqlite3.Run(file, """
            CREATE TABLE t(a INTEGER PRIMARY KEY, b);
            CREATE TABLE log(m);
            CREATE TRIGGER tu BEFORE UPDATE OF b ON t FOR EACH ROW WHEN old.b <> new.b
            BEGIN
              INSERT INTO log VALUES (old.b || '->' || new.b);
            END;
            CREATE TRIGGER td AFTER DELETE ON t BEGIN SELECT RAISE(ABORT, 'keep') WHERE old.a = 1; END;
            INSERT INTO t VALUES (1, 'x'), (2, 'y');
            """);
        using (var db = Database.Open(file))
        {
            db.Execute("UPDATE t SET b = b || '!'");
            Assert.Equal("x->x!,y->y!", db.ExecuteOne("SELECT group_concat(m) FROM log").Rows[0].GetText(0));
            var e = Assert.Throws<SqlRuntimeException>(() => db.Execute("DELETE FROM t"));
            Assert.Equal("keep (19)", e.ShellMessage);
            db.Execute("DELETE FROM t WHERE a = 2; DROP TRIGGER tu");
        }

        Assert.Equal("ok\n", Sqlite3.Run(file, "PRAGMA integrity_check;"));
        Assert.Equal("td\n1|x!\n", Sqlite3.Run(file, "SELECT name FROM sqlite_schema WHERE type = 'trigger'; SELECT * FROM t;"));
    }

    [Fact]
    public void Shell_schema_and_dump_print_triggers_as_sqlite3()
    {
        const string Script = """
            CREATE TABLE t(a, b);
            CREATE INDEX ti ON t(a);
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN
              UPDATE t SET b = 1 WHERE rowid = new.rowid;
            END;
            CREATE TEMP TRIGGER tmp BEFORE DELETE ON t BEGIN SELECT 1; END;
            CREATE VIEW v AS SELECT * FROM t;
            CREATE TRIGGER vt INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a, new.b); END;
            INSERT INTO v VALUES (1, 2);
            .schema
            .schema t
            .schema v%
            .dump
            .dump tr
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;
            DROP TRIGGER nope;
            SELECT * FROM t;
            """;
        var expected = ScriptDiff.Sqlite3Shell(Script);
        var actual = ScriptDiff.ForgeShell(Script);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.Stderr, actual.Stderr);
        Assert.Equal(expected.Code, actual.Code);
    }

    /// <summary>
    /// Random trigger scripts (fixed seed): triggers of every time, event, WHEN and UPDATE OF on two
    /// tables and a view, bodies writing a log and each other's tables, RAISE, then random writes; every
    /// statement's output (and the log after it) compared with sqlite3's.
    /// </summary>
    [Fact]
    public void Random_trigger_scripts_match_sqlite3()
    {
        var rng = new Random(20261126);
        var started = DateTime.UtcNow;
        for (var script = 0; script < 40 && DateTime.UtcNow - started < TimeSpan.FromSeconds(12); script++)
        {
            var statements = new List<string>
            {
                "CREATE TABLE t1(a INTEGER PRIMARY KEY, b INTEGER, c TEXT)",
                "CREATE TABLE t2(x INTEGER PRIMARY KEY, y, z)",
                "CREATE TABLE log(n INTEGER PRIMARY KEY, m)",
                "CREATE VIEW v AS SELECT a, b, c FROM t1",
            };
            if (rng.Next(3) == 0)
            {
                statements.Add("PRAGMA recursive_triggers = 1");
            }

            var triggers = rng.Next(2, 7);
            for (var i = 0; i < triggers; i++)
            {
                statements.Add(RandomTrigger(rng, i));
            }

            for (var i = 0; i < 25; i++)
            {
                statements.Add(RandomWrite(rng));
                if (rng.Next(4) == 0)
                {
                    statements.Add("SELECT * FROM log ORDER BY n");
                }
            }

            statements.Add("SELECT * FROM t1 ORDER BY a");
            statements.Add("SELECT * FROM t2 ORDER BY x");
            statements.Add("SELECT * FROM log ORDER BY n");
            ScriptDiff.Compare(_dir, statements);
        }
    }

    private static readonly string[] s_t1Columns = ["a", "b", "c"];
    private static readonly string[] s_t2Columns = ["x", "y", "z"];

    private static string RandomTrigger(Random rng, int n)
    {
        var onView = rng.Next(6) == 0;
        var table = onView ? "v" : rng.Next(3) == 0 ? "t2" : "t1";
        var columns = table == "t2" ? s_t2Columns : s_t1Columns;
        var time = onView ? "INSTEAD OF" : rng.Next(3) switch { 0 => "BEFORE", 1 => "AFTER", _ => "" };
        var ev = rng.Next(3) switch { 0 => "INSERT", 1 => "UPDATE", _ => "DELETE" };
        var of = ev == "UPDATE" && rng.Next(2) == 0 ? " OF " + columns[rng.Next(3)] : "";
        string Ref() => ev switch
        {
            "INSERT" => "new." + columns[rng.Next(3)],
            "DELETE" => "old." + columns[rng.Next(3)],
            _ => (rng.Next(2) == 0 ? "new." : "old.") + columns[rng.Next(3)],
        };
        var when = rng.Next(3) == 0 ? $" WHEN {Ref()} % 3 <> {rng.Next(3)}" : "";
        var body = new List<string>();
        var steps = rng.Next(1, 4);
        for (var i = 0; i < steps; i++)
        {
            body.Add(rng.Next(8) switch
            {
                0 => $"UPDATE t2 SET y = coalesce(y, 0) + 1 WHERE x = {Ref()} % 5",
                1 => $"INSERT INTO t2(y, z) VALUES ({Ref()}, 'tr{n}')",
                2 => $"DELETE FROM t2 WHERE y > {Ref()} + 3",
                3 => $"SELECT RAISE({(rng.Next(3) == 0 ? "IGNORE" : rng.Next(2) == 0 ? "ABORT, 'stop " + n + "'" : "FAIL, 'fail " + n + "'")}) WHERE {Ref()} % 4 = 1",
                4 => $"UPDATE t1 SET b = b + 1 WHERE a = {Ref()} % 7",
                _ => $"INSERT INTO log(m) VALUES ('tr{n} ' || quote({Ref()}) || ' ' || quote({Ref()}))",
            });
        }

        return $"CREATE TRIGGER tr{n} {time} {ev}{of} ON {table}{when} BEGIN {string.Join("; ", body)}; END";
    }

    private static string RandomWrite(Random rng)
    {
        var v = rng.Next(-2, 12);
        return rng.Next(10) switch
        {
            0 => $"INSERT INTO t1(b, c) VALUES ({v}, 'c{v}'), ({v + 1}, NULL)",
            1 => $"INSERT OR REPLACE INTO t1 VALUES ({rng.Next(1, 6)}, {v}, 'r')",
            2 => $"INSERT OR IGNORE INTO t2 VALUES ({rng.Next(1, 6)}, {v}, 'i')",
            3 => $"UPDATE t1 SET b = b + {v} WHERE a % 3 = {rng.Next(3)}",
            4 => $"UPDATE t1 SET c = 'u{v}' WHERE b > {v}",
            5 => $"DELETE FROM t1 WHERE b = {v}",
            6 => $"DELETE FROM t2 WHERE x % 2 = {rng.Next(2)}",
            7 => $"INSERT INTO v VALUES ({v + 20}, {v}, 'v')",
            8 => $"UPDATE v SET b = {v} WHERE a < {v}",
            _ => $"INSERT INTO t2(y, z) SELECT b, c FROM t1 WHERE a > {v}",
        };
    }
}
