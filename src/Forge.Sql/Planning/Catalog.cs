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

internal sealed class TableInfo(string name, uint root, ColumnInfo[] columns, long schemaRowid, string sql)
{
    public string Name { get; } = name;

    public uint Root { get; } = root;

    public ColumnInfo[] Columns { get; } = columns;

    public long SchemaRowid { get; } = schemaRowid;

    public string Sql { get; } = sql;

    /// <summary>The INTEGER PRIMARY KEY column that aliases the rowid, or -1.</summary>
    public int RowidAlias { get; } = Array.FindIndex(columns, c => c.IsRowidAlias);

    public List<IndexInfo> Indexes { get; } = [];

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
            if (row.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
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

            table.Indexes.Add(index);
            catalog._indexes[index.Name] = index;
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

    /// <summary>sqlite_autoindex_T_N: the index SQLite made for a UNIQUE or PRIMARY KEY constraint (found again from the CREATE TABLE).</summary>
    private static IndexInfo AutoIndex(TableInfo table, SchemaRow row)
    {
        var create = (CreateTableStmt)SqlParser.Parse(table.Sql).Statement!;
        var lists = new List<IReadOnlyList<(string Column, Collation? Collation, bool Desc)>>();
        foreach (var def in create.Columns)
        {
            foreach (var c in def.Constraints)
            {
                if (c is UniqueColumnConstraint || (c is PrimaryKeyColumnConstraint && !table.Columns[table.FindColumn(def.Name)].IsRowidAlias))
                {
                    lists.Add([(def.Name, null, false)]);
                }
            }
        }

        foreach (var c in create.Constraints)
        {
            var terms = c switch
            {
                PrimaryKeyTableConstraint pk when !(pk.Columns.Count == 1 && table.RowidAlias >= 0) => pk.Columns,
                UniqueTableConstraint u => u.Columns,
                _ => null,
            };
            if (terms is not null)
            {
                lists.Add([.. terms.Select(t => t.Expr switch
                {
                    CollateExpr { Operand: ColumnRef cr } ce => (cr.Column, (Collation?)ExpressionCompiler.CollationByName(ce.Collation), t.Order == SortOrder.Desc),
                    ColumnRef cr => (cr.Column, (Collation?)null, t.Order == SortOrder.Desc),
                    _ => throw new SqlPrepareException("not supported yet: expressions in constraints"),
                })]);
            }
        }

        // sqlite_autoindex_<table>_<n>, n counting from 1 in constraint order.
        var suffix = row.Name[(row.Name.LastIndexOf('_') + 1)..];
        var n = int.TryParse(suffix, out var k) ? k : 1;
        if (n < 1 || n > lists.Count)
        {
            throw new SqliteCorruptException($"autoindex {row.Name} matches no constraint");
        }

        var columns = lists[n - 1].Select(x =>
        {
            var idx = table.FindColumn(x.Column);
            return new IndexColumn(idx, x.Collation ?? table.Columns[idx].Collation, x.Desc);
        }).ToArray();
        return new IndexInfo(row.Name, table.Name, (uint)row.RootPage, true, columns, row.Rowid);
    }

    public void Add(TableInfo table) => _tables[table.Name] = table;

    public void Add(IndexInfo index)
    {
        _tables[index.Table].Indexes.Add(index);
        _indexes[index.Name] = index;
    }
}
