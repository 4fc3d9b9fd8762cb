using Forge.Sql.Execution.Expressions;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Schema;

namespace Forge.Sql.Execution;

/// <summary>
/// DELETE: the matching rowids are collected first, then each row goes with its entry in every
/// index. Also sqlite_sequence, the AUTOINCREMENT table's memory of the largest rowid used.
/// </summary>
public sealed partial class Database
{
    private ResultSet Delete(DeleteStmt delete, string sql) => PrepareDelete(delete, sql, null)(null, null);

    /// <summary>Compiles a DELETE (top level or in a trigger body) and the programs of the triggers it may fire.</summary>
    private StatementRun PrepareDelete(DeleteStmt delete, string sql, TriggerFrame? frame)
    {
        if (TargetView(delete.Table) is { } view)
        {
            return PrepareViewDelete(delete, sql, frame, view);
        }

        var table = TargetTable(delete.Table);
        var planner = Planner(sql).WithCtes(delete.With);
        var scope = TargetScope(ShapeOf(table), delete.Alias ?? table.Name, frame);
        var compiler = new ExpressionCompiler(scope) { Subqueries = planner };
        var where = delete.Where is null ? null : compiler.Compile(delete.Where);
        var order = CompileDmlOrder(delete.OrderBy, delete.Limit, compiler, "DELETE");
        var returning = CompileReturning(delete.Returning, table, sql, integralRealsAsIntegers: false);
        var before = TriggersFor(table.Name, TriggerEvent.Delete, TriggerTime.Before);
        var after = TriggersFor(table.Name, TriggerEvent.Delete, TriggerTime.After);
        PrepareTriggers(before.Concat(after), null);
        var slots = planner.SlotCount;
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(slots, newRow, oldRow);
            returning?.Rows.Clear();
            var rowids = MatchingRowids(table, scope, delete.Where, where, ctx, order);
            using var w = OpenWrite(table, ctx);
            var old = new SqlValue[table.Columns.Length];
            var oldRow2 = new ValueRow(old);
            foreach (var rowid in rowids)
            {
                // A row a trigger (or an earlier row's) deleted is gone.
                if (!ReadRowAt(w, rowid, old))
                {
                    continue;
                }

                var current = old;
                if (before.Count > 0)
                {
                    current = new SqlValue[old.Length];
                    if (!FireTriggers(before, null, RowOf(old, rowid), null) || !ReadRowAt(w, rowid, current))
                    {
                        continue;
                    }
                }

                oldRow2.RowId = rowid;
                AddReturningRow(returning, ctx, oldRow2);
                DeleteRowAt(w, rowid, current);
                _statementChanges++;
                if (after.Count > 0)
                {
                    FireTriggers(after, null, RowOf(old, rowid), null);
                }
            }

            return ResultOf(returning);
        };
    }

    /// <summary>sqlite_sequence's row for a table: (schema row, its rowid, seq); rowid -1 when there is none.</summary>
    private (uint Root, long Rowid, long Seq) FindSequence(string table)
    {
        var root = SequenceRoot();
        if (root == 0)
        {
            return (0, -1, 0);
        }

        using var cursor = _store.OpenTable(root);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var record = cursor.Record;
            if (record.ColumnCount >= 1 && record.GetValue(0) is { Type: SqlType.Text } name && name.AsString() == table)
            {
                var seq = record.ColumnCount >= 2 ? record.GetValue(1) : SqlValue.Null;
                return (root, cursor.Rowid, seq.Type == SqlType.Integer ? seq.AsInteger : 0);
            }
        }

        return (root, -1, 0);
    }

    private uint SequenceRoot() =>
        (uint)(SchemaTable.ReadAll(_store).FirstOrDefault(r => r.Type == "table" && r.Name.Equals("sqlite_sequence", StringComparison.OrdinalIgnoreCase))?.RootPage ?? 0);

    private long ReadSequence(string table) => FindSequence(table).Seq;

    private void WriteSequence(string table, long seq)
    {
        var (root, rowid, _) = FindSequence(table);
        if (root == 0)
        {
            return;
        }

        using var cursor = _store.OpenTable(root);
        if (rowid < 0)
        {
            rowid = cursor.MaxRowid() + 1;
        }

        cursor.Insert(rowid, RecordFormat.Encode([SqlValue.FromText(table), SqlValue.FromInteger(seq)]));
    }

    /// <summary>Removes a table's sqlite_sequence row (DROP TABLE), if any.</summary>
    private void DeleteSequence(string table)
    {
        var (root, rowid, _) = FindSequence(table);
        if (root == 0 || rowid < 0)
        {
            return;
        }

        using var cursor = _store.OpenTable(root);
        if (cursor.SeekRowid(rowid, out var exact) && exact)
        {
            cursor.Delete();
        }
    }
}
