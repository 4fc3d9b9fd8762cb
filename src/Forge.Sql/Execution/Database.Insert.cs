using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// INSERT: each row gets the columns' affinities, NOT NULL and UNIQUE checks, a rowid (the INTEGER
/// PRIMARY KEY's value or one past the largest), its record in the table b-tree and an entry in
/// every index.
/// </summary>
public sealed partial class Database
{
    private ResultSet Insert(InsertStmt insert)
    {
        if (insert.With is not null || insert.Upserts.Count > 0 || insert.Returning is not null || (insert.OrAction is { } a && a != ConflictAction.Abort))
        {
            throw new SqlPrepareException("not supported yet: WITH, OR REPLACE/IGNORE, upsert and RETURNING in INSERT");
        }

        var table = _catalog.FindTable(insert.Table.Name) ?? throw new SqlPrepareException($"no such table: {insert.Table.Name}");
        int[] targets;
        if (insert.Columns is null)
        {
            targets = [.. Enumerable.Range(0, table.Columns.Length)];
        }
        else
        {
            targets = new int[insert.Columns.Count];
            for (var i = 0; i < targets.Length; i++)
            {
                var name = insert.Columns[i];
                var c = table.FindColumn(name);
                if (c < 0 && IsRowidName(name) && table.RowidAlias < 0)
                {
                    c = -1;
                }
                else if (c < 0)
                {
                    throw new SqlPrepareException($"table {table.Name} has no column named {name}");
                }

                targets[i] = c;
            }
        }

        var compiler = new ExpressionCompiler(null);
        var ctx = NewContext(0);
        var defaults = table.Columns.Select(c => c.Default is null ? null : compiler.Compile(c.Default)).ToArray();
        var rows = new List<SqlValue[]>();
        if (insert.Select is null)
        {
            rows.Add([]);
            targets = [];
        }
        else if (insert.Select is { Body: ValuesBody values, With: null, OrderBy.Count: 0, Limit: null })
        {
            foreach (var row in values.Rows)
            {
                if (row.Count != targets.Length)
                {
                    throw new SqlPrepareException(insert.Columns is null
                        ? $"table {table.Name} has {table.Columns.Length} columns but {row.Count} values were supplied"
                        : $"{row.Count} values for {targets.Length} columns");
                }

                rows.Add([.. row.Select(e => compiler.Compile(e).Eval(ctx).Detach())]);
            }
        }
        else
        {
            var result = RunSelect(insert.Select, string.Empty);
            if (result.Columns.Count != targets.Length)
            {
                throw new SqlPrepareException(insert.Columns is null
                    ? $"table {table.Name} has {table.Columns.Length} columns but {result.Columns.Count} values were supplied"
                    : $"{result.Columns.Count} values for {targets.Length} columns");
            }

            rows.AddRange(result.Rows.Select(r => r.Values));
        }

        using var cursor = _store.OpenTable(table.Root);
        var indexCursors = OpenIndexCursors(table.Indexes);
        try
        {
            InsertRows(table, cursor, indexCursors, rows, targets, defaults, ctx);
        }
        finally
        {
            foreach (var c in indexCursors)
            {
                c.Dispose();
            }
        }

        return ResultSet.Empty;
    }

    private BTreeCursor[] OpenIndexCursors(List<IndexInfo> indexes) => [.. indexes.Select(i => _store.OpenIndex(i.Root, KeyInfoOf(i)))];

    private static void InsertRows(TableInfo table, BTreeCursor cursor, BTreeCursor[] indexCursors, List<SqlValue[]> rows, int[] targets, CompiledExpr?[] defaults, EvalContext ctx)
    {
        var record = new SqlValue[table.Columns.Length];
        var stored = new SqlValue[table.Columns.Length];
        var given = new bool[table.Columns.Length];
        foreach (var source in rows)
        {
            SqlValue? explicitRowid = null;
            Array.Clear(given);
            for (var i = 0; i < targets.Length; i++)
            {
                if (targets[i] < 0)
                {
                    explicitRowid = source[i];
                    continue;
                }

                record[targets[i]] = source[i];
                given[targets[i]] = true;
            }

            for (var c = 0; c < record.Length; c++)
            {
                if (!given[c])
                {
                    record[c] = defaults[c]?.Eval(ctx).Detach() ?? SqlValue.Null;
                }

                record[c] = SqlConvert.ApplyAffinity(record[c], table.Columns[c].Affinity);
            }

            if (table.RowidAlias >= 0)
            {
                explicitRowid = record[table.RowidAlias].IsNull ? null : record[table.RowidAlias];
            }

            var rowid = ChooseRowid(table, cursor, explicitRowid);
            if (table.RowidAlias >= 0)
            {
                record[table.RowidAlias] = SqlValue.FromInteger(rowid);
            }

            for (var c = 0; c < record.Length; c++)
            {
                if (table.Columns[c].NotNull && record[c].IsNull)
                {
                    throw new SqlRuntimeException($"NOT NULL constraint failed: {table.Name}.{table.Columns[c].Name}", SqlRuntimeException.Constraint);
                }
            }

            for (var i = 0; i < indexCursors.Length; i++)
            {
                CheckUnique(table, table.Indexes[i], record, indexCursors[i]);
            }

            // The rowid alias is stored as NULL in the record (the rowid carries it).
            record.CopyTo(stored, 0);
            if (table.RowidAlias >= 0)
            {
                stored[table.RowidAlias] = SqlValue.Null;
            }

            cursor.Insert(rowid, RecordFormat.Encode(stored));
            for (var i = 0; i < indexCursors.Length; i++)
            {
                indexCursors[i].Insert(RecordFormat.Encode(IndexKey(table.Indexes[i], record, rowid)));
            }
        }
    }

    internal static bool IsRowidName(string name) =>
        name.Equals("rowid", StringComparison.OrdinalIgnoreCase) || name.Equals("oid", StringComparison.OrdinalIgnoreCase) || name.Equals("_rowid_", StringComparison.OrdinalIgnoreCase);

    private static long ChooseRowid(TableInfo table, BTreeCursor cursor, SqlValue? explicitRowid)
    {
        if (explicitRowid is { } v)
        {
            var n = SqlConvert.ApplyAffinity(v, Values.Affinity.Integer);
            if (n.Type != SqlType.Integer)
            {
                throw new SqlRuntimeException("datatype mismatch", SqlRuntimeException.Mismatch);
            }

            if (cursor.SeekRowid(n.AsInteger, out var exact) && exact)
            {
                var column = table.RowidAlias >= 0 ? table.Columns[table.RowidAlias].Name : "rowid";
                throw new SqlRuntimeException($"UNIQUE constraint failed: {table.Name}.{column}", SqlRuntimeException.Constraint);
            }

            return n.AsInteger;
        }

        var max = cursor.MaxRowid();
        if (max == long.MaxValue)
        {
            throw new SqlRuntimeException("database or disk is full", SqlRuntimeException.Full);
        }

        return max + 1;
    }

    /// <summary>Reads a table row's columns (the rowid alias from the rowid; columns added later than the row, NULL).</summary>
    internal static void ReadRow(TableInfo table, BTreeCursor cursor, SqlValue[] values)
    {
        var record = cursor.Record;
        var n = record.ColumnCount;
        for (var c = 0; c < values.Length; c++)
        {
            values[c] = c == table.RowidAlias ? SqlValue.FromInteger(cursor.Rowid) : c < n ? record.GetValue(c) : SqlValue.Null;

            // SQLite may store a REAL column's integral value as an integer; it reads back as REAL.
            if (values[c].Type == SqlType.Integer && table.Columns[c].Affinity == Values.Affinity.Real && c != table.RowidAlias)
            {
                values[c] = SqlValue.FromReal(values[c].AsInteger);
            }
        }
    }

    internal static KeyInfo KeyInfoOf(IndexInfo index)
    {
        var collations = new Collation[index.Columns.Length + 1];
        var descending = new bool[index.Columns.Length + 1];
        for (var i = 0; i < index.Columns.Length; i++)
        {
            collations[i] = index.Columns[i].Collation;
            descending[i] = index.Columns[i].Descending;
        }

        return new KeyInfo(collations, descending);
    }

    private static SqlValue[] IndexKey(IndexInfo index, SqlValue[] row, long rowid)
    {
        var key = new SqlValue[index.Columns.Length + 1];
        for (var i = 0; i < index.Columns.Length; i++)
        {
            var c = index.Columns[i].Column;
            key[i] = c < 0 ? SqlValue.FromInteger(rowid) : row[c];
        }

        key[^1] = SqlValue.FromInteger(rowid);
        return key;
    }

    /// <summary>Adds a row's entry to an index (checking UNIQUE first) through the index's open cursor.</summary>
    private static void InsertIndexEntry(TableInfo table, IndexInfo index, SqlValue[] row, long rowid, BTreeCursor indexCursor)
    {
        CheckUnique(table, index, row, indexCursor);
        indexCursor.Insert(RecordFormat.Encode(IndexKey(index, row, rowid)));
    }

    /// <summary>A UNIQUE index refuses a second entry with the same key (keys with a NULL never clash).</summary>
    private static void CheckUnique(TableInfo table, IndexInfo index, SqlValue[] row, BTreeCursor cursor)
    {
        if (!index.Unique)
        {
            return;
        }

        var prefix = new SqlValue[index.Columns.Length];
        for (var i = 0; i < prefix.Length; i++)
        {
            prefix[i] = row[index.Columns[i].Column];
            if (prefix[i].IsNull)
            {
                return;
            }
        }

        if (cursor.Seek(prefix, SeekOp.GE) && cursor.CompareCurrent(prefix) == 0)
        {
            var names = string.Join(", ", index.Columns.Select(c => $"{table.Name}.{table.Columns[c.Column].Name}"));
            throw new SqlRuntimeException($"UNIQUE constraint failed: {names}", SqlRuntimeException.Constraint);
        }
    }
}
