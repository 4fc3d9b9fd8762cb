namespace Forge.Sql.Tests;

/// <summary>WITH before INSERT, UPDATE and DELETE (were "not supported yet"): the CTEs serve the statement's SELECT and subqueries.</summary>
public sealed class WithDmlTests
{
    [Fact]
    public void With_clauses_on_write_statements_behave_as_in_sqlite3()
    {
        const string Script = """
            CREATE TABLE t(a, b);
            WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<10) INSERT INTO t SELECT i, i*i FROM c;
            SELECT count(*), sum(b) FROM t;
            WITH x(v) AS (VALUES(3),(5)) UPDATE t SET b = -b WHERE a IN x;
            SELECT group_concat(b) FROM t;
            WITH big AS (SELECT a FROM t WHERE b > 50) DELETE FROM t WHERE a IN (SELECT a FROM big);
            SELECT group_concat(a) FROM t;
            WITH y AS (SELECT 100 AS z) INSERT INTO t WITH w AS (SELECT z + 1 AS q FROM y) SELECT q, q FROM w;
            SELECT max(a) FROM t;
            WITH y AS (SELECT 7) INSERT INTO t DEFAULT VALUES;
            WITH y AS (SELECT 1 AS k) INSERT INTO t VALUES ((SELECT k FROM y), 2);
            SELECT count(*), count(a) FROM t;
            WITH y AS (SELECT 1) UPDATE t SET a = (SELECT count(*) FROM nosuch);
            WITH t AS (SELECT 5 AS a) DELETE FROM t WHERE a IN (SELECT a FROM t);
            SELECT group_concat(a) FROM t;
            """;
        var sqlite = ScriptDiff.Sqlite3Shell(Script);
        var forge = ScriptDiff.ForgeShell(Script);
        Assert.Equal(sqlite.Stdout, forge.Stdout);
        Assert.Equal(sqlite.Stderr, forge.Stderr);
    }
}
