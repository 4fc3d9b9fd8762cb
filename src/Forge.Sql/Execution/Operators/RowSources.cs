using System.Runtime.CompilerServices;
using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution.Operators;

/// <summary>
/// The row under a table cursor: columns are decoded on demand from the cursor's record (the
/// header is parsed once per row), the INTEGER PRIMARY KEY read from the rowid, a REAL column's
/// integer-stored value read back as REAL. Nothing is copied; values are valid until the cursor moves.
/// </summary>
internal sealed class CursorRow(TableInfo table) : IRowSource
{
    private readonly TableInfo _table = table;
    private readonly int _rowidAlias = table.RowidAlias;
    private readonly ColumnInfo[] _columns = table.Columns;

    public BTreeCursor? Cursor { get; set; }

    public long RowId => Cursor!.Rowid;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SqlValue Column(int index)
    {
        if (index == _rowidAlias)
        {
            return SqlValue.FromInteger(Cursor!.Rowid);
        }

        if (!Cursor!.Record.TryGetValue(index, out var v))
        {
            // The row predates ALTER TABLE ADD COLUMN: the column's default, as sqlite3 reads it.
            return Database.MissingValue(_table, index);
        }

        return v.Type == SqlType.Integer && _columns[index].Affinity == Affinity.Real ? SqlValue.FromReal(v.AsInteger) : v;
    }
}

/// <summary>The row of a covering index entry: table columns mapped to index fields, the rowid from the last field.</summary>
internal sealed class IndexEntryRow(TableInfo table, int[] fieldOfColumn) : IRowSource
{
    private readonly int _rowidAlias = table.RowidAlias;
    private readonly ColumnInfo[] _columns = table.Columns;

    public BTreeCursor? Cursor { get; set; }

    public long RowId => Cursor!.IndexRowid();

    public SqlValue Column(int index)
    {
        if (index == _rowidAlias)
        {
            return SqlValue.FromInteger(RowId);
        }

        var v = Cursor!.Record.GetValue(fieldOfColumn[index]);
        return v.Type == SqlType.Integer && _columns[index].Affinity == Affinity.Real ? SqlValue.FromReal(v.AsInteger) : v;
    }
}

/// <summary>A row held in an array (subquery results, the NULL-free rows of materialized sources).</summary>
internal sealed class ArrayRow : IRowSource
{
    public SqlValue[] Values { get; set; } = [];

    public long RowId { get; set; }

    public SqlValue Column(int index) => index < Values.Length ? Values[index] : SqlValue.Null;
}
