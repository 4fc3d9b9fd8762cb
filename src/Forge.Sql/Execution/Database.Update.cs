using Forge.Sql.Execution.Expressions;
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
        if (update.With is not null)
        {
            throw new SqlPrepareException("not supported yet: WITH in UPDATE");
        }

        if (update.OrderBy.Count > 0 || update.Limit is not null)
        {
            throw new SqlPrepareException(update.OrderBy.Count > 0 ? "ORDER BY without LIMIT on UPDATE" : "not supported yet: LIMIT on UPDATE");
        }

        var table = TargetTable(update.Table);
        IColumnScope scope = new RowScope(table, update.Alias ?? table.Name, 0);
        TableInfo? fromTable = null;
        if (update.From is not null)
        {
            // UPDATE ... FROM one table: each target row takes a FROM row the WHERE pairs it with.
            if (update.From.Joins.Count > 0 || update.From.First is not TableRef { Args: null } tr)
            {
                throw new SqlPrepareException("not supported yet: joins and subqueries in UPDATE ... FROM");
            }

            fromTable = _catalog.FindTable(tr.Name.Name) ?? throw new SqlPrepareException($"no such table: {tr.Name.Name}");
            scope = new PairScope(table, update.Alias ?? table.Name, fromTable, tr.Alias ?? fromTable.Name);
        }

        var compiler = new ExpressionCompiler(scope);
        var set = Assignments(update.Set, table, compiler).ToArray();
        var returning = CompileReturning(update.Returning, table, sql);
        var ctx = NewContext(2);
        List<long> rowids;
        List<SqlValue[]>? partners = null;
        if (fromTable is null)
        {
            rowids = MatchingRowids(table, scope, update.Where, ctx);
        }
        else
        {
            (rowids, partners) = MatchingPairs(table, fromTable, scope, update.Where, ctx);
        }

        using var w = OpenWrite(table, ctx);
        var old = new SqlValue[table.Columns.Length];
        var oldRow = new ValueRow(old);
        var returned = new ValueRow([]);
        for (var n = 0; n < rowids.Count; n++)
        {
            // A row an earlier REPLACE deleted is gone.
            var rowid = rowids[n];
            if (!ReadRowAt(w, rowid, old))
            {
                continue;
            }

            oldRow.RowId = rowid;
            ctx.Rows[0] = oldRow;
            ctx.Rows[1] = partners is null ? null : new ValueRow(partners[n]);
            var (record, newRowid) = UpdatedRecord(table, old, rowid, set, ctx);
            ctx.Rows[0] = null;
            ctx.Rows[1] = null;
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

    /// <summary>
    /// The target rows of UPDATE ... FROM and, for each, the first FROM row (its values) the WHERE
    /// accepts with it. With several, SQLite's choice is arbitrary (sqlite3's depends on its plan).
    /// </summary>
    private (List<long> Rowids, List<SqlValue[]> Partners) MatchingPairs(TableInfo table, TableInfo from, IColumnScope scope, Expr? where, EvalContext ctx)
    {
        var compiled = where is null ? null : new ExpressionCompiler(scope).Compile(where);
        var rowids = new List<long>();
        var partners = new List<SqlValue[]>();
        using var targets = _store.OpenTable(table.Root);
        using var sources = _store.OpenTable(from.Root);
        var target = new ValueRow(new SqlValue[table.Columns.Length]);
        var source = new ValueRow(new SqlValue[from.Columns.Length]);
        ctx.Rows[0] = target;
        ctx.Rows[1] = source;
        try
        {
            for (var ok = targets.First(); ok; ok = targets.Next())
            {
                ReadRow(table, targets, target.Values);
                target.RowId = targets.Rowid;
                for (var more = sources.First(); more; more = sources.Next())
                {
                    ReadRow(from, sources, source.Values);
                    source.RowId = sources.Rowid;
                    if (compiled is null || CompiledExpr.Truth(compiled.Eval(ctx)) == true)
                    {
                        rowids.Add(target.RowId);
                        partners.Add([.. source.Values.Select(v => v.Detach())]);
                        break;
                    }
                }
            }
        }
        finally
        {
            ctx.Rows[0] = null;
            ctx.Rows[1] = null;
        }

        return (rowids, partners);
    }

    /// <summary>Two tables' names (slot 0 the target, slot 1 the FROM table): a bare name in both is ambiguous.</summary>
    private sealed class PairScope(TableInfo first, string firstName, TableInfo second, string secondName) : IColumnScope
    {
        private readonly RowScope _first = new(first, firstName, 0);
        private readonly RowScope _second = new(second, secondName, 1);

        public bool TryResolve(string? tableName, string column, out ColumnBinding binding)
        {
            var inFirst = _first.TryResolve(tableName, column, out var a);
            var inSecond = _second.TryResolve(tableName, column, out var b);
            if (inFirst && inSecond && (tableName is not null || first.FindColumn(column) >= 0 == second.FindColumn(column) >= 0))
            {
                throw new SqlPrepareException($"ambiguous column name: {(tableName is null ? column : tableName + "." + column)}");
            }

            binding = inFirst ? a : b;
            return inFirst || inSecond;
        }
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
            throw new SqlPrepareException("table sqlite_master may not be modified");
        }

        return _catalog.FindTable(name.Name) ?? throw new SqlPrepareException($"no such table: {name.Name}");
    }
}
