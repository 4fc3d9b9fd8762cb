using System.Text;

namespace Forge.Sql.Parsing;

internal static partial class SqlWriter
{
    private static void WriteOther(StringBuilder sb, Node node)
    {
        switch (node)
        {
            case QualifiedName q:
                QualifiedName(sb, q);
                break;
            case WithClause w:
                sb.Append(w.Recursive ? "WITH RECURSIVE " : "WITH ");
                for (var i = 0; i < w.Tables.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    WriteOther(sb, w.Tables[i]);
                }

                break;
            case CommonTableExpr c:
                Name(sb, c.Name);
                if (c.Columns is not null)
                {
                    NameList(sb, c.Columns);
                }

                sb.Append(c.Materialized switch
                {
                    true => " AS MATERIALIZED (",
                    false => " AS NOT MATERIALIZED (",
                    null => " AS (",
                });
                WriteSelect(sb, c.Select);
                sb.Append(')');
                break;
            case OrderingTerm o:
                WriteExpr(sb, o.Expr);
                sb.Append(o.Order switch
                {
                    SortOrder.Asc => " ASC",
                    SortOrder.Desc => " DESC",
                    _ => string.Empty,
                });
                sb.Append(o.Nulls switch
                {
                    NullsOrder.First => " NULLS FIRST",
                    NullsOrder.Last => " NULLS LAST",
                    _ => string.Empty,
                });
                break;
            case LimitClause l:
                Limit(sb, l);
                break;
            case SelectBody b:
                WriteBody(sb, b);
                break;
            case CompoundTerm t:
                sb.Append(t.Op.ToString().ToUpperInvariant()).Append(' ');
                WriteBody(sb, t.Select);
                break;
            case ExprColumn e:
                WriteExpr(sb, e.Expr);
                Alias(sb, e.Alias);
                break;
            case StarColumn s:
                if (s.Table is not null)
                {
                    Name(sb, s.Table);
                    sb.Append('.');
                }

                sb.Append('*');
                break;
            case FromClause f:
                WriteOther(sb, f.First);
                foreach (var j in f.Joins)
                {
                    WriteOther(sb, j);
                }

                break;
            case JoinClause j:
                sb.Append(JoinText(j.Kind));
                WriteOther(sb, j.Source);
                if (j.On is not null)
                {
                    sb.Append(" ON ");
                    WriteExpr(sb, j.On);
                }
                else if (j.Using is not null)
                {
                    sb.Append(" USING ");
                    NameList(sb, j.Using);
                }

                break;
            case TableRef t:
                QualifiedName(sb, t.Name);
                if (t.Args is not null)
                {
                    sb.Append('(');
                    ExprList(sb, t.Args);
                    sb.Append(')');
                }

                Alias(sb, t.Alias);
                IndexedBy(sb, t.IndexedBy, t.NotIndexed);
                break;
            case SubquerySource s:
                sb.Append('(');
                WriteSelect(sb, s.Select);
                sb.Append(')');
                Alias(sb, s.Alias);
                break;
            case JoinGroupSource g:
                sb.Append('(');
                WriteOther(sb, g.From);
                sb.Append(')');
                Alias(sb, g.Alias);
                break;
            case WhenClause w:
                sb.Append("WHEN ");
                WriteExpr(sb, w.When);
                sb.Append(" THEN ");
                WriteExpr(sb, w.Then);
                break;
            case SetClause s:
                SetList(sb, new SyntaxList<SetClause>([s]));
                break;
            case UpsertClause u:
                sb.Append(" ON CONFLICT");
                if (u.Target is not null)
                {
                    sb.Append(" (");
                    OrderingTerms(sb, u.Target);
                    sb.Append(')');
                    Where(sb, u.TargetWhere);
                }

                if (u.Set is null)
                {
                    sb.Append(" DO NOTHING");
                }
                else
                {
                    sb.Append(" DO UPDATE SET ");
                    SetList(sb, u.Set);
                    Where(sb, u.Where);
                }

                break;
            case TypeName t:
                {
                    // Each word is written as an identifier so multi-word names read back word by word.
                    var words = t.Name.Split(' ');
                    for (var i = 0; i < words.Length; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(' ');
                        }

                        Name(sb, words[i]);
                    }

                    if (t.Arg1 is not null)
                    {
                        sb.Append('(').Append(t.Arg1);
                        if (t.Arg2 is not null)
                        {
                            sb.Append(", ").Append(t.Arg2);
                        }

                        sb.Append(')');
                    }

                    break;
                }

            case ColumnDef c:
                Name(sb, c.Name);
                if (c.Type is not null)
                {
                    sb.Append(' ');
                    WriteOther(sb, c.Type);
                }

                foreach (var k in c.Constraints)
                {
                    sb.Append(' ');
                    WriteOther(sb, k);
                }

                break;
            case ColumnConstraint k:
                WriteColumnConstraint(sb, k);
                break;
            case TableConstraint k:
                WriteTableConstraint(sb, k);
                break;
            case ForeignKeyClause f:
                sb.Append("REFERENCES ");
                Name(sb, f.Table);
                if (f.Columns is not null)
                {
                    sb.Append(' ');
                    NameList(sb, f.Columns);
                }

                if (f.OnDelete != ForeignKeyAction.None)
                {
                    sb.Append(" ON DELETE ").Append(ActionText(f.OnDelete));
                }

                if (f.OnUpdate != ForeignKeyAction.None)
                {
                    sb.Append(" ON UPDATE ").Append(ActionText(f.OnUpdate));
                }

                if (f.Deferrable is not null)
                {
                    sb.Append(f.Deferrable.Value ? " DEFERRABLE INITIALLY DEFERRED" : " NOT DEFERRABLE");
                }

                break;
            case Expr e:
                WriteExpr(sb, e);
                break;
            case Statement s:
                WriteStatement(sb, s);
                break;
            default:
                throw new InvalidOperationException($"no SQL for {node.GetType().Name}");
        }
    }

    private static string JoinText(JoinKind kind)
    {
        if (kind == JoinKind.Comma)
        {
            return ", ";
        }

        var sb = new StringBuilder(" ");
        if ((kind & JoinKind.Natural) != 0)
        {
            sb.Append("NATURAL ");
        }

        if ((kind & (JoinKind.Left | JoinKind.Right)) == (JoinKind.Left | JoinKind.Right))
        {
            sb.Append("FULL ");
        }
        else if ((kind & JoinKind.Left) != 0)
        {
            sb.Append("LEFT ");
        }
        else if ((kind & JoinKind.Right) != 0)
        {
            sb.Append("RIGHT ");
        }
        else if ((kind & JoinKind.Cross) != 0)
        {
            sb.Append("CROSS ");
        }
        else if ((kind & JoinKind.InnerExplicit) != 0)
        {
            sb.Append("INNER ");
        }

        return sb.Append("JOIN ").ToString();
    }

    private static string ActionText(ForeignKeyAction action) => action switch
    {
        ForeignKeyAction.SetNull => "SET NULL",
        ForeignKeyAction.SetDefault => "SET DEFAULT",
        ForeignKeyAction.Cascade => "CASCADE",
        ForeignKeyAction.Restrict => "RESTRICT",
        _ => "NO ACTION",
    };

    private static void ConstraintName(StringBuilder sb, string? name)
    {
        if (name is not null)
        {
            sb.Append("CONSTRAINT ");
            Name(sb, name);
            sb.Append(' ');
        }
    }

    private static void WriteColumnConstraint(StringBuilder sb, ColumnConstraint k)
    {
        ConstraintName(sb, k.Name);
        switch (k)
        {
            case PrimaryKeyColumnConstraint p:
                sb.Append("PRIMARY KEY");
                sb.Append(p.Order switch
                {
                    SortOrder.Asc => " ASC",
                    SortOrder.Desc => " DESC",
                    _ => string.Empty,
                });
                OnConflict(sb, p.OnConflict);
                if (p.Autoincrement)
                {
                    sb.Append(" AUTOINCREMENT");
                }

                break;
            case NotNullColumnConstraint n:
                sb.Append("NOT NULL");
                OnConflict(sb, n.OnConflict);
                break;
            case NullColumnConstraint n:
                sb.Append("NULL");
                OnConflict(sb, n.OnConflict);
                break;
            case UniqueColumnConstraint u:
                sb.Append("UNIQUE");
                OnConflict(sb, u.OnConflict);
                break;
            case CheckColumnConstraint c:
                sb.Append("CHECK (");
                WriteExpr(sb, c.Expr);
                sb.Append(')');
                break;
            case DefaultColumnConstraint d:
                sb.Append("DEFAULT ");
                if (d.Value is NullLiteral or IntegerLiteral or RealLiteral or StringLiteral or BlobLiteral
                    or CurrentTimeLiteral or ColumnRef { Table: null, DoubleQuoted: false })
                {
                    WriteExpr(sb, d.Value);
                }
                else if (d.Value is UnaryExpr { Op: UnaryOp.Negate or UnaryOp.Plus, Operand: IntegerLiteral or RealLiteral or NullLiteral or StringLiteral or BlobLiteral or CurrentTimeLiteral } u)
                {
                    WriteExpr(sb, u);
                }
                else
                {
                    sb.Append('(');
                    WriteExpr(sb, d.Value);
                    sb.Append(')');
                }

                break;
            case CollateColumnConstraint c:
                sb.Append("COLLATE ");
                Name(sb, c.Collation);
                break;
            case ReferencesColumnConstraint r:
                WriteOther(sb, r.ForeignKey);
                break;
            case GeneratedColumnConstraint g:
                // Plain AS: after a type name, GENERATED would read back as one more word of the type.
                sb.Append("AS (");
                WriteExpr(sb, g.Expr);
                sb.Append(g.Stored ? ") STORED" : ") VIRTUAL");
                break;
        }
    }

    private static void WriteTableConstraint(StringBuilder sb, TableConstraint k)
    {
        ConstraintName(sb, k.Name);
        switch (k)
        {
            case PrimaryKeyTableConstraint p:
                sb.Append("PRIMARY KEY (");
                OrderingTerms(sb, p.Columns);
                sb.Append(p.Autoincrement ? " AUTOINCREMENT)" : ")");
                OnConflict(sb, p.OnConflict);
                break;
            case UniqueTableConstraint u:
                sb.Append("UNIQUE (");
                OrderingTerms(sb, u.Columns);
                sb.Append(')');
                OnConflict(sb, u.OnConflict);
                break;
            case CheckTableConstraint c:
                sb.Append("CHECK (");
                WriteExpr(sb, c.Expr);
                sb.Append(')');
                break;
            case ForeignKeyTableConstraint f:
                sb.Append("FOREIGN KEY ");
                NameList(sb, f.Columns);
                sb.Append(' ');
                WriteOther(sb, f.ForeignKey);
                break;
        }
    }
}
