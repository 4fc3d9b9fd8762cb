using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// UPDATE: the matching rowids are collected first, then each row gets its SET values (computed
/// from the row before the change), the constraint checks of <see cref="WriteRow"/> and its index
/// entries moved; an INTEGER PRIMARY KEY (or rowid) change moves the row.
/// </summary>
public sealed partial class Database
{
    private ResultSet Update(UpdateStmt update, string sql)
    {
        if (update.With is not null || update.From is not null)
        {
            throw new SqlPrepareException("not supported yet: WITH and FROM in UPDATE");
        }

        if (update.OrderBy.Count > 0 || update.Limit is not null)
        {
            throw new SqlPrepareException(update.OrderBy.Count > 0 ? "ORDER BY without LIMIT on UPDATE" : "not supported yet: LIMIT on UPDATE");
        }

        var table = TargetTable(update.Table);
        var scope = new RowScope(table, update.Alias ?? table.Name, 0);
        var compiler = new ExpressionCompiler(scope);
        var set = Assignments(update.Set, table, compiler).ToArray();
        var returning = CompileReturning(update.Returning, table, scope, sql);
        var ctx = NewContext(2);
        var rowids = MatchingRowids(table, scope, update.Where, ctx);

        using var w = OpenWrite(table, ctx);
        var old = new SqlValue[table.Columns.Length];
        var oldRow = new ValueRow(old);
        var returned = new ValueRow([]);
        foreach (var rowid in rowids)
        {
            // A row an earlier REPLACE deleted is gone.
            if (!ReadRowAt(w, rowid, old))
            {
                continue;
            }

            oldRow.RowId = rowid;
            ctx.Rows[0] = oldRow;
            var (record, newRowid) = UpdatedRecord(table, old, rowid, set, ctx);
            ctx.Rows[0] = null;
            if (WriteRow(w, record, newRowid, rowid, old, update.OrAction, null, out _, out _) != WriteOutcome.Written)
            {
                continue;
            }

            returned.Values = record;
            returned.RowId = newRowid;
            AddReturningRow(returning, ctx, returned);
        }

        return ResultOf(returning);
    }

    /// <summary>The table a write statement names ("no such table: x"; sqlite_schema may not be modified).</summary>
    private TableInfo TargetTable(QualifiedName name)
    {
        if (name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"no such table: {schema}.{name.Name}");
        }

        if (name.Name.Equals("sqlite_schema", StringComparison.OrdinalIgnoreCase) || name.Name.Equals("sqlite_master", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"table {name.Name} may not be modified");
        }

        return _catalog.FindTable(name.Name) ?? throw new SqlPrepareException($"no such table: {name.Name}");
    }
}
