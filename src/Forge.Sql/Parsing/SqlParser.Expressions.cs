using System.Globalization;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// Expressions, by precedence climbing with SQLite's levels (lowest first):
// OR; AND; NOT; IS MATCH LIKE GLOB REGEXP BETWEEN IN ISNULL NOTNULL == != <>; < <= > >=; ESCAPE;
// & | << >>; + -; * / %; || -> ->>; COLLATE; unary - + ~.
// A prefix NOT or unary operator met in operand position takes as its operand everything that
// binds tighter than itself, exactly as SQLite's LALR grammar resolves it.
public sealed partial class SqlParser
{
    /// <summary>The literal 9223372036854775808 just parsed, which a unary minus turns into the smallest integer.</summary>
    private RealLiteral? _minIntCandidate;

    private Expr ParseExpr()
    {
        var left = ParseAnd();
        while (_tok.Kind == TokenKind.Or)
        {
            Advance();
            Enter(2);
            var right = ParseAnd();
            Leave(2);
            left = Binary(BinaryOp.Or, left, right);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseEquality();
        while (_tok.Kind == TokenKind.And)
        {
            Advance();
            Enter(2);
            var right = ParseEquality();
            Leave(2);
            left = Binary(BinaryOp.And, left, right);
        }

        return left;
    }

    private Expr ParseEquality()
    {
        var left = ParseComparison();
        while (true)
        {
            var start = left.Start;
            switch (_tok.Kind)
            {
                case TokenKind.Eq:
                    Advance();
                    left = Binary(BinaryOp.Eq, left, RightOperand());
                    continue;
                case TokenKind.Ne:
                    Advance();
                    left = Binary(BinaryOp.Ne, left, RightOperand());
                    continue;
                case TokenKind.Is:
                    {
                        Advance();
                        var not = Accept(TokenKind.Not);
                        if (Accept(TokenKind.Distinct))
                        {
                            Expect(TokenKind.From);
                            not = !not;
                        }

                        left = Binary(not ? BinaryOp.IsNot : BinaryOp.Is, left, RightOperand());
                        continue;
                    }

                case TokenKind.IsNull or TokenKind.NotNull:
                    {
                        var notNull = _tok.Kind == TokenKind.NotNull;
                        Advance();
                        left = ParseComparison(Node1(new NullTestExpr(notNull, left), start, left));
                        continue;
                    }

                case TokenKind.Not:
                    {
                        var next = PeekNext().Kind;
                        if (next == TokenKind.Null)
                        {
                            Advance();
                            Advance();
                            left = ParseComparison(Node1(new NullTestExpr(true, left), start, left));
                            continue;
                        }

                        // After an operand NOT can only start NOT NULL/LIKE/BETWEEN/IN/...: anything else is
                        // an error at the token after NOT, as in SQLite.
                        Advance();
                        if (_tok.Kind is not (TokenKind.Like or TokenKind.Glob or TokenKind.Regexp or TokenKind.Match
                            or TokenKind.Between or TokenKind.In))
                        {
                            SyntaxError();
                        }

                        left = AfterPredicate(ParsePredicate(left, true));
                        continue;
                    }

                case TokenKind.Like or TokenKind.Glob or TokenKind.Regexp or TokenKind.Match
                    or TokenKind.Between or TokenKind.In:
                    left = AfterPredicate(ParsePredicate(left, false));
                    continue;
                default:
                    return left;
            }
        }
    }

    /// <summary>LIKE/GLOB/REGEXP/MATCH, BETWEEN or IN after <paramref name="left"/> (and NOT, already consumed).</summary>
    private Expr ParsePredicate(Expr left, bool not)
    {
        var start = left.Start;
        switch (_tok.Kind)
        {
            case TokenKind.Between:
                {
                    Advance();
                    var low = ParseBetweenLow();
                    Expect(TokenKind.And);
                    var high = ParseComparison();
                    return NodeN(new BetweenExpr(not, left, low, high), start, Math.Max(left.Height, Math.Max(low.Height, high.Height)));
                }

            case TokenKind.In:
                Advance();
                return ParseIn(left, not);
            default:
                {
                    var op = _tok.Kind switch
                    {
                        TokenKind.Like => LikeOp.Like,
                        TokenKind.Glob => LikeOp.Glob,
                        TokenKind.Regexp => LikeOp.Regexp,
                        _ => LikeOp.Match,
                    };
                    Advance();
                    var pattern = ParseComparison();
                    Expr? escape = null;
                    if (Accept(TokenKind.Escape))
                    {
                        escape = ParseBitwise();
                    }

                    var h = Math.Max(left.Height, Math.Max(pattern.Height, escape?.Height ?? 0));
                    return NodeN(new LikeExpr(op, not, left, pattern, escape), start, h);
                }
        }
    }

    /// <summary>
    /// An IN (...) ends with a parenthesis, so SQLite's grammar has reduced it to a finished
    /// expression that any operator may then take as its left operand: <c>x IN (1) * 2</c> is
    /// <c>(x IN (1)) * 2</c>. LIKE and BETWEEN end with an expression that absorbed those operators.
    /// </summary>
    private Expr AfterPredicate(Expr e) => e is InExpr ? ParseComparison(e) : e;

    /// <summary>BETWEEN's lower bound: anything binding tighter than AND.</summary>
    private Expr ParseBetweenLow()
    {
        // SQLite's grammar shifts an OR here (BETWEEN has not seen its AND yet), and an AND after
        // that OR then belongs to the OR's right operand.
        var low = ParseEquality();
        while (_tok.Kind == TokenKind.Or)
        {
            Advance();
            low = Binary(BinaryOp.Or, low, ParseAnd());
        }

        return low;
    }

    private Expr ParseIn(Expr left, bool not)
    {
        var start = left.Start;
        if (Accept(TokenKind.LeftParen))
        {
            Enter(3);
            if (StartsSelect(_tok.Kind))
            {
                var select = ParseSelect();
                Expect(TokenKind.RightParen);
                Leave(3);
                return NodeN(new InExpr(not, left, null, select, null, null), start, left.Height);
            }

            var items = new List<Expr>();
            if (_tok.Kind != TokenKind.RightParen)
            {
                ParseExprList(items);
            }

            Expect(TokenKind.RightParen);
            Leave(3);
            return NodeN(new InExpr(not, left, new SyntaxList<Expr>([.. items]), null, null, null), start, Math.Max(left.Height, MaxHeight(items)));
        }

        var table = QualifiedName();
        SyntaxList<Expr>? args = null;
        if (Accept(TokenKind.LeftParen))
        {
            Enter(2);
            var items = new List<Expr>();
            if (_tok.Kind != TokenKind.RightParen)
            {
                ParseExprList(items);
            }

            Expect(TokenKind.RightParen);
            Leave(2);
            args = new SyntaxList<Expr>([.. items]);
        }

        return NodeN(new InExpr(not, left, null, null, table, args), start, left.Height);
    }

    private Expr ParseComparison(Expr? seed = null)
    {
        var left = ParseBitwise(seed);
        while (true)
        {
            BinaryOp op;
            switch (_tok.Kind)
            {
                case TokenKind.Lt: op = BinaryOp.Lt; break;
                case TokenKind.Le: op = BinaryOp.Le; break;
                case TokenKind.Gt: op = BinaryOp.Gt; break;
                case TokenKind.Ge: op = BinaryOp.Ge; break;
                default: return left;
            }

            Advance();
            Enter(2);
            var right = ParseBitwise();
            Leave(2);
            left = Binary(op, left, right);
        }
    }

    private Expr ParseBitwise(Expr? seed = null)
    {
        var left = ParseAdditive(seed);
        while (true)
        {
            BinaryOp op;
            switch (_tok.Kind)
            {
                case TokenKind.BitAnd: op = BinaryOp.BitAnd; break;
                case TokenKind.BitOr: op = BinaryOp.BitOr; break;
                case TokenKind.LShift: op = BinaryOp.LShift; break;
                case TokenKind.RShift: op = BinaryOp.RShift; break;
                default: return left;
            }

            Advance();
            Enter(2);
            var right = ParseAdditive();
            Leave(2);
            left = Binary(op, left, right);
        }
    }

    private Expr ParseAdditive(Expr? seed = null)
    {
        var left = ParseMultiplicative(seed);
        while (true)
        {
            BinaryOp op;
            switch (_tok.Kind)
            {
                case TokenKind.Plus: op = BinaryOp.Add; break;
                case TokenKind.Minus: op = BinaryOp.Subtract; break;
                default: return left;
            }

            Advance();
            Enter(2);
            var right = ParseMultiplicative();
            Leave(2);
            left = Binary(op, left, right);
        }
    }

    private Expr ParseMultiplicative(Expr? seed = null)
    {
        var left = ParseConcat(seed);
        while (true)
        {
            BinaryOp op;
            switch (_tok.Kind)
            {
                case TokenKind.Star: op = BinaryOp.Multiply; break;
                case TokenKind.Slash: op = BinaryOp.Divide; break;
                case TokenKind.Percent: op = BinaryOp.Modulo; break;
                default: return left;
            }

            Advance();
            Enter(2);
            var right = ParseConcat();
            Leave(2);
            left = Binary(op, left, right);
        }
    }

    private Expr ParseConcat(Expr? seed = null)
    {
        var left = ParseCollate(seed);
        while (true)
        {
            BinaryOp op;
            switch (_tok.Kind)
            {
                case TokenKind.Concat: op = BinaryOp.Concat; break;
                case TokenKind.Arrow: op = BinaryOp.Extract; break;
                case TokenKind.DoubleArrow: op = BinaryOp.ExtractValue; break;
                default: return left;
            }

            Advance();
            Enter(2);
            var right = ParseCollate();
            Leave(2);
            left = Binary(op, left, right);
        }
    }

    private Expr ParseCollate(Expr? seed = null)
    {
        var e = seed ?? ParseUnary();
        while (_tok.Kind == TokenKind.Collate)
        {
            Advance();
            var name = IdsName();
            e = Node1(new CollateExpr(e, name), e.Start, e);
        }

        return e;
    }

    private Expr ParseUnary()
    {
        var start = _tok.Start;
        UnaryOp op;
        switch (_tok.Kind)
        {
            case TokenKind.Minus: op = UnaryOp.Negate; break;
            case TokenKind.Plus: op = UnaryOp.Plus; break;
            case TokenKind.BitNot: op = UnaryOp.BitNot; break;
            case TokenKind.Not:
                {
                    Advance();
                    Enter(1);
                    var operand = ParseEquality();
                    Leave(1);
                    return Node1(new UnaryExpr(UnaryOp.Not, operand), start, operand);
                }

            default:
                return ParsePrimary();
        }

        Advance();
        Enter(1);
        var inner = ParseUnary();
        Leave(1);
        if (op == UnaryOp.Negate && inner is RealLiteral { Value: 9223372036854775808.0 } && ReferenceEquals(_minIntCandidate, inner))
        {
            // -9223372036854775808 is the smallest integer, not a real.
            return Mark(new IntegerLiteral(long.MinValue) { Height = 1 }, start);
        }

        return Node1(new UnaryExpr(op, inner), start, inner);
    }

    private Expr ParsePrimary()
    {
        var t = _tok;
        var start = t.Start;
        switch (t.Kind)
        {
            case TokenKind.IntegerLiteral:
                Advance();
                return Leaf(IntegerValue(t), start);
            case TokenKind.FloatLiteral:
                Advance();
                return Leaf(new RealLiteral(ParseReal(t.Span(_sql))), start);
            case TokenKind.StringLiteral:
                if (PeekNext().Kind == TokenKind.Dot)
                {
                    return ParseColumnRef();
                }

                Advance();
                return Leaf(new StringLiteral(Dequote(t)), start);
            case TokenKind.Blob:
                Advance();
                return Leaf(new BlobLiteral(t.Span(_sql)[2..^1].ToString().ToUpperInvariant()), start);
            case TokenKind.Null:
                Advance();
                return Leaf(new NullLiteral(), start);
            case TokenKind.CurrentTime:
                Advance();
                return Leaf(new CurrentTimeLiteral(CurrentTimeKind.Time), start);
            case TokenKind.CurrentDate:
                Advance();
                return Leaf(new CurrentTimeLiteral(CurrentTimeKind.Date), start);
            case TokenKind.CurrentTimestamp:
                Advance();
                return Leaf(new CurrentTimeLiteral(CurrentTimeKind.Timestamp), start);
            case TokenKind.Variable:
                return ParseVariable();
            case TokenKind.LeftParen:
                return ParseParenthesized();
            case TokenKind.Cast:
                return ParseCast();
            case TokenKind.Case:
                return ParseCase();
            case TokenKind.Exists:
                {
                    Advance();
                    Expect(TokenKind.LeftParen);
                    Enter(6);
                    var select = ParseSelect();
                    Expect(TokenKind.RightParen);
                    Leave(6);
                    return Leaf(new ExistsExpr(select), start);
                }

            case TokenKind.Raise:
                return ParseRaise();
            case TokenKind.Minus or TokenKind.Plus or TokenKind.BitNot or TokenKind.Not:
                return ParseUnary();
            default:
                if (IsId(t.Kind) || Keywords.IsJoinKeyword(t.Kind))
                {
                    // A join keyword may name a column but not a function.
                    var next = PeekNext().Kind;
                    if (next == TokenKind.LeftParen && IsId(t.Kind))
                    {
                        return ParseFunctionCall();
                    }

                    return ParseColumnRef();
                }

                throw Unexpected();
        }
    }

    private Expr ParseColumnRef()
    {
        var start = _tok.Start;
        var doubleQuoted = _tok.Kind == TokenKind.QuotedIdentifier && _sql[_tok.Start] == '"';
        var first = Name();
        if (!Accept(TokenKind.Dot))
        {
            return Leaf(new ColumnRef(null, null, first, doubleQuoted), start);
        }

        var second = Name();
        if (!Accept(TokenKind.Dot))
        {
            return Leaf(new ColumnRef(null, first, second), start);
        }

        var third = Name();
        return Leaf(new ColumnRef(first, second, third), start);
    }

    private Expr ParseFunctionCall()
    {
        var start = _tok.Start;
        var name = Dequote(_tok);
        Advance();
        Expect(TokenKind.LeftParen);
        Enter(3);
        var distinct = false;
        var star = false;
        var args = new List<Expr>();
        if (Accept(TokenKind.Star))
        {
            star = true;
        }
        else
        {
            if (Accept(TokenKind.Distinct))
            {
                distinct = true;
            }
            else
            {
                Accept(TokenKind.All);
            }

            if (_tok.Kind != TokenKind.RightParen)
            {
                ParseExprList(args);
            }
        }

        Expect(TokenKind.RightParen);
        Leave(3);
        Expr? filter = null;
        if (_tok.Kind == TokenKind.Filter && PeekNext().Kind == TokenKind.LeftParen)
        {
            Advance();
            Advance();
            Expect(TokenKind.Where);
            filter = ParseExpr();
            Expect(TokenKind.RightParen);
        }

        if (_tok.Kind == TokenKind.Over && PeekNext().Kind is TokenKind.LeftParen or TokenKind.Identifier)
        {
            Fail("window functions are not supported", _tok.Start);
        }

        var height = Math.Max(MaxHeight(args), filter?.Height ?? 0);
        return NodeN(new FunctionCall(name, distinct, star, new SyntaxList<Expr>([.. args]), filter), start, height);
    }

    private Expr ParseParenthesized()
    {
        var start = _tok.Start;
        Advance();
        if (StartsSelect(_tok.Kind))
        {
            Enter(5);
            var select = ParseSelect();
            Expect(TokenKind.RightParen);
            Leave(5);
            return Leaf(new SubqueryExpr(select), start);
        }

        Enter(1);
        var first = ParseExpr();
        if (Accept(TokenKind.RightParen))
        {
            Leave(1);
            return first;
        }

        if (_tok.Kind != TokenKind.Comma)
        {
            SyntaxError();
        }

        var items = new List<Expr> { first };
        while (Accept(TokenKind.Comma))
        {
            items.Add(ParseExpr());
        }

        Expect(TokenKind.RightParen);
        Leave(1);
        return NodeN(new RowValueExpr(new SyntaxList<Expr>([.. items])), start, MaxHeight(items));
    }

    private Expr ParseCast()
    {
        var start = _tok.Start;
        Advance();
        Expect(TokenKind.LeftParen);
        Enter(2);
        var operand = ParseExpr();
        Expect(TokenKind.As);
        var type = ParseTypeName() ?? Mark(new TypeName(string.Empty, null, null), _tok.Start);
        Expect(TokenKind.RightParen);
        Leave(2);
        return Node1(new CastExpr(operand, type), start, operand);
    }

    private Expr ParseCase()
    {
        var start = _tok.Start;
        Advance();
        Enter(5);
        Expr? operand = null;
        if (_tok.Kind != TokenKind.When)
        {
            operand = ParseExpr();
        }

        var whens = new List<WhenClause>();
        var height = operand?.Height ?? 0;
        do
        {
            var whenStart = _tok.Start;
            Expect(TokenKind.When);
            var when = ParseExpr();
            Expect(TokenKind.Then);
            var then = ParseExpr();
            height = Math.Max(height, Math.Max(when.Height, then.Height));
            whens.Add(Mark(new WhenClause(when, then), whenStart));
        }
        while (_tok.Kind == TokenKind.When);

        Expr? otherwise = null;
        if (Accept(TokenKind.Else))
        {
            otherwise = ParseExpr();
            height = Math.Max(height, otherwise.Height);
        }

        Expect(TokenKind.End);
        Leave(5);
        return NodeN(new CaseExpr(operand, new SyntaxList<WhenClause>([.. whens]), otherwise), start, height);
    }

    private Expr ParseRaise()
    {
        var start = _tok.Start;
        Advance();
        Expect(TokenKind.LeftParen);
        RaiseKind kind;
        switch (_tok.Kind)
        {
            case TokenKind.Ignore: kind = RaiseKind.Ignore; break;
            case TokenKind.Rollback: kind = RaiseKind.Rollback; break;
            case TokenKind.Abort: kind = RaiseKind.Abort; break;
            case TokenKind.Fail: kind = RaiseKind.Fail; break;
            default: throw Unexpected();
        }

        Advance();
        string? message = null;
        if (kind != RaiseKind.Ignore)
        {
            Expect(TokenKind.Comma);
            message = Name();
        }

        Expect(TokenKind.RightParen);
        return Leaf(new RaiseExpr(kind, message), start);
    }

    private Expr ParseVariable()
    {
        var t = _tok;
        var text = t.Span(_sql);
        int index;
        if (text[0] == '#' && text.Length > 1 && char.IsAsciiDigit(text[1]))
        {
            SyntaxError();
        }

        if (text[0] == '?')
        {
            if (text.Length == 1)
            {
                index = ++_maxParam;
                Advance();
                return Leaf(new BindParameter("?", index), t.Start);
            }

            if (!long.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n < 1 || n > MaxVariableNumber)
            {
                Fail($"variable number must be between ?1 and ?{MaxVariableNumber}", t.Start);
            }

            index = (int)n;
            _maxParam = Math.Max(_maxParam, index);
            var name = text.ToString();
            _paramIndex ??= new Dictionary<string, int>(StringComparer.Ordinal);
            _paramIndex.TryAdd(name, index);
            SetParamName(index, name);
            Advance();
            return Leaf(new BindParameter(name, index), t.Start);
        }

        var named = text.ToString();
        _paramIndex ??= new Dictionary<string, int>(StringComparer.Ordinal);
        if (!_paramIndex.TryGetValue(named, out index))
        {
            index = ++_maxParam;
            if (index > MaxVariableNumber)
            {
                Fail("too many SQL variables", t.Start);
            }

            _paramIndex[named] = index;
            SetParamName(index, named);
        }

        Advance();
        return Leaf(new BindParameter(named, index), t.Start);
    }

    private void SetParamName(int index, string name)
    {
        _paramNames ??= [];
        while (_paramNames.Count < index)
        {
            _paramNames.Add(null);
        }

        _paramNames[index - 1] ??= name;
    }

    /// <summary>The right operand of an equality-level operator (=, !=, IS).</summary>
    private Expr RightOperand()
    {
        Enter(2);
        var right = ParseComparison();
        Leave(2);
        return right;
    }

    private void ParseExprList(List<Expr> into)
    {
        into.Add(ParseExpr());
        while (Accept(TokenKind.Comma))
        {
            into.Add(ParseExpr());
        }
    }

    private static bool StartsSelect(TokenKind kind) => kind is TokenKind.Select or TokenKind.Values or TokenKind.With;

    // ------------------------------------------------------------------ literals

    private Expr IntegerValue(Token t)
    {
        var text = t.Span(_sql);
        if (text.Length > 2 && text[0] == '0' && (text[1] is 'x' or 'X'))
        {
            var digits = text[2..].TrimStart('0');
            if (digits.Length > 16)
            {
                Defer($"hex literal too big: {text}", t.Start);
                return new IntegerLiteral(0);
            }

            var value = digits.Length == 0 ? 0UL : ulong.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return new IntegerLiteral(unchecked((long)value));
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return new IntegerLiteral(n);
        }

        var real = new RealLiteral(ParseReal(text));
        if (text.TrimStart('0').SequenceEqual("9223372036854775808"))
        {
            _minIntCandidate = real;
        }

        return real;
    }

    private static double ParseReal(ReadOnlySpan<char> text) =>
        double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ node helpers and the depth limit

    private Expr Leaf(Expr e, int start)
    {
        e.Height = 1;
        return Mark(e, start);
    }

    private Expr Binary(BinaryOp op, Expr left, Expr right) =>
        NodeN(new BinaryExpr(op, left, right), left.Start, Math.Max(left.Height, right.Height));

    private Expr Node1(Expr e, int start, Expr child) => NodeN(e, start, child.Height);

    private Expr NodeN(Expr e, int start, int childHeight)
    {
        e.Height = childHeight + 1;
        if (e.Height > MaxExprDepth)
        {
            Fail($"Expression tree is too large (maximum depth {MaxExprDepth})", start);
        }

        return Mark(e, start);
    }

    private static int MaxHeight(List<Expr> items)
    {
        var h = 0;
        foreach (var e in items)
        {
            h = Math.Max(h, e.Height);
        }

        return h;
    }
}
