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
        var keyInfo = KeyInfoOf(index);
        var arena = new KeyArena();
        var entries = new List<IndexKeyEntry>();
        using (var rows = _store.OpenTable(table.Root))
        {
            var key = new SqlValue[width + 1];
            var first = index.Columns[0];
            for (var ok = rows.First(); ok; ok = rows.Next())
            {
                var rowid = rows.Rowid;
                for (var i = 0; i < width; i++)
                {
                    var c = index.Columns[i].Column;
                    key[i] = c < 0 || c == table.RowidAlias ? SqlValue.FromInteger(rowid) : ReadColumn(table, rows, c);
                }

                key[width] = SqlValue.FromInteger(rowid);
                entries.Add(IndexKeyEntry.Create(key[0], first.Collation, first.Descending, rowid, width == 1, arena.Add(key)));
            }
        }

        // Entries sort by a packed prefix of the first column (rank, then 16 bytes that order as the
        // column does) and only on a tie by the whole records: most comparisons touch just the
        // 32-byte entries, not the records scattered over the arena.
        var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries);
        var comparer = new IndexKeyComparer(arena, keyInfo);
        IndexKeySort.Sort(sorted, comparer);

        if (index.Unique)
        {
            var reader = new RecordReader();
            for (var k = 1; k < sorted.Length; k++)
            {
                if (SqlComparer.CompareRecords(arena.Span(sorted[k - 1]), arena.Span(sorted[k]), keyInfo, width) == 0
                    && !HasNullField(reader, arena, sorted[k], width))
                {
                    throw new SqlRuntimeException($"UNIQUE constraint failed: {IndexColumnsText(table, index)}", SqlRuntimeException.Constraint);
                }
            }
        }

        var records = new ReadOnlyMemory<byte>[sorted.Length];
        for (var k = 0; k < sorted.Length; k++)
        {
            records[k] = arena.Memory(sorted[k]);
        }

        _store.BulkLoadIndex(root, records);
    }

    /// <summary>One column of the cursor's row, as <see cref="ReadRow"/> reads it.</summary>
    private static SqlValue ReadColumn(TableInfo table, BTree.BTreeCursor cursor, int column)
    {
        if (!cursor.Record.TryGetValue(column, out var v))
        {
            return MissingValue(table, column);
        }

        // SQLite may store a REAL column's integral value as an integer; it reads back as REAL.
        return v.Type == SqlType.Integer && table.Columns[column].Affinity == Values.Affinity.Real ? SqlValue.FromReal(v.AsInteger) : v;
    }

    private static bool HasNullField(RecordReader reader, KeyArena arena, in IndexKeyEntry entry, int width)
    {
        arena.Reset(reader, entry);
        for (var i = 0; i < width; i++)
        {
            if (reader.SerialType(i) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
