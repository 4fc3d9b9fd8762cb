using Forge.Sql.Parsing;

namespace Forge.Sql.Tests;

public class ParserTests
{
    internal static void AssertRoundTrip(Statement statement)
    {
        var sql = statement.ToSql();
        var again = SqlParser.Parse(sql);
        Assert.True(again.Error is null, $"re-parse of {sql} failed: {again.Error?.Message}");
        Assert.Equal(statement, again.Statement);
        Assert.Equal(sql, again.Statement!.ToSql());
    }

    private static T Parse<T>(string sql)
        where T : Statement
    {
        var result = SqlParser.Parse(sql);
        Assert.True(result.Error is null, result.Error?.Message);
        var statement = Assert.IsType<T>(result.Statement);
        AssertRoundTrip(statement);
        return statement;
    }

    private static Expr Expr(string sql)
    {
        var e = SqlParser.ParseExpression(sql);
        var again = SqlParser.ParseExpression(e.ToSql());
        Assert.Equal(e, again);
        return e;
    }

    private static ColumnRef Col(string name) => new(null, null, name);

    // ------------------------------------------------------------------ expressions

    [Fact]
    public void Precedence_follows_sqlite()
    {
        Assert.Equal("(1 + (2 * 3)) - 4", Expr("1 + 2 * 3 - 4").ToSql());
        Assert.Equal("a OR (b AND c)", Expr("a OR b AND c").ToSql());
        Assert.Equal("(NOT (a = b)) AND c", Expr("NOT a = b AND c").ToSql());
        Assert.Equal("(a < b) = (c > d)", Expr("a < b = c > d").ToSql());
        Assert.Equal("(a & b) < (c + d)", Expr("a & b < c + d").ToSql());
        Assert.Equal("(a || b) * c", Expr("a || b * c").ToSql());
        Assert.Equal("(-a) COLLATE nocase", Expr("-a COLLATE nocase").ToSql());
        Assert.Equal("a || (b COLLATE x)", Expr("a || b COLLATE x").ToSql());
        Assert.Equal("1 + (NOT (2 = 3))", Expr("1 + NOT 2 = 3").ToSql());
        Assert.Equal("(a = b) = c", Expr("a = b = c").ToSql());
        Assert.Equal("(a -> '$') ->> 'x'", Expr("a -> '$' ->> 'x'").ToSql());
    }

    [Fact]
    public void Finished_postfix_predicates_take_any_operator_after_them()
    {
        Assert.Equal("(x IN (1)) * 2", Expr("x IN (1) * 2").ToSql());
        Assert.Equal("(x ISNULL) + 1", Expr("x ISNULL + 1").ToSql());
        Assert.Equal("x BETWEEN 1 AND (2 + 3)", Expr("x BETWEEN 1 AND 2 + 3").ToSql());
        Assert.Equal("x LIKE (y || z)", Expr("x LIKE y || z").ToSql());
    }

    [Fact]
    public void Generated_always_after_a_column_name_is_dropped_from_the_type()
    {
        var c = Parse<CreateTableStmt>("CREATE TABLE t (z, a GENERATED ALWAYS AS (1), b INT GENERATED ALWAYS AS (2) STORED, c INT GENERATED AS (3))");
        Assert.Null(c.Columns[1].Type);
        Assert.IsType<GeneratedColumnConstraint>(c.Columns[1].Constraints[0]);
        Assert.Equal("INT", c.Columns[2].Type!.Name);
        Assert.Equal("INT GENERATED", c.Columns[3].Type!.Name);
    }

    [Fact]
    public void Collate_binds_tighter_than_concat()
    {
        var e = Assert.IsType<BinaryExpr>(Expr("a || b COLLATE x"));
        Assert.Equal(BinaryOp.Concat, e.Op);
        Assert.IsType<CollateExpr>(e.Right);
    }

    [Fact]
    public void Literals()
    {
        Assert.Equal(new IntegerLiteral(31), Expr("0x1F"));
        Assert.Equal(new IntegerLiteral(-1), Expr("0xFFFFFFFFFFFFFFFF"));
        Assert.Equal(new IntegerLiteral(long.MaxValue), Expr("9223372036854775807"));
        Assert.Equal(new RealLiteral(9223372036854775808.0), Expr("9223372036854775808"));
        Assert.Equal(new IntegerLiteral(long.MinValue), Expr("-9223372036854775808"));
        Assert.Equal(new UnaryExpr(UnaryOp.Negate, new RealLiteral(9223372036854775808.0)), Expr("-9223372036854775808.0"));
        Assert.Equal(new RealLiteral(0.5), Expr(".5"));
        Assert.Equal(new RealLiteral(1e10), Expr("1e10"));
        Assert.Equal(new RealLiteral(double.PositiveInfinity), Expr("1e999"));
        Assert.Equal(new StringLiteral("it's"), Expr("'it''s'"));
        Assert.Equal(new BlobLiteral("0AFF"), Expr("x'0aff'"));
        Assert.Equal([0x0A, 0xFF], ((BlobLiteral)Expr("x'0aff'")).ToBytes());
        Assert.Equal(new NullLiteral(), Expr("null"));
        Assert.Equal(new CurrentTimeLiteral(CurrentTimeKind.Timestamp), Expr("current_timestamp"));
        Assert.Equal(Col("TRUE"), Expr("TRUE"));
    }

    [Fact]
    public void Column_references()
    {
        Assert.Equal(Col("a"), Expr("a"));
        Assert.Equal(new ColumnRef(null, "t", "a"), Expr("t.a"));
        Assert.Equal(new ColumnRef("main", "t", "a"), Expr("main.t.a"));
        Assert.Equal(new ColumnRef(null, null, "a b", DoubleQuoted: true), Expr("\"a b\""));
        Assert.Equal(Col("a b"), Expr("[a b]"));
        Assert.Equal(Col("a`b"), Expr("`a``b`"));
        Assert.Equal(Col("key"), Expr("key"));
        Assert.Equal(Col("left"), Expr("left"));
        Assert.Equal(new ColumnRef(null, "t", "a"), Expr("'t'.a"));
    }

    [Fact]
    public void Bind_parameters_are_numbered_as_sqlite_does()
    {
        var result = SqlParser.Parse("SELECT ?, :a, ?5, ?, :a, @b, ?2");
        Assert.Null(result.Error);
        var core = (SelectCore)((SelectStmt)result.Statement!).Body;
        var indexes = core.Columns.Select(c => ((BindParameter)((ExprColumn)c).Expr).Index).ToArray();
        Assert.Equal([1, 2, 5, 6, 2, 7, 2], indexes);
        Assert.Equal(7, result.ParameterCount);
        Assert.Equal([null, ":a", null, null, "?5", null, "@b"], result.ParameterNames);
    }

    [Fact]
    public void Predicates()
    {
        Assert.Equal(new LikeExpr(LikeOp.Like, true, Col("a"), new StringLiteral("x%"), new StringLiteral("\\")), Expr("a NOT LIKE 'x%' ESCAPE '\\'"));
        Assert.Equal(new LikeExpr(LikeOp.Glob, false, Col("a"), new StringLiteral("*"), null), Expr("a GLOB '*'"));
        Assert.Equal(new LikeExpr(LikeOp.Regexp, false, Col("a"), new StringLiteral("x"), null), Expr("a REGEXP 'x'"));
        Assert.Equal(new LikeExpr(LikeOp.Match, true, Col("a"), new StringLiteral("x"), null), Expr("a NOT MATCH 'x'"));
        Assert.Equal(new BetweenExpr(true, Col("a"), new IntegerLiteral(1), new IntegerLiteral(2)), Expr("a NOT BETWEEN 1 AND 2"));
        Assert.Equal(new NullTestExpr(false, Col("a")), Expr("a ISNULL"));
        Assert.Equal(new NullTestExpr(true, Col("a")), Expr("a NOTNULL"));
        Assert.Equal(new NullTestExpr(true, Col("a")), Expr("a NOT NULL"));
        Assert.Equal(new BinaryExpr(BinaryOp.Is, Col("a"), new NullLiteral()), Expr("a IS NULL"));
        Assert.Equal(new BinaryExpr(BinaryOp.IsNot, Col("a"), new IntegerLiteral(1)), Expr("a IS DISTINCT FROM 1"));
        Assert.Equal(new BinaryExpr(BinaryOp.Is, Col("a"), new IntegerLiteral(1)), Expr("a IS NOT DISTINCT FROM 1"));
        var inList = Assert.IsType<InExpr>(Expr("a IN (1, 2)"));
        Assert.Equal(2, inList.List!.Count);
        var inEmpty = Assert.IsType<InExpr>(Expr("a NOT IN ()"));
        Assert.True(inEmpty.Not);
        Assert.Empty(inEmpty.List!);
        Assert.NotNull(Assert.IsType<InExpr>(Expr("a IN (SELECT 1)")).Subquery);
        Assert.Equal(new QualifiedName("main", "t"), Assert.IsType<InExpr>(Expr("a IN main.t")).Table);
        Assert.Single(Assert.IsType<InExpr>(Expr("a IN json_each('[1]')")).TableArgs!);
    }

    [Fact]
    public void Case_cast_functions_subqueries_rows()
    {
        var c = Assert.IsType<CaseExpr>(Expr("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END"));
        Assert.Equal(Col("a"), c.Operand);
        Assert.Equal(2, c.Whens.Count);
        Assert.Equal(new StringLiteral("z"), c.Else);
        Assert.Null(Assert.IsType<CaseExpr>(Expr("CASE WHEN a THEN 1 END")).Operand);
        Assert.Equal(new CastExpr(Col("a"), new TypeName("VARCHAR", "10", null)), Expr("CAST(a AS VARCHAR(10))"));
        Assert.Equal(new CastExpr(Col("a"), new TypeName("UNSIGNED BIG INT", null, null)), Expr("cast(a as unsigned big int)") is CastExpr ce ? ce with { Type = ce.Type with { Name = ce.Type.Name.ToUpperInvariant() } } : null);
        Assert.Equal(new FunctionCall("count", false, true, SyntaxList<Expr>.Empty, null), Expr("count(*)"));
        var f = Assert.IsType<FunctionCall>(Expr("count(DISTINCT a) FILTER (WHERE a > 1)"));
        Assert.True(f.Distinct);
        Assert.NotNull(f.Filter);
        Assert.Empty(Assert.IsType<FunctionCall>(Expr("random()")).Args);
        Assert.IsType<ExistsExpr>(Expr("EXISTS (SELECT 1)"));
        Assert.IsType<UnaryExpr>(Expr("NOT EXISTS (SELECT 1)"));
        Assert.IsType<SubqueryExpr>(Expr("(SELECT 1)"));
        Assert.Equal(3, Assert.IsType<RowValueExpr>(Expr("(1, 2, 3)")).Items.Count);
        Assert.Equal(new IntegerLiteral(1), Expr("((1))"));
        Assert.Equal(new CollateExpr(Col("a"), "NOCASE"), Expr("a COLLATE NOCASE"));
        Assert.Equal(new RaiseExpr(RaiseKind.Abort, "boom"), Expr("RAISE(ABORT, 'boom')"));
        Assert.Equal(new RaiseExpr(RaiseKind.Ignore, null), Expr("RAISE(IGNORE)"));
    }

    [Fact]
    public void Positions_cover_the_source()
    {
        const string sql = "SELECT a + 12 FROM t";
        var s = Parse<SelectStmt>(sql);
        Assert.Equal((0, sql.Length), (s.Start, s.End));
        var col = (ExprColumn)((SelectCore)s.Body).Columns[0];
        var plus = (BinaryExpr)col.Expr;
        Assert.Equal((7, 13), (plus.Start, plus.End));
        Assert.Equal((11, 13), (plus.Right.Start, plus.Right.End));
        var from = ((SelectCore)s.Body).From!;
        Assert.Equal((19, 20), (from.First.Start, from.First.End));
    }

    // ------------------------------------------------------------------ SELECT

    [Fact]
    public void Select_core()
    {
        var s = Parse<SelectStmt>("SELECT DISTINCT a AS x, b y, t.*, * FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 ORDER BY 1 DESC NULLS LAST, b COLLATE nocase LIMIT 5 OFFSET 2");
        var core = Assert.IsType<SelectCore>(s.Body);
        Assert.True(core.Distinct);
        Assert.Equal(new ExprColumn(Col("a"), "x"), core.Columns[0]);
        Assert.Equal(new ExprColumn(Col("b"), "y"), core.Columns[1]);
        Assert.Equal(new StarColumn("t"), core.Columns[2]);
        Assert.Equal(new StarColumn(null), core.Columns[3]);
        Assert.NotNull(core.Where);
        Assert.Equal(2, core.GroupBy.Count);
        Assert.NotNull(core.Having);
        Assert.Equal(new OrderingTerm(new IntegerLiteral(1), SortOrder.Desc, NullsOrder.Last), s.OrderBy[0]);
        Assert.Equal(new LimitClause(new IntegerLiteral(5), new IntegerLiteral(2)), s.Limit);
    }

    [Fact]
    public void Limit_comma_form_swaps_into_place()
    {
        var s = Parse<SelectStmt>("SELECT 1 LIMIT 2, 10");
        Assert.Equal(new LimitClause(new IntegerLiteral(10), new IntegerLiteral(2)), s.Limit);
    }

    [Fact]
    public void Compound_is_flat_and_left_to_right()
    {
        var s = Parse<SelectStmt>("SELECT 1 UNION SELECT 2 UNION ALL VALUES (3) INTERSECT SELECT 4 EXCEPT SELECT 5 ORDER BY 1");
        var c = Assert.IsType<CompoundSelect>(s.Body);
        Assert.Equal([CompoundOp.Union, CompoundOp.UnionAll, CompoundOp.Intersect, CompoundOp.Except], c.Terms.Select(t => t.Op));
        Assert.IsType<ValuesBody>(c.Terms[1].Select);
        Assert.Single(s.OrderBy);
    }

    [Fact]
    public void Values_statement()
    {
        var s = Parse<SelectStmt>("VALUES (1, 'a'), (2, 'b')");
        var v = Assert.IsType<ValuesBody>(s.Body);
        Assert.Equal(2, v.Rows.Count);
        Assert.Equal(2, v.Rows[1].Count);
    }

    [Fact]
    public void With_clause()
    {
        var s = Parse<SelectStmt>("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5), d AS MATERIALIZED (SELECT 2) SELECT * FROM c, d");
        Assert.True(s.With!.Recursive);
        Assert.Equal("c", s.With.Tables[0].Name);
        Assert.Equal(["n"], s.With.Tables[0].Columns!);
        Assert.Null(s.With.Tables[0].Materialized);
        Assert.True(s.With.Tables[1].Materialized);
    }

    [Fact]
    public void Joins()
    {
        var s = Parse<SelectStmt>("SELECT * FROM t AS a, u b JOIN v ON a.x = b.y LEFT OUTER JOIN w USING (k) NATURAL CROSS JOIN x RIGHT JOIN y ON 1 FULL JOIN z ON 1 INNER JOIN (SELECT 1) s ON 1");
        var from = ((SelectCore)s.Body).From!;
        Assert.Equal(new TableRef(new QualifiedName(null, "t"), "a", null, false, null), from.First);
        Assert.Equal(
            [JoinKind.Comma, JoinKind.Inner, JoinKind.Left | JoinKind.Outer, JoinKind.Natural | JoinKind.Cross | JoinKind.InnerExplicit,
             JoinKind.Right | JoinKind.Outer, JoinKind.Left | JoinKind.Right | JoinKind.Outer, JoinKind.InnerExplicit],
            from.Joins.Select(j => j.Kind));
        Assert.Equal(["k"], from.Joins[2].Using!);
        Assert.NotNull(from.Joins[1].On);
        Assert.Equal("s", Assert.IsType<SubquerySource>(from.Joins[6].Source).Alias);
    }

    [Fact]
    public void Parenthesised_joins_indexed_by_and_table_functions()
    {
        var s = Parse<SelectStmt>("SELECT * FROM (t JOIN u ON 1) AS g, v INDEXED BY i, w NOT INDEXED, json_each('[1]') AS j");
        var from = ((SelectCore)s.Body).From!;
        var g = Assert.IsType<JoinGroupSource>(from.First);
        Assert.Equal("g", g.Alias);
        Assert.Equal("i", ((TableRef)from.Joins[0].Source).IndexedBy);
        Assert.True(((TableRef)from.Joins[1].Source).NotIndexed);
        Assert.Single(((TableRef)from.Joins[2].Source).Args!);
        Assert.IsType<TableRef>(((SelectCore)Parse<SelectStmt>("SELECT * FROM (t)").Body).From!.First);
    }

    // ------------------------------------------------------------------ DML

    [Fact]
    public void Insert_forms()
    {
        var i = Parse<InsertStmt>("INSERT OR IGNORE INTO main.t AS x (a, b) VALUES (1, 2), (3, 4) RETURNING *");
        Assert.Equal(ConflictAction.Ignore, i.OrAction);
        Assert.Equal(new QualifiedName("main", "t"), i.Table);
        Assert.Equal("x", i.Alias);
        Assert.Equal(["a", "b"], i.Columns!);
        Assert.Equal(2, ((ValuesBody)i.Select!.Body).Rows.Count);
        Assert.Single(i.Returning!);
        var r = Parse<InsertStmt>("REPLACE INTO t VALUES (1)");
        Assert.True(r.ReplaceKeyword);
        Assert.Equal(ConflictAction.Replace, r.OrAction);
        Assert.Null(Parse<InsertStmt>("INSERT INTO t DEFAULT VALUES").Select);
        Assert.IsType<SelectCore>(Parse<InsertStmt>("INSERT INTO t SELECT * FROM u").Select!.Body);
    }

    [Fact]
    public void Upsert()
    {
        var i = Parse<InsertStmt>("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = excluded.b, (c, d) = (1, 2) WHERE b < 3 ON CONFLICT DO NOTHING RETURNING a");
        Assert.Equal(2, i.Upserts.Count);
        var first = i.Upserts[0];
        Assert.Single(first.Target!);
        Assert.NotNull(first.TargetWhere);
        Assert.Equal(2, first.Set!.Count);
        Assert.Equal(["c", "d"], first.Set[1].Columns);
        Assert.NotNull(first.Where);
        Assert.Null(i.Upserts[1].Set);
        Assert.Null(i.Upserts[1].Target);
        Assert.Single(i.Returning!);
    }

    [Fact]
    public void Update_and_delete()
    {
        var u = Parse<UpdateStmt>("WITH c AS (SELECT 1) UPDATE OR REPLACE t AS x INDEXED BY i SET a = 1, (b, c) = (SELECT 1, 2) FROM u WHERE x.a = u.a RETURNING a ORDER BY a LIMIT 1");
        Assert.NotNull(u.With);
        Assert.Equal(ConflictAction.Replace, u.OrAction);
        Assert.Equal("x", u.Alias);
        Assert.Equal("i", u.IndexedBy);
        Assert.Equal(2, u.Set.Count);
        Assert.NotNull(u.From);
        Assert.NotNull(u.Where);
        Assert.NotNull(u.Returning);
        Assert.Single(u.OrderBy);
        Assert.NotNull(u.Limit);
        var d = Parse<DeleteStmt>("DELETE FROM t NOT INDEXED WHERE a = 1 RETURNING *");
        Assert.True(d.NotIndexed);
        Assert.NotNull(d.Where);
        Assert.Null(Parse<DeleteStmt>("DELETE FROM t").Where);
    }

    // ------------------------------------------------------------------ DDL

    [Fact]
    public void Create_table_columns_and_constraints()
    {
        var c = Parse<CreateTableStmt>(
            "CREATE TEMP TABLE IF NOT EXISTS main.t (id INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT, " +
            "name VARCHAR(10) NOT NULL UNIQUE COLLATE nocase DEFAULT 'x', n DECIMAL(10, -2) DEFAULT -1 CHECK (n > 0), " +
            "p REFERENCES parent(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, g AS (n * 2) STORED, " +
            "CONSTRAINT pk PRIMARY KEY (id, name DESC), UNIQUE (n) ON CONFLICT IGNORE, CHECK (n < 100), " +
            "FOREIGN KEY (p) REFERENCES parent (id) ON UPDATE SET NULL) WITHOUT ROWID, STRICT");
        Assert.True(c.Temp);
        Assert.True(c.IfNotExists);
        Assert.True(c.WithoutRowid);
        Assert.True(c.Strict);
        Assert.Equal(5, c.Columns.Count);
        Assert.Equal(new PrimaryKeyColumnConstraint(null, SortOrder.Desc, ConflictAction.Replace, true), c.Columns[0].Constraints[0]);
        Assert.Equal(new TypeName("VARCHAR", "10", null), c.Columns[1].Type);
        Assert.Equal(new TypeName("DECIMAL", "10", "-2"), c.Columns[2].Type);
        Assert.Equal(new DefaultColumnConstraint(null, new UnaryExpr(UnaryOp.Negate, new IntegerLiteral(1))), c.Columns[2].Constraints[0]);
        var fk = Assert.IsType<ReferencesColumnConstraint>(c.Columns[3].Constraints[0]).ForeignKey;
        Assert.Equal(ForeignKeyAction.Cascade, fk.OnDelete);
        Assert.True(fk.Deferrable);
        Assert.True(Assert.IsType<GeneratedColumnConstraint>(c.Columns[4].Constraints[0]).Stored);
        Assert.Equal(4, c.Constraints.Count);
        Assert.Equal("pk", c.Constraints[0].Name);
    }

    [Fact]
    public void Create_table_type_names_and_defaults()
    {
        var c = Parse<CreateTableStmt>("CREATE TABLE t (a UNSIGNED BIG INT, b DOUBLE PRECISION, c DEFAULT CURRENT_TIME, d DEFAULT abc, e DEFAULT (1 + 2), f 'my type', g DEFAULT true)");
        Assert.Equal("UNSIGNED BIG INT", c.Columns[0].Type!.Name);
        Assert.Equal("DOUBLE PRECISION", c.Columns[1].Type!.Name);
        Assert.Equal(new CurrentTimeLiteral(CurrentTimeKind.Time), ((DefaultColumnConstraint)c.Columns[2].Constraints[0]).Value);
        Assert.Equal(new StringLiteral("abc"), ((DefaultColumnConstraint)c.Columns[3].Constraints[0]).Value);
        Assert.IsType<BinaryExpr>(((DefaultColumnConstraint)c.Columns[4].Constraints[0]).Value);
        Assert.Equal("my type", c.Columns[5].Type!.Name);
        Assert.Equal(Col("true"), ((DefaultColumnConstraint)c.Columns[6].Constraints[0]).Value);
    }

    [Fact]
    public void Create_table_as_select()
    {
        var c = Parse<CreateTableStmt>("CREATE TABLE t AS SELECT 1 AS a");
        Assert.NotNull(c.AsSelect);
        Assert.Empty(c.Columns);
    }

    [Fact]
    public void Create_index_and_view()
    {
        var i = Parse<CreateIndexStmt>("CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (a COLLATE nocase DESC, lower(b)) WHERE a > 0");
        Assert.True(i.Unique);
        Assert.True(i.IfNotExists);
        Assert.Equal("t", i.Table);
        Assert.Equal(SortOrder.Desc, i.Columns[0].Order);
        Assert.IsType<CollateExpr>(i.Columns[0].Expr);
        Assert.NotNull(i.Where);
        var v = Parse<CreateViewStmt>("CREATE TEMP VIEW IF NOT EXISTS v (x, y) AS SELECT 1, 2");
        Assert.True(v.Temp);
        Assert.Equal(["x", "y"], v.Columns!);
    }

    [Fact]
    public void Drop_and_alter()
    {
        Assert.Equal(new DropStmt(DropKind.Table, true, new QualifiedName("main", "t")), Parse<DropStmt>("DROP TABLE IF EXISTS main.t"));
        Assert.Equal(DropKind.Index, Parse<DropStmt>("DROP INDEX i").Kind);
        Assert.Equal(DropKind.View, Parse<DropStmt>("DROP VIEW v").Kind);
        Assert.Equal("u", Parse<RenameTableStmt>("ALTER TABLE t RENAME TO u").NewName);
        Assert.Equal(("a", "b"), Parse<RenameColumnStmt>("ALTER TABLE t RENAME a TO b") is var r ? (r.Column, r.NewName) : default);
        Assert.Equal("c", Parse<AddColumnStmt>("ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT ''").Column.Name);
        Assert.Equal("c", Parse<DropColumnStmt>("ALTER TABLE t DROP c").Column);
    }

    // ------------------------------------------------------------------ the rest

    [Fact]
    public void Transactions()
    {
        Assert.Equal(TransactionKind.Deferred, Parse<BeginStmt>("BEGIN").Kind);
        Assert.Equal(TransactionKind.Immediate, Parse<BeginStmt>("BEGIN IMMEDIATE TRANSACTION").Kind);
        Assert.Equal(TransactionKind.Exclusive, Parse<BeginStmt>("begin exclusive").Kind);
        Parse<CommitStmt>("COMMIT TRANSACTION");
        Parse<CommitStmt>("END");
        Assert.Null(Parse<RollbackStmt>("ROLLBACK").Savepoint);
        Assert.Equal("sp", Parse<RollbackStmt>("ROLLBACK TRANSACTION TO SAVEPOINT sp").Savepoint);
        Assert.Equal("sp", Parse<RollbackStmt>("ROLLBACK TO sp").Savepoint);
        Assert.Equal("sp", Parse<SavepointStmt>("SAVEPOINT sp").Name);
        Assert.Equal("sp", Parse<ReleaseStmt>("RELEASE SAVEPOINT sp").Name);
    }

    [Fact]
    public void Explain_pragma_vacuum_analyze()
    {
        var e = Parse<ExplainStmt>("EXPLAIN QUERY PLAN SELECT 1");
        Assert.True(e.QueryPlan);
        Assert.IsType<SelectStmt>(e.Statement);
        Assert.Equal(new PragmaStmt(new QualifiedName("main", "user_version"), "-5", false, false), Parse<PragmaStmt>("PRAGMA main.user_version = -5"));
        Assert.Equal(new PragmaStmt(new QualifiedName(null, "table_info"), "t", false, true), Parse<PragmaStmt>("PRAGMA table_info(t)"));
        Assert.Equal(new PragmaStmt(new QualifiedName(null, "encoding"), "UTF-8", true, false), Parse<PragmaStmt>("PRAGMA encoding = 'UTF-8'"));
        Assert.Equal("ON", Parse<PragmaStmt>("PRAGMA foreign_keys = ON").Value);
        Assert.NotNull(Parse<VacuumStmt>("VACUUM main INTO 'x.db'").Into);
        Assert.Equal(new QualifiedName("main", "t"), Parse<AnalyzeStmt>("ANALYZE main.t").Name);
        Assert.Null(Parse<AnalyzeStmt>("ANALYZE").Name);
    }

    [Fact]
    public void Script_is_parsed_one_statement_at_a_time_with_its_tail()
    {
        const string script = " ;; SELECT 1; -- c\n SELECT 2 ;  ";
        var first = SqlParser.Parse(script);
        Assert.IsType<SelectStmt>(first.Statement);
        Assert.Equal(script.IndexOf("; --", StringComparison.Ordinal) + 1, first.Tail);
        var second = SqlParser.Parse(script, first.Tail);
        Assert.IsType<SelectStmt>(second.Statement);
        Assert.Equal(script.LastIndexOf(';') + 1, second.Tail);
        var third = SqlParser.Parse(script, second.Tail);
        Assert.Null(third.Statement);
        Assert.Null(third.Error);
        Assert.Equal(script.Length, third.Tail);
        Assert.Equal(2, SqlParser.ParseScript(script).Count);
    }

    [Fact]
    public void Keywords_fall_back_to_identifiers()
    {
        var c = Parse<CreateTableStmt>("CREATE TABLE key (action, replace, desc, if, left, 'str')");
        Assert.Equal("key", c.Name.Name);
        Assert.Equal(["action", "replace", "desc", "if", "left", "str"], c.Columns.Select(x => x.Name));
        var s = Parse<SelectStmt>("SELECT desc FROM key WHERE action = 1 ORDER BY replace");
        Assert.Equal(new ExprColumn(Col("desc"), null), ((SelectCore)s.Body).Columns[0]);
    }
}
