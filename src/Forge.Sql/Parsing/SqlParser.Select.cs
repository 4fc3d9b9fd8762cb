using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// SELECT: WITH, cores, VALUES, compounds, FROM and joins, ORDER BY, LIMIT.
public sealed partial class SqlParser
{
    private SelectStmt ParseSelect()
    {
        var start = _tok.Start;
        RuntimeCheck();
        WithClause? with = null;
        if (_tok.Kind == TokenKind.With)
        {
            with = ParseWith();
        }

        return ParseSelectAfterWith(with, start);
    }

    private static void RuntimeCheck() => System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();

    private SelectStmt ParseSelectAfterWith(WithClause? with, int start)
    {
        var bodyStart = _tok.Start;
        var (first, orderBy, limit) = ParseOneSelect();
        SelectBody body = first;
        List<CompoundTerm>? terms = null;
        while (_tok.Kind is TokenKind.Union or TokenKind.Intersect or TokenKind.Except)
        {
            var opStart = _tok.Start;
            CompoundOp op;
            if (Accept(TokenKind.Union))
            {
                op = Accept(TokenKind.All) ? CompoundOp.UnionAll : CompoundOp.Union;
            }
            else
            {
                op = _tok.Kind == TokenKind.Intersect ? CompoundOp.Intersect : CompoundOp.Except;
                Advance();
            }

            var (next, nextOrderBy, nextLimit) = ParseOneSelect();
            if (orderBy.Count > 0)
            {
                Fail($"ORDER BY clause should come after {OpName(op)} not before", opStart);
            }

            if (limit is not null)
            {
                Fail($"LIMIT clause should come after {OpName(op)} not before", opStart);
            }

            terms ??= [];
            terms.Add(Mark(new CompoundTerm(op, next), opStart));
            orderBy = nextOrderBy;
            limit = nextLimit;
        }

        if (terms is not null)
        {
            var count = 1;
            foreach (var t in terms)
            {
                if (t.Select is not ValuesBody)
                {
                    count++;
                }
            }

            if (first is not ValuesBody && count > MaxCompoundSelect)
            {
                Fail("too many terms in compound SELECT", start);
            }

            body = Mark(new CompoundSelect(first, new SyntaxList<CompoundTerm>([.. terms])), bodyStart);
        }

        return Mark(new SelectStmt(with, body, orderBy, limit), start);
    }

    private static string OpName(CompoundOp op) => op switch
    {
        CompoundOp.Union => "UNION",
        CompoundOp.UnionAll => "UNION ALL",
        CompoundOp.Intersect => "INTERSECT",
        _ => "EXCEPT",
    };

    private WithClause ParseWith()
    {
        var start = _tok.Start;
        Expect(TokenKind.With);
        var recursive = Accept(TokenKind.Recursive);
        var ctes = new List<CommonTableExpr>();
        do
        {
            var cteStart = _tok.Start;
            var name = Name();
            var columns = ParseOptionalNameList(eid: true);
            Expect(TokenKind.As);
            bool? materialized = null;
            if (Accept(TokenKind.Materialized))
            {
                materialized = true;
            }
            else if (Accept(TokenKind.Not))
            {
                Expect(TokenKind.Materialized);
                materialized = false;
            }

            Expect(TokenKind.LeftParen);
            Enter(5);
            var select = ParseSelect();
            Expect(TokenKind.RightParen);
            Leave(5);
            ctes.Add(Mark(new CommonTableExpr(name, columns, materialized, select), cteStart));
        }
        while (Accept(TokenKind.Comma));

        return Mark(new WithClause(recursive, new SyntaxList<CommonTableExpr>([.. ctes])), start);
    }

    /// <summary>
    /// An optional parenthesised list of names: <c>(a, b)</c>. With <paramref name="eid"/> it is
    /// SQLite's <c>eidlist</c> (CTE, view and foreign key columns), whose grammar also takes
    /// COLLATE and ASC/DESC after a name only to reject them.
    /// </summary>
    private SyntaxList<string>? ParseOptionalNameList(bool eid = false)
    {
        if (_tok.Kind != TokenKind.LeftParen)
        {
            return null;
        }

        Advance();
        return ParseNameListRest(eid);
    }

    /// <summary>Names up to and including the closing parenthesis.</summary>
    private SyntaxList<string> ParseNameListRest(bool eid = false)
    {
        var names = new List<string>();
        do
        {
            var name = Name();
            names.Add(name);
            if (eid)
            {
                var decorated = false;
                if (Accept(TokenKind.Collate))
                {
                    IdsName();
                    decorated = true;
                }

                if (_tok.Kind is TokenKind.Asc or TokenKind.Desc)
                {
                    Advance();
                    decorated = true;
                }

                if (decorated)
                {
                    if (_tok.Kind is not (TokenKind.Comma or TokenKind.RightParen))
                    {
                        SyntaxError();
                    }

                    Fail($"syntax error after column name \"{name}\"", _tok.Start);
                }
            }
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen);
        return new SyntaxList<string>([.. names]);
    }

    private (SelectBody Body, SyntaxList<OrderingTerm> OrderBy, LimitClause? Limit) ParseOneSelect()
    {
        var start = _tok.Start;
        if (_tok.Kind == TokenKind.Values)
        {
            return (ParseValues(), SyntaxList<OrderingTerm>.Empty, null);
        }

        Expect(TokenKind.Select);
        var distinct = false;
        if (Accept(TokenKind.Distinct))
        {
            distinct = true;
        }
        else
        {
            Accept(TokenKind.All);
        }

        var columns = ParseResultColumns();
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

        var groupBy = SyntaxList<Expr>.Empty;
        if (Accept(TokenKind.Group))
        {
            Expect(TokenKind.By);
            var items = new List<Expr>();
            ParseExprList(items);
            groupBy = new SyntaxList<Expr>([.. items]);
        }

        Expr? having = null;
        if (Accept(TokenKind.Having))
        {
            having = ParseExpr();
        }

        if (_tok.Kind == TokenKind.Window && PeekNext().Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier)
        {
            Fail("window functions are not supported", _tok.Start);
        }

        var core = Mark(new SelectCore(distinct, columns, from, where, groupBy, having), start);
        var orderBy = ParseOrderBy();
        var limit = ParseLimit();
        return (core, orderBy, limit);
    }

    private ValuesBody ParseValues()
    {
        var start = _tok.Start;
        Expect(TokenKind.Values);
        var rows = new List<SyntaxList<Expr>>();
        do
        {
            var rowStart = _tok.Start;
            Expect(TokenKind.LeftParen);
            var items = new List<Expr>();
            ParseExprList(items);
            Expect(TokenKind.RightParen);
            if (rows.Count > 0 && items.Count != rows[0].Count)
            {
                Fail("all VALUES must have the same number of terms", rowStart);
            }

            rows.Add(new SyntaxList<Expr>([.. items]));
        }
        while (Accept(TokenKind.Comma));

        return Mark(new ValuesBody(new SyntaxList<SyntaxList<Expr>>([.. rows])), start);
    }

    private SyntaxList<ResultColumn> ParseResultColumns()
    {
        var columns = new List<ResultColumn>();
        do
        {
            columns.Add(ParseResultColumn());
        }
        while (Accept(TokenKind.Comma));

        return new SyntaxList<ResultColumn>([.. columns]);
    }

    private ResultColumn ParseResultColumn()
    {
        var start = _tok.Start;
        if (Accept(TokenKind.Star))
        {
            return Mark(new StarColumn(null), start);
        }

        if (IsNm(_tok.Kind) && PeekNext().Kind == TokenKind.Dot)
        {
            var afterDot = NextSignificant(PeekNext().End);
            if (afterDot.Kind == TokenKind.Star)
            {
                var table = Name();
                Advance();
                Advance();
                return Mark(new StarColumn(table), start);
            }
        }

        var expr = ParseExpr();
        var alias = ParseAlias();
        return Mark(new ExprColumn(expr, alias), start);
    }

    /// <summary><c>AS nm</c>, or a bare <c>ids</c>, or nothing.</summary>
    private string? ParseAlias()
    {
        if (Accept(TokenKind.As))
        {
            return Name();
        }

        return IsIds(_tok.Kind) ? IdsName() : null;
    }

    private SyntaxList<OrderingTerm> ParseOrderBy()
    {
        if (_tok.Kind != TokenKind.Order)
        {
            return SyntaxList<OrderingTerm>.Empty;
        }

        Advance();
        Expect(TokenKind.By);
        return ParseSortList();
    }

    private SyntaxList<OrderingTerm> ParseSortList()
    {
        var terms = new List<OrderingTerm>();
        do
        {
            var start = _tok.Start;
            var e = ParseExpr();
            var order = ParseSortOrder();
            var nulls = NullsOrder.None;
            if (Accept(TokenKind.Nulls))
            {
                if (Accept(TokenKind.First))
                {
                    nulls = NullsOrder.First;
                }
                else
                {
                    Expect(TokenKind.Last);
                    nulls = NullsOrder.Last;
                }
            }

            terms.Add(Mark(new OrderingTerm(e, order, nulls), start));
        }
        while (Accept(TokenKind.Comma));

        return new SyntaxList<OrderingTerm>([.. terms]);
    }

    private SortOrder ParseSortOrder()
    {
        if (Accept(TokenKind.Asc))
        {
            return SortOrder.Asc;
        }

        return Accept(TokenKind.Desc) ? SortOrder.Desc : SortOrder.None;
    }

    private LimitClause? ParseLimit()
    {
        if (_tok.Kind != TokenKind.Limit)
        {
            return null;
        }

        var start = _tok.Start;
        Advance();
        var first = ParseExpr();
        if (Accept(TokenKind.Offset))
        {
            return Mark(new LimitClause(first, ParseExpr()), start);
        }

        if (Accept(TokenKind.Comma))
        {
            // LIMIT offset, count
            var count = ParseExpr();
            return Mark(new LimitClause(count, first), start);
        }

        return Mark(new LimitClause(first, null), start);
    }

    // ------------------------------------------------------------------ FROM

    private FromClause ParseFrom()
    {
        var start = _tok.Start;
        var (first, firstOn, firstUsing) = ParseTableSource();
        if (firstOn is not null || firstUsing is not null)
        {
            // SQLite reports this when it reduces the FROM item, i.e. only if the next token can follow one.
            if (!CanFollowFromItem(_tok.Kind))
            {
                SyntaxError();
            }

            Fail($"a JOIN clause is required before {(firstOn is not null ? "ON" : "USING")}", start);
        }

        var joins = new List<JoinClause>();
        while (true)
        {
            var joinStart = _tok.Start;
            JoinKind kind;
            if (Accept(TokenKind.Comma))
            {
                kind = JoinKind.Comma;
            }
            else if (Accept(TokenKind.Join))
            {
                kind = JoinKind.Inner;
            }
            else if (Keywords.IsJoinKeyword(_tok.Kind))
            {
                kind = ParseJoinKeywords();
            }
            else
            {
                break;
            }

            var (source, on, usingCols) = ParseTableSource();
            if ((kind & JoinKind.Natural) != 0 && (on is not null || usingCols is not null))
            {
                Defer("a NATURAL join may not have an ON or USING clause", joinStart);
            }

            joins.Add(Mark(new JoinClause(kind, source, on, usingCols), joinStart));
        }

        return Mark(new FromClause(first, new SyntaxList<JoinClause>([.. joins])), start);
    }

    private static bool CanFollowFromItem(TokenKind kind) => kind is TokenKind.Comma or TokenKind.Join
        or TokenKind.Where or TokenKind.Group or TokenKind.Having or TokenKind.Window or TokenKind.Order
        or TokenKind.Limit or TokenKind.Union or TokenKind.Intersect or TokenKind.Except or TokenKind.RightParen
        or TokenKind.Semicolon or TokenKind.Eof or TokenKind.Returning || Keywords.IsJoinKeyword(kind);

    /// <summary><c>JOIN_KW [nm [nm]] JOIN</c>, checked as SQLite checks the words.</summary>
    private JoinKind ParseJoinKeywords()
    {
        var words = new List<Token> { _tok };
        Advance();
        while (_tok.Kind != TokenKind.Join && words.Count < 3)
        {
            if (!IsNm(_tok.Kind))
            {
                SyntaxError();
            }

            words.Add(_tok);
            Advance();
        }

        var errorAt = _tok.Start;
        Expect(TokenKind.Join);

        // The words are checked when SQLite reduces the join operator, once the next token fits.
        if (!IsNm(_tok.Kind) && _tok.Kind != TokenKind.LeftParen)
        {
            SyntaxError();
        }

        var kind = JoinKind.Inner;
        var bad = false;
        foreach (var w in words)
        {
            var kw = Keywords.Lookup(w.Span(_sql));
            kind |= kw switch
            {
                TokenKind.Natural => JoinKind.Natural,
                TokenKind.Left => JoinKind.Left | JoinKind.Outer,
                TokenKind.Outer => JoinKind.Outer,
                TokenKind.Right => JoinKind.Right | JoinKind.Outer,
                TokenKind.Full => JoinKind.Left | JoinKind.Right | JoinKind.Outer,
                TokenKind.Inner => JoinKind.InnerExplicit,
                TokenKind.Cross => JoinKind.Cross | JoinKind.InnerExplicit,
                _ => 0,
            };
            if (w.Kind == TokenKind.StringLiteral || w.Kind == TokenKind.QuotedIdentifier || !Keywords.IsJoinKeyword(kw))
            {
                bad = true;
            }
        }

        if (bad || (kind & (JoinKind.InnerExplicit | JoinKind.Outer)) == (JoinKind.InnerExplicit | JoinKind.Outer)
            || (kind & (JoinKind.Outer | JoinKind.Left | JoinKind.Right)) == JoinKind.Outer)
        {
            var text = string.Join(' ', words.Select(w => w.Text(_sql)));
            Fail($"unknown join type: {text}", errorAt);
        }

        return kind;
    }

    private (TableSource Source, Expr? On, SyntaxList<string>? Using) ParseTableSource()
    {
        var start = _tok.Start;
        TableSource source;
        if (Accept(TokenKind.LeftParen))
        {
            if (StartsSelect(_tok.Kind))
            {
                Enter(5);
                var select = ParseSelect();
                Expect(TokenKind.RightParen);
                Leave(5);
                source = Mark(new SubquerySource(select, ParseAlias()), start);
            }
            else
            {
                Enter(1);
                var inner = ParseFrom();
                Expect(TokenKind.RightParen);
                Leave(1);
                var alias = ParseAlias();
                source = inner.Joins.Count == 0 && alias is null
                    ? inner.First
                    : Mark(new JoinGroupSource(inner, alias), start);
            }
        }
        else
        {
            var name = QualifiedName();
            SyntaxList<Expr>? args = null;
            if (Accept(TokenKind.LeftParen))
            {
                Enter(3);
                var items = new List<Expr>();
                if (_tok.Kind != TokenKind.RightParen)
                {
                    ParseExprList(items);
                }

                Expect(TokenKind.RightParen);
                Leave(3);
                args = new SyntaxList<Expr>([.. items]);
            }

            var alias = ParseAlias();
            string? indexedBy = null;
            var notIndexed = false;
            if (args is null)
            {
                (indexedBy, notIndexed) = ParseIndexedBy();
            }

            source = Mark(new TableRef(name, alias, indexedBy, notIndexed, args), start);
        }

        Expr? on = null;
        SyntaxList<string>? usingCols = null;
        if (Accept(TokenKind.On))
        {
            on = ParseExpr();
        }
        else if (Accept(TokenKind.Using))
        {
            Expect(TokenKind.LeftParen);
            usingCols = ParseNameListRest();
        }

        return (source, on, usingCols);
    }

    private (string? IndexedBy, bool NotIndexed) ParseIndexedBy()
    {
        if (Accept(TokenKind.Indexed))
        {
            Expect(TokenKind.By);
            return (Name(), false);
        }

        if (Accept(TokenKind.Not))
        {
            Expect(TokenKind.Indexed);
            return (null, true);
        }

        return (null, false);
    }
}
