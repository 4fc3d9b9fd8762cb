using System.Globalization;
using Forge.Sql.BTree;
using Forge.Sql.Pager;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// PRAGMA: the schema-introspection pragmas (table_info, table_xinfo, index_list, index_info,
/// index_xinfo, table_list, database_list), the header fields (page_size, page_count,
/// freelist_count, schema_version, user_version, application_id, encoding), integrity_check and
/// quick_check, and the settings sqlite3 reports for a rollback-journal connection. Output columns
/// and values are sqlite3 3.40's. As in SQLite, an unknown pragma, or one naming a table or index
/// that does not exist, returns nothing and is not an error.
/// </summary>
public sealed partial class Database
{
    private ResultSet Pragma(PragmaStmt pragma)
    {
        if (pragma.Name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase) && !schema.Equals("temp", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"unknown database {schema}");
        }

        var name = pragma.Name.Name.ToLowerInvariant();
        var arg = pragma.Value;
        switch (name)
        {
            case "table_info":
            case "table_xinfo":
                return arg is null ? ResultSet.Empty : TableInfoPragma(arg, extended: name == "table_xinfo");
            case "index_list":
                return arg is null ? ResultSet.Empty : IndexListPragma(arg);
            case "index_info":
            case "index_xinfo":
                return arg is null ? ResultSet.Empty : IndexInfoPragma(arg, extended: name == "index_xinfo");
            case "table_list":
                return TableListPragma();
            case "database_list":
                return Rows(["seq", "name", "file"], [[Int(0), Text("main"), Text(_path is null ? "" : Path.GetFullPath(_path))]]);
            case "integrity_check":
            case "quick_check":
                return IntegrityCheckPragma(name);
            case "page_size":
                return Single(name, _store.Pager.PageSize);
            case "page_count":
                return Single(name, _store.Pager.PageCount);
            case "freelist_count":
                return Single(name, _store.Pager.FreelistCount);
            case "schema_version":
                return Single(name, _store.Pager.SchemaCookie);
            case "user_version":
            case "application_id":
                {
                    var offset = name == "user_version" ? DatabaseHeader.UserVersion : DatabaseHeader.ApplicationId;
                    if (arg is null)
                    {
                        return Single(name, (int)_store.Pager.ReadHeaderField(offset));
                    }

                    var value = long.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;
                    WriteHeaderPragma(offset, (uint)(int)value);
                    return ResultSet.Empty;
                }

            case "encoding":
                return Rows([name], [[Text("UTF-8")]]);
            case "journal_mode":
                return Rows([name], [[Text(_path is null ? "memory" : "delete")]]);
            case "cache_size":
                if (arg is null)
                {
                    return Single(name, _store.Pager.CacheSizeSetting);
                }

                // sqlite3 reads the argument as an integer (a non-number is 0) and keeps it as given.
                _store.Pager.SetCacheSize(long.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size) ? size : 0);
                return ResultSet.Empty;
            case "synchronous":
                return arg is null ? Single(name, 2) : ResultSet.Empty;
            case "foreign_keys":
            case "auto_vacuum":
            case "recursive_triggers":
            case "case_sensitive_like":
            case "busy_timeout":
                return arg is null ? Single(name, 0) : ResultSet.Empty;
            case "max_page_count":
                return Single(name, 1073741823);
            case "collation_list":
                return Rows(["seq", "name"], [[Int(0), Text("RTRIM")], [Int(1), Text("NOCASE")], [Int(2), Text("BINARY")]]);
            default:
                return ResultSet.Empty;
        }
    }

    private void WriteHeaderPragma(int offset, uint value)
    {
        var autocommit = !_explicitTransaction;
        if (autocommit)
        {
            _store.Begin();
        }

        try
        {
            _store.Pager.WriteHeaderField(offset, value);
            if (autocommit)
            {
                _store.Commit();
            }
        }
        catch
        {
            if (autocommit)
            {
                _store.Rollback();
            }

            throw;
        }
    }

    private ResultSet TableInfoPragma(string tableName, bool extended)
    {
        if (_catalog.FindTable(tableName) is not { } table || SqlParser.Parse(table.Sql).Statement is not CreateTableStmt create)
        {
            return _catalog.FindView(tableName) is { } view ? ViewInfoPragma(view, extended) : ResultSet.Empty;
        }

        var pk = PrimaryKeyColumns(create, table);
        var rows = new List<SqlValue[]>();
        for (var i = 0; i < create.Columns.Count; i++)
        {
            var def = create.Columns[i];
            var column = table.Columns[i];
            var dflt = def.Constraints.OfType<DefaultColumnConstraint>().LastOrDefault()?.Value;
            var row = new List<SqlValue>
            {
                Int(i),
                Text(column.Name),
                Text(def.Type is null ? "" : table.Sql[def.Type.Start..def.Type.End]),
                Int(column.NotNull ? 1 : 0),
                dflt is null ? SqlValue.Null : Text(DefaultText(table.Sql, dflt)),
                Int(pk.IndexOf(i) + 1),
            };
            if (extended)
            {
                row.Add(Int(0));
            }

            rows.Add([.. row]);
        }

        return Rows(extended ? ["cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"] : ["cid", "name", "type", "notnull", "dflt_value", "pk"], rows);
    }

    private ResultSet ViewInfoPragma(ViewInfo view, bool extended)
    {
        // The view is planned, not run: only its column names are wanted.
        var names = SelectPlanner.UniqueColumnNames(view.Columns is { } declared ? [.. declared] : PrepareSelect(view.Select, view.Sql).Columns);
        var rows = new List<SqlValue[]>();
        for (var i = 0; i < names.Length; i++)
        {
            SqlValue[] row = extended
                ? [Int(i), Text(names[i]), Text(""), Int(0), SqlValue.Null, Int(0), Int(0)]
                : [Int(i), Text(names[i]), Text(""), Int(0), SqlValue.Null, Int(0)];
            rows.Add(row);
        }

        return Rows(extended ? ["cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"] : ["cid", "name", "type", "notnull", "dflt_value", "pk"], rows);
    }

    /// <summary>A DEFAULT's text as sqlite3 reports it: the expression as written, without the parentheses of DEFAULT (expr).</summary>
    private static string DefaultText(string sql, Expr value) => sql[value.Start..value.End].Trim();

    /// <summary>The table's PRIMARY KEY columns in key order (the rowid alias included).</summary>
    private static List<int> PrimaryKeyColumns(CreateTableStmt create, TableInfo table)
    {
        var pk = new List<int>();
        for (var i = 0; i < create.Columns.Count; i++)
        {
            if (create.Columns[i].Constraints.OfType<PrimaryKeyColumnConstraint>().Any())
            {
                pk.Add(i);
            }
        }

        foreach (var constraint in create.Constraints.OfType<PrimaryKeyTableConstraint>())
        {
            foreach (var term in constraint.Columns)
            {
                var expr = term.Expr is CollateExpr ce ? ce.Operand : term.Expr;
                if (expr is ColumnRef r && table.FindColumn(r.Column) is var c and >= 0)
                {
                    pk.Add(c);
                }
            }
        }

        return pk;
    }

    private ResultSet IndexListPragma(string tableName)
    {
        if (_catalog.FindTable(tableName) is not { } table)
        {
            return ResultSet.Empty;
        }

        var create = SqlParser.Parse(table.Sql).Statement as CreateTableStmt;
        var pk = create is null ? [] : PrimaryKeyColumns(create, table);
        var rows = new List<SqlValue[]>();
        var seq = 0;
        foreach (var index in Enumerable.Reverse(table.Indexes))
        {
            var auto = index.Name.StartsWith("sqlite_autoindex_", StringComparison.OrdinalIgnoreCase);
            var origin = !auto ? "c" : index.Columns.Select(c => c.Column).SequenceEqual(pk) ? "pk" : "u";
            rows.Add([Int(seq++), Text(index.Name), Int(index.Unique ? 1 : 0), Text(origin), Int(0)]);
        }

        return Rows(["seq", "name", "unique", "origin", "partial"], rows);
    }

    private ResultSet IndexInfoPragma(string indexName, bool extended)
    {
        if (_catalog.FindIndex(indexName) is not { } index || _catalog.FindTable(index.Table) is not { } table)
        {
            return ResultSet.Empty;
        }

        var rows = new List<SqlValue[]>();
        for (var i = 0; i < index.Columns.Length; i++)
        {
            var c = index.Columns[i];
            var name = c.Column >= 0 ? Text(table.Columns[c.Column].Name) : SqlValue.Null;
            rows.Add(extended
                ? [Int(i), Int(c.Column), name, Int(c.Descending ? 1 : 0), Text(CollationName(c.Collation)), Int(1)]
                : [Int(i), Int(c.Column), name]);
        }

        if (!extended)
        {
            return Rows(["seqno", "cid", "name"], rows);
        }

        rows.Add([Int(index.Columns.Length), Int(-1), SqlValue.Null, Int(0), Text("BINARY"), Int(0)]);
        return Rows(["seqno", "cid", "name", "desc", "coll", "key"], rows);
    }

    private static string CollationName(Collation collation) => collation switch
    {
        Collation.NoCase => "NOCASE",
        Collation.RTrim => "RTRIM",
        _ => "BINARY",
    };

    private ResultSet TableListPragma()
    {
        var rows = new List<SqlValue[]>();
        var objects = _catalog.Tables.Select(t => (t.Name, Type: "table", Columns: t.Columns.Length, t.SchemaRowid))
            .Concat(_catalog.Views.Where(v => !_tempViews.ContainsKey(v.Name)).Select(v => (v.Name, Type: "view", Columns: ViewColumnCount(v), v.SchemaRowid)))
            .OrderByDescending(o => o.SchemaRowid);
        foreach (var o in objects)
        {
            rows.Add([Text("main"), Text(o.Name), Text(o.Type), Int(o.Columns), Int(0), Int(0)]);
        }

        rows.Add([Text("main"), Text("sqlite_schema"), Text("table"), Int(5), Int(0), Int(0)]);
        foreach (var v in _tempViews.Values)
        {
            rows.Add([Text("temp"), Text(v.Name), Text("view"), Int(ViewColumnCount(v)), Int(0), Int(0)]);
        }

        rows.Add([Text("temp"), Text("sqlite_temp_schema"), Text("table"), Int(5), Int(0), Int(0)]);
        return Rows(["schema", "name", "type", "ncol", "wr", "strict"], rows);
    }

    private int ViewColumnCount(ViewInfo view)
    {
        try
        {
            return view.Columns?.Count ?? PrepareSelect(view.Select, view.Sql).Columns.Count;
        }
        catch (Exception e) when (e is SqlPrepareException or SqlRuntimeException)
        {
            return 0;
        }
    }

    private ResultSet IntegrityCheckPragma(string name)
    {
        var trees = new List<(uint Root, bool Table, KeyInfo KeyInfo)> { (1, true, KeyInfo.Default) };
        foreach (var table in _catalog.Tables)
        {
            trees.Add((table.Root, true, KeyInfo.Default));
            foreach (var index in table.Indexes)
            {
                trees.Add((index.Root, false, KeyInfoOf(index)));
            }
        }

        var errors = IntegrityCheck.Run(_store, trees);
        if (errors.Count == 0)
        {
            return Rows([name], [[Text("ok")]]);
        }

        return Rows([name], [.. errors.Take(100).Select(e => new[] { Text(e) })]);
    }

    private static ResultSet Single(string column, long value) => Rows([column], [[Int(value)]]);

    private static ResultSet Rows(IReadOnlyList<string> columns, List<SqlValue[]> rows) => new(columns, [.. rows.Select(r => new SqlRow(r))]);

    private static SqlValue Int(long value) => SqlValue.FromInteger(value);

    private static SqlValue Text(string value) => SqlValue.FromText(value);
}
