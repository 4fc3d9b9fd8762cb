using Forge.Sql.BTree;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Schema;

namespace Forge.Sql.Execution;

/// <summary>CREATE TABLE and CREATE INDEX: a new b-tree, its sqlite_schema row (the statement's own text, as SQLite stores it).</summary>
public sealed partial class Database
{
    private ResultSet CreateTable(CreateTableStmt create, string sql)
    {
        if (create.Name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"unknown database {schema}");
        }

        var name = create.Name.Name;
        if (_catalog.FindTable(name) is not null || _catalog.FindView(name) is not null || _catalog.FindIndex(name) is not null)
        {
            if (create.IfNotExists)
            {
                return ResultSet.Empty;
            }

            throw NameTaken(create.Name, sql);
        }

        if (name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"object name reserved for internal use: {name}");
        }

        if (create.WithoutRowid || create.Temp)
        {
            throw new SqlPrepareException("not supported yet: CREATE TEMP TABLE and WITHOUT ROWID");
        }

        if (create.AsSelect is { } select)
        {
            return CreateTableAs(create, select, sql);
        }

        var duplicate = create.Columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SqlPrepareException($"duplicate column name: {duplicate.Key}");
        }

        var text = StoredCreateText(create, sql);
        var info = Catalog.TableFrom((CreateTableStmt)SqlParser.Parse(text).Statement!, 0, 0, text);
        var autoincrement = create.Columns.Any(c => c.Constraints.OfType<PrimaryKeyColumnConstraint>().Any(p => p.Autoincrement))
            || create.Constraints.OfType<PrimaryKeyTableConstraint>().Any(p => p.Autoincrement);
        if (autoincrement && !info.Columns.Any(c => c.IsRowidAlias))
        {
            throw new SqlPrepareException("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
        }

        var root = _store.CreateTree(TreeKind.Table);
        var rowid = SchemaTable.Insert(_store, "table", name, name, root, text);
        var table = new TableInfo(name, root, info.Columns, rowid, text);
        _catalog.Add(table);

        // UNIQUE and non-rowid PRIMARY KEY constraints get their sqlite_autoindex_T_N, as in SQLite.
        var n = 0;
        foreach (var columns in Catalog.ConstraintIndexes(create, table))
        {
            n++;
            var indexName = $"sqlite_autoindex_{name}_{n}";
            var indexRoot = _store.CreateTree(TreeKind.Index);
            var indexRowid = SchemaTable.Insert(_store, "index", indexName, name, indexRoot, null);
            _catalog.Add(new IndexInfo(indexName, name, indexRoot, true, columns, indexRowid));
        }

        // AUTOINCREMENT keeps the largest rowid ever used in sqlite_sequence, made with the first such table.
        if (autoincrement && SequenceRoot() == 0)
        {
            var sequenceRoot = _store.CreateTree(TreeKind.Table);
            SchemaTable.Insert(_store, "table", "sqlite_sequence", "sqlite_sequence", sequenceRoot, "CREATE TABLE sqlite_sequence(name,seq)");
            _catalog = LoadCatalog();
        }

        return ResultSet.Empty;
    }

    private ResultSet CreateIndex(CreateIndexStmt create, string sql)
    {
        var name = create.Name.Name;
        if (_catalog.FindIndex(name) is not null || _catalog.FindTable(name) is not null || _catalog.FindView(name) is not null)
        {
            if (create.IfNotExists)
            {
                return ResultSet.Empty;
            }

            // sqlite3CreateIndex's two messages; neither points at the name.
            throw new SqlPrepareException(_catalog.FindIndex(name) is not null ? $"index {name} already exists" : $"there is already a table named {name}");
        }

        if (name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"object name reserved for internal use: {name}");
        }

        var table = _catalog.FindTable(create.Table) ?? throw new SqlPrepareException($"no such table: main.{create.Table}");
        if (create.Where is not null)
        {
            throw new SqlPrepareException("not supported yet: partial indexes");
        }

        var text = StoredCreateText(create, sql);
        var root = _store.CreateTree(TreeKind.Index);
        var info = Catalog.IndexFrom(create, table, root, 0);
        var rowid = SchemaTable.Insert(_store, "index", name, table.Name, root, text);
        var index = info with { SchemaRowid = rowid };

        // Fill it from the table's rows: sorted keys, built bottom-up (uniqueness checked on the sorted run).
        BuildIndex(table, index, root);

        _catalog.Add(index);
        return ResultSet.Empty;
    }

    /// <summary>
    /// The CREATE text sqlite_schema keeps, as sqlite3 builds it: "CREATE TABLE " or "CREATE
    /// [UNIQUE] INDEX " and then the source from the object's name (no schema prefix, no IF NOT
    /// EXISTS) to the table's closing parenthesis, or, for an index or a table with options
    /// (WITHOUT ROWID, STRICT), to the statement's end (the ';' left out, the blanks before it kept).
    /// </summary>
    private static string StoredCreateText(Statement create, string sql)
    {
        var (name, head, toParen) = create switch
        {
            CreateTableStmt t => (t.Name, "CREATE TABLE ", !t.WithoutRowid && !t.Strict),
            CreateIndexStmt i => (i.Name, i.Unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ", false),
            _ => throw new ArgumentException("not a CREATE TABLE or INDEX", nameof(create)),
        };
        if (name.End <= name.Start || create.End > sql.Length)
        {
            return SourceText(create, sql);
        }

        var start = TokensOf(sql, name.Start, name.End)[^1].Start;
        int end;
        if (toParen)
        {
            end = start + CloseParenOf(sql[start..create.End]) + 1;
        }
        else
        {
            var next = TokensOf(sql, create.End).FirstOrDefault();
            end = next.Length > 0 && next.Kind == Tokenizer.TokenKind.Semicolon ? next.Start : create.End;
            if (next.Length == 0)
            {
                end = sql.Length;
            }
        }

        return head + sql[start..end];
    }

    /// <summary>
    /// sqlite3StartTable's answer when a CREATE TABLE or CREATE VIEW name is taken: "table|view X
    /// already exists" with the caret under the name (its %T records the offset), or "there is
    /// already an index named X" without one.
    /// </summary>
    private SqlPrepareException NameTaken(QualifiedName name, string sql)
    {
        var n = name.Name;
        if (_catalog.FindIndex(n) is not null && _catalog.FindTable(n) is null && _catalog.FindView(n) is null)
        {
            return new SqlPrepareException($"there is already an index named {n}");
        }

        // %T prints the name as written, quotes and all.
        var kind = _catalog.FindView(n) is not null ? "view" : "table";
        var at = NameTokenOffset(name, sql);
        var token = name.End <= sql.Length && at < name.End ? sql[at..name.End] : n;
        return new SqlPrepareException($"{kind} {token} already exists", at);
    }

    /// <summary>Where the last part of a possibly qualified name starts (its opening quote, if quoted).</summary>
    private static int NameTokenOffset(QualifiedName name, string sql)
    {
        var end = Math.Min(name.End, sql.Length);
        if (end <= name.Start)
        {
            return name.Start;
        }

        var open = sql[end - 1] switch { '"' => '"', '`' => '`', ']' => '[', '\'' => '\'', _ => '\0' };
        if (open != '\0')
        {
            for (var i = end - 2; i >= name.Start; i--)
            {
                if (sql[i] != open)
                {
                    continue;
                }

                if (open != '[' && i > name.Start && sql[i - 1] == open)
                {
                    i--; // a doubled quote inside the name
                    continue;
                }

                return i;
            }

            return name.Start;
        }

        var j = end;
        while (j > name.Start && (char.IsLetterOrDigit(sql[j - 1]) || sql[j - 1] is '_' or '$' || sql[j - 1] > 127))
        {
            j--;
        }

        return j;
    }
}
