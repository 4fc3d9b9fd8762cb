using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// INSERT / REPLACE with upsert and RETURNING.
public sealed partial class SqlParser
{
    private InsertStmt ParseInsert(WithClause? with, int start)
    {
        ConflictAction? orAction = null;
        var replaceKeyword = false;
        if (Accept(TokenKind.Replace))
        {
            replaceKeyword = true;
            orAction = ConflictAction.Replace;
        }
        else
        {
            Expect(TokenKind.Insert);
            orAction = ParseOrConflict();
        }

        Expect(TokenKind.Into);
        var (table, alias) = ParseTargetTable();
        var columns = ParseOptionalNameList();
        SelectStmt? select = null;
        var upserts = SyntaxList<UpsertClause>.Empty;
        SyntaxList<ResultColumn>? returning = null;
        if (Accept(TokenKind.Default))
        {
            Expect(TokenKind.Values);
            returning = ParseReturning();
        }
        else
        {
            if (!StartsSelect(_tok.Kind))
            {
                SyntaxError();
            }

            select = ParseSelect();
            (upserts, returning) = ParseUpserts();
        }

        return Mark(new InsertStmt(with, orAction, replaceKeyword, table, alias, columns, select, upserts, returning), start);
    }

    /// <summary><c>OR ROLLBACK|ABORT|FAIL|IGNORE|REPLACE</c> after INSERT/UPDATE.</summary>
    private ConflictAction? ParseOrConflict()
    {
        if (!Accept(TokenKind.Or))
        {
            return null;
        }

        return ParseResolveType();
    }

    private ConflictAction ParseResolveType()
    {
        ConflictAction action;
        switch (_tok.Kind)
        {
            case TokenKind.Rollback: action = ConflictAction.Rollback; break;
            case TokenKind.Abort: action = ConflictAction.Abort; break;
            case TokenKind.Fail: action = ConflictAction.Fail; break;
            case TokenKind.Ignore: action = ConflictAction.Ignore; break;
            case TokenKind.Replace: action = ConflictAction.Replace; break;
            default: throw Unexpected();
        }

        Advance();
        return action;
    }

    /// <summary>SQLite's <c>xfullname</c>: <c>[schema.]name [AS alias]</c>.</summary>
    private (QualifiedName Table, string? Alias) ParseTargetTable()
    {
        var table = QualifiedName();
        string? alias = null;
        if (Accept(TokenKind.As))
        {
            alias = Name();
        }

        return (table, alias);
    }

    private (SyntaxList<UpsertClause> Upserts, SyntaxList<ResultColumn>? Returning) ParseUpserts()
    {
        List<UpsertClause>? list = null;
        while (_tok.Kind == TokenKind.On)
        {
            var start = _tok.Start;
            Advance();
            Expect(TokenKind.Conflict);
            SyntaxList<OrderingTerm>? target = null;
            Expr? targetWhere = null;
            if (Accept(TokenKind.LeftParen))
            {
                target = ParseSortList();
                Expect(TokenKind.RightParen);
                if (Accept(TokenKind.Where))
                {
                    targetWhere = ParseExpr();
                }
            }

            Expect(TokenKind.Do);
            SyntaxList<SetClause>? set = null;
            Expr? where = null;
            if (!Accept(TokenKind.Nothing))
            {
                Expect(TokenKind.Update);
                Expect(TokenKind.Set);
                set = ParseSetList();
                if (Accept(TokenKind.Where))
                {
                    where = ParseExpr();
                }
            }

            list ??= [];
            list.Add(Mark(new UpsertClause(target, targetWhere, set, where), start));
            if (target is null)
            {
                // Only the last ON CONFLICT clause may omit its target; RETURNING may follow it.
                break;
            }
        }

        var upserts = list is null ? SyntaxList<UpsertClause>.Empty : new SyntaxList<UpsertClause>([.. list]);
        return (upserts, ParseReturning());
    }

    private SyntaxList<SetClause> ParseSetList()
    {
        var list = new List<SetClause>();
        do
        {
            var start = _tok.Start;
            SyntaxList<string> columns;
            if (Accept(TokenKind.LeftParen))
            {
                columns = ParseNameListRest();
            }
            else
            {
                columns = new SyntaxList<string>([Name()]);
            }

            Expect(TokenKind.Eq);
            var value = ParseExpr();
            if (columns.Count > 1)
            {
                var size = value switch
                {
                    RowValueExpr r => r.Items.Count,
                    SubqueryExpr s => s.Select.Body is SelectCore c ? c.Columns.Count : columns.Count,
                    _ => 1,
                };
                if (size != columns.Count)
                {
                    // Reported when SQLite reduces the assignment, i.e. once the next token is known to fit.
                    if (_tok.Kind is not (TokenKind.Comma or TokenKind.From or TokenKind.Where or TokenKind.Returning
                        or TokenKind.Order or TokenKind.Limit or TokenKind.On or TokenKind.Semicolon or TokenKind.Eof))
                    {
                        SyntaxError();
                    }

                    Fail($"{columns.Count} columns assigned {size} values", start);
                }
            }

            list.Add(Mark(new SetClause(columns, value), start));
        }
        while (Accept(TokenKind.Comma));

        return new SyntaxList<SetClause>([.. list]);
    }

    private SyntaxList<ResultColumn>? ParseReturning()
    {
        if (!Accept(TokenKind.Returning))
        {
            return null;
        }

        return ParseResultColumns();
    }

    // ------------------------------------------------------------------ UPDATE and DELETE

    private UpdateStmt ParseUpdate(WithClause? with, int start)
    {
        Expect(TokenKind.Update);
        var orAction = ParseOrConflict();
        var (table, alias) = ParseTargetTable();
        var (indexedBy, notIndexed) = ParseIndexedBy();
        Expect(TokenKind.Set);
        var set = ParseSetList();
        FromClause? from = null;
        if (Accept(TokenKind.From))
        {
            from = ParseFrom();
        }

        Expr? where = null;
        if (Accept(TokenKind.Where))
        {
            where = ParseExpr();
        }

        var returning = ParseReturning();
        var orderBy = ParseOrderBy();
        var limit = ParseLimit();
        if (orderBy.Count > 0 && limit is null)
        {
            Defer("ORDER BY without LIMIT on UPDATE", -1);
        }

        return Mark(new UpdateStmt(with, orAction, table, alias, indexedBy, notIndexed, set, from, where, returning, orderBy, limit), start);
    }

    private DeleteStmt ParseDelete(WithClause? with, int start)
    {
        Expect(TokenKind.Delete);
        Expect(TokenKind.From);
        var (table, alias) = ParseTargetTable();
        var (indexedBy, notIndexed) = ParseIndexedBy();
        Expr? where = null;
        if (Accept(TokenKind.Where))
        {
            where = ParseExpr();
        }

        var returning = ParseReturning();
        var orderBy = ParseOrderBy();
        var limit = ParseLimit();
        if (orderBy.Count > 0 && limit is null)
        {
            Defer("ORDER BY without LIMIT on DELETE", -1);
        }

        return Mark(new DeleteStmt(with, table, alias, indexedBy, notIndexed, where, returning, orderBy, limit), start);
    }
}
