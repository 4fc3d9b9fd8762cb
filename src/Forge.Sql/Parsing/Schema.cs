namespace Forge.Sql.Parsing;

/// <summary>
/// <c>CREATE [TEMP] TABLE [IF NOT EXISTS] name (columns, constraints) [WITHOUT ROWID] [, STRICT]</c>,
/// or with <see cref="AsSelect"/> set, <c>CREATE TABLE name AS select</c> (no columns then).
/// </summary>
public sealed record CreateTableStmt(
    bool Temp,
    bool IfNotExists,
    QualifiedName Name,
    SyntaxList<ColumnDef> Columns,
    SyntaxList<TableConstraint> Constraints,
    bool WithoutRowid,
    bool Strict,
    SelectStmt? AsSelect) : Statement;

/// <summary>A column definition: name, optional type, constraints in written order.</summary>
public sealed record ColumnDef(string Name, TypeName? Type, SyntaxList<ColumnConstraint> Constraints) : Node;

/// <summary>A column constraint; <see cref="Name"/> is its <c>CONSTRAINT name</c>, if any.</summary>
public abstract record ColumnConstraint(string? Name) : Node;

/// <summary><c>PRIMARY KEY [ASC|DESC] [ON CONFLICT ..] [AUTOINCREMENT]</c>.</summary>
public sealed record PrimaryKeyColumnConstraint(string? Name, SortOrder Order, ConflictAction? OnConflict, bool Autoincrement) : ColumnConstraint(Name);

/// <summary><c>NOT NULL [ON CONFLICT ..]</c>.</summary>
public sealed record NotNullColumnConstraint(string? Name, ConflictAction? OnConflict) : ColumnConstraint(Name);

/// <summary><c>NULL</c> (accepted and meaningless, as in SQLite).</summary>
public sealed record NullColumnConstraint(string? Name, ConflictAction? OnConflict) : ColumnConstraint(Name);

/// <summary><c>UNIQUE [ON CONFLICT ..]</c>.</summary>
public sealed record UniqueColumnConstraint(string? Name, ConflictAction? OnConflict) : ColumnConstraint(Name);

/// <summary><c>CHECK (expr)</c>.</summary>
public sealed record CheckColumnConstraint(string? Name, Expr Expr) : ColumnConstraint(Name);

/// <summary><c>DEFAULT literal | signed-number | (expr) | identifier</c>; the value is the expression (a bare identifier becomes a string literal, as SQLite does).</summary>
public sealed record DefaultColumnConstraint(string? Name, Expr Value) : ColumnConstraint(Name);

/// <summary><c>COLLATE name</c>.</summary>
public sealed record CollateColumnConstraint(string? Name, string Collation) : ColumnConstraint(Name);

/// <summary><c>REFERENCES ...</c>.</summary>
public sealed record ReferencesColumnConstraint(string? Name, ForeignKeyClause ForeignKey) : ColumnConstraint(Name);

/// <summary><c>[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]</c>.</summary>
public sealed record GeneratedColumnConstraint(string? Name, Expr Expr, bool Stored) : ColumnConstraint(Name);

/// <summary>Foreign key actions.</summary>
public enum ForeignKeyAction
{
    None,
    SetNull,
    SetDefault,
    Cascade,
    Restrict,
    NoAction,
}

/// <summary>
/// <c>REFERENCES table [(cols)] [ON DELETE|UPDATE action]* [MATCH name]* [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]]</c>.
/// <see cref="Deferrable"/>: null when not written; true for DEFERRABLE INITIALLY DEFERRED only (SQLite's meaning).
/// </summary>
public sealed record ForeignKeyClause(string Table, SyntaxList<string>? Columns, ForeignKeyAction OnDelete, ForeignKeyAction OnUpdate, bool? Deferrable) : Node;

/// <summary>A table constraint; <see cref="Name"/> is its <c>CONSTRAINT name</c>, if any.</summary>
public abstract record TableConstraint(string? Name) : Node;

/// <summary><c>PRIMARY KEY (cols) [ON CONFLICT ..]</c>; each column is an <see cref="OrderingTerm"/> (with COLLATE inside its Expr).</summary>
public sealed record PrimaryKeyTableConstraint(string? Name, SyntaxList<OrderingTerm> Columns, bool Autoincrement, ConflictAction? OnConflict) : TableConstraint(Name);

/// <summary><c>UNIQUE (cols) [ON CONFLICT ..]</c>.</summary>
public sealed record UniqueTableConstraint(string? Name, SyntaxList<OrderingTerm> Columns, ConflictAction? OnConflict) : TableConstraint(Name);

/// <summary><c>CHECK (expr)</c>.</summary>
public sealed record CheckTableConstraint(string? Name, Expr Expr) : TableConstraint(Name);

/// <summary><c>FOREIGN KEY (cols) REFERENCES ...</c>.</summary>
public sealed record ForeignKeyTableConstraint(string? Name, SyntaxList<string> Columns, ForeignKeyClause ForeignKey) : TableConstraint(Name);

/// <summary><c>CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON table (cols) [WHERE expr]</c>.</summary>
public sealed record CreateIndexStmt(bool Unique, bool IfNotExists, QualifiedName Name, string Table, SyntaxList<OrderingTerm> Columns, Expr? Where) : Statement;

/// <summary><c>CREATE [TEMP] VIEW [IF NOT EXISTS] name [(cols)] AS select</c>.</summary>
public sealed record CreateViewStmt(bool Temp, bool IfNotExists, QualifiedName Name, SyntaxList<string>? Columns, SelectStmt Select) : Statement;

/// <summary>What DROP drops.</summary>
public enum DropKind
{
    Table,
    Index,
    View,
    Trigger,
}

/// <summary><c>DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name</c>.</summary>
public sealed record DropStmt(DropKind Kind, bool IfExists, QualifiedName Name) : Statement;

/// <summary>ALTER TABLE's forms.</summary>
public abstract record AlterTableStmt(QualifiedName Table) : Statement;

/// <summary><c>ALTER TABLE t RENAME TO n</c>.</summary>
public sealed record RenameTableStmt(QualifiedName Table, string NewName) : AlterTableStmt(Table);

/// <summary><c>ALTER TABLE t RENAME [COLUMN] a TO b</c>.</summary>
public sealed record RenameColumnStmt(QualifiedName Table, string Column, string NewName) : AlterTableStmt(Table);

/// <summary><c>ALTER TABLE t ADD [COLUMN] def</c>.</summary>
public sealed record AddColumnStmt(QualifiedName Table, ColumnDef Column) : AlterTableStmt(Table);

/// <summary><c>ALTER TABLE t DROP [COLUMN] c</c>.</summary>
public sealed record DropColumnStmt(QualifiedName Table, string Column) : AlterTableStmt(Table);

/// <summary>When a trigger fires relative to its row's change.</summary>
public enum TriggerTime
{
    Before,
    After,
    InsteadOf,
}

/// <summary>The change that fires a trigger.</summary>
public enum TriggerEvent
{
    Delete,
    Insert,
    Update,
}

/// <summary>
/// <c>CREATE [TEMP] TRIGGER [IF NOT EXISTS] [schema.]name [BEFORE|AFTER|INSTEAD OF] DELETE|INSERT|UPDATE [OF cols]
/// ON table [FOR EACH ROW] [WHEN expr] BEGIN stmt; ... END</c>. <see cref="Time"/> is null when not
/// written (SQLite's default, BEFORE); <see cref="Body"/> holds INSERT, UPDATE, DELETE and SELECT statements.
/// </summary>
public sealed record CreateTriggerStmt(
    bool Temp,
    bool IfNotExists,
    QualifiedName Name,
    TriggerTime? Time,
    TriggerEvent Event,
    SyntaxList<string>? UpdateOf,
    QualifiedName Table,
    bool ForEachRow,
    Expr? When,
    SyntaxList<Statement> Body) : Statement;
