using Forge.Sql.BTree;
using Forge.Sql.Records;

namespace Forge.Sql.Schema;

/// <summary>One row of sqlite_schema: what an object is, its name, its table, its root page and its SQL text.</summary>
internal sealed record SchemaRow(long Rowid, string Type, string Name, string TableName, long RootPage, string? Sql);

/// <summary>
/// sqlite_schema (the table b-tree rooted at page 1) at the storage level: its five columns
/// <c>type, name, tbl_name, rootpage, sql</c> as plain values. Parsing the SQL text is the parser's job.
/// Every change bumps the schema cookie (header offset 40), which tells other connections (and
/// sqlite3) to reload the schema.
/// </summary>
internal static class SchemaTable
{
    public const uint RootPage = 1;

    public const int TypeColumn = 0;
    public const int NameColumn = 1;
    public const int TableNameColumn = 2;
    public const int RootPageColumn = 3;
    public const int SqlColumn = 4;

    public static List<SchemaRow> ReadAll(BTreeStore store)
    {
        var rows = new List<SchemaRow>();
        if (store.Pager.PageCount == 0)
        {
            return rows;
        }

        using var cursor = store.OpenTable(RootPage);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var r = cursor.Record;
            var sql = r.GetValue(SqlColumn);
            rows.Add(new SchemaRow(
                cursor.Rowid,
                r.GetValue(TypeColumn).AsString(),
                r.GetValue(NameColumn).AsString(),
                r.GetValue(TableNameColumn).AsString(),
                r.GetInt64(RootPageColumn),
                sql.IsNull ? null : sql.AsString()));
        }

        return rows;
    }

    /// <summary>Adds a row (rowid = largest + 1) and bumps the schema cookie; returns the rowid.</summary>
    public static long Insert(BTreeStore store, string type, string name, string tableName, long rootPage, string? sql)
    {
        using var cursor = store.OpenTable(RootPage);
        var rowid = cursor.MaxRowid() + 1;
        cursor.Insert(rowid, Encode(type, name, tableName, rootPage, sql));
        store.Pager.BumpSchemaCookie();
        return rowid;
    }

    /// <summary>Replaces a row's values (for example a new root page) and bumps the schema cookie.</summary>
    public static void Update(BTreeStore store, long rowid, string type, string name, string tableName, long rootPage, string? sql)
    {
        using var cursor = store.OpenTable(RootPage);
        cursor.Insert(rowid, Encode(type, name, tableName, rootPage, sql));
        store.Pager.BumpSchemaCookie();
    }

    /// <summary>Deletes a row by rowid and bumps the schema cookie; false when there was none.</summary>
    public static bool Delete(BTreeStore store, long rowid)
    {
        using var cursor = store.OpenTable(RootPage);
        if (!cursor.SeekRowid(rowid, out var exact) || !exact)
        {
            return false;
        }

        cursor.Delete();
        store.Pager.BumpSchemaCookie();
        return true;
    }

    public static byte[] Encode(string type, string name, string tableName, long rootPage, string? sql) =>
        RecordFormat.Encode(
        [
            SqlValue.FromText(type),
            SqlValue.FromText(name),
            SqlValue.FromText(tableName),
            SqlValue.FromInteger(rootPage),
            sql is null ? SqlValue.Null : SqlValue.FromText(sql),
        ]);
}
