using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Schema;
using Forge.Sql.Tokenizer;

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

        if (_store.Pager.IsAutoVacuum && drop.Kind is DropKind.Table or DropKind.Index)
        {
            // Freeing a tree there means moving the last root page into the hole (and the pointer map).
            throw new SqlPrepareException("not supported yet: DROP TABLE and DROP INDEX in auto-vacuum databases");
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
                    DropTempTriggersOn(table.Name);
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

        _catalog = LoadCatalog();
        return ResultSet.Empty;
    }

    private ResultSet Alter(AlterTableStmt alter, string sql)
    {
        var table = AlterTarget(alter.Table);
        var rows = SchemaTable.ReadAll(_store);
        switch (alter)
        {
            case RenameTableStmt r:
                RenameTable(table, r.NewName, rows);
                break;
            case RenameColumnStmt r:
                RenameColumn(table, r, sql, rows);
                break;
            case AddColumnStmt a:
                AddColumn(table, a.Column, sql, rows);
                break;
            case DropColumnStmt d:
                DropColumn(table, d, sql, rows);
                break;
        }

        _catalog = LoadCatalog();
        _rules.Clear();
        return ResultSet.Empty;
    }

    private TableInfo AlterTarget(QualifiedName name)
    {
        if (name.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"no such table: {schema}.{name.Name}");
        }

        if (name.Name.Equals("sqlite_schema", StringComparison.OrdinalIgnoreCase) || name.Name.Equals("sqlite_master", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException("table sqlite_master may not be altered");
        }

        var table = _catalog.FindTable(name.Name) ?? throw new SqlPrepareException($"no such table: {name.Name}");
        if (table.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"table {table.Name} may not be altered");
        }

        return table;
    }

    // ---- RENAME TO ----

    /// <summary>
    /// The table's name in its CREATE text, in its indexes' ON clauses and in other tables'
    /// REFERENCES becomes <c>"new"</c> (sqlite3 always writes it quoted); autoindexes and the
    /// sqlite_sequence row follow the new name.
    /// </summary>
    private void RenameTable(TableInfo table, string newName, List<SchemaRow> rows)
    {
        if (_catalog.FindTable(newName) is not null || _catalog.FindIndex(newName) is not null
            || rows.Any(r => r.Name.Equals(newName, StringComparison.OrdinalIgnoreCase)))
        {
            throw new SqlPrepareException($"there is already another table or index with this name: {newName}");
        }

        if (newName.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"object name reserved for internal use: {newName}");
        }

        var old = table.Name;
        var quoted = QuoteName(newName);
        foreach (var row in rows)
        {
            if (row.Sql is null && !(row.Type == "index" && row.TableName.Equals(old, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var edits = new List<(int Start, int Length, string Text)>();
            var name = row.Name;
            var tableName = row.TableName;
            if (row.Type == "table" && row.Sql is not null)
            {
                if (row.Rowid == table.SchemaRowid)
                {
                    var create = (CreateTableStmt)SqlParser.Parse(row.Sql).Statement!;
                    var nameToken = TokensOf(row.Sql, create.Name.Start, create.Name.End)[^1];
                    edits.Add((nameToken.Start, nameToken.Length, quoted));
                    name = tableName = newName;
                }

                foreach (var (t, _) in ReferencesTo(row.Sql, old))
                {
                    edits.Add((t.Start, t.Length, quoted));
                }
            }
            else if (row.Type == "trigger" && row.Sql is not null)
            {
                edits.AddRange(TriggerTableEdits(row.Sql, old, quoted));
                if (row.TableName.Equals(old, StringComparison.OrdinalIgnoreCase))
                {
                    tableName = newName;
                }
            }
            else if (row.Type == "index" && row.TableName.Equals(old, StringComparison.OrdinalIgnoreCase))
            {
                tableName = newName;
                var prefix = "sqlite_autoindex_" + old + "_";
                if (row.Sql is null && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    name = "sqlite_autoindex_" + newName + "_" + name[prefix.Length..];
                }

                if (row.Sql is not null)
                {
                    var tokens = TokensOf(row.Sql);
                    var on = tokens.FindIndex(t => t.Kind == TokenKind.On);
                    if (on >= 0 && on + 1 < tokens.Count)
                    {
                        edits.Add((tokens[on + 1].Start, tokens[on + 1].Length, quoted));
                    }
                }
            }

            if (edits.Count == 0 && name == row.Name && tableName == row.TableName)
            {
                continue;
            }

            SchemaTable.Update(_store, row.Rowid, row.Type, name, tableName, row.RootPage, row.Sql is null ? null : ApplyEdits(row.Sql, edits));
        }

        RenameTempTriggers(old, newName);
        var (root, seqRowid, seq) = FindSequence(old);
        if (seqRowid >= 0)
        {
            using var cursor = _store.OpenTable(root);
            cursor.Insert(seqRowid, Records.RecordFormat.Encode([Records.SqlValue.FromText(newName), Records.SqlValue.FromInteger(seq)]));
        }
    }

    // ---- RENAME COLUMN ----

    /// <summary>
    /// Every mention of the column (its definition, CHECK and key lists, FOREIGN KEY lists, its
    /// indexes, other tables' REFERENCES to it) gets the new name: as written in the ALTER
    /// statement where the old one was bare, double-quoted where it was quoted (sqlite3's rule).
    /// </summary>
    private void RenameColumn(TableInfo table, RenameColumnStmt rename, string sql, List<SchemaRow> rows)
    {
        var c = table.FindColumn(rename.Column);
        if (c < 0)
        {
            // sqlite3 points at the name (the last name before TO).
            var tokens = TokensOf(sql, rename.Start, rename.End);
            var to = tokens.FindLastIndex(t => t.Kind == TokenKind.To);
            var at = to > 0 ? tokens[to - 1].Start : rename.Start;
            throw new SqlPrepareException($"no such column: \"{rename.Column}\"", at);
        }

        var oldName = table.Columns[c].Name;
        var newName = rename.NewName;
        var statementTokens = TokensOf(sql, rename.Start, rename.End);
        var newToken = statementTokens.LastOrDefault(t => IsNameToken(t.Kind));
        var newWasQuoted = newToken.Length > 0 && !SqlTokenizer.IsIdChar(sql[newToken.Start]);
        string Replacement(Token t, string text) => SqlTokenizer.IsIdChar(text[t.Start]) && !newWasQuoted ? newName : QuoteName(newName);

        foreach (var row in rows.Where(r => r.Sql is not null))
        {
            var text = row.Sql!;
            var edits = new List<Token>();
            if (row.Type == "table" && row.Rowid == table.SchemaRowid)
            {
                var create = (CreateTableStmt)SqlParser.Parse(text).Statement!;
                foreach (var def in create.Columns)
                {
                    var first = TokensOf(text, def.Start, def.End)[0];
                    if (def.Name.Equals(oldName, StringComparison.OrdinalIgnoreCase))
                    {
                        edits.Add(first);
                    }

                    foreach (var constraint in def.Constraints)
                    {
                        switch (constraint)
                        {
                            case CheckColumnConstraint ck:
                                edits.AddRange(ColumnTokens(text, ck.Expr.Start, ck.Expr.End, oldName));
                                break;
                            case GeneratedColumnConstraint g:
                                edits.AddRange(ColumnTokens(text, g.Expr.Start, g.Expr.End, oldName));
                                break;
                        }
                    }
                }

                foreach (var constraint in create.Constraints)
                {
                    switch (constraint)
                    {
                        case CheckTableConstraint ck:
                            edits.AddRange(ColumnTokens(text, ck.Expr.Start, ck.Expr.End, oldName));
                            break;
                        case PrimaryKeyTableConstraint pk:
                            foreach (var term in pk.Columns)
                            {
                                edits.AddRange(ColumnTokens(text, term.Start, term.End, oldName));
                            }

                            break;
                        case UniqueTableConstraint u:
                            foreach (var term in u.Columns)
                            {
                                edits.AddRange(ColumnTokens(text, term.Start, term.End, oldName));
                            }

                            break;
                        case ForeignKeyTableConstraint fk:
                            {
                                // FOREIGN KEY (cols): the first parenthesized list of the constraint.
                                var tokens = TokensOf(text, fk.Start, fk.End);
                                var open = tokens.FindIndex(t => t.Kind == TokenKind.LeftParen);
                                for (var i = open + 1; open >= 0 && i < tokens.Count && tokens[i].Kind != TokenKind.RightParen; i++)
                                {
                                    if (IsNameToken(tokens[i].Kind) && NameOf(tokens[i], text).Equals(oldName, StringComparison.OrdinalIgnoreCase))
                                    {
                                        edits.Add(tokens[i]);
                                    }
                                }

                                break;
                            }
                    }
                }
            }

            if (row.Type == "table")
            {
                // REFERENCES this-table(cols), in any table (this one included).
                foreach (var (_, list) in ReferencesTo(text, table.Name))
                {
                    edits.AddRange(list.Where(t => NameOf(t, text).Equals(oldName, StringComparison.OrdinalIgnoreCase)));
                }
            }
            else if (row.Type == "trigger")
            {
                edits.AddRange(TriggerColumnTokens(text, table.Name, oldName));
            }
            else if (row.Type == "index" && row.TableName.Equals(table.Name, StringComparison.OrdinalIgnoreCase))
            {
                var tokens = TokensOf(text);
                var on = tokens.FindIndex(t => t.Kind == TokenKind.On);
                if (on >= 0 && on + 2 < tokens.Count)
                {
                    edits.AddRange(ColumnTokens(text, tokens[on + 2].Start, text.Length, oldName));
                }
            }

            if (edits.Count == 0)
            {
                continue;
            }

            var newSql = ApplyEdits(text, [.. edits.DistinctBy(t => t.Start).Select(t => (t.Start, t.Length, Replacement(t, text)))]);
            if (row.Type == "table" && row.Rowid == table.SchemaRowid)
            {
                // The parser refuses a duplicate column name.
                if (SqlParser.Parse(newSql).Error is { } error)
                {
                    throw new SqlRuntimeException($"error in table {table.Name} after rename: {error.Message}");
                }
            }

            SchemaTable.Update(_store, row.Rowid, row.Type, row.Name, row.TableName, row.RootPage, newSql);
        }

        foreach (var trigger in _tempTriggers.Values.ToList())
        {
            var tokens = TriggerColumnTokens(trigger.Sql, table.Name, oldName);
            if (tokens.Count > 0)
            {
                var newSql = ApplyEdits(trigger.Sql, [.. tokens.DistinctBy(t => t.Start).Select(t => (t.Start, t.Length, Replacement(t, trigger.Sql)))]);
                _tempTriggers[trigger.Name] = trigger with { Sql = newSql, Create = (CreateTriggerStmt)SqlParser.Parse(newSql).Statement! };
            }
        }

        _programs.Clear();
    }

    // ---- ADD COLUMN ----

    /// <summary>
    /// The column's definition is appended to the CREATE text (before its closing parenthesis, as
    /// sqlite3 does); existing rows stay as they are and read the default for the missing field.
    /// </summary>
    private void AddColumn(TableInfo table, ColumnDef def, string sql, List<SchemaRow> rows)
    {
        if (table.FindColumn(def.Name) >= 0)
        {
            throw new SqlPrepareException($"duplicate column name: {def.Name}");
        }

        if (def.Constraints.OfType<PrimaryKeyColumnConstraint>().Any())
        {
            throw new SqlPrepareException("Cannot add a PRIMARY KEY column");
        }

        if (def.Constraints.OfType<UniqueColumnConstraint>().Any())
        {
            throw new SqlPrepareException("Cannot add a UNIQUE column");
        }

        if (def.Constraints.OfType<GeneratedColumnConstraint>().Any())
        {
            throw new SqlPrepareException("not supported yet: generated columns");
        }

        var dflt = def.Constraints.OfType<DefaultColumnConstraint>().LastOrDefault()?.Value;
        bool NotEmpty()
        {
            using var cursor = _store.OpenTable(table.Root);
            return cursor.First();
        }

        if (def.Constraints.OfType<NotNullColumnConstraint>().Any() && (dflt is null or NullLiteral) && NotEmpty())
        {
            throw new SqlRuntimeException("Cannot add a NOT NULL column with default value NULL");
        }

        if (dflt is not null && !IsConstantDefault(dflt) && NotEmpty())
        {
            throw new SqlRuntimeException("Cannot add a column with non-constant default");
        }

        foreach (var cc in def.Constraints.OfType<CollateColumnConstraint>())
        {
            _ = ExpressionCompiler.CollationByName(cc.Collation);
        }

        var text = SourceText(def, sql).TrimEnd(' ', '\t', '\n', '\r', ';');
        var close = AddColumnOffset(table.Sql);
        var newSql = table.Sql[..close] + ", " + text + table.Sql[close..];
        var row = rows.First(r => r.Rowid == table.SchemaRowid);
        SchemaTable.Update(_store, row.Rowid, row.Type, row.Name, row.TableName, row.RootPage, newSql);
    }

    private static bool IsConstantDefault(Expr e) => e switch
    {
        CurrentTimeLiteral => false,
        CollateExpr c => IsConstantDefault(c.Operand),
        _ => IsConstantSyntax(e),
    };

    // ---- DROP COLUMN ----

    /// <summary>
    /// The column's definition leaves the CREATE text (up to the next column's, or from the comma
    /// before it to the closing parenthesis when it is the last, as sqlite3 cuts it), the schema is
    /// checked again, and every row is rewritten without the field.
    /// </summary>
    private void DropColumn(TableInfo table, DropColumnStmt drop, string statementSql, List<SchemaRow> rows)
    {
        var name = drop.Column;
        var c = table.FindColumn(name);
        if (c < 0)
        {
            var last = TokensOf(statementSql, drop.Start, drop.End).LastOrDefault(t => IsNameToken(t.Kind));
            throw new SqlPrepareException($"no such column: \"{name}\"", last.Length > 0 ? last.Start : drop.Start);
        }

        var create = (CreateTableStmt)SqlParser.Parse(table.Sql).Statement!;
        var inPrimaryKey = table.Columns[c].IsRowidAlias
            || create.Columns[c].Constraints.OfType<PrimaryKeyColumnConstraint>().Any()
            || create.Constraints.OfType<PrimaryKeyTableConstraint>().Any(pk => pk.Columns.Any(t => NamesColumn(t.Expr, table.Columns[c].Name)));
        if (inPrimaryKey)
        {
            throw new SqlPrepareException($"cannot drop PRIMARY KEY column: \"{name}\"");
        }

        if (create.Columns[c].Constraints.OfType<UniqueColumnConstraint>().Any()
            || create.Constraints.OfType<UniqueTableConstraint>().Any(u => u.Columns.Any(t => NamesColumn(t.Expr, table.Columns[c].Name))))
        {
            throw new SqlPrepareException($"cannot drop UNIQUE column: \"{name}\"");
        }

        if (table.Columns.Length == 1)
        {
            throw new SqlPrepareException($"cannot drop column \"{name}\": no other columns exist");
        }

        var sql = table.Sql;
        int start, end;
        if (c < create.Columns.Count - 1)
        {
            start = create.Columns[c].Start;
            end = create.Columns[c + 1].Start;
        }
        else
        {
            start = sql.LastIndexOf(',', create.Columns[c].Start);
            end = AddColumnOffset(sql);
        }

        var newSql = sql[..start] + sql[end..];

        // The schema must still make sense without the column.
        var newCreate = (CreateTableStmt)SqlParser.Parse(newSql).Statement!;
        TableInfo newTable;
        try
        {
            newTable = Catalog.TableFrom(newCreate, table.Root, table.SchemaRowid, newSql);
            var compiler = new ExpressionCompiler(new RowScope(newTable, newTable.Name, 0));
            foreach (var e in newCreate.Constraints.OfType<CheckTableConstraint>().Select(k => k.Expr)
                .Concat(newCreate.Columns.SelectMany(d => d.Constraints.OfType<CheckColumnConstraint>().Select(k => k.Expr))))
            {
                compiler.Compile(e);
            }

            _ = Catalog.ConstraintIndexes(newCreate, newTable).ToList();
        }
        catch (SqlPrepareException e)
        {
            throw new SqlRuntimeException($"error in table {table.Name} after drop column: {e.Message}");
        }

        foreach (var index in rows.Where(r => r.Type == "index" && r.Sql is not null && r.TableName.Equals(table.Name, StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                _ = Catalog.IndexFrom((CreateIndexStmt)SqlParser.Parse(index.Sql!).Statement!, newTable, 0, 0);
            }
            catch (SqlPrepareException e)
            {
                throw new SqlRuntimeException($"error in index {index.Name} after drop column: {e.Message}");
            }
        }

        var row = rows.First(r => r.Rowid == table.SchemaRowid);
        SchemaTable.Update(_store, row.Rowid, row.Type, row.Name, row.TableName, row.RootPage, newSql);

        // Rewrite the rows without the field (rows shorter than it, from before an ADD COLUMN, stay).
        using var cursor = _store.OpenTable(table.Root);
        var changed = new List<(long Rowid, byte[] Record)>();
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            var record = cursor.Record;
            if (record.ColumnCount <= c)
            {
                continue;
            }

            var values = new Records.SqlValue[record.ColumnCount - 1];
            for (int i = 0, j = 0; i < record.ColumnCount; i++)
            {
                if (i != c)
                {
                    values[j++] = record.GetValue(i).Detach();
                }
            }

            changed.Add((cursor.Rowid, Records.RecordFormat.Encode(values)));
        }

        foreach (var (rowid, record) in changed)
        {
            cursor.Insert(rowid, record);
        }

        CheckTriggersAfterDropColumn(table);
    }

    private static bool NamesColumn(Expr e, string column) => e switch
    {
        CollateExpr c => NamesColumn(c.Operand, column),
        ColumnRef r => r.Column.Equals(column, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    // ---- SQL text surgery ----

    private static List<Token> TokensOf(string sql, int start = 0, int end = -1)
    {
        var tokens = new List<Token>();
        end = end < 0 ? sql.Length : Math.Min(end, sql.Length);
        var pos = start;
        while (pos < end)
        {
            var t = SqlTokenizer.Next(sql, pos);
            if (t.Kind == TokenKind.Eof || t.Length == 0)
            {
                break;
            }

            if (t.Kind is not (TokenKind.Space or TokenKind.Comment))
            {
                tokens.Add(t);
            }

            pos = t.End;
        }

        return tokens;
    }

    private static bool IsNameToken(TokenKind kind) =>
        kind is TokenKind.Identifier or TokenKind.QuotedIdentifier or TokenKind.StringLiteral || Keywords.IsFallbackId(kind);

    /// <summary>A name token's text without its quotes.</summary>
    private static string NameOf(Token t, string sql)
    {
        var text = t.Text(sql);
        if (text.Length >= 2 && text[0] is '"' or '\'' or '`' or '[')
        {
            var inner = text[1..^1];
            return text[0] == '[' ? inner : inner.Replace(new string(text[0], 2), text[0].ToString(), StringComparison.Ordinal);
        }

        return text;
    }

    private static string QuoteName(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Column-name tokens in an expression span: names equal to <paramref name="column"/> that are not functions, table qualifiers or collations.</summary>
    private static IEnumerable<Token> ColumnTokens(string sql, int start, int end, string column)
    {
        var tokens = TokensOf(sql, start, end);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.StringLiteral || !IsNameToken(t.Kind) || !NameOf(t, sql).Equals(column, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (i + 1 < tokens.Count && tokens[i + 1].Kind is TokenKind.LeftParen or TokenKind.Dot)
            {
                continue;
            }

            if (i > 0 && tokens[i - 1].Kind == TokenKind.Collate)
            {
                continue;
            }

            yield return t;
        }
    }

    /// <summary>Each <c>REFERENCES table [(cols)]</c> naming <paramref name="table"/>: the table-name token and the column tokens.</summary>
    private static IEnumerable<(Token Table, List<Token> Columns)> ReferencesTo(string sql, string table)
    {
        var tokens = TokensOf(sql);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].Kind != TokenKind.References || !IsNameToken(tokens[i + 1].Kind) || !NameOf(tokens[i + 1], sql).Equals(table, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var columns = new List<Token>();
            if (i + 2 < tokens.Count && tokens[i + 2].Kind == TokenKind.LeftParen)
            {
                for (var j = i + 3; j < tokens.Count && tokens[j].Kind != TokenKind.RightParen; j++)
                {
                    if (IsNameToken(tokens[j].Kind))
                    {
                        columns.Add(tokens[j]);
                    }
                }
            }

            yield return (tokens[i + 1], columns);
        }
    }

    /// <summary>
    /// Where sqlite3 inserts an added column (its addColOffset): at the comma that begins the
    /// table constraints, or at the parenthesis that closes the definition when there are none.
    /// </summary>
    private static int AddColumnOffset(string sql)
    {
        var create = (CreateTableStmt)SqlParser.Parse(sql).Statement!;
        if (create.Constraints.Count > 0)
        {
            var comma = TokensOf(sql, create.Columns[^1].End, create.Constraints[0].Start).FindIndex(t => t.Kind == TokenKind.Comma);
            if (comma >= 0)
            {
                return TokensOf(sql, create.Columns[^1].End, create.Constraints[0].Start)[comma].Start;
            }
        }

        return CloseParenOf(sql);
    }

    /// <summary>The offset of the parenthesis that closes a CREATE TABLE's column list.</summary>
    private static int CloseParenOf(string sql)
    {
        var depth = 0;
        foreach (var t in TokensOf(sql))
        {
            if (t.Kind == TokenKind.LeftParen)
            {
                depth++;
            }
            else if (t.Kind == TokenKind.RightParen && --depth == 0)
            {
                return t.Start;
            }
        }

        throw new SqliteCorruptException("CREATE TABLE without its closing parenthesis");
    }

    private static string ApplyEdits(string sql, List<(int Start, int Length, string Text)> edits)
    {
        var sb = new System.Text.StringBuilder(sql);
        foreach (var (start, length, text) in edits.OrderByDescending(e => e.Start))
        {
            sb.Remove(start, length).Insert(start, text);
        }

        return sb.ToString();
    }
}
