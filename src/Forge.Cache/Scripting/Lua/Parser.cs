namespace Forge.Cache.Scripting.Lua;

/// <summary>
/// Lua 5.1's recursive-descent parser (lparser.c's grammar, priorities and error texts), building
/// resolved, executable nodes. Nesting is limited (<see cref="MaxLevels"/>) so no input can
/// exhaust the .NET stack: "chunk has too many syntax levels".
/// </summary>
internal sealed class Parser
{
    public const int MaxLevels = 200;

    private readonly Lexer _lex;
    private FuncState _fs = null!;
    private int _levels;

    private Parser(byte[] source, string chunkName)
    {
        _lex = new Lexer(source, chunkName);
    }

    private sealed class FuncState
    {
        public FuncState(FuncState? parent, FunctionProto proto)
        {
            Parent = parent;
            Proto = proto;
        }

        public FuncState? Parent { get; }

        public FunctionProto Proto { get; }

        public List<LocalInfo> Active { get; } = [];

        public int NextSlot { get; set; }

        public int LoopDepth { get; set; }
    }

    /// <summary>Parses a chunk into the prototype of its main function (vararg, no parameters).</summary>
    public static FunctionProto Parse(byte[] source, string chunkName)
    {
        var p = new Parser(source, chunkName);
        var proto = new FunctionProto { Name = "main chunk", IsVararg = true };
        p._fs = new FuncState(null, proto);
        p._lex.Next();
        proto.Body = p.ParseBlock();
        if (p._lex.Token != Tok.Eof)
        {
            throw p._lex.Error("'<eof>' expected");
        }

        proto.NumSlots = p._fs.NextSlot;
        return proto;
    }

    private void Enter()
    {
        if (++_levels > MaxLevels)
        {
            throw _lex.Error("chunk has too many syntax levels", near: false);
        }
    }

    private void Leave() => _levels--;

    private bool BlockFollow() => _lex.Token is Tok.Else or Tok.Elseif or Tok.End or Tok.Until or Tok.Eof;

    private void Check(Tok t, string what)
    {
        if (_lex.Token != t)
        {
            throw _lex.Error($"'{what}' expected");
        }
    }

    private void CheckNext(Tok t, string what)
    {
        Check(t, what);
        _lex.Next();
    }

    private void CheckMatch(Tok what, string whatText, string whoText, int line)
    {
        if (_lex.Token == what)
        {
            _lex.Next();
            return;
        }

        if (line == _lex.Line)
        {
            throw _lex.Error($"'{whatText}' expected");
        }

        throw _lex.Error($"'{whatText}' expected (to close '{whoText}' at line {line})");
    }

    private string CheckName()
    {
        if (_lex.Token != Tok.Name)
        {
            throw _lex.Error("<name> expected");
        }

        var n = _lex.Name!;
        _lex.Next();
        return n;
    }

    private Block ParseBlock()
    {
        Enter();
        var line = _lex.Line;
        var active = _fs.Active.Count;
        var stmts = new List<Stmt>();
        while (!BlockFollow())
        {
            if (_lex.Token == Tok.Return)
            {
                stmts.Add(ParseReturn());
                break;
            }

            if (_lex.Token == Tok.Break)
            {
                var l = _lex.Line;
                _lex.Next();
                if (_fs.LoopDepth == 0)
                {
                    throw _lex.Error("no loop to break");
                }

                stmts.Add(new BreakStmt { Line = l });
                if (_lex.Token == Tok.Semi)
                {
                    _lex.Next();
                }

                break;
            }

            var s = ParseStatement();
            if (s is not null)
            {
                stmts.Add(s);
            }

            if (_lex.Token == Tok.Semi)
            {
                _lex.Next();
            }
        }

        _fs.Active.RemoveRange(active, _fs.Active.Count - active);
        Leave();
        return new Block([.. stmts]) { Line = line };
    }

    private ReturnStmt ParseReturn()
    {
        var line = _lex.Line;
        _lex.Next();
        Expr[] values = BlockFollow() || _lex.Token == Tok.Semi ? [] : ParseExprList();
        if (_lex.Token == Tok.Semi)
        {
            _lex.Next();
        }

        if (!BlockFollow())
        {
            throw _lex.Error("'<eof>' expected");
        }

        return new ReturnStmt(values) { Line = line };
    }

    private Stmt? ParseStatement()
    {
        var line = _lex.Line;
        switch (_lex.Token)
        {
            case Tok.If:
                return ParseIf(line);
            case Tok.While:
                {
                    _lex.Next();
                    var cond = ParseExpr();
                    CheckNext(Tok.Do, "do");
                    var body = ParseLoopBody();
                    CheckMatch(Tok.End, "end", "while", line);
                    return new WhileStmt(cond, body) { Line = line };
                }

            case Tok.Do:
                {
                    _lex.Next();
                    var body = ParseBlock();
                    CheckMatch(Tok.End, "end", "do", line);
                    return new DoStmt(body) { Line = line };
                }

            case Tok.For:
                return ParseFor(line);
            case Tok.Repeat:
                {
                    _lex.Next();
                    // The condition sees the body's locals: parse both in one scope.
                    Enter();
                    var active = _fs.Active.Count;
                    _fs.LoopDepth++;
                    var stmts = new List<Stmt>();
                    while (!BlockFollow())
                    {
                        if (_lex.Token == Tok.Return)
                        {
                            stmts.Add(ParseReturn());
                            break;
                        }

                        if (_lex.Token == Tok.Break)
                        {
                            var bl = _lex.Line;
                            _lex.Next();
                            stmts.Add(new BreakStmt { Line = bl });
                            if (_lex.Token == Tok.Semi)
                            {
                                _lex.Next();
                            }

                            break;
                        }

                        var s = ParseStatement();
                        if (s is not null)
                        {
                            stmts.Add(s);
                        }

                        if (_lex.Token == Tok.Semi)
                        {
                            _lex.Next();
                        }
                    }

                    _fs.LoopDepth--;
                    CheckMatch(Tok.Until, "until", "repeat", line);
                    var cond = ParseExpr();
                    _fs.Active.RemoveRange(active, _fs.Active.Count - active);
                    Leave();
                    return new RepeatStmt(new Block([.. stmts]) { Line = line }, cond) { Line = line };
                }

            case Tok.Function:
                {
                    _lex.Next();
                    var nameText = CheckName();
                    Expr target = ResolveName(nameText, line);
                    var isMethod = false;
                    while (_lex.Token is Tok.Dot or Tok.Colon)
                    {
                        isMethod = _lex.Token == Tok.Colon;
                        _lex.Next();
                        var key = CheckName();
                        nameText += (isMethod ? ":" : ".") + key;
                        target = new IndexExpr(target, new ConstExpr(LuaString.From(key))) { Line = line };
                        if (isMethod)
                        {
                            break;
                        }
                    }

                    var fn = ParseFunctionBody(isMethod, line, nameText);
                    return new AssignStmt([target], [fn]) { Line = line };
                }

            case Tok.Local:
                _lex.Next();
                if (_lex.Token == Tok.Function)
                {
                    _lex.Next();
                    var name = CheckName();
                    var info = DeclareLocal(name);
                    var fn = ParseFunctionBody(false, line, name);
                    return new LocalFunctionStmt(info, fn) { Line = line };
                }
                else
                {
                    var names = new List<string> { CheckName() };
                    while (_lex.Token == Tok.Comma)
                    {
                        _lex.Next();
                        names.Add(CheckName());
                    }

                    Expr[] values = [];
                    if (_lex.Token == Tok.Assign)
                    {
                        _lex.Next();
                        values = ParseExprList();
                    }

                    var infos = new LocalInfo[names.Count];
                    for (var i = 0; i < infos.Length; i++)
                    {
                        infos[i] = DeclareLocal(names[i]);
                    }

                    return new LocalStmt(infos, values) { Line = line };
                }

            default:
                return ParseExprStatement(line);
        }
    }

    private Block ParseLoopBody()
    {
        _fs.LoopDepth++;
        var b = ParseBlock();
        _fs.LoopDepth--;
        return b;
    }

    private IfStmt ParseIf(int line)
    {
        var conds = new List<Expr>();
        var blocks = new List<Block>();
        Block? otherwise = null;
        _lex.Next();
        conds.Add(ParseExpr());
        CheckNext(Tok.Then, "then");
        blocks.Add(ParseBlock());
        while (_lex.Token == Tok.Elseif)
        {
            _lex.Next();
            conds.Add(ParseExpr());
            CheckNext(Tok.Then, "then");
            blocks.Add(ParseBlock());
        }

        if (_lex.Token == Tok.Else)
        {
            _lex.Next();
            otherwise = ParseBlock();
        }

        CheckMatch(Tok.End, "end", "if", line);
        return new IfStmt([.. conds], [.. blocks], otherwise) { Line = line };
    }

    private Stmt ParseFor(int line)
    {
        _lex.Next();
        var first = CheckName();
        var active = _fs.Active.Count;
        Stmt result;
        if (_lex.Token == Tok.Assign)
        {
            _lex.Next();
            var start = ParseExpr();
            CheckNext(Tok.Comma, ",");
            var limit = ParseExpr();
            Expr? step = null;
            if (_lex.Token == Tok.Comma)
            {
                _lex.Next();
                step = ParseExpr();
            }

            CheckNext(Tok.Do, "do");
            var v = DeclareLocal(first);
            var body = ParseLoopBody();
            result = new NumericForStmt(v, start, limit, step, body) { Line = line };
        }
        else if (_lex.Token is Tok.Comma or Tok.In)
        {
            var names = new List<string> { first };
            while (_lex.Token == Tok.Comma)
            {
                _lex.Next();
                names.Add(CheckName());
            }

            CheckNext(Tok.In, "in");
            var exprs = ParseExprList();
            CheckNext(Tok.Do, "do");
            var infos = new LocalInfo[names.Count];
            for (var i = 0; i < infos.Length; i++)
            {
                infos[i] = DeclareLocal(names[i]);
            }

            var body = ParseLoopBody();
            result = new GenericForStmt(infos, exprs, body) { Line = line };
        }
        else
        {
            throw _lex.Error("'=' or 'in' expected");
        }

        CheckMatch(Tok.End, "end", "for", line);
        _fs.Active.RemoveRange(active, _fs.Active.Count - active);
        return result;
    }

    private Stmt ParseExprStatement(int line)
    {
        var e = ParseSuffixedExpr();
        if (_lex.Token is Tok.Assign or Tok.Comma)
        {
            var targets = new List<Expr> { e };
            while (_lex.Token == Tok.Comma)
            {
                _lex.Next();
                targets.Add(ParseSuffixedExpr());
            }

            CheckNext(Tok.Assign, "=");
            foreach (var t in targets)
            {
                if (t is not (LocalExpr or UpvalExpr or GlobalExpr or IndexExpr))
                {
                    throw _lex.Error("syntax error");
                }
            }

            var values = ParseExprList();
            return new AssignStmt([.. targets], values) { Line = line };
        }

        if (e is not (CallExpr or MethodCallExpr))
        {
            throw _lex.Error("'=' expected");
        }

        return new CallStmt(e) { Line = line };
    }

    private LocalInfo DeclareLocal(string name)
    {
        var info = new LocalInfo(name, _fs.NextSlot++);
        _fs.Active.Add(info);
        if (_fs.Active.Count > 200)
        {
            throw _lex.Error("too many local variables (limit is 200)");
        }

        return info;
    }

    private Expr ResolveName(string name, int line)
    {
        var r = Resolve(_fs, name);
        return r ?? new GlobalExpr(LuaString.From(name)) { Line = line };

        Expr? Resolve(FuncState fs, string n)
        {
            for (var i = fs.Active.Count - 1; i >= 0; i--)
            {
                if (fs.Active[i].Name == n)
                {
                    return new LocalExpr(fs.Active[i]) { Line = line };
                }
            }

            for (var i = 0; i < fs.Proto.Upvals.Count; i++)
            {
                if (fs.Proto.Upvals[i].Name == n)
                {
                    return new UpvalExpr(i, n) { Line = line };
                }
            }

            if (fs.Parent is null)
            {
                return null;
            }

            var outer = Resolve(fs.Parent, n);
            if (outer is LocalExpr le)
            {
                le.Info.Captured = true;
                fs.Proto.Upvals.Add(new UpvalDesc(n, true, le.Info.Slot));
                return new UpvalExpr(fs.Proto.Upvals.Count - 1, n) { Line = line };
            }

            if (outer is UpvalExpr ue)
            {
                fs.Proto.Upvals.Add(new UpvalDesc(n, false, ue.Index));
                return new UpvalExpr(fs.Proto.Upvals.Count - 1, n) { Line = line };
            }

            return null;
        }
    }

    private FunctionExpr ParseFunctionBody(bool isMethod, int line, string name)
    {
        Enter();
        var proto = new FunctionProto { Name = name, Line = line };
        var fs = new FuncState(_fs, proto);
        _fs = fs;
        var pars = new List<LocalInfo>();
        if (isMethod)
        {
            pars.Add(DeclareLocal("self"));
        }

        CheckNext(Tok.LParen, "(");
        if (_lex.Token != Tok.RParen)
        {
            do
            {
                if (_lex.Token == Tok.Dots)
                {
                    _lex.Next();
                    proto.IsVararg = true;
                    break;
                }

                if (_lex.Token != Tok.Name)
                {
                    throw _lex.Error("<name> or '...' expected");
                }

                pars.Add(DeclareLocal(CheckName()));
            }
            while (_lex.Token == Tok.Comma && Advance());
        }

        CheckNext(Tok.RParen, ")");
        proto.Params = [.. pars];
        proto.NumParams = pars.Count;
        proto.Body = ParseBlock();
        CheckMatch(Tok.End, "end", "function", line);
        proto.NumSlots = fs.NextSlot;
        _fs = fs.Parent!;
        Leave();
        return new FunctionExpr(proto) { Line = line };
    }

    private bool Advance()
    {
        _lex.Next();
        return true;
    }

    private Expr[] ParseExprList()
    {
        var list = new List<Expr> { ParseExpr() };
        while (_lex.Token == Tok.Comma)
        {
            _lex.Next();
            list.Add(ParseExpr());
        }

        return [.. list];
    }

    private Expr ParseExpr() => ParseSubExpr(0);

    private static (int Left, int Right) Priority(Tok t) => t switch
    {
        Tok.Plus or Tok.Minus => (6, 6),
        Tok.Star or Tok.Slash or Tok.Percent => (7, 7),
        Tok.Caret => (10, 9),
        Tok.Concat => (5, 4),
        Tok.Eq or Tok.Ne or Tok.Lt or Tok.Le or Tok.Gt or Tok.Ge => (3, 3),
        Tok.And => (2, 2),
        Tok.Or => (1, 1),
        _ => (-1, -1),
    };

    private const int UnaryPriority = 8;

    private Expr ParseSubExpr(int limit)
    {
        Enter();
        Expr left;
        var line = _lex.Line;
        if (_lex.Token is Tok.Not or Tok.Minus or Tok.Hash)
        {
            var op = _lex.Token;
            _lex.Next();
            var operand = ParseSubExpr(UnaryPriority);
            left = op switch
            {
                Tok.Not => new NotExpr(operand) { Line = line },
                Tok.Minus => operand is ConstExpr { Value: double d } ? new ConstExpr(-d) { Line = line } : new NegExpr(operand) { Line = line },
                _ => new LenExpr(operand) { Line = line },
            };
        }
        else
        {
            left = ParseSimpleExpr();
        }

        while (true)
        {
            var op = _lex.Token;
            var (lp, rp) = Priority(op);
            if (lp <= limit)
            {
                break;
            }

            line = _lex.Line;
            _lex.Next();
            var right = ParseSubExpr(rp);
            left = MakeBinary(op, left, right, line);
        }

        Leave();
        return left;
    }

    private static Expr MakeBinary(Tok op, Expr a, Expr b, int line) => op switch
    {
        Tok.Plus => new ArithExpr(ArithOp.Add, a, b) { Line = line },
        Tok.Minus => new ArithExpr(ArithOp.Sub, a, b) { Line = line },
        Tok.Star => new ArithExpr(ArithOp.Mul, a, b) { Line = line },
        Tok.Slash => new ArithExpr(ArithOp.Div, a, b) { Line = line },
        Tok.Percent => new ArithExpr(ArithOp.Mod, a, b) { Line = line },
        Tok.Caret => new ArithExpr(ArithOp.Pow, a, b) { Line = line },
        Tok.Concat => b is ConcatParts cp ? cp.Prepend(a, line) : new ConcatParts([a, b], line),
        Tok.Eq => new CompareExpr(CompareOp.Eq, a, b) { Line = line },
        Tok.Ne => new CompareExpr(CompareOp.Ne, a, b) { Line = line },
        Tok.Lt => new CompareExpr(CompareOp.Lt, a, b) { Line = line },
        Tok.Le => new CompareExpr(CompareOp.Le, a, b) { Line = line },
        Tok.Gt => new CompareExpr(CompareOp.Gt, a, b) { Line = line },
        Tok.Ge => new CompareExpr(CompareOp.Ge, a, b) { Line = line },
        Tok.And => new AndExpr(a, b) { Line = line },
        _ => new OrExpr(a, b) { Line = line },
    };

    /// <summary>A right-associative chain of '..' (flattened into one node when the chain is complete).</summary>
    private sealed class ConcatParts : Expr
    {
        private readonly List<Expr> _parts;
        private ConcatExpr? _node;

        public ConcatParts(List<Expr> parts, int line)
        {
            _parts = parts;
            Line = line;
        }

        public ConcatParts Prepend(Expr a, int line)
        {
            _parts.Insert(0, a);
            return new ConcatParts(_parts, line);
        }

        public override object? Eval(LuaState l, Frame f)
        {
            _node ??= new ConcatExpr([.. _parts]) { Line = Line };
            return _node.Eval(l, f);
        }
    }

    private Expr ParseSimpleExpr()
    {
        var line = _lex.Line;
        switch (_lex.Token)
        {
            case Tok.Number:
                {
                    var d = _lex.Number;
                    _lex.Next();
                    return new ConstExpr(d) { Line = line };
                }

            case Tok.String:
                {
                    var s = new LuaString(_lex.Str!);
                    _lex.Next();
                    return new ConstExpr(s) { Line = line };
                }

            case Tok.Nil:
                _lex.Next();
                return new ConstExpr(null) { Line = line };
            case Tok.True:
                _lex.Next();
                return new ConstExpr(Lua.True) { Line = line };
            case Tok.False:
                _lex.Next();
                return new ConstExpr(Lua.False) { Line = line };
            case Tok.Dots:
                if (!_fs.Proto.IsVararg)
                {
                    throw _lex.Error("cannot use '...' outside a vararg function");
                }

                _lex.Next();
                return new VarargExpr { Line = line };
            case Tok.LBrace:
                return ParseTable();
            case Tok.Function:
                _lex.Next();
                return ParseFunctionBody(false, line, "anonymous");
            default:
                return ParseSuffixedExpr();
        }
    }

    private Expr ParsePrimaryExpr()
    {
        var line = _lex.Line;
        if (_lex.Token == Tok.Name)
        {
            var name = _lex.Name!;
            _lex.Next();
            return ResolveName(name, line);
        }

        if (_lex.Token == Tok.LParen)
        {
            _lex.Next();
            var e = ParseExpr();
            CheckMatch(Tok.RParen, ")", "(", line);
            return e.IsMulti ? new ParenExpr(e) { Line = line } : e;
        }

        throw _lex.Error("unexpected symbol");
    }

    private Expr ParseSuffixedExpr()
    {
        Enter();
        var e = ParsePrimaryExpr();
        var depth = 0;
        while (true)
        {
            var line = _lex.Line;
            if (++depth > MaxLevels * 5)
            {
                throw _lex.Error("chunk has too many syntax levels", near: false);
            }

            switch (_lex.Token)
            {
                case Tok.Dot:
                    _lex.Next();
                    e = new IndexExpr(e, new ConstExpr(LuaString.From(CheckName()))) { Line = line };
                    break;
                case Tok.LBracket:
                    {
                        _lex.Next();
                        var k = ParseExpr();
                        CheckNext(Tok.RBracket, "]");
                        e = new IndexExpr(e, k) { Line = line };
                        break;
                    }

                case Tok.Colon:
                    {
                        _lex.Next();
                        var name = LuaString.From(CheckName());
                        var args = ParseCallArgs(line);
                        e = new MethodCallExpr(e, name, args) { Line = line };
                        break;
                    }

                case Tok.LParen:
                case Tok.String:
                case Tok.LBrace:
                    e = new CallExpr(e, ParseCallArgs(line)) { Line = line };
                    break;
                default:
                    Leave();
                    return e;
            }
        }
    }

    private Expr[] ParseCallArgs(int line)
    {
        switch (_lex.Token)
        {
            case Tok.String:
                {
                    var s = new LuaString(_lex.Str!);
                    _lex.Next();
                    return [new ConstExpr(s) { Line = line }];
                }

            case Tok.LBrace:
                return [ParseTable()];
            case Tok.LParen:
                {
                    if (line != _lex.Line)
                    {
                        throw _lex.Error("ambiguous syntax (function call x new statement)");
                    }

                    _lex.Next();
                    if (_lex.Token == Tok.RParen)
                    {
                        _lex.Next();
                        return [];
                    }

                    var args = ParseExprList();
                    CheckMatch(Tok.RParen, ")", "(", line);
                    return args;
                }

            default:
                throw _lex.Error("function arguments expected");
        }
    }

    private TableExpr ParseTable()
    {
        var line = _lex.Line;
        Enter();
        CheckNext(Tok.LBrace, "{");
        var positional = new List<Expr>();
        var named = new List<(Expr, Expr)>();
        while (_lex.Token != Tok.RBrace)
        {
            if (_lex.Token == Tok.Name)
            {
                // name = value, or an expression starting with a name
                var save = _lex.Name!;
                var peekLine = _lex.Line;
                var e = ParseExpr();
                if (_lex.Token == Tok.Assign && e is GlobalExpr or LocalExpr or UpvalExpr && IsPlainName(e, save))
                {
                    _lex.Next();
                    named.Add((new ConstExpr(LuaString.From(save)) { Line = peekLine }, ParseExpr()));
                }
                else
                {
                    positional.Add(e);
                }
            }
            else if (_lex.Token == Tok.LBracket)
            {
                _lex.Next();
                var k = ParseExpr();
                CheckNext(Tok.RBracket, "]");
                CheckNext(Tok.Assign, "=");
                named.Add((k, ParseExpr()));
            }
            else
            {
                positional.Add(ParseExpr());
            }

            if (_lex.Token is Tok.Comma or Tok.Semi)
            {
                _lex.Next();
                continue;
            }

            break;
        }

        CheckMatch(Tok.RBrace, "}", "{", line);
        Leave();

        // Only the last positional item expands to multiple values.
        for (var i = 0; i < positional.Count - 1; i++)
        {
            if (positional[i].IsMulti)
            {
                positional[i] = new ParenExpr(positional[i]) { Line = line };
            }
        }

        return new TableExpr([.. positional], [.. named]) { Line = line };
    }

    private static bool IsPlainName(Expr e, string name) => e switch
    {
        GlobalExpr g => g.Name.ToString() == name,
        LocalExpr l => l.Info.Name == name,
        UpvalExpr => true,
        _ => false,
    };
}
