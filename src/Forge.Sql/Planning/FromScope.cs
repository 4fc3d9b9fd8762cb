using Forge.Sql.Execution;
using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>One FROM item as the planner sees it: a table, or the rows of a subquery, view or CTE.</summary>
internal sealed class SourceInfo
{
    public required string Name { get; init; }

    public required int Slot { get; init; }

    /// <summary>Position in the FROM clause (0 = first).</summary>
    public required int Position { get; init; }

    public TableInfo? Table { get; init; }

    /// <summary>The indexes INDEXED BY / NOT INDEXED leave to the planner (null: no hint).</summary>
    public IReadOnlyList<IndexInfo>? IndexHint { get; init; }

    /// <summary>The table's indexes the planner may use for this source.</summary>
    public IReadOnlyList<IndexInfo> UsableIndexes => IndexHint ?? (IReadOnlyList<IndexInfo>?)Table?.Indexes ?? [];

    public required string[] Columns { get; init; }

    public required Affinity[] Affinities { get; init; }

    public required Collation[] Collations { get; init; }

    /// <summary>The subquery/view/CTE producing the rows (null for a table).</summary>
    public RowOperator? Query { get; init; }

    /// <summary>The recursive CTE's queue row (its self-reference in the recursive arm).</summary>
    public QueueRowAccess? Queue { get; init; }

    /// <summary>Columns merged by USING/NATURAL into a column of an earlier item: not in *, not ambiguous.</summary>
    public HashSet<string> Hidden { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool LeftOuter { get; init; }

    public int FindColumn(string name) => Array.FindIndex(Columns, c => c.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Name resolution over one SELECT's FROM items, then the enclosing queries' (a correlated
/// reference). A scope with no items between a subquery and its outer query records whether
/// anything inside resolved outside (<see cref="Correlated"/>).
/// </summary>
internal sealed class FromScope(List<SourceInfo> sources, FromScope? parent) : IColumnScope
{
    public List<SourceInfo> Sources => sources;

    public bool Correlated { get; private set; }

    public bool TryResolve(string? table, string column, out ColumnBinding binding)
    {
        if (TryLocal(table, column, out binding, out _, out _))
        {
            return true;
        }

        if (parent is not null && parent.TryResolve(table, column, out binding))
        {
            Correlated = true;
            return true;
        }

        return false;
    }

    /// <summary>Resolves in this scope's own items; the source and column index (-1: rowid) found.</summary>
    public bool TryLocal(string? table, string column, out ColumnBinding binding, out SourceInfo? source, out int columnIndex)
    {
        binding = default;
        source = null;
        columnIndex = -1;
        var matches = 0;
        foreach (var s in sources)
        {
            if (table is not null && !s.Name.Equals(table, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var c = s.FindColumn(column);
            if (c < 0 || (table is null && s.Hidden.Contains(column)))
            {
                continue;
            }

            matches++;
            if (matches == 1)
            {
                source = s;
                columnIndex = c;
            }
        }

        if (matches > 1)
        {
            throw new SqlPrepareException($"ambiguous column name: {(table is null ? column : table + "." + column)}");
        }

        if (matches == 0 && Database.IsRowidName(column))
        {
            foreach (var s in sources)
            {
                if (s.Table is not null && (table is null || s.Name.Equals(table, StringComparison.OrdinalIgnoreCase)))
                {
                    matches++;
                    source ??= s;
                }
            }

            if (matches > 1)
            {
                throw new SqlPrepareException($"ambiguous column name: {(table is null ? column : table + "." + column)}");
            }

            if (matches == 1)
            {
                columnIndex = -1;
                binding = new ColumnBinding(source!.Slot, -1, Affinity.Integer, Collation.Binary);
                return true;
            }
        }

        if (matches == 0)
        {
            return false;
        }

        var t = source!.Table;
        binding = t is not null && columnIndex == t.RowidAlias
            ? new ColumnBinding(source.Slot, -1, Affinity.Integer, Collation.Binary)
            : new ColumnBinding(source.Slot, columnIndex, source.Affinities[columnIndex], source.Collations[columnIndex]) { BlobColumn = t is not null && source.Affinities[columnIndex] == Affinity.Blob };
        if (t is not null && columnIndex == t.RowidAlias)
        {
            binding = binding with { Affinity = t.Columns[columnIndex].Affinity, Collation = t.Columns[columnIndex].Collation };
        }

        return true;
    }
}
