using Forge.Sql.Parsing;
using Forge.Sql.Planning;

namespace Forge.Sql.Execution;

public sealed partial class Database
{
    /// <summary>
    /// REINDEX [collation | table | index]: rebuilds the named indexes from their tables (cleared,
    /// then built from the sorted keys as CREATE INDEX does). As in sqlite3, a bare name is tried
    /// as a collation first, then as a table, then as an index.
    /// </summary>
    private ResultSet Reindex(ReindexStmt reindex)
    {
        var targets = new List<(TableInfo Table, IndexInfo Index)>();
        void AddWhere(Func<IndexInfo, bool> match)
        {
            foreach (var table in _catalog.Tables)
            {
                foreach (var index in table.Indexes)
                {
                    if (match(index))
                    {
                        targets.Add((table, index));
                    }
                }
            }
        }

        if (reindex.Name is not { } name)
        {
            AddWhere(_ => true);
        }
        else
        {
            if (name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
            {
                throw new SqlPrepareException($"unknown database {schema}");
            }

            if (name.Schema is null && name.Name.All(char.IsLetter) && Enum.TryParse<Records.Collation>(name.Name, ignoreCase: true, out var collation))
            {
                AddWhere(i => i.Columns.Any(c => c.Collation == collation));
            }
            else if (_catalog.FindTable(name.Name) is { } table)
            {
                targets.AddRange(table.Indexes.Select(i => (table, i)));
            }
            else if (_catalog.FindIndex(name.Name) is { } index && _catalog.FindTable(index.Table) is { } owner)
            {
                targets.Add((owner, index));
            }
            else
            {
                throw new SqlPrepareException("unable to identify the object to be reindexed");
            }
        }

        foreach (var (table, index) in targets)
        {
            _store.ClearTree(index.Root);
            BuildIndex(table, index, index.Root);
        }

        return ResultSet.Empty;
    }
}
