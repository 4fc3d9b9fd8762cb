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
    private ResultSet Update(UpdateStmt update, string sql) => PrepareUpdate(update, sql, null)(null, null);

    /// <summary>Compiles an UPDATE (top level or in a trigger body) and the programs of the triggers it may fire.</summary>
    private StatementRun PrepareUpdate(UpdateStmt update, string sql, TriggerFrame? frame)
    {
        if (TargetView(update.Table) is { } view)
        {
            return PrepareViewUpdate(update, sql, frame, view);
        }

        var table = TargetTable(update.Table);
        var shape = ShapeOf(table);
        var planner = Planner(sql).WithCtes(update.With);
        FromScope scope;
        TableInfo? fromTable = null;
        if (update.From is not null)
        {
            // UPDATE ... FROM one table: each target row takes a FROM row the WHERE pairs it with.
            if (update.From.Joins.Count > 0 || update.From.First is not TableRef { Args: null } tr)
            {
                throw new SqlPrepareException("not supported yet: joins and subqueries in UPDATE ... FROM");
            }

            fromTable = _catalog.FindTable(tr.Name.Name) ?? throw new SqlPrepareException($"no such table: {tr.Name.Name}");
            scope = TargetScope(shape, update.Alias ?? table.Name, frame, ShapeOf(fromTable), tr.Alias ?? fromTable.Name);
        }
        else
        {
            scope = TargetScope(shape, update.Alias ?? table.Name, frame);
        }

        var compiler = new ExpressionCompiler(scope) { Subqueries = planner };
        var set = Assignments(update.Set, table, compiler).ToArray();
        var where = update.Where is null ? null : compiler.Compile(update.Where);
        var order = CompileDmlOrder(update.OrderBy, update.Limit, compiler, "UPDATE");
        var returning = CompileReturning(update.Returning, table, sql);
        var orAction = frame?.OrConf ?? update.OrAction;
        var setNames = SetColumnNames(update.Set);
        var before = TriggersFor(table.Name, TriggerEvent.Update, TriggerTime.Before, setNames);
        var after = TriggersFor(table.Name, TriggerEvent.Update, TriggerTime.After, setNames);
        PrepareTriggers(before.Concat(after), orAction);
        var slots = planner.SlotCount;
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(slots, newRow, oldRow);
            returning?.Rows.Clear();
            List<long> rowids;
            List<SqlValue[]>? partners = null;
            if (fromTable is null)
            {
                rowids = MatchingRowids(table, scope, update.Where, where, ctx, order);
            }
            else
            {
                (rowids, partners) = MatchingPairs(table, fromTable, where, ctx);
                if (order is not null)
                {
                    (rowids, partners) = OrderAndLimitPairs(table, rowids, partners, order, ctx);
                }
            }

            using var w = OpenWrite(table, ctx);
            var old = new SqlValue[table.Columns.Length];
            var oldRow2 = new ValueRow(old);
            var returned = new ValueRow([]);
            for (var n = 0; n < rowids.Count; n++)
            {
                // A row an earlier REPLACE (or a trigger) deleted is gone.
                var rowid = rowids[n];
                if (!ReadRowAt(w, rowid, old))
                {
                    continue;
                }

                oldRow2.RowId = rowid;
                ctx.Rows[0] = oldRow2;
                ctx.Rows[1] = partners is null ? null : new ValueRow(partners[n]);
                var (record, newRowid) = UpdatedRecord(table, old, rowid, set, ctx);
                ctx.Rows[0] = null;
                ctx.Rows[1] = null;
                var current = old;
                if (before.Count > 0)
                {
                    if (!FireTriggers(before, RowOf(record, newRowid), RowOf(old, rowid), orAction)
                        || !ReloadAfterBefore(w, rowid, set, record, out current))
                    {
                        continue;
                    }
                }

                if (WriteRow(w, record, newRowid, rowid, current, orAction, null, out _, out _) != WriteOutcome.Written)
                {
                    continue;
                }

                _statementChanges++;

                if (after.Count > 0)
                {
                    FireTriggers(after, RowOf(record, newRowid), RowOf(old, rowid), orAction);
                }

                returned.Values = record;
                returned.RowId = newRowid;
                AddReturningRow(returning, ctx, returned);
            }

            return ResultOf(returning);
        };
    }

    /// <summary>
    /// The target rows of UPDATE ... FROM and, for each, the first FROM row (its values) the WHERE
    /// accepts with it. With several, SQLite's choice is arbitrary (sqlite3's depends on its plan).
    /// </summary>
    private (List<long> Rowids, List<SqlValue[]> Partners) MatchingPairs(TableInfo table, TableInfo from, CompiledExpr? compiled, EvalContext ctx)
    {
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
