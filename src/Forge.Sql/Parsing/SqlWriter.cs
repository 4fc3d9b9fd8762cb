using System.Globalization;
using System.Text;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

/// <summary>
/// Renders a tree as canonical SQL: keywords in upper case, identifiers quoted only when needed,
/// and every compound operand parenthesised, so re-parsing the text gives an equal tree.
/// </summary>
internal static partial class SqlWriter
{
    public static string ToSql(Node node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Node node)
    {
        switch (node)
        {
            case Expr e:
                WriteExpr(sb, e);
                break;
            case Statement s:
                WriteStatement(sb, s);
                break;
            default:
                WriteOther(sb, node);
                break;
        }
    }

    // ------------------------------------------------------------------ names and literals

    /// <summary>An identifier, bare when that reads back as the same identifier, else in double quotes.</summary>
    internal static void Name(StringBuilder sb, string name)
    {
        if (IsBare(name))
        {
            sb.Append(name);
            return;
        }

        sb.Append('"').Append(name.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static bool IsBare(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || name[0] == '$')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return Keywords.Lookup(name) == TokenKind.Identifier;
    }

    private static void QualifiedName(StringBuilder sb, QualifiedName name)
    {
        if (name.Schema is not null)
        {
            Name(sb, name.Schema);
            sb.Append('.');
        }

        Name(sb, name.Name);
    }

    internal static void QuoteString(StringBuilder sb, string value) =>
        sb.Append('\'').Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');

    private static void Real(StringBuilder sb, double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            sb.Append("1e999");
            return;
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        sb.Append(text);
        if (text.IndexOfAny(['.', 'E', 'e']) < 0)
        {
            sb.Append(".0");
        }
    }

    private static void NameList(StringBuilder sb, SyntaxList<string> names)
    {
        sb.Append('(');
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Name(sb, names[i]);
        }

        sb.Append(')');
    }

    private static void ExprList(StringBuilder sb, SyntaxList<Expr> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            WriteExpr(sb, items[i]);
        }
    }

    // ------------------------------------------------------------------ expressions

    /// <summary>An operand: primaries as they are, anything compound in parentheses.</summary>
    private static void Operand(StringBuilder sb, Expr e)
    {
        var primary = e is NullLiteral or IntegerLiteral or RealLiteral or StringLiteral or BlobLiteral
            or CurrentTimeLiteral or ColumnRef or BindParameter or FunctionCall or CastExpr or CaseExpr
            or ExistsExpr or SubqueryExpr or RowValueExpr or RaiseExpr;
        if (primary)
        {
            WriteExpr(sb, e);
            return;
        }

        sb.Append('(');
        WriteExpr(sb, e);
        sb.Append(')');
    }

    private static void WriteExpr(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case NullLiteral:
                sb.Append("NULL");
                break;
            case IntegerLiteral { Value: < 0 } i:
                // Only hex literals (and -9223372036854775808) produce negative literals; hex reads back the same.
                sb.Append("0x").Append(i.Value.ToString("X16", CultureInfo.InvariantCulture));
                break;
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case RealLiteral r:
                Real(sb, r.Value);
                break;
            case StringLiteral s:
                QuoteString(sb, s.Value);
                break;
            case BlobLiteral b:
                sb.Append("X'").Append(b.Hex).Append('\'');
                break;
            case CurrentTimeLiteral c:
                sb.Append(c.Kind switch
                {
                    CurrentTimeKind.Time => "CURRENT_TIME",
                    CurrentTimeKind.Date => "CURRENT_DATE",
                    _ => "CURRENT_TIMESTAMP",
                });
                break;
            case ColumnRef c:
                WriteColumnRef(sb, c);
                break;
            case BindParameter p:
                sb.Append(p.Name);
                break;
            case UnaryExpr u:
                sb.Append(u.Op switch
                {
                    UnaryOp.Negate => "-",
                    UnaryOp.Plus => "+",
                    UnaryOp.BitNot => "~",
                    _ => "NOT ",
                });
                Operand(sb, u.Operand);
                break;
            case BinaryExpr b:
                Operand(sb, b.Left);
                sb.Append(' ').Append(BinaryOpText(b.Op)).Append(' ');
                Operand(sb, b.Right);
                break;
            case LikeExpr l:
                Operand(sb, l.Operand);
                sb.Append(l.Not ? " NOT " : " ").Append(l.Op switch
                {
                    LikeOp.Like => "LIKE",
                    LikeOp.Glob => "GLOB",
                    LikeOp.Regexp => "REGEXP",
                    _ => "MATCH",
                }).Append(' ');
                Operand(sb, l.Pattern);
                if (l.Escape is not null)
                {
                    sb.Append(" ESCAPE ");
                    Operand(sb, l.Escape);
                }

                break;
            case BetweenExpr b:
                Operand(sb, b.Operand);
                sb.Append(b.Not ? " NOT BETWEEN " : " BETWEEN ");
                Operand(sb, b.Low);
                sb.Append(" AND ");
                Operand(sb, b.High);
                break;
            case InExpr i:
                Operand(sb, i.Operand);
                sb.Append(i.Not ? " NOT IN " : " IN ");
                if (i.List is not null)
                {
                    sb.Append('(');
                    ExprList(sb, i.List);
                    sb.Append(')');
                }
                else if (i.Subquery is not null)
                {
                    sb.Append('(');
                    WriteStatement(sb, i.Subquery);
                    sb.Append(')');
                }
                else if (i.Table is not null)
                {
                    QualifiedName(sb, i.Table);
                    if (i.TableArgs is not null)
                    {
                        sb.Append('(');
                        ExprList(sb, i.TableArgs);
                        sb.Append(')');
                    }
                }

                break;
            case NullTestExpr n:
                Operand(sb, n.Operand);
                sb.Append(n.Not ? " NOTNULL" : " ISNULL");
                break;
            case CaseExpr c:
                sb.Append("CASE");
                if (c.Operand is not null)
                {
                    sb.Append(' ');
                    WriteExpr(sb, c.Operand);
                }

                foreach (var w in c.Whens)
                {
                    sb.Append(" WHEN ");
                    WriteExpr(sb, w.When);
                    sb.Append(" THEN ");
                    WriteExpr(sb, w.Then);
                }

                if (c.Else is not null)
                {
                    sb.Append(" ELSE ");
                    WriteExpr(sb, c.Else);
                }

                sb.Append(" END");
                break;
            case CastExpr c:
                sb.Append("CAST(");
                WriteExpr(sb, c.Operand);
                sb.Append(" AS");
                if (c.Type.Name.Length > 0)
                {
                    sb.Append(' ');
                    WriteOther(sb, c.Type);
                }

                sb.Append(')');
                break;
            case FunctionCall f:
                Name(sb, f.Name);
                sb.Append('(');
                if (f.Star)
                {
                    sb.Append('*');
                }
                else
                {
                    if (f.Distinct)
                    {
                        sb.Append("DISTINCT ");
                    }

                    ExprList(sb, f.Args);
                }

                sb.Append(')');
                if (f.Filter is not null)
                {
                    sb.Append(" FILTER (WHERE ");
                    WriteExpr(sb, f.Filter);
                    sb.Append(')');
                }

                break;
            case ExistsExpr x:
                sb.Append("EXISTS (");
                WriteStatement(sb, x.Select);
                sb.Append(')');
                break;
            case SubqueryExpr s:
                sb.Append('(');
                WriteStatement(sb, s.Select);
                sb.Append(')');
                break;
            case RowValueExpr r:
                sb.Append('(');
                ExprList(sb, r.Items);
                sb.Append(')');
                break;
            case CollateExpr c:
                Operand(sb, c.Operand);
                sb.Append(" COLLATE ");
                Name(sb, c.Collation);
                break;
            case RaiseExpr r:
                sb.Append("RAISE(").Append(r.Kind.ToString().ToUpperInvariant());
                if (r.Message is not null)
                {
                    sb.Append(", ");
                    QuoteString(sb, r.Message);
                }

                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException($"no SQL for {e.GetType().Name}");
        }
    }

    private static void WriteColumnRef(StringBuilder sb, ColumnRef c)
    {
        if (c.Schema is not null)
        {
            Name(sb, c.Schema);
            sb.Append('.');
        }

        if (c.Table is not null)
        {
            Name(sb, c.Table);
            sb.Append('.');
        }

        if (c.DoubleQuoted)
        {
            sb.Append('"').Append(c.Column.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else if (c.Table is null && !IsBare(c.Column))
        {
            // Brackets keep a lone name an identifier (double quotes could turn into a string).
            if (c.Column.Contains(']', StringComparison.Ordinal))
            {
                sb.Append('`').Append(c.Column.Replace("`", "``", StringComparison.Ordinal)).Append('`');
            }
            else
            {
                sb.Append('[').Append(c.Column).Append(']');
            }
        }
        else
        {
            Name(sb, c.Column);
        }
    }

    internal static string BinaryOpText(BinaryOp op) => op switch
    {
        BinaryOp.Or => "OR",
        BinaryOp.And => "AND",
        BinaryOp.Eq => "=",
        BinaryOp.Ne => "<>",
        BinaryOp.Lt => "<",
        BinaryOp.Le => "<=",
        BinaryOp.Gt => ">",
        BinaryOp.Ge => ">=",
        BinaryOp.Is => "IS",
        BinaryOp.IsNot => "IS NOT",
        BinaryOp.BitAnd => "&",
        BinaryOp.BitOr => "|",
        BinaryOp.LShift => "<<",
        BinaryOp.RShift => ">>",
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Modulo => "%",
        BinaryOp.Concat => "||",
        BinaryOp.Extract => "->",
        _ => "->>",
    };
}
