using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Planning;

namespace Forge.Sql.Tests;

/// <summary>The SELECT engine and planner against sqlite3 3.40: results, column names, errors, EXPLAIN QUERY PLAN.</summary>
public sealed class SelectTests : IDisposable
{
    private const string Schema = """
        CREATE TABLE t(a INTEGER, b TEXT, c REAL);
        CREATE INDEX ta ON t(a);
        CREATE TABLE u(id INTEGER PRIMARY KEY, x, y TEXT);
        CREATE INDEX ux ON u(x);
        CREATE TABLE w(p, q, r);
        CREATE INDEX wpq ON w(p, q);
        CREATE TABLE v2(k INTEGER PRIMARY KEY, m UNIQUE, n);
        INSERT INTO t VALUES(1,'x',1.5),(2,'y',2),(3,'z',NULL),(NULL,'w',4),(2,'Y',5);
        INSERT INTO u VALUES(1,1,'p'),(2,2,'q'),(3,5,'r'),(4,NULL,'s');
        INSERT INTO w VALUES(1,1,'a'),(1,2,'b'),(2,1,'c'),(2,2,'d'),(3,NULL,'e');
        """;

    private static readonly string[] s_queries =
    [
        "select * from t",
        "select * from t, u where t.a = u.id",
        "select * from t join u on t.a = u.x",
        "select * from t left join u on t.a = u.x",
        "select t.*, u.y from t left join u on t.a = u.x where u.y is null",
        "select a, x from t cross join u",
        "select * from t natural join u",
        "select * from (select a as id, b from t) join u using (id)",
        "select * from (select a as id, b from t) natural join u",
        "select id, b from (select a as id, b from t) natural left join u",
        "select b from t join u on a = x",
        "select count(*), sum(a), avg(c), min(b), max(b), total(a), group_concat(b) from t",
        "select a, count(*) from t group by a",
        "select a, count(*), group_concat(b, '-') from t group by a having count(*) > 1",
        "select b, max(c) from t",
        "select a, b, min(c) from t group by a",
        "select count(distinct a), sum(distinct a) from t",
        "select a+1 as k, count(*) from t group by k order by k desc",
        "select * from t where a in (select x from u)",
        "select * from t where a not in (select x from u)",
        "select * from t where exists (select 1 from u where u.x = t.a)",
        "select a, (select y from u where u.id = t.a) from t",
        "select a from t union select x from u",
        "select a from t union all select x from u order by 1",
        "select a from t intersect select x from u",
        "select a from t except select x from u",
        "select a, b from t union select id, y from u order by 2 desc limit 3",
        "with r(n) as (select 1 union all select n+1 from r where n < 10) select sum(n) from r",
        "with recursive r(n) as (select 1 union all select n+1 from r) select n from r limit 5",
        "with q as (select a from t where a > 1) select * from q, q as q2 where q.a = q2.a",
        "select * from t where rowid = 2",
        "select * from u where id > 1 and id <= 3",
        "select * from u where id in (3, 1, 9)",
        "select * from t where a = 2",
        "select * from t where a > 1 and a < 3",
        "select * from t where a between 1 and 2",
        "select * from t where a in (1, 3)",
        "select * from t order by c limit 2",
        "select * from t order by a desc",
        "select * from u order by x",
        "select sum(a) from t where a = '2'",
        "select * from u where id = '2'",
        "select * from u where id = 2.0",
        "select * from u where id > 1.5",
        "select * from t where a = 2 order by c desc",
        "select distinct a from t",
        "select count(*) from t, u",
        "select a, count(*) from t",
        "select max(a), b from t where a < 0",
        "select count(*) from t having count(*) > 2",
        "select a from t join u on t.a = u.id join u as u2 on u2.id = u.x",
        "select * from t t1 join t t2 using (a)",
        "select * from t t1 join t t2 on t1.a = t2.a where t1.b < t2.b",
        "select a from t join u on a = x where y = 'p' and b = 'x'",
        "select * from t where a = (select max(x) from u)",
        "select a from t where a > 1 order by a",
        "select * from t order by rowid desc",
        "select * from u order by id desc limit 2",
        "select * from u order by id limit 2 offset 1",
        "select a, sum(c) from t group by a order by sum(c) desc",
        "select count(*) from (select * from t where a is not null)",
        "select * from t where b = 'y' collate nocase",
        "select group_concat(distinct a) from t",
        "select a, count(*) from t group by 1",
        "select typeof(sum(c)), sum(c), avg(a) from t",
        "select * from (select 1 as z) where z = 1",
        "select (select count(*) from u where u.x < t.a) from t",
        "select min(a), max(a) from t where a > 100",
        "select b from t order by b collate nocase, rowid",
        "select x, count(*) from u group by x",
        "select * from t, (select count(*) n from u)",
        "select * from t left join (select * from u where id < 3) v on v.x = t.a",
        "select t.a, v.y from t left join u v on v.x = t.a and v.y > 'p'",
        "select a, b from t where not exists (select * from u where x = a)",
        "select * from (values (1,2),(3,4))",
        "select 1 union select 2 union all select 1",
        "select a as q from t order by q",
        "select * from u where x in (select a from t where b > 'x')",
        "select count(x), count(*), count() from u",
        "select * from t where c > 1.5 and c < 5",
        "select * from w where p = 1 and q > 1",
        "select * from w where p = 2 order by q desc",
        "select p, q from w where p in (1, 3) and q is null",
        "select w.r, t.b from w join t on t.a = w.p where w.q = 1",
        "select * from t, u, w where t.a = u.id and w.p = u.id",
        "select p, sum(q) s from w group by p having s > 2 order by s",
        "select * from t where a is null",
        "select upper(b), a * 2 AS dbl, a from t where a >= 2 order by 2, 1",
        "select sum(a) over_alias from t",
        "select a, b, c from t order by c desc nulls last, a",
        "select * from t t1 natural join t t2",
        "select * from t join u on t.a = u.id join w on w.p = u.id",
        "select a, b from t join w using (r) ",
        "select * from t as one, t as two where one.a = two.a + 1",
        "select t.a as \"x y\", count(*) as n from t group by 1",
        "select (select 1), (select y from u order by id desc), (select y from u where 0)",
        "select * from (select a, a from t) limit 2",
        "select * from (select b, max(c) from t group by b) order by 1",
        "select distinct b from t order by c",
        "select a from t union select x from u union select p from w order by 1 desc",
        "select a from t union all select x from u limit 3 offset 2",
        "select a as k from t union select id from u order by k",
        "select * from t limit (select count(*) from u) - 2",
        "select * from u where id = (select max(a) from t)",
        "select * from t where a in (select x from u union select 3)",
        "select a, count(*) from t where 0 group by a",
        "select count(*), max(a) from t where 0",
        "select b, count(*) from t group by b collate nocase",
        "select a, count(*) from t group by a having a > 1",
        "select count(*), count(u.id) from t left join u on t.a = u.x",
        "select a, (select count(*) from u where x = a) as c2 from t order by c2 desc, a",
        "select max(c), min(c), sum(c), avg(c) from t group by a order by 1",
        "select sum(b), total(b), avg(b) from t",
        "select group_concat(b, null), group_concat(a, ''), group_concat(c) from t",
        "select min(b collate nocase), max(b) from t",
        "with a(x) as (select 1), b(y) as (select x + 1 from a) select * from a, b",
        "with recursive f(n, v) as (select 1, 1 union all select n + 1, v * (n + 1) from f where n < 10) select * from f",
        "with recursive s(x) as (select 1 union select x % 3 + 1 from s) select * from s",
        "select 1 where 1 in (select 1)",
        "select * from t where exists (select 1)",
        "select a from t where a not in (select x from u where x is not null)",
        "select * from t where rowid in (select id from u)",
        "select -a, a || b, a is null, c > 2 from t order by rowid",
        "select * from u where id between 2 and 3 order by id desc",
        "select * from w where p = 1 order by q desc",
        "select * from w where p > 1 and p < 3",
        "select * from w where p >= 2 order by p, q",
        "select q from w where p = 2 and q in (2, 1, 2)",
        "select * from u where x = '1'",
        "select * from u where x > 1 order by x limit 2",
        "select t.b, u.y, w.r from t, u, w where t.a = u.id and u.x = w.p and w.q = 1",
        "select oid, _rowid_, rowid from u where rowid < 3",
        "select count(*) from t where b in ('x', 'y', 'Y')",
        "select a, b from t where b like '_' order by b",
        "select a, (select count(*) from u where x = t.a) from t group by a",
        "select a, count(*) from t group by a having exists (select 1 from u where u.x = t.a)",
        "select count(*), (select max(x) from u where x > t.a) from t where a > 5",
        "select (select y from u order by id desc limit 1 offset 1)",
        "select * from t limit 0",
        "select count(*) from (select a from t union select x from u)",
        "select distinct count(*) from t group by a",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("forge-select-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NewDatabase(string script)
    {
        var path = Path.Combine(_dir, $"db{Guid.NewGuid():N}.db");
        Sqlite3.Run(path, script);
        return path;
    }

    /// <summary>Header line then rows as sqlite3's list mode prints them.</summary>
    private static List<string> Render(ResultSet r)
    {
        if (r.Rows.Count == 0)
        {
            return [];
        }

        var lines = new List<string> { string.Join("|", r.Columns) };
        foreach (var row in r.Rows)
        {
            lines.Add(string.Join("|", Enumerable.Range(0, row.Count).Select(i => row.GetText(i) ?? "")));
        }

        return lines;
    }

    private static string Forge(Database db, string sql)
    {
        try
        {
            return string.Join("\n", Render(db.ExecuteOne(sql)));
        }
        catch (Exception e) when (e is SqlPrepareException or SqlRuntimeException or Parsing.SqlParseException)
        {
            return "error: " + e.Message;
        }
    }

    /// <summary>One sqlite3 run answering every query (headers on), each answer as a list of lines; errors as "error: ...".</summary>
    private static List<string> SqliteAnswers(string path, IReadOnlyList<string> queries)
    {
        var script = new StringBuilder(".headers on\n.bail off\n");
        foreach (var q in queries)
        {
            script.Append(".print #####\n").Append(q).Append(";\n");
        }

        var psiOut = RunMerged(path, script.ToString());
        var parts = psiOut.Split("#####\n");
        return [.. parts.Skip(1).Select(p => p.EndsWith('\n') ? p[..^1] : p)];
    }

    /// <summary>sqlite3 with stderr merged into stdout in order (error lines sit between the answers).</summary>
    private static string RunMerged(string path, string script)
    {
        var scriptPath = path + ".sql";
        File.WriteAllText(scriptPath, script);
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{Sqlite3.Path} -batch '{path}' < '{scriptPath}' 2>&1");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    private static bool SameResult(string expected, string actual, string sql)
    {
        if (expected == actual)
        {
            return true;
        }

        if (sql.Contains("order by", StringComparison.OrdinalIgnoreCase) || expected.StartsWith("error", StringComparison.Ordinal))
        {
            return false;
        }

        // No ORDER BY: the same header and the same rows in any order.
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        return e[0] == a[0] && e.Skip(1).Order(StringComparer.Ordinal).SequenceEqual(a.Skip(1).Order(StringComparer.Ordinal));
    }

    /// <summary>Compares every query's answer; returns how many were errors in sqlite3.</summary>
    private int AssertSameAsSqlite(string schema, IReadOnlyList<string> queries)
    {
        var path = NewDatabase(schema);
        var expected = SqliteAnswers(path, queries);
        Assert.Equal(queries.Count, expected.Count);
        using var db = Database.Open(path);
        var failures = new List<string>();
        for (var i = 0; i < queries.Count; i++)
        {
            var actual = Forge(db, queries[i]);
            var exp = expected[i];
            if (exp.StartsWith("Parse error", StringComparison.Ordinal) || exp.StartsWith("Runtime error", StringComparison.Ordinal))
            {
                var colon = exp.IndexOf(": ", StringComparison.Ordinal);
                exp = "error: " + exp[(colon + 2)..].Split('\n')[0];
            }

            if (!SameResult(exp, actual, queries[i]))
            {
                failures.Add($"{queries[i]}\n  sqlite3: {exp.Replace("\n", " / ", StringComparison.Ordinal)}\n  forge:   {actual.Replace("\n", " / ", StringComparison.Ordinal)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} differ:\n" + string.Join("\n", failures));
        return expected.Count(e => e.StartsWith("Parse error", StringComparison.Ordinal) || e.StartsWith("Runtime error", StringComparison.Ordinal));
    }

    [Fact]
    public void Select_corpus_matches_sqlite3()
    {
        Assert.True(Sqlite3.Available, "needs /usr/bin/sqlite3");
        _ = AssertSameAsSqlite(Schema, s_queries);
    }

    [Fact]
    public void Name_resolution_errors_match_sqlite3()
    {
        Assert.True(Sqlite3.Available, "needs /usr/bin/sqlite3");
        _ = AssertSameAsSqlite(Schema,
        [
            "select a from t, t as t2",
            "select t.q from t",
            "select q from t",
            "select x from t",
            "select zz.* from t",
            "select * from nosuch",
            "select a from t join u using (zz)",
            "select 1 from t having a > 1",
            "select a from t where count(*) > 1",
            "select (select 1, 2)",
            "select a from t union select a, b from t",
            "select a from t order by 3",
            "select a from t union select x from u order by b",
            "select count(a, b) from t",
            "select id from t join u using (id)",
        ]);
    }

    [Fact]
    public void Explain_query_plan_matches_sqlite3()
    {
        Assert.True(Sqlite3.Available, "needs /usr/bin/sqlite3");
        string[] queries =
        [
            "select * from t where a = 1",
            "select * from t",
            "select * from u where id = 5",
            "select * from u where id > 5 and id < 10",
            "select * from u where rowid > 5",
            "select * from t order by c limit 10",
            "select * from t, u where t.a = u.id",
            "select * from u, t where t.a = u.id",
            "select * from t left join u on u.x = t.b",
            "select * from u where x in (1, 2, 3)",
            "select * from u where id in (1, 2)",
            "select * from u order by x",
            "select * from t where a > 1 order by a",
            "select a from t where a > 1 and a < 5",
            "select p, q from w where p = 1 and q > 2",
            "select * from w where p = 1 and q = 2",
            "select * from w where p = 1 order by q",
            "select * from t as x where x.a = 1",
            "select b, count(*) from t group by b",
            "select distinct c from t",
            "select * from t where c = (select max(x) from u)",
            "select * from u where y = 'a' order by id",
            "select * from t where a = 1 and b = 'x'",
            "select * from w, t where w.p = t.a and w.q = 1",
            "select count(*) from t",
            "select a from t",
            "select a, count(*) from t group by a",
            "select * from t where a in (1,2) order by a",
            "select * from w where p = 1 and q in (1,2)",
            "select * from w where p in (1,2) and q = 3",
            "select * from v2 where m = 5",
            "select n from v2 where m > 5",
            "select * from t, w where t.a = w.p",
            "select * from t, w, u where t.a = w.p and u.id = w.q",
            "select * from t left join w on w.p = t.a left join u on u.id = w.q",
            "select * from t where b = 'x' and a > 5",
            "select * from u where y = 'x'",
            "select * from u where x = 1 and y = 'q'",
            "select max(a) from t",
            "select min(x) from u",
            "select * from t where a is null",
            "select * from t where a = 1 or a = 2",
            "select * from u order by id desc",
            "select * from w order by p, q",
            "select * from w order by p desc, q desc",
            "select * from w where p = 3 order by q",
            "select * from t where a between 1 and 5",
            "select * from u where id >= 10",
            "select * from t join u on u.x = t.a where t.b = 'k'",
            "select * from t where exists (select 1 from u where u.x = t.a)",
            "select a from t union select x from u",
            "select * from t where a > 5 and a > 7",
            "select x, count(*) from u group by x",
            "select distinct a from t",
            "select * from t order by a limit 5",
            "select * from u where x > 'm' order by x desc",
        ];
        var path = NewDatabase(Schema);
        using var db = Database.Open(path);
        var failures = new List<string>();
        foreach (var q in queries)
        {
            var expected = Sqlite3.Run(path, "EXPLAIN QUERY PLAN " + q + ";").TrimEnd('\n');
            var actual = RenderPlan(db.ExecuteOne("EXPLAIN QUERY PLAN " + q));
            if (expected != actual)
            {
                failures.Add($"{q}\n--- sqlite3:\n{expected}\n--- forge:\n{actual}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Length} differ:\n" + string.Join("\n", failures));
    }

    /// <summary>The tree sqlite3's shell draws from EXPLAIN QUERY PLAN's (id, parent, detail) rows.</summary>
    internal static string RenderPlan(ResultSet plan)
    {
        var rows = plan.Rows.Select(r => (Id: int.Parse(r.GetText(0)!, System.Globalization.CultureInfo.InvariantCulture), Parent: int.Parse(r.GetText(1)!, System.Globalization.CultureInfo.InvariantCulture), Detail: r.GetText(3)!)).ToList();
        var sb = new StringBuilder("QUERY PLAN");
        void Draw(int parent, string indent)
        {
            var children = rows.Where(r => r.Parent == parent).ToList();
            for (var i = 0; i < children.Count; i++)
            {
                var last = i == children.Count - 1;
                sb.Append('\n').Append(indent).Append(last ? "`--" : "|--").Append(children[i].Detail);
                Draw(children[i].Id, indent + (last ? "   " : "|  "));
            }
        }

        Draw(0, "");
        return sb.ToString();
    }

    [Fact]
    public void Views_are_stored_as_sqlite3_stores_them()
    {
        Assert.True(Sqlite3.Available, "needs /usr/bin/sqlite3");
        var path = NewDatabase(Schema);
        using (var db = Database.Open(path))
        {
            db.Execute("CREATE VIEW v(k, n) AS SELECT a, count(*) FROM t GROUP BY a; CREATE VIEW IF NOT EXISTS v AS SELECT 1; CREATE VIEW vu AS SELECT * FROM u WHERE id > 1");
            Assert.Equal("view v already exists", Assert.Throws<SqlPrepareException>(() => db.Execute("CREATE VIEW v AS SELECT 1")).Message);
            Assert.Equal("k|n\n|1\n1|1\n2|2\n3|1", Forge(db, "SELECT * FROM v ORDER BY k"));
            db.Execute("CREATE VIEW gone AS SELECT 1; DROP VIEW gone; DROP VIEW IF EXISTS gone");
            Assert.Equal("no such view: gone", Assert.Throws<SqlPrepareException>(() => db.Execute("DROP VIEW gone")).Message);
        }

        Assert.Equal("ok\n", Sqlite3.Run(path, "PRAGMA integrity_check;"));
        Assert.Equal("|1\n1|1\n2|2\n3|1\n", Sqlite3.Run(path, "SELECT * FROM v ORDER BY k;"));
        Assert.Equal("2|2|q\n3|5|r\n4||s\n", Sqlite3.Run(path, "SELECT * FROM vu;"));
        Sqlite3.Run(path, "CREATE VIEW v3 AS SELECT y FROM u WHERE x IS NULL;");
        using var again = Database.Open(path);
        Assert.Equal("y\ns", Forge(again, "SELECT * FROM v3"));
    }

    [Fact]
    public void Prepared_select_runs_many_times_with_parameters()
    {
        var path = NewDatabase(Schema);
        using var db = Database.Open(path);
        var select = (Parsing.SelectStmt)Parsing.SqlParser.Parse("SELECT y FROM u WHERE id = ?").Statement!;
        var prepared = db.PrepareSelect(select, "SELECT y FROM u WHERE id = ?");
        var seen = new List<string>();
        for (var id = 1; id <= 4; id++)
        {
            var ctx = db.NewContext(prepared.Slots);
            ctx.Parameters = [default, Records.SqlValue.FromInteger(id)];
            seen.Add(prepared.Execute(ctx).Rows[0].GetText(0)!);
        }

        Assert.Equal(["p", "q", "r", "s"], seen);
    }

    [Fact]
    public void Random_queries_match_sqlite3()
    {
        Assert.True(Sqlite3.Available, "needs /usr/bin/sqlite3");
        var random = new Random(20261126);
        var schema = new StringBuilder("CREATE TABLE r1(k INTEGER PRIMARY KEY, a INT, b TEXT, c REAL); CREATE INDEX r1a ON r1(a); CREATE INDEX r1bc ON r1(b, c);\n")
            .Append("CREATE TABLE r2(k INTEGER PRIMARY KEY, a INT, d TEXT COLLATE NOCASE); CREATE INDEX r2a ON r2(a);\n");
        string Value(int kind) => kind switch
        {
            0 => "NULL",
            1 => random.Next(-3, 12).ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => $"'{(char)('a' + random.Next(6))}{(random.Next(3) == 0 ? "X" : "")}'",
            _ => (random.Next(-20, 40) / 4.0).ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < 60; i++)
        {
            schema.Append($"INSERT INTO r1(a, b, c) VALUES({Value(random.Next(2))}, {Value(random.Next(3) == 0 ? 0 : 2)}, {Value(random.Next(4) == 0 ? 0 : 3)});\n");
            schema.Append($"INSERT INTO r2(a, d) VALUES({Value(random.Next(2))}, {Value(random.Next(3) == 0 ? 0 : 2)});\n");
        }

        string[] columns1 = ["r1.k", "r1.a", "r1.b", "r1.c"];
        string[] columns2 = ["r2.k", "r2.a", "r2.d"];
        string Pick(string[] xs) => xs[random.Next(xs.Length)];
        string Cond(bool two)
        {
            var col = two && random.Next(2) == 0 ? Pick(columns2) : Pick(columns1);
            return random.Next(7) switch
            {
                0 => $"{col} = {Value(random.Next(1, 4))}",
                1 => $"{col} > {Value(random.Next(1, 4))}",
                2 => $"{col} <= {Value(random.Next(1, 4))}",
                3 => $"{col} IS NULL",
                4 => $"{col} IN ({Value(1)}, {Value(2)}, {Value(3)})",
                5 => $"{col} BETWEEN {Value(1)} AND {Value(1)}",
                _ => two ? "r1.a = r2.a" : $"{col} <> {Value(1)}",
            };
        }

        var queries = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var two = random.Next(3) > 0;
            var from = two ? Pick(["r1, r2", "r1 JOIN r2 ON r1.a = r2.a", "r1 LEFT JOIN r2 ON r1.a = r2.a", "r2 LEFT JOIN r1 ON r1.k = r2.a", "r1 JOIN r2 USING (a)"]) : "r1";
            var where = random.Next(4) == 0 ? "" : " WHERE " + Cond(two) + (random.Next(2) == 0 ? " AND " + Cond(two) : " OR " + Cond(two));
            string query;
            switch (random.Next(7))
            {
                case 4:
                    query = $"SELECT r1.k, (SELECT count(*) FROM r2 WHERE r2.a = r1.a), r1.a IN (SELECT a FROM r2 WHERE {Cond(false).Replace("r1.", "r2.", StringComparison.Ordinal).Replace("r2.c", "r2.k", StringComparison.Ordinal).Replace("r2.b", "r2.d", StringComparison.Ordinal)}) FROM r1{(random.Next(2) == 0 ? " WHERE EXISTS (SELECT 1 FROM r2 WHERE r2.k = r1.a)" : "")}";
                    break;
                case 5:
                    query = $"SELECT a FROM r1 WHERE {Cond(false).Replace("r1.", "", StringComparison.Ordinal)} {Pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])} SELECT a FROM r2 WHERE {Cond(false).Replace("r1.a", "a", StringComparison.Ordinal).Replace("r1.k", "k", StringComparison.Ordinal).Replace("r1.b", "d", StringComparison.Ordinal).Replace("r1.c", "k", StringComparison.Ordinal)} ORDER BY 1";
                    break;
                case 6:
                    query = $"WITH c AS (SELECT r1.a AS x, r1.b AS y FROM {from}{where}) SELECT x, count(*), max(y) FROM c GROUP BY x ORDER BY x";
                    break;
                case 0:
                    {
                        var g = two ? Pick(["r1.a", "r2.d", "r1.b"]) : Pick(["r1.a", "r1.b"]);
                        query = $"SELECT {g}, count(*), sum(r1.c), min(r1.b), max(r1.k), length(group_concat(r1.k)) FROM {from}{where} GROUP BY {g}";
                        break;
                    }

                case 1:
                    query = $"SELECT count(*), total(r1.a), avg(r1.c), count(DISTINCT r1.b) FROM {from}{where}";
                    break;
                default:
                    {
                        var cols = string.Join(", ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => two && random.Next(2) == 0 ? Pick(columns2) : Pick(columns1)));
                        query = $"SELECT {(random.Next(5) == 0 ? "DISTINCT " : "")}{cols} FROM {from}{where}";
                        if (random.Next(2) == 0)
                        {
                            query += $" ORDER BY {cols}, r1.k{(two ? ", r2.k" : "")} LIMIT {random.Next(1, 20)}";
                        }

                        break;
                    }
            }

            queries.Add(query);
        }

        var errors = AssertSameAsSqlite(schema.ToString(), queries);
        Assert.True(errors < queries.Count / 10, $"{errors} of {queries.Count} random queries are errors: the generator is off");
    }
}
