using System.Text;

namespace Forge.Sql.Parsing;

internal static partial class SqlWriter
{
    private static void WriteStatement(StringBuilder sb, Statement statement)
    {
        switch (statement)
        {
            case SelectStmt s:
                WriteSelect(sb, s);
                break;
            case InsertStmt i:
                WriteInsert(sb, i);
                break;
            case UpdateStmt u:
                WriteUpdate(sb, u);
                break;
            case DeleteStmt d:
                WriteDelete(sb, d);
                break;
            case CreateTableStmt c:
                WriteCreateTable(sb, c);
                break;
            case CreateIndexStmt c:
                sb.Append(c.Unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
                if (c.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                QualifiedName(sb, c.Name);
                sb.Append(" ON ");
                Name(sb, c.Table);
                sb.Append(" (");
                OrderingTerms(sb, c.Columns);
                sb.Append(')');
                Where(sb, c.Where);
                break;
            case CreateViewStmt v:
                sb.Append(v.Temp ? "CREATE TEMP VIEW " : "CREATE VIEW ");
                if (v.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                QualifiedName(sb, v.Name);
                if (v.Columns is not null)
                {
                    sb.Append(' ');
                    NameList(sb, v.Columns);
                }

                sb.Append(" AS ");
                WriteSelect(sb, v.Select);
                break;
            case CreateTriggerStmt t:
                WriteCreateTrigger(sb, t);
                break;
            case DropStmt d:
                sb.Append("DROP ").Append(d.Kind.ToString().ToUpperInvariant()).Append(' ');
                if (d.IfExists)
                {
                    sb.Append("IF EXISTS ");
                }

                QualifiedName(sb, d.Name);
                break;
            case RenameTableStmt r:
                AlterPrefix(sb, r);
                sb.Append("RENAME TO ");
                Name(sb, r.NewName);
                break;
            case RenameColumnStmt r:
                AlterPrefix(sb, r);
                sb.Append("RENAME COLUMN ");
                Name(sb, r.Column);
                sb.Append(" TO ");
                Name(sb, r.NewName);
                break;
            case AddColumnStmt a:
                AlterPrefix(sb, a);
                sb.Append("ADD COLUMN ");
                WriteOther(sb, a.Column);
                break;
            case DropColumnStmt d:
                AlterPrefix(sb, d);
                sb.Append("DROP COLUMN ");
                Name(sb, d.Column);
                break;
            case BeginStmt b:
                sb.Append("BEGIN ").Append(b.Kind.ToString().ToUpperInvariant());
                break;
            case CommitStmt:
                sb.Append("COMMIT");
                break;
            case RollbackStmt r:
                sb.Append("ROLLBACK");
                if (r.Savepoint is not null)
                {
                    sb.Append(" TO SAVEPOINT ");
                    Name(sb, r.Savepoint);
                }

                break;
            case SavepointStmt s:
                sb.Append("SAVEPOINT ");
                Name(sb, s.Name);
                break;
            case ReleaseStmt r:
                sb.Append("RELEASE SAVEPOINT ");
                Name(sb, r.Name);
                break;
            case ExplainStmt e:
                sb.Append(e.QueryPlan ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
                WriteStatement(sb, e.Statement);
                break;
            case PragmaStmt p:
                sb.Append("PRAGMA ");
                QualifiedName(sb, p.Name);
                if (p.Value is not null)
                {
                    sb.Append(p.CallSyntax ? "(" : " = ");
                    if (p.ValueIsString)
                    {
                        QuoteString(sb, p.Value);
                    }
                    else if (p.Value.Length > 0 && (char.IsAsciiDigit(p.Value[0]) || p.Value[0] is '+' or '-' or '.'))
                    {
                        sb.Append(p.Value);
                    }
                    else if (p.Value.Equals("on", StringComparison.OrdinalIgnoreCase)
                        || p.Value.Equals("delete", StringComparison.OrdinalIgnoreCase)
                        || p.Value.Equals("default", StringComparison.OrdinalIgnoreCase))
                    {
                        sb.Append(p.Value);
                    }
                    else
                    {
                        Name(sb, p.Value);
                    }

                    if (p.CallSyntax)
                    {
                        sb.Append(')');
                    }
                }

                break;
            case VacuumStmt v:
                sb.Append("VACUUM");
                if (v.Schema is not null)
                {
                    sb.Append(' ');
                    Name(sb, v.Schema);
                }

                if (v.Into is not null)
                {
                    sb.Append(" INTO ");
                    WriteExpr(sb, v.Into);
                }

                break;
            case AnalyzeStmt a:
                sb.Append("ANALYZE");
                if (a.Name is not null)
                {
                    sb.Append(' ');
                    QualifiedName(sb, a.Name);
                }

                break;
            case ReindexStmt r:
                sb.Append("REINDEX");
                if (r.Name is not null)
                {
                    sb.Append(' ');
                    QualifiedName(sb, r.Name);
                }

                break;
            case AttachStmt a:
                sb.Append("ATTACH ");
                WriteExpr(sb, a.File);
                sb.Append(" AS ");
                WriteExpr(sb, a.Schema);
                if (a.Key is not null)
                {
                    sb.Append(" KEY ");
                    WriteExpr(sb, a.Key);
                }

                break;
            case DetachStmt d:
                sb.Append("DETACH ");
                WriteExpr(sb, d.Schema);
                break;
            default:
                throw new InvalidOperationException($"no SQL for {statement.GetType().Name}");
        }
    }

    private static void AlterPrefix(StringBuilder sb, AlterTableStmt a)
    {
        sb.Append("ALTER TABLE ");
        QualifiedName(sb, a.Table);
        sb.Append(' ');
    }

    private static void Where(StringBuilder sb, Expr? where)
    {
        if (where is not null)
        {
            sb.Append(" WHERE ");
            WriteExpr(sb, where);
        }
    }

    private static void OrConflict(StringBuilder sb, ConflictAction? action)
    {
        if (action is not null)
        {
            sb.Append(" OR ").Append(action.Value.ToString().ToUpperInvariant());
        }
    }

    private static void OnConflict(StringBuilder sb, ConflictAction? action)
    {
        if (action is not null)
        {
            sb.Append(" ON CONFLICT ").Append(action.Value.ToString().ToUpperInvariant());
        }
    }

    // ------------------------------------------------------------------ SELECT

    private static void WriteSelect(StringBuilder sb, SelectStmt s)
    {
        if (s.With is not null)
        {
            WriteOther(sb, s.With);
            sb.Append(' ');
        }

        WriteBody(sb, s.Body);
        OrderBy(sb, s.OrderBy);
        Limit(sb, s.Limit);
    }

    private static void OrderBy(StringBuilder sb, SyntaxList<OrderingTerm> orderBy)
    {
        if (orderBy.Count > 0)
        {
            sb.Append(" ORDER BY ");
            OrderingTerms(sb, orderBy);
        }
    }

    private static void Limit(StringBuilder sb, LimitClause? limit)
    {
        if (limit is not null)
        {
            sb.Append(" LIMIT ");
            WriteExpr(sb, limit.Limit);
            if (limit.Offset is not null)
            {
                sb.Append(" OFFSET ");
                WriteExpr(sb, limit.Offset);
            }
        }
    }

    private static void WriteBody(StringBuilder sb, SelectBody body)
    {
        switch (body)
        {
            case SelectCore c:
                sb.Append(c.Distinct ? "SELECT DISTINCT " : "SELECT ");
                ResultColumns(sb, c.Columns);
                if (c.From is not null)
                {
                    sb.Append(" FROM ");
                    WriteOther(sb, c.From);
                }

                Where(sb, c.Where);
                if (c.GroupBy.Count > 0)
                {
                    sb.Append(" GROUP BY ");
                    ExprList(sb, c.GroupBy);
                }

                if (c.Having is not null)
                {
                    sb.Append(" HAVING ");
                    WriteExpr(sb, c.Having);
                }

                break;
            case ValuesBody v:
                sb.Append("VALUES ");
                for (var i = 0; i < v.Rows.Count; i++)
                {
                    sb.Append(i > 0 ? ", (" : "(");
                    ExprList(sb, v.Rows[i]);
                    sb.Append(')');
                }

                break;
            case CompoundSelect c:
                WriteBody(sb, c.First);
                foreach (var t in c.Terms)
                {
                    sb.Append(t.Op switch
                    {
                        CompoundOp.Union => " UNION ",
                        CompoundOp.UnionAll => " UNION ALL ",
                        CompoundOp.Intersect => " INTERSECT ",
                        _ => " EXCEPT ",
                    });
                    WriteBody(sb, t.Select);
                }

                break;
        }
    }

    private static void ResultColumns(StringBuilder sb, SyntaxList<ResultColumn> columns)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteOther(sb, columns[i]);
        }
    }

    private static void OrderingTerms(StringBuilder sb, SyntaxList<OrderingTerm> terms)
    {
        for (var i = 0; i < terms.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteOther(sb, terms[i]);
        }
    }

    private static void Alias(StringBuilder sb, string? alias)
    {
        if (alias is not null)
        {
            sb.Append(" AS ");
            Name(sb, alias);
        }
    }

    // ------------------------------------------------------------------ DML

    private static void WriteInsert(StringBuilder sb, InsertStmt i)
    {
        if (i.With is not null)
        {
            WriteOther(sb, i.With);
            sb.Append(' ');
        }

        if (i.ReplaceKeyword)
        {
            sb.Append("REPLACE");
        }
        else
        {
            sb.Append("INSERT");
            OrConflict(sb, i.OrAction);
        }

        sb.Append(" INTO ");
        QualifiedName(sb, i.Table);
        Alias(sb, i.Alias);
        if (i.Columns is not null)
        {
            sb.Append(' ');
            NameList(sb, i.Columns);
        }

        if (i.Select is null)
        {
            sb.Append(" DEFAULT VALUES");
        }
        else
        {
            sb.Append(' ');
            WriteSelect(sb, i.Select);
            // Note: an INSERT ... SELECT ... FROM t whose select has no WHERE reads its ON CONFLICT as a
            // join constraint, as in SQLite; such trees are written as they are.
            foreach (var u in i.Upserts)
            {
                WriteOther(sb, u);
            }
        }

        Returning(sb, i.Returning);
    }

    private static void Returning(StringBuilder sb, SyntaxList<ResultColumn>? returning)
    {
        if (returning is not null)
        {
            sb.Append(" RETURNING ");
            ResultColumns(sb, returning);
        }
    }

    private static void SetList(StringBuilder sb, SyntaxList<SetClause> set)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            var s = set[i];
            if (s.Columns.Count == 1)
            {
                Name(sb, s.Columns[0]);
            }
            else
            {
                NameList(sb, s.Columns);
            }

            sb.Append(" = ");
            WriteExpr(sb, s.Value);
        }
    }

    private static void IndexedBy(StringBuilder sb, string? indexedBy, bool notIndexed)
    {
        if (indexedBy is not null)
        {
            sb.Append(" INDEXED BY ");
            Name(sb, indexedBy);
        }
        else if (notIndexed)
        {
            sb.Append(" NOT INDEXED");
        }
    }

    private static void WriteUpdate(StringBuilder sb, UpdateStmt u)
    {
        if (u.With is not null)
        {
            WriteOther(sb, u.With);
            sb.Append(' ');
        }

        sb.Append("UPDATE");
        OrConflict(sb, u.OrAction);
        sb.Append(' ');
        QualifiedName(sb, u.Table);
        Alias(sb, u.Alias);
        IndexedBy(sb, u.IndexedBy, u.NotIndexed);
        sb.Append(" SET ");
        SetList(sb, u.Set);
        if (u.From is not null)
        {
            sb.Append(" FROM ");
            WriteOther(sb, u.From);
        }

        Where(sb, u.Where);
        Returning(sb, u.Returning);
        OrderBy(sb, u.OrderBy);
        Limit(sb, u.Limit);
    }

    private static void WriteDelete(StringBuilder sb, DeleteStmt d)
    {
        if (d.With is not null)
        {
            WriteOther(sb, d.With);
            sb.Append(' ');
        }

        sb.Append("DELETE FROM ");
        QualifiedName(sb, d.Table);
        Alias(sb, d.Alias);
        IndexedBy(sb, d.IndexedBy, d.NotIndexed);
        Where(sb, d.Where);
        Returning(sb, d.Returning);
        OrderBy(sb, d.OrderBy);
        Limit(sb, d.Limit);
    }

    // ------------------------------------------------------------------ CREATE TABLE

    private static void WriteCreateTable(StringBuilder sb, CreateTableStmt c)
    {
        sb.Append(c.Temp ? "CREATE TEMP TABLE " : "CREATE TABLE ");
        if (c.IfNotExists)
        {
            sb.Append("IF NOT EXISTS ");
        }

        QualifiedName(sb, c.Name);
        if (c.AsSelect is not null)
        {
            sb.Append(" AS ");
            WriteSelect(sb, c.AsSelect);
            return;
        }

        sb.Append(" (");
        for (var i = 0; i < c.Columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteOther(sb, c.Columns[i]);
        }

        foreach (var t in c.Constraints)
        {
            sb.Append(", ");
            WriteOther(sb, t);
        }

        sb.Append(')');
        if (c.WithoutRowid)
        {
            sb.Append(" WITHOUT ROWID");
        }

        if (c.Strict)
        {
            sb.Append(c.WithoutRowid ? ", STRICT" : " STRICT");
        }
    }

    private static void WriteCreateTrigger(StringBuilder sb, CreateTriggerStmt t)
    {
        sb.Append(t.Temp ? "CREATE TEMP TRIGGER " : "CREATE TRIGGER ");
        if (t.IfNotExists)
        {
            sb.Append("IF NOT EXISTS ");
        }

        QualifiedName(sb, t.Name);
        sb.Append(t.Time switch
        {
            TriggerTime.Before => " BEFORE ",
            TriggerTime.After => " AFTER ",
            TriggerTime.InsteadOf => " INSTEAD OF ",
            _ => " ",
        });
        sb.Append(t.Event.ToString().ToUpperInvariant());
        if (t.UpdateOf is not null)
        {
            sb.Append(" OF ");
            for (var i = 0; i < t.UpdateOf.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Name(sb, t.UpdateOf[i]);
            }
        }

        sb.Append(" ON ");
        QualifiedName(sb, t.Table);
        if (t.ForEachRow)
        {
            sb.Append(" FOR EACH ROW");
        }

        if (t.When is not null)
        {
            sb.Append(" WHEN ");
            WriteExpr(sb, t.When);
        }

        sb.Append(" BEGIN ");
        foreach (var step in t.Body)
        {
            WriteStatement(sb, step);
            sb.Append("; ");
        }

        sb.Append("END");
    }
}
