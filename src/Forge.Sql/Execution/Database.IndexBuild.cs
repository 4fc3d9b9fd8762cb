using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

public sealed partial class Database
{
    /// <summary>
    /// Fills a new, empty index from its table: every row's key is collected and sorted in the
    /// index's order (collations, DESC columns, then the rowid), a UNIQUE index is checked on
    /// neighbours of the sorted run, and the tree is built bottom-up from it
    /// (<see cref="BTree.BTreeStore.BulkLoadIndex"/>) instead of one descent and insert per row.
    /// </summary>
    internal void BuildIndex(TableInfo table, IndexInfo index, uint root)
    {
        var width = index.Columns.Length;
        var keys = new List<SqlValue[]>();
        using (var rows = _store.OpenTable(table.Root))
        {
            var values = new SqlValue[table.Columns.Length];
            for (var ok = rows.First(); ok; ok = rows.Next())
            {
                ReadRow(table, rows, values);
                var rowid = rows.Rowid;
                var key = new SqlValue[width + 1];
                for (var i = 0; i < width; i++)
                {
                    var c = index.Columns[i].Column;
                    key[i] = c < 0 ? SqlValue.FromInteger(rowid) : values[c].Detach();
                }

                key[width] = SqlValue.FromInteger(rowid);
                keys.Add(key);
            }
        }

        var columns = index.Columns;
        int CompareColumns(SqlValue[] a, SqlValue[] b)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                var r = SqlComparer.Compare(a[i], b[i], columns[i].Collation);
                if (r != 0)
                {
                    return columns[i].Descending ? -r : r;
                }
            }

            return 0;
        }

        keys.Sort((a, b) =>
        {
            var r = CompareColumns(a, b);
            return r != 0 ? r : a[width].AsInteger.CompareTo(b[width].AsInteger);
        });

        if (index.Unique)
        {
            for (var k = 1; k < keys.Count; k++)
            {
                if (CompareColumns(keys[k - 1], keys[k]) == 0 && !HasNull(keys[k], width))
                {
                    throw new SqlRuntimeException($"UNIQUE constraint failed: {IndexColumnsText(table, index)}", SqlRuntimeException.Constraint);
                }
            }
        }

        var records = new byte[keys.Count][];
        for (var k = 0; k < keys.Count; k++)
        {
            records[k] = RecordFormat.Encode(keys[k]);
            keys[k] = null!; // let the decoded key go as soon as its record exists
        }

        _store.BulkLoadIndex(root, records);
    }

    private static bool HasNull(SqlValue[] key, int width)
    {
        for (var i = 0; i < width; i++)
        {
            if (key[i].IsNull)
            {
                return true;
            }
        }

        return false;
    }
}
