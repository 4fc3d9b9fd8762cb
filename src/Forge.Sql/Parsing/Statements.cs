namespace Forge.Sql.Parsing;

/// <summary>Any statement.</summary>
public abstract record Statement : Node;

/// <summary>A conflict resolution algorithm: <c>OR ROLLBACK|ABORT|FAIL|IGNORE|REPLACE</c>, <c>ON CONFLICT ...</c>.</summary>
public enum ConflictAction
{
    Rollback,
    Abort,
    Fail,
    Ignore,
    Replace,
}

/// <summary>ASC / DESC; <see cref="None"/> when not written.</summary>
public enum SortOrder
{
    None,
    Asc,
    Desc,
}

/// <summary>NULLS FIRST / LAST; <see cref="None"/> when not written.</summary>
public enum NullsOrder
{
    None,
    First,
    Last,
}

// ---------------------------------------------------------------- SELECT

/// <summary>A common table expression: <c>name [(cols)] AS [[NOT] MATERIALIZED] (select)</c>.</summary>
public sealed record CommonTableExpr(string Name, SyntaxList<string>? Columns, bool? Materialized, SelectStmt Select) : Node;

/// <summary><c>WITH [RECURSIVE] cte, ...</c>.</summary>
public sealed record WithClause(bool Recursive, SyntaxList<CommonTableExpr> Tables) : Node;

/// <summary>One ORDER BY term (also used for index columns and PRIMARY KEY/UNIQUE column lists).</summary>
public sealed record OrderingTerm(Expr Expr, SortOrder Order, NullsOrder Nulls) : Node;

/// <summary><c>LIMIT n [OFFSET m]</c>; <c>LIMIT m, n</c> arrives with the two swapped into place.</summary>
public sealed record LimitClause(Expr Limit, Expr? Offset) : Node;

/// <summary>
/// A whole SELECT: optional WITH, the body (one core, VALUES, or a compound), ORDER BY and LIMIT.
/// Also the tree for VALUES statements and for every subquery.
/// </summary>
public sealed record SelectStmt(WithClause? With, SelectBody Body, SyntaxList<OrderingTerm> OrderBy, LimitClause? Limit) : Statement;

/// <summary>The body of a SELECT.</summary>
public abstract record SelectBody : Node;

/// <summary><c>SELECT [DISTINCT|ALL] columns [FROM ..] [WHERE ..] [GROUP BY .. [HAVING ..]]</c>.</summary>
public sealed record SelectCore(bool Distinct, SyntaxList<ResultColumn> Columns, FromClause? From, Expr? Where, SyntaxList<Expr> GroupBy, Expr? Having) : SelectBody;

/// <summary><c>VALUES (..), (..)</c>: every row has the same number of terms.</summary>
public sealed record ValuesBody(SyntaxList<SyntaxList<Expr>> Rows) : SelectBody;

/// <summary>Compound operators, all of equal precedence and left-associative.</summary>
public enum CompoundOp
{
    Union,
    UnionAll,
    Intersect,
    Except,
}

/// <summary>One <c>op select</c> step of a compound.</summary>
public sealed record CompoundTerm(CompoundOp Op, SelectBody Select) : Node;

/// <summary>A compound select, flat: <c>first op1 s1 op2 s2 ...</c>, evaluated left to right.</summary>
public sealed record CompoundSelect(SelectBody First, SyntaxList<CompoundTerm> Terms) : SelectBody;

/// <summary>A result column (also RETURNING's items).</summary>
public abstract record ResultColumn : Node;

/// <summary><c>expr [[AS] alias]</c>.</summary>
public sealed record ExprColumn(Expr Expr, string? Alias) : ResultColumn;

/// <summary><c>*</c> or <c>t.*</c>.</summary>
public sealed record StarColumn(string? Table) : ResultColumn;

/// <summary>FROM's first source and the joins that follow it, flat and left to right (a comma is a <see cref="JoinKind.Comma"/> join).</summary>
public sealed record FromClause(TableSource First, SyntaxList<JoinClause> Joins) : Node;

/// <summary>Join operator flags, as SQLite's JT_ bits: NATURAL LEFT JOIN = Natural | Left | Outer.</summary>
[Flags]
#pragma warning disable CA1711 // "Flags" is not a suffix here but the enum's meaning
public enum JoinKind
#pragma warning restore CA1711
{
    /// <summary>A plain <c>JOIN</c> or <c>INNER JOIN</c>.</summary>
    Inner = 0,
    /// <summary>A comma between sources.</summary>
    Comma = 1,
    Cross = 2,
    Natural = 4,
    Left = 8,
    Right = 16,
    Outer = 32,
    /// <summary>INNER written explicitly.</summary>
    InnerExplicit = 64,
}

/// <summary>One join step: <c>op source [ON expr | USING (cols)]</c>.</summary>
public sealed record JoinClause(JoinKind Kind, TableSource Source, Expr? On, SyntaxList<string>? Using) : Node;

/// <summary>A FROM item.</summary>
public abstract record TableSource : Node;

/// <summary>
/// A table or view: <c>[schema.]name [[AS] alias] [INDEXED BY i | NOT INDEXED]</c>. With
/// <see cref="Args"/> it is a table-valued function <c>name(args)</c>.
/// </summary>
public sealed record TableRef(QualifiedName Name, string? Alias, string? IndexedBy, bool NotIndexed, SyntaxList<Expr>? Args) : TableSource;

/// <summary><c>(select) [[AS] alias]</c>.</summary>
public sealed record SubquerySource(SelectStmt Select, string? Alias) : TableSource;

/// <summary>A parenthesised join <c>(a JOIN b ...) [[AS] alias]</c>.</summary>
public sealed record JoinGroupSource(FromClause From, string? Alias) : TableSource;

// ---------------------------------------------------------------- DML

/// <summary>
/// INSERT / REPLACE: <see cref="Select"/> is the VALUES rows or the SELECT; null means DEFAULT VALUES.
/// <c>REPLACE INTO</c> arrives as <c>INSERT OR REPLACE</c> with <see cref="ReplaceKeyword"/> set.
/// </summary>
public sealed record InsertStmt(
    WithClause? With,
    ConflictAction? OrAction,
    bool ReplaceKeyword,
    QualifiedName Table,
    string? Alias,
    SyntaxList<string>? Columns,
    SelectStmt? Select,
    SyntaxList<UpsertClause> Upserts,
    SyntaxList<ResultColumn>? Returning) : Statement;

/// <summary>
/// <c>ON CONFLICT [(target) [WHERE ..]] DO NOTHING | DO UPDATE SET .. [WHERE ..]</c>;
/// <see cref="Set"/> is null for DO NOTHING.
/// </summary>
public sealed record UpsertClause(SyntaxList<OrderingTerm>? Target, Expr? TargetWhere, SyntaxList<SetClause>? Set, Expr? Where) : Node;

/// <summary><c>col = expr</c> or <c>(a, b) = expr</c>.</summary>
public sealed record SetClause(SyntaxList<string> Columns, Expr Value) : Node;

/// <summary>UPDATE.</summary>
public sealed record UpdateStmt(
    WithClause? With,
    ConflictAction? OrAction,
    QualifiedName Table,
    string? Alias,
    string? IndexedBy,
    bool NotIndexed,
    SyntaxList<SetClause> Set,
    FromClause? From,
    Expr? Where,
    SyntaxList<ResultColumn>? Returning,
    SyntaxList<OrderingTerm> OrderBy,
    LimitClause? Limit) : Statement;

/// <summary>DELETE.</summary>
public sealed record DeleteStmt(
    WithClause? With,
    QualifiedName Table,
    string? Alias,
    string? IndexedBy,
    bool NotIndexed,
    Expr? Where,
    SyntaxList<ResultColumn>? Returning,
    SyntaxList<OrderingTerm> OrderBy,
    LimitClause? Limit) : Statement;

// ---------------------------------------------------------------- transactions and the rest

/// <summary>BEGIN's mode.</summary>
public enum TransactionKind
{
    Deferred,
    Immediate,
    Exclusive,
}

/// <summary><c>BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION [name]]</c>.</summary>
public sealed record BeginStmt(TransactionKind Kind) : Statement;

/// <summary><c>COMMIT</c> / <c>END</c> [TRANSACTION].</summary>
public sealed record CommitStmt : Statement;

/// <summary><c>ROLLBACK [TRANSACTION] [TO [SAVEPOINT] name]</c>.</summary>
public sealed record RollbackStmt(string? Savepoint) : Statement;

/// <summary><c>SAVEPOINT name</c>.</summary>
public sealed record SavepointStmt(string Name) : Statement;

/// <summary><c>RELEASE [SAVEPOINT] name</c>.</summary>
public sealed record ReleaseStmt(string Name) : Statement;

/// <summary><c>EXPLAIN [QUERY PLAN] stmt</c>.</summary>
public sealed record ExplainStmt(bool QueryPlan, Statement Statement) : Statement;

/// <summary>
/// <c>PRAGMA [schema.]name [= value | (value)]</c>; the value is kept as its text (a name, a
/// string's contents, or a signed number such as "-5").
/// </summary>
public sealed record PragmaStmt(QualifiedName Name, string? Value, bool ValueIsString, bool CallSyntax) : Statement;

/// <summary><c>VACUUM [schema] [INTO expr]</c>.</summary>
public sealed record VacuumStmt(string? Schema, Expr? Into) : Statement;

/// <summary><c>ANALYZE [[schema.]name]</c>.</summary>
public sealed record AnalyzeStmt(QualifiedName? Name) : Statement;

/// <summary><c>REINDEX [[schema.]name]</c>.</summary>
public sealed record ReindexStmt(QualifiedName? Name) : Statement;

/// <summary><c>ATTACH [DATABASE] file AS schema [KEY key]</c>.</summary>
public sealed record AttachStmt(Expr File, Expr Schema, Expr? Key) : Statement;

/// <summary><c>DETACH [DATABASE] schema</c>.</summary>
public sealed record DetachStmt(Expr Schema) : Statement;
