using Forge.Sql.BTree;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;
using Forge.Sql.Schema;

namespace Forge.Sql.Planning;

/// <summary>A table column as the planner needs it.</summary>
internal sealed record ColumnInfo(string Name, string? DeclaredType, Affinity Affinity, Collation Collation, bool NotNull, Expr? Default, bool IsRowidAlias);

/// <summary>A column of an index: which table column (or -1 for the rowid), its collation and order.</summary>
internal sealed record IndexColumn(int Column, Collation Collation, bool Descending);

internal sealed record IndexInfo(string Name, string Table, uint Root, bool Unique, IndexColumn[] Columns, long SchemaRowid);

/// <summary>A view: its CREATE VIEW text, the SELECT and the optional column names.</summary>
internal sealed record ViewInfo(string Name, string Sql, SelectStmt Select, SyntaxList<string>? Columns, long SchemaRowid);

/// <summary>
/// A trigger: its stored CREATE TRIGGER text and parse; <see cref="SchemaRowid"/> orders firing (the
/// most recently created first, as SQLite links them) and is negative for a TEMP trigger.
/// </summary>
internal sealed record TriggerInfo(string Name, string Table, string Sql, CreateTriggerStmt Create, long SchemaRowid)
{
    public TriggerTime Time => Create.Time ?? TriggerTime.Before;

    public TriggerEvent Event => Create.Event;
}

internal sealed class TableInfo(string name, uint root, ColumnInfo[] columns, long schemaRowid, string sql)
{
    public string Name { get; } = name;

    public uint Root { get; } = root;

    public ColumnInfo[] Columns { get; } = columns;

    public long SchemaRowid { get; } = schemaRowid;

    public string Sql { get; } = sql;

    /// <summary>The INTEGER PRIMARY KEY column that aliases the rowid, or -1.</summary>
    public int RowidAlias { get; } = Array.FindIndex(columns, c => c.IsRowidAlias);

    public IReadOnlyList<IndexInfo> Indexes => _indexes;

    private readonly List<IndexInfo> _indexes = [];

    /// <summary>Counts the indexes added since the table was loaded: what was derived from its indexes is stale when it moved.</summary>
    public int IndexGeneration { get; private set; }

    public void AddIndex(IndexInfo index)
    {
        _indexes.Add(index);
        IndexGeneration++;
    }

    public int FindColumn(string name) => Array.FindIndex(Columns, c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The schema: tables and indexes read from sqlite_schema, their CREATE statements parsed to know
/// the columns (declared types → affinity, collations, NOT NULL, defaults, the INTEGER PRIMARY KEY
/// rowid alias). Names are case-insensitive, as in SQLite.
/// </summary>
internal sealed class Catalog
{
    private readonly Dictionary<string, TableInfo> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IndexInfo> _indexes = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<TableInfo> Tables => _tables.Values;

    public TableInfo? FindTable(string name) => _tables.GetValueOrDefault(name);

    public IndexInfo? FindIndex(string name) => _indexes.GetValueOrDefault(name);

    public static Catalog Load(BTreeStore store)
    {
        var catalog = new Catalog();
        var rows = SchemaTable.ReadAll(store);
        foreach (var row in rows.Where(r => r.Type == "table" && r.Sql is not null))
        {
            // sqlite_sequence is an ordinary table to statements (AUTOINCREMENT's memory); other sqlite_ tables are not ours.
            if (row.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase) && !row.Name.Equals("sqlite_sequence", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (SqlParser.Parse(row.Sql!).Statement is CreateTableStmt create)
            {
                catalog._tables[row.Name] = TableFrom(create, (uint)row.RootPage, row.Rowid, row.Sql!);
            }
        }

        foreach (var row in rows.Where(r => r.Type == "index"))
        {
            if (catalog.FindTable(row.TableName) is not { } table)
            {
                continue;
            }

            IndexInfo index;
            if (row.Sql is null)
            {
                index = AutoIndex(table, row);
            }
            else if (SqlParser.Parse(row.Sql).Statement is CreateIndexStmt ci)
            {
                index = IndexFrom(ci, table, (uint)row.RootPage, row.Rowid);
            }
            else
            {
                continue;
            }

            table.AddIndex(index);
            catalog._indexes[index.Name] = index;
        }

        catalog.LoadViews(rows);
        foreach (var row in rows.Where(r => r.Type == "trigger" && r.Sql is not null))
        {
            if (SqlParser.Parse(row.Sql!).Statement is CreateTriggerStmt trigger)
            {
                catalog._triggers[row.Name] = new TriggerInfo(row.Name, row.TableName, row.Sql!, trigger, row.Rowid);
            }
        }

        return catalog;
    }

    public static TableInfo TableFrom(CreateTableStmt create, uint root, long schemaRowid, string sql)
    {
        var pkColumns = create.Constraints.OfType<PrimaryKeyTableConstraint>().SelectMany(p => p.Columns).ToList();
        var columns = new ColumnInfo[create.Columns.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var def = create.Columns[i];
            var type = def.Type?.Name;
            var collation = def.Constraints.OfType<CollateColumnConstraint>().Select(c => ExpressionCompiler.CollationByName(c.Collation)).LastOrDefault(Collation.Binary);
            var notNull = def.Constraints.OfType<NotNullColumnConstraint>().Any();
            var defaultExpr = def.Constraints.OfType<DefaultColumnConstraint>().LastOrDefault()?.Value;
            var columnPk = def.Constraints.OfType<PrimaryKeyColumnConstraint>().FirstOrDefault();
            var tablePkOnThis = pkColumns.Count == 1 && pkColumns[0].Expr is ColumnRef r && r.Column.Equals(def.Name, StringComparison.OrdinalIgnoreCase);

            // Only "INTEGER" exactly (any case) makes the rowid alias, and not with PRIMARY KEY DESC.
            var isAlias = !create.WithoutRowid
                && type is not null && type.Equals("INTEGER", StringComparison.OrdinalIgnoreCase)
                && ((columnPk is not null && columnPk.Order != SortOrder.Desc) || (tablePkOnThis && pkColumns[0].Order != SortOrder.Desc));
            columns[i] = new ColumnInfo(def.Name, type, SqlConvert.AffinityOf(type), collation, notNull, defaultExpr, isAlias);
        }

        return new TableInfo(create.Name.Name, root, columns, schemaRowid, sql);
    }

    public static IndexInfo IndexFrom(CreateIndexStmt create, TableInfo table, uint root, long schemaRowid)
    {
        var columns = new IndexColumn[create.Columns.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var term = create.Columns[i];
            var expr = term.Expr;
            Collation? collation = null;
            if (expr is CollateExpr ce)
            {
                collation = ExpressionCompiler.CollationByName(ce.Collation);
                expr = ce.Operand;
            }

            if (expr is not ColumnRef { Table: null } col)
            {
                throw new SqlPrepareException("not supported yet: indexes on expressions");
            }

            var c = table.FindColumn(col.Column);
            if (c < 0)
            {
                throw new SqlPrepareException($"no such column: {col.Column}");
            }

            columns[i] = new IndexColumn(c, collation ?? table.Columns[c].Collation, term.Order == SortOrder.Desc);
        }

        return new IndexInfo(create.Name.Name, table.Name, root, create.Unique, columns, schemaRowid);
    }

    /// <summary>sqlite_autoindex_T_N: the index SQLite made for the table's Nth UNIQUE or PRIMARY KEY constraint.</summary>
    private static IndexInfo AutoIndex(TableInfo table, SchemaRow row)
    {
        var create = (CreateTableStmt)SqlParser.Parse(table.Sql).Statement!;
        var suffix = row.Name[(row.Name.LastIndexOf('_') + 1)..];
        var n = int.TryParse(suffix, out var k) ? k : 1;
        var columns = ConstraintIndexes(create, table).Skip(n - 1).FirstOrDefault();
        if (n < 1 || columns is null)
        {
            throw new SqliteCorruptException($"autoindex {row.Name} matches no constraint");
        }

        return new IndexInfo(row.Name, table.Name, (uint)row.RootPage, true, columns, row.Rowid);
    }

    /// <summary>
    /// The indexes SQLite makes for a table's UNIQUE and non-rowid PRIMARY KEY constraints, in
    /// constraint order (column constraints first): sqlite_autoindex_T_1, _2, ...
    /// </summary>
    public static IEnumerable<IndexColumn[]> ConstraintIndexes(CreateTableStmt create, TableInfo table)
    {
        foreach (var def in create.Columns)
        {
            var c = table.FindColumn(def.Name);
            foreach (var constraint in def.Constraints)
            {
                if (constraint is UniqueColumnConstraint || (constraint is PrimaryKeyColumnConstraint pk && !table.Columns[c].IsRowidAlias))
                {
                    var desc = constraint is PrimaryKeyColumnConstraint { Order: SortOrder.Desc };
                    yield return [new IndexColumn(c, table.Columns[c].Collation, desc)];
                }
            }
        }

        foreach (var constraint in create.Constraints)
        {
            var terms = constraint switch
            {
                PrimaryKeyTableConstraint pk when !(pk.Columns.Count == 1 && table.RowidAlias >= 0) => pk.Columns,
                UniqueTableConstraint u => u.Columns,
                _ => null,
            };
            if (terms is null)
            {
                continue;
            }

            yield return [.. terms.Select(t =>
            {
                var (columnName, collation) = t.Expr switch
                {
                    CollateExpr { Operand: ColumnRef cr } ce => (cr.Column, (Collation?)ExpressionCompiler.CollationByName(ce.Collation)),
                    ColumnRef cr => (cr.Column, (Collation?)null),
                    _ => throw new SqlPrepareException("not supported yet: expressions in constraints"),
                };
                var c = table.FindColumn(columnName);
                if (c < 0)
                {
                    throw new SqlPrepareException($"no such column: {columnName}");
                }

                return new IndexColumn(c, collation ?? table.Columns[c].Collation, t.Order == SortOrder.Desc);
            })];
        }
    }

    public void Add(TableInfo table) => _tables[table.Name] = table;

    public void Add(IndexInfo index)
    {
        _tables[index.Table].AddIndex(index);
        _indexes[index.Name] = index;
    }

    private readonly Dictionary<string, ViewInfo> _views = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<ViewInfo> Views => _views.Values;

    public ViewInfo? FindView(string name) => _views.GetValueOrDefault(name);

    public void Add(ViewInfo view) => _views[view.Name] = view;

    public void RemoveView(string name) => _views.Remove(name);

    private void LoadViews(List<SchemaRow> rows)
    {
        foreach (var row in rows)
        {
            if (row.Type == "view" && row.Sql is not null && SqlParser.Parse(row.Sql).Statement is CreateViewStmt view)
            {
                _views[row.Name] = new ViewInfo(row.Name, row.Sql, view.Select, view.Columns, row.Rowid);
            }
        }
    }

    private readonly Dictionary<string, TriggerInfo> _triggers = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<TriggerInfo> Triggers => _triggers.Values;

    public TriggerInfo? FindTrigger(string name) => _triggers.GetValueOrDefault(name);

    public void Add(TriggerInfo trigger) => _triggers[trigger.Name] = trigger;

    public void RemoveTrigger(string name) => _triggers.Remove(name);

    /// <summary>
    /// The triggers on a table or view in SQLite's firing order: TEMP ones first in the order they
    /// were created, then the file's, the most recently created first (SQLite links each new one at
    /// the head of its table's list, and reads sqlite_schema in rowid order).
    /// </summary>
    public List<TriggerInfo> TriggersOn(string table) =>
        [.. _triggers.Values.Where(t => t.Table.Equals(table, StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => t.SchemaRowid >= 0)
            .ThenByDescending(t => t.SchemaRowid)];
}
