using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// CREATE TRIGGER and the statements of a trigger's body (SQLite's trigger_cmd grammar).
public sealed partial class SqlParser
{
    private CreateTriggerStmt ParseCreateTrigger(bool temp, int start)
    {
        var ifNotExists = ParseIfNotExists();
        var name = QualifiedName();
        TriggerTime? time = null;
        if (Accept(TokenKind.Before))
        {
            time = TriggerTime.Before;
        }
        else if (Accept(TokenKind.After))
        {
            time = TriggerTime.After;
        }
        else if (Accept(TokenKind.Instead))
        {
            Expect(TokenKind.Of);
            time = TriggerTime.InsteadOf;
        }

        TriggerEvent ev;
        SyntaxList<string>? updateOf = null;
        switch (_tok.Kind)
        {
            case TokenKind.Delete:
                ev = TriggerEvent.Delete;
                Advance();
                break;
            case TokenKind.Insert:
                ev = TriggerEvent.Insert;
                Advance();
                break;
            case TokenKind.Update:
                ev = TriggerEvent.Update;
                Advance();
                if (Accept(TokenKind.Of))
                {
                    var columns = new List<string>();
                    do
                    {
                        columns.Add(Name());
                    }
                    while (Accept(TokenKind.Comma));

                    updateOf = new SyntaxList<string>([.. columns]);
                }

                break;
            default:
                throw Unexpected();
        }

        Expect(TokenKind.On);
        var table = QualifiedName();
        var forEachRow = false;
        if (Accept(TokenKind.For))
        {
            Expect(TokenKind.Each);
            Expect(TokenKind.Row);
            forEachRow = true;
        }

        Expr? when = null;
        if (Accept(TokenKind.When))
        {
            when = ParseExpr();
        }

        // SQLite checks the declaration (sqlite3BeginTrigger) once it is complete, before the body.
        if (temp && name.Schema is not null)
        {
            Defer("temporary trigger may not have qualified name", -1);
        }

        Expect(TokenKind.Begin);
        var body = new List<Statement>();
        do
        {
            body.Add(ParseTriggerStep());
            Expect(TokenKind.Semicolon);
        }
        while (_tok.Kind != TokenKind.End);

        Advance();
        return Mark(new CreateTriggerStmt(temp, ifNotExists, name, time, ev, updateOf, table, forEachRow, when, new SyntaxList<Statement>([.. body])), start);
    }

    /// <summary>
    /// One statement of a trigger body: UPDATE, INSERT/REPLACE, DELETE (unqualified target, no
    /// alias, INDEXED BY, ORDER BY, LIMIT or RETURNING) or a SELECT.
    /// </summary>
    private Statement ParseTriggerStep()
    {
        var start = _tok.Start;
        switch (_tok.Kind)
        {
            case TokenKind.Update:
                {
                    Advance();
                    var orAction = ParseOrConflict();
                    var table = TriggerTarget();
                    var (indexedBy, notIndexed) = TriggerIndexedBy();
                    Expect(TokenKind.Set);
                    var set = ParseSetList();
                    FromClause? from = null;
                    if (Accept(TokenKind.From))
                    {
                        from = ParseFrom();
                    }

                    var where = Accept(TokenKind.Where) ? ParseExpr() : null;
                    return Mark(new UpdateStmt(null, orAction, table, null, indexedBy, notIndexed, set, from, where, null, SyntaxList<OrderingTerm>.Empty, null), start);
                }

            case TokenKind.Delete:
                {
                    Advance();
                    Expect(TokenKind.From);
                    var table = TriggerTarget();
                    var (indexedBy, notIndexed) = TriggerIndexedBy();
                    var where = Accept(TokenKind.Where) ? ParseExpr() : null;
                    return Mark(new DeleteStmt(null, table, null, indexedBy, notIndexed, where, null, SyntaxList<OrderingTerm>.Empty, null), start);
                }

            case TokenKind.Insert or TokenKind.Replace:
                {
                    ConflictAction? orAction;
                    var replaceKeyword = false;
                    if (Accept(TokenKind.Replace))
                    {
                        replaceKeyword = true;
                        orAction = ConflictAction.Replace;
                    }
                    else
                    {
                        Advance();
                        orAction = ParseOrConflict();
                    }

                    Expect(TokenKind.Into);
                    var table = TriggerTarget();
                    var columns = ParseOptionalNameList();
                    if (!StartsSelect(_tok.Kind))
                    {
                        SyntaxError();
                    }

                    var select = ParseSelect();
                    var (upserts, returning) = ParseUpserts();
                    if (returning is not null)
                    {
                        Defer("cannot use RETURNING in a trigger", -1);
                    }

                    return Mark(new InsertStmt(null, orAction, replaceKeyword, table, null, columns, select, upserts, returning), start);
                }

            default:
                if (!StartsSelect(_tok.Kind))
                {
                    SyntaxError();
                }

                return ParseSelect();
        }
    }

    /// <summary>SQLite's <c>trnm</c>: a table name; a qualified one parses but is an error.</summary>
    private QualifiedName TriggerTarget()
    {
        var start = _tok.Start;
        var first = Name();
        if (Accept(TokenKind.Dot))
        {
            var second = Name();
            Defer("qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers", -1);
            return Mark(new QualifiedName(first, second), start);
        }

        return Mark(new QualifiedName(null, first), start);
    }

    /// <summary>SQLite's <c>tridxby</c>: INDEXED BY and NOT INDEXED parse but are errors in a trigger.</summary>
    private (string? IndexedBy, bool NotIndexed) TriggerIndexedBy()
    {
        var at = _tok.Start;
        var (indexedBy, notIndexed) = ParseIndexedBy();
        if (indexedBy is not null)
        {
            Defer("the INDEXED BY clause is not allowed on UPDATE or DELETE statements within triggers", -1);
        }
        else if (notIndexed)
        {
            Defer("the NOT INDEXED clause is not allowed on UPDATE or DELETE statements within triggers", -1);
        }

        return (indexedBy, notIndexed);
    }
}
