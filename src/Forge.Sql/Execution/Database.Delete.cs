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
    private ResultSet Delete(DeleteStmt delete, string sql)
    {
        if (delete.With is not null)
        {
            throw new SqlPrepareException("not supported yet: WITH in DELETE");
        }

        if (delete.OrderBy.Count > 0 || delete.Limit is not null)
        {
            throw new SqlPrepareException(delete.OrderBy.Count > 0 ? "ORDER BY without LIMIT on DELETE" : "not supported yet: LIMIT on DELETE");
        }

        var table = TargetTable(delete.Table);
        var scope = new RowScope(table, delete.Alias ?? table.Name, 0);
        var returning = CompileReturning(delete.Returning, table, sql, integralRealsAsIntegers: false);
        var ctx = NewContext(2);
        var rowids = MatchingRowids(table, scope, delete.Where, ctx);

        using var w = OpenWrite(table, ctx);
        var old = new SqlValue[table.Columns.Length];
        var oldRow = new ValueRow(old);
        foreach (var rowid in rowids)
        {
            if (!ReadRowAt(w, rowid, old))
            {
                continue;
            }

            oldRow.RowId = rowid;
            AddReturningRow(returning, ctx, oldRow);
            DeleteRowAt(w, rowid, old);
        }

        return ResultOf(returning);
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
