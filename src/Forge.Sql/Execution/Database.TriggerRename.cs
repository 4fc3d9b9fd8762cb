using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Execution;

/// <summary>
/// ALTER TABLE and triggers: RENAME TO rewrites a trigger's ON table and the body's references to
/// the table (targets, FROM items, <c>t.column</c> qualifiers) to the new name, double-quoted as
/// sqlite3 writes it; RENAME COLUMN rewrites new./old./t. qualified references, UPDATE OF lists and
/// the bare names of body statements on the table; DROP COLUMN is refused while a trigger still
/// needs the column ("error in trigger t after drop column: ...").
/// </summary>
public sealed partial class Database
{
    /// <summary>The edits that rename table <paramref name="old"/> in a trigger's text.</summary>
    private static List<(int Start, int Length, string Text)> TriggerTableEdits(string sql, string old, string quoted)
    {
        var edits = new List<(int, int, string)>();
        var tokens = TokensOf(sql);
        var fromDepth = new Stack<int>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            switch (t.Kind)
            {
                case TokenKind.LeftParen:
                    depth++;
                    continue;
                case TokenKind.RightParen:
                    depth--;
                    while (fromDepth.Count > 0 && fromDepth.Peek() > depth)
                    {
                        fromDepth.Pop();
                    }

                    continue;
                case TokenKind.From or TokenKind.Join:
                    if (fromDepth.Count == 0 || fromDepth.Peek() != depth)
                    {
                        fromDepth.Push(depth);
                    }

                    continue;
                case TokenKind.Where or TokenKind.Group or TokenKind.Having or TokenKind.Order or TokenKind.Limit or TokenKind.On
                    or TokenKind.Using or TokenKind.Semicolon or TokenKind.Set or TokenKind.Begin or TokenKind.When or TokenKind.Window
                    or TokenKind.Union or TokenKind.Intersect or TokenKind.Except or TokenKind.Returning:
                    if (fromDepth.Count > 0 && fromDepth.Peek() == depth)
                    {
                        fromDepth.Pop();
                    }

                    break;
            }

            if (t.Kind == TokenKind.StringLiteral || !IsNameToken(t.Kind) || !NameOf(t, sql).Equals(old, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var prev = i > 0 ? tokens[i - 1].Kind : TokenKind.Eof;
            var next = i + 1 < tokens.Count ? tokens[i + 1].Kind : TokenKind.Eof;
            var afterConflict = i > 2 && tokens[i - 2].Kind == TokenKind.Or && tokens[i - 3].Kind == TokenKind.Update;
            var isTable = prev is TokenKind.On or TokenKind.Into or TokenKind.Update or TokenKind.From or TokenKind.Join
                || (prev == TokenKind.Comma && fromDepth.Count > 0 && fromDepth.Peek() == depth)
                || afterConflict
                || (next == TokenKind.Dot && prev != TokenKind.Dot);
            if (isTable)
            {
                edits.Add((t.Start, t.Length, quoted));
            }
        }

        return edits;
    }

    /// <summary>TEMP triggers follow a renamed table (the file's are rewritten with its schema rows).</summary>
    private void RenameTempTriggers(string old, string newName)
    {
        var quoted = QuoteName(newName);
        foreach (var trigger in _tempTriggers.Values.ToList())
        {
            var edits = TriggerTableEdits(trigger.Sql, old, quoted);
            if (edits.Count == 0)
            {
                continue;
            }

            var sql = ApplyEdits(trigger.Sql, edits);
            var table = trigger.Table.Equals(old, StringComparison.OrdinalIgnoreCase) ? newName : trigger.Table;
            _tempTriggers[trigger.Name] = trigger with { Sql = sql, Table = table, Create = (CreateTriggerStmt)SqlParser.Parse(sql).Statement! };
        }

        _programs.Clear();
    }

    /// <summary>
    /// The edits that rename column <paramref name="column"/> of <paramref name="table"/> in a trigger:
    /// new./old. references when the trigger is on the table, the UPDATE OF list, <c>table.column</c>,
    /// and bare names inside the body statements that write or read the table.
    /// </summary>
    private static List<Token> TriggerColumnTokens(string sql, string table, string column)
    {
        var result = new List<Token>();
        if (SqlParser.Parse(sql).Statement is not CreateTriggerStmt create)
        {
            return result;
        }

        var onTable = create.Table.Name.Equals(table, StringComparison.OrdinalIgnoreCase);
        var tokens = TokensOf(sql);
        bool Is(Token t, string name) => t.Kind != TokenKind.StringLiteral && IsNameToken(t.Kind) && NameOf(t, sql).Equals(name, StringComparison.OrdinalIgnoreCase);
        for (var i = 2; i < tokens.Count; i++)
        {
            if (!Is(tokens[i], column) || tokens[i - 1].Kind != TokenKind.Dot)
            {
                continue;
            }

            var qualifier = tokens[i - 2];
            if ((onTable && (Is(qualifier, "new") || Is(qualifier, "old"))) || Is(qualifier, table))
            {
                result.Add(tokens[i]);
            }
        }

        if (onTable && create.UpdateOf is not null)
        {
            var of = tokens.FindIndex(t => t.Kind == TokenKind.Of);
            for (var i = of + 1; of >= 0 && i < tokens.Count && tokens[i].Kind != TokenKind.On; i++)
            {
                if (Is(tokens[i], column))
                {
                    result.Add(tokens[i]);
                }
            }
        }

        // Bare names where the table is in scope: the body statements on it, and SELECTs reading it.
        var walker = new ColumnRenameWalker(sql, table, column, result);
        if (create.When is not null)
        {
            walker.Expr(create.When, false);
        }

        foreach (var step in create.Body)
        {
            walker.Step(step);
        }

        return result;
    }

    /// <summary>Finds the bare references to one column of one table in a trigger's statements (the table in scope).</summary>
    private sealed class ColumnRenameWalker(string sql, string table, string column, List<Token> found)
    {
        private bool IsTable(string name) => name.Equals(table, StringComparison.OrdinalIgnoreCase);

        private void Names(int start, int end)
        {
            foreach (var t in TokensOf(sql, start, end))
            {
                if (t.Kind != TokenKind.StringLiteral && IsNameToken(t.Kind) && NameOf(t, sql).Equals(column, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(t);
                }
            }
        }

        public void Step(Statement step)
        {
            switch (step)
            {
                case InsertStmt s:
                    if (IsTable(s.Table.Name) && s.Columns is not null)
                    {
                        Names(s.Table.End, s.Select?.Start ?? s.End);
                    }

                    if (s.Select is not null)
                    {
                        Select(s.Select, false);
                    }

                    foreach (var u in s.Upserts)
                    {
                        var target = IsTable(s.Table.Name);
                        foreach (var set in u.Set ?? SyntaxList<SetClause>.Empty)
                        {
                            if (target)
                            {
                                Names(set.Start, set.Value.Start);
                            }

                            Expr(set.Value, target);
                        }

                        Expr(u.Where, target);
                        Expr(u.TargetWhere, target);
                    }

                    break;
                case UpdateStmt s:
                    {
                        var inScope = IsTable(s.Table.Name) || (s.From is not null && FromHas(s.From));
                        if (s.From is not null)
                        {
                            From(s.From, inScope);
                        }

                        foreach (var set in s.Set)
                        {
                            if (IsTable(s.Table.Name))
                            {
                                Names(set.Start, set.Value.Start);
                            }

                            Expr(set.Value, inScope);
                        }

                        Expr(s.Where, inScope);
                        break;
                    }

                case DeleteStmt s:
                    Expr(s.Where, IsTable(s.Table.Name));
                    break;
                case SelectStmt s:
                    Select(s, false);
                    break;
            }
        }

        private bool FromHas(FromClause from) =>
            (from.First is TableRef { Args: null } r && IsTable(r.Name.Name)) || from.Joins.Any(j => j.Source is TableRef { Args: null } jr && IsTable(jr.Name.Name));

        private void From(FromClause from, bool inScope)
        {
            Source(from.First);
            foreach (var j in from.Joins)
            {
                Source(j.Source);
                Expr(j.On, inScope);
            }
        }

        private void Source(TableSource source)
        {
            switch (source)
            {
                case SubquerySource sq:
                    Select(sq.Select, false);
                    break;
                case JoinGroupSource g:
                    From(g.From, FromHas(g.From));
                    break;
            }
        }

        private void Select(SelectStmt select, bool outerInScope)
        {
            foreach (var cte in select.With?.Tables ?? SyntaxList<CommonTableExpr>.Empty)
            {
                Select(cte.Select, false);
            }

            var inScope = Body(select.Body, outerInScope);
            foreach (var term in select.OrderBy)
            {
                Expr(term.Expr, inScope);
            }
        }

        private bool Body(SelectBody body, bool outerInScope)
        {
            switch (body)
            {
                case SelectCore core:
                    {
                        var inScope = core.From is null ? outerInScope : FromHas(core.From);
                        if (core.From is not null)
                        {
                            From(core.From, inScope);
                        }

                        foreach (var rc in core.Columns)
                        {
                            if (rc is ExprColumn ec)
                            {
                                Expr(ec.Expr, inScope);
                            }
                        }

                        Expr(core.Where, inScope);
                        foreach (var g in core.GroupBy)
                        {
                            Expr(g, inScope);
                        }

                        Expr(core.Having, inScope);
                        return inScope;
                    }

                case ValuesBody values:
                    foreach (var row in values.Rows)
                    {
                        foreach (var e in row)
                        {
                            Expr(e, outerInScope);
                        }
                    }

                    return false;
                case CompoundSelect compound:
                    var first = Body(compound.First, outerInScope);
                    foreach (var term in compound.Terms)
                    {
                        Body(term.Select, outerInScope);
                    }

                    return first;
                default:
                    return false;
            }
        }

        public void Expr(Expr? e, bool inScope)
        {
            switch (e)
            {
                case null:
                    return;
                case ColumnRef { Table: null } c when inScope && c.Column.Equals(column, StringComparison.OrdinalIgnoreCase):
                    Names(c.Start, c.End);
                    return;
                case UnaryExpr u:
                    Expr(u.Operand, inScope);
                    return;
                case BinaryExpr b:
                    Expr(b.Left, inScope);
                    Expr(b.Right, inScope);
                    return;
                case Parsing.LikeExpr l:
                    Expr(l.Operand, inScope);
                    Expr(l.Pattern, inScope);
                    Expr(l.Escape, inScope);
                    return;
                case Parsing.BetweenExpr b:
                    Expr(b.Operand, inScope);
                    Expr(b.Low, inScope);
                    Expr(b.High, inScope);
                    return;
                case InExpr i:
                    Expr(i.Operand, inScope);
                    foreach (var x in i.List ?? SyntaxList<Parsing.Expr>.Empty)
                    {
                        Expr(x, inScope);
                    }

                    if (i.Subquery is not null)
                    {
                        Select(i.Subquery, inScope);
                    }

                    return;
                case Parsing.NullTestExpr n:
                    Expr(n.Operand, inScope);
                    return;
                case Parsing.CaseExpr c:
                    Expr(c.Operand, inScope);
                    foreach (var w in c.Whens)
                    {
                        Expr(w.When, inScope);
                        Expr(w.Then, inScope);
                    }

                    Expr(c.Else, inScope);
                    return;
                case Parsing.CastExpr c:
                    Expr(c.Operand, inScope);
                    return;
                case CollateExpr c:
                    Expr(c.Operand, inScope);
                    return;
                case FunctionCall f:
                    foreach (var a in f.Args)
                    {
                        Expr(a, inScope);
                    }

                    Expr(f.Filter, inScope);
                    return;
                case ExistsExpr x:
                    Select(x.Select, inScope);
                    return;
                case SubqueryExpr s:
                    Select(s.Select, inScope);
                    return;
                case RowValueExpr r:
                    foreach (var x in r.Items)
                    {
                        Expr(x, inScope);
                    }

                    return;
            }
        }
    }

    /// <summary>After DROP COLUMN: every trigger that reads or writes the table must still resolve its column names.</summary>
    private void CheckTriggersAfterDropColumn(TableInfo table)
    {
        _catalog = LoadCatalog();
        _programs.Clear();
        foreach (var trigger in _catalog.Triggers)
        {
            if (!trigger.Table.Equals(table.Name, StringComparison.OrdinalIgnoreCase) && !trigger.Sql.Contains(table.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                _ = AcquireProgram(trigger, null, prepareOnly: true);
            }
            catch (SqlPrepareException e)
            {
                // sqlite3 re-resolves the names of the schema (sqlite3RenameTestSchema); other errors show only when the trigger runs.
                if (e.Message.StartsWith("no such column", StringComparison.Ordinal))
                {
                    throw new SqlRuntimeException($"error in trigger {trigger.Name} after drop column: {e.Message}");
                }
            }
        }

        _programs.Clear();
    }
}
