using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// Statement dispatch and the small statements: transactions, PRAGMA, VACUUM, ANALYZE, ...
public sealed partial class SqlParser
{
    private Statement ParseStatement()
    {
        var start = _tok.Start;
        if (Accept(TokenKind.Explain))
        {
            var queryPlan = false;
            if (Accept(TokenKind.Query))
            {
                Expect(TokenKind.Plan);
                queryPlan = true;
            }

            var inner = ParseCommand();
            return Mark(new ExplainStmt(queryPlan, inner), start);
        }

        return ParseCommand();
    }

    private Statement ParseCommand()
    {
        var start = _tok.Start;
        switch (_tok.Kind)
        {
            case TokenKind.Select or TokenKind.Values:
                return ParseSelect();
            case TokenKind.With:
                {
                    var with = ParseWith();
                    return _tok.Kind switch
                    {
                        TokenKind.Insert or TokenKind.Replace => ParseInsert(with, start),
                        TokenKind.Update => ParseUpdate(with, start),
                        TokenKind.Delete => ParseDelete(with, start),
                        TokenKind.Select or TokenKind.Values => ParseSelectAfterWith(with, start),
                        _ => throw Unexpected(),
                    };
                }

            case TokenKind.Insert or TokenKind.Replace:
                return ParseInsert(null, start);
            case TokenKind.Update:
                return ParseUpdate(null, start);
            case TokenKind.Delete:
                return ParseDelete(null, start);
            case TokenKind.Create:
                return ParseCreate(start);
            case TokenKind.Drop:
                return ParseDrop(start);
            case TokenKind.Alter:
                return ParseAlter(start);
            case TokenKind.Begin:
                return ParseBegin(start);
            case TokenKind.Commit or TokenKind.End:
                Advance();
                ParseTransactionName();
                return Mark(new CommitStmt(), start);
            case TokenKind.Rollback:
                return ParseRollback(start);
            case TokenKind.Savepoint:
                Advance();
                return Mark(new SavepointStmt(Name()), start);
            case TokenKind.Release:
                Advance();
                Accept(TokenKind.Savepoint);
                return Mark(new ReleaseStmt(Name()), start);
            case TokenKind.Pragma:
                return ParsePragma(start);
            case TokenKind.Vacuum:
                return ParseVacuum(start);
            case TokenKind.Analyze:
                Advance();
                return Mark(new AnalyzeStmt(IsNm(_tok.Kind) ? QualifiedName() : null), start);
            case TokenKind.Reindex:
                Advance();
                return Mark(new ReindexStmt(IsNm(_tok.Kind) ? QualifiedName() : null), start);
            case TokenKind.Attach:
                {
                    Advance();
                    Accept(TokenKind.Database);
                    var file = ParseExpr();
                    Expect(TokenKind.As);
                    var schema = ParseExpr();
                    Expr? key = null;
                    if (_tok.Kind == TokenKind.Key)
                    {
                        Advance();
                        key = ParseExpr();
                    }

                    return Mark(new AttachStmt(file, schema, key), start);
                }

            case TokenKind.Detach:
                Advance();
                Accept(TokenKind.Database);
                return Mark(new DetachStmt(ParseExpr()), start);
            default:
                throw Unexpected();
        }
    }

    /// <summary><c>[TRANSACTION [name]]</c> after BEGIN/COMMIT/END/ROLLBACK.</summary>
    private void ParseTransactionName()
    {
        if (Accept(TokenKind.Transaction) && IsNm(_tok.Kind))
        {
            Advance();
        }
    }

    private BeginStmt ParseBegin(int start)
    {
        Advance();
        var kind = TransactionKind.Deferred;
        switch (_tok.Kind)
        {
            case TokenKind.Deferred:
                Advance();
                break;
            case TokenKind.Immediate:
                kind = TransactionKind.Immediate;
                Advance();
                break;
            case TokenKind.Exclusive:
                kind = TransactionKind.Exclusive;
                Advance();
                break;
        }

        ParseTransactionName();
        return Mark(new BeginStmt(kind), start);
    }

    private RollbackStmt ParseRollback(int start)
    {
        Advance();
        if (Accept(TokenKind.Transaction) && IsNm(_tok.Kind) && _tok.Kind != TokenKind.To)
        {
            Advance();
        }

        if (Accept(TokenKind.To))
        {
            Accept(TokenKind.Savepoint);
            return Mark(new RollbackStmt(Name()), start);
        }

        return Mark(new RollbackStmt(null), start);
    }

    private PragmaStmt ParsePragma(int start)
    {
        Advance();
        var name = QualifiedName();
        if (Accept(TokenKind.Eq))
        {
            var (value, isString) = ParsePragmaValue();
            return Mark(new PragmaStmt(name, value, isString, false), start);
        }

        if (Accept(TokenKind.LeftParen))
        {
            var (value, isString) = ParsePragmaValue();
            Expect(TokenKind.RightParen);
            return Mark(new PragmaStmt(name, value, isString, true), start);
        }

        return Mark(new PragmaStmt(name, null, false, false), start);
    }

    /// <summary>SQLite's <c>nmnum</c> or <c>minus_num</c>: a signed number, a name, ON, DELETE or DEFAULT.</summary>
    private (string Value, bool IsString) ParsePragmaValue()
    {
        switch (_tok.Kind)
        {
            case TokenKind.Plus or TokenKind.Minus or TokenKind.IntegerLiteral or TokenKind.FloatLiteral:
                return (ParseSignedNumber(), false);
            case TokenKind.On or TokenKind.Delete or TokenKind.Default:
                {
                    var text = _tok.Text(_sql);
                    Advance();
                    return (text, false);
                }

            default:
                {
                    var isString = _tok.Kind == TokenKind.StringLiteral;
                    return (Name(), isString);
                }
        }
    }

    private VacuumStmt ParseVacuum(int start)
    {
        Advance();
        string? schema = null;
        if (IsNm(_tok.Kind))
        {
            schema = Name();
        }

        Expr? into = null;
        if (Accept(TokenKind.Into))
        {
            into = ParseExpr();
        }

        return Mark(new VacuumStmt(schema, into), start);
    }
}
