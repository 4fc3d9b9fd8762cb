namespace Forge.Sql.Parsing;

/// <summary>Any expression.</summary>
public abstract record Expr : Node;

/// <summary><c>NULL</c>.</summary>
public sealed record NullLiteral : Expr;

/// <summary>An integer literal (decimal or hex; hex is a 64-bit two's complement pattern).</summary>
public sealed record IntegerLiteral(long Value) : Expr;

/// <summary>A real literal, or a decimal integer literal too large for 64 bits (SQLite makes those real).</summary>
public sealed record RealLiteral(double Value) : Expr;

/// <summary>A 'string' literal, unescaped.</summary>
public sealed record StringLiteral(string Value) : Expr;

/// <summary>An X'..' blob literal; <see cref="Hex"/> holds the digits in upper case.</summary>
public sealed record BlobLiteral(string Hex) : Expr
{
    /// <summary>The blob's bytes.</summary>
    public byte[] ToBytes() => Convert.FromHexString(Hex);
}

/// <summary>Which of CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP.</summary>
public enum CurrentTimeKind
{
    Time,
    Date,
    Timestamp,
}

/// <summary>CURRENT_TIME / CURRENT_DATE / CURRENT_TIMESTAMP.</summary>
public sealed record CurrentTimeLiteral(CurrentTimeKind Kind) : Expr;

/// <summary>
/// A column reference: <c>col</c>, <c>t.col</c>, <c>s.t.col</c>. A bare name is also how TRUE,
/// FALSE and "double-quoted strings" arrive: the planner turns an unresolved <c>true</c>/<c>false</c>
/// into 1/0 and an unresolved <see cref="DoubleQuoted"/> name into a string, as SQLite does.
/// </summary>
public sealed record ColumnRef(string? Schema, string? Table, string Column, bool DoubleQuoted = false) : Expr;

/// <summary>
/// A bind parameter as written (<c>?</c>, <c>?3</c>, <c>:a</c>, <c>@a</c>, <c>$a</c>) and its
/// 1-based index under SQLite's numbering: <c>?</c> takes the largest index so far plus one,
/// <c>?N</c> is N, a name takes the next index the first time and the same index after.
/// </summary>
public sealed record BindParameter(string Name, int Index) : Expr;

/// <summary>Unary operators.</summary>
public enum UnaryOp
{
    Negate,
    Plus,
    BitNot,
    Not,
}

/// <summary><c>-x</c>, <c>+x</c>, <c>~x</c>, <c>NOT x</c>.</summary>
public sealed record UnaryExpr(UnaryOp Op, Expr Operand) : Expr;

/// <summary>Binary operators. <c>IS DISTINCT FROM</c> is <see cref="IsNot"/>, <c>IS NOT DISTINCT FROM</c> is <see cref="Is"/>.</summary>
public enum BinaryOp
{
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
    BitAnd,
    BitOr,
    LShift,
    RShift,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Concat,
    /// <summary><c>-&gt;</c></summary>
    Extract,
    /// <summary><c>-&gt;&gt;</c></summary>
    ExtractValue,
}

/// <summary><c>left op right</c>.</summary>
public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;

/// <summary>LIKE, GLOB, REGEXP, MATCH.</summary>
public enum LikeOp
{
    Like,
    Glob,
    Regexp,
    Match,
}

/// <summary><c>x [NOT] LIKE pattern [ESCAPE e]</c> and its GLOB/REGEXP/MATCH siblings.</summary>
public sealed record LikeExpr(LikeOp Op, bool Not, Expr Operand, Expr Pattern, Expr? Escape) : Expr;

/// <summary><c>x [NOT] BETWEEN low AND high</c>.</summary>
public sealed record BetweenExpr(bool Not, Expr Operand, Expr Low, Expr High) : Expr;

/// <summary>
/// <c>x [NOT] IN (...)</c>: exactly one of <see cref="List"/> (possibly empty),
/// <see cref="Subquery"/> or <see cref="Table"/> (<c>IN t</c>, or a table-valued function
/// <c>IN f(args)</c> with <see cref="TableArgs"/>) is set.
/// </summary>
public sealed record InExpr(bool Not, Expr Operand, SyntaxList<Expr>? List, SelectStmt? Subquery, QualifiedName? Table, SyntaxList<Expr>? TableArgs) : Expr;

/// <summary><c>x ISNULL</c>, <c>x NOTNULL</c>, <c>x NOT NULL</c> (<c>x IS NULL</c> stays a <see cref="BinaryExpr"/>).</summary>
public sealed record NullTestExpr(bool Not, Expr Operand) : Expr;

/// <summary>One <c>WHEN w THEN t</c> arm.</summary>
public sealed record WhenClause(Expr When, Expr Then) : Node;

/// <summary><c>CASE [operand] WHEN .. THEN .. [ELSE ..] END</c>.</summary>
public sealed record CaseExpr(Expr? Operand, SyntaxList<WhenClause> Whens, Expr? Else) : Expr;

/// <summary>A type name: the words (joined by single spaces) and up to two signed-number arguments as written.</summary>
public sealed record TypeName(string Name, string? Arg1, string? Arg2) : Node;

/// <summary><c>CAST(x AS type)</c>.</summary>
public sealed record CastExpr(Expr Operand, TypeName Type) : Expr;

/// <summary>
/// A function call: <c>f(args)</c>, <c>f(DISTINCT x)</c>, <c>count(*)</c> (<see cref="Star"/>),
/// with an optional <c>FILTER (WHERE ..)</c>. Window functions (OVER) are rejected.
/// </summary>
public sealed record FunctionCall(string Name, bool Distinct, bool Star, SyntaxList<Expr> Args, Expr? Filter) : Expr;

/// <summary><c>[NOT] EXISTS (select)</c> (NOT arrives as a <see cref="UnaryExpr"/>).</summary>
public sealed record ExistsExpr(SelectStmt Select) : Expr;

/// <summary>A scalar subquery <c>(select)</c>.</summary>
public sealed record SubqueryExpr(SelectStmt Select) : Expr;

/// <summary>A row value <c>(a, b, ...)</c> of two or more terms (a single parenthesised expression is just that expression).</summary>
public sealed record RowValueExpr(SyntaxList<Expr> Items) : Expr;

/// <summary><c>x COLLATE name</c>.</summary>
public sealed record CollateExpr(Expr Operand, string Collation) : Expr;

/// <summary>RAISE's first argument.</summary>
public enum RaiseKind
{
    Ignore,
    Rollback,
    Abort,
    Fail,
}

/// <summary><c>RAISE(IGNORE)</c> or <c>RAISE(ROLLBACK|ABORT|FAIL, message)</c> (only meaningful in triggers).</summary>
public sealed record RaiseExpr(RaiseKind Kind, string? Message) : Expr;
