using System.Text;
using Forge.Sql.Tokenizer;

namespace Forge.Sql.Parsing;

// CREATE TABLE / INDEX / VIEW / TRIGGER, DROP, ALTER TABLE.
public sealed partial class SqlParser
{
    private Statement ParseCreate(int start)
    {
        Expect(TokenKind.Create);
        var temp = false;
        if (_tok.Kind is TokenKind.Temp or TokenKind.Temporary)
        {
            temp = true;
            Advance();
        }

        switch (_tok.Kind)
        {
            case TokenKind.Table:
                Advance();
                return ParseCreateTable(temp, start);
            case TokenKind.View:
                Advance();
                return ParseCreateView(temp, start);
            case TokenKind.Unique or TokenKind.Index when !temp:
                return ParseCreateIndex(start);
            case TokenKind.Trigger:
                Advance();
                return ParseCreateTrigger(temp, start);
            case TokenKind.Virtual when !temp:
                Fail("CREATE VIRTUAL TABLE is not supported", _tok.Start);
                break;
        }

        throw Unexpected();
    }

    private bool ParseIfNotExists()
    {
        if (!Accept(TokenKind.If))
        {
            return false;
        }

        Expect(TokenKind.Not);
        Expect(TokenKind.Exists);
        return true;
    }

    private CreateTableStmt ParseCreateTable(bool temp, int start)
    {
        var ifNotExists = ParseIfNotExists();
        var name = QualifiedName();
        if (Accept(TokenKind.As))
        {
            var select = ParseSelect();
            return Mark(new CreateTableStmt(temp, ifNotExists, name, SyntaxList<ColumnDef>.Empty, SyntaxList<TableConstraint>.Empty, false, false, select), start);
        }

        Expect(TokenKind.LeftParen);
        var columns = new List<ColumnDef>();
        var constraints = new List<TableConstraint>();
        columns.Add(ParseColumnDef(columns, name.Name));
        while (Accept(TokenKind.Comma))
        {
            if (StartsTableConstraint(_tok.Kind))
            {
                ParseTableConstraints(constraints);
                break;
            }

            columns.Add(ParseColumnDef(columns, name.Name));
        }

        Expect(TokenKind.RightParen);
        var withoutRowid = false;
        var strict = false;
        // The option list may be empty and still be followed by ", option" (SQLite's grammar allows it).
        if (IsNm(_tok.Kind) || _tok.Kind is TokenKind.Without or TokenKind.Comma)
        {
            Accept(TokenKind.Comma);
            do
            {
                // The option is compared and reported as written (quotes included), as SQLite does.
                if (Accept(TokenKind.Without))
                {
                    var optionStart = _tok.Start;
                    var option = _tok.Text(_sql);
                    Name();
                    CheckTableOption(option, "rowid", optionStart);

                    withoutRowid = true;
                }
                else
                {
                    var optionStart = _tok.Start;
                    var option = _tok.Text(_sql);
                    Name();
                    CheckTableOption(option, "strict", optionStart);

                    strict = true;
                }
            }
            while (Accept(TokenKind.Comma));
        }

        return Mark(new CreateTableStmt(temp, ifNotExists, name, new SyntaxList<ColumnDef>([.. columns]),
            new SyntaxList<TableConstraint>([.. constraints]), withoutRowid, strict, null), start);
    }

    private static bool AsciiEqualsIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y && !(x < 0x80 && y < 0x80 && char.ToLowerInvariant(x) == char.ToLowerInvariant(y)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool StartsColumnConstraint(TokenKind kind) => kind is TokenKind.Constraint or TokenKind.Primary
        or TokenKind.Not or TokenKind.Null or TokenKind.Unique or TokenKind.Check or TokenKind.Default
        or TokenKind.Collate or TokenKind.References or TokenKind.Generated or TokenKind.As or TokenKind.Deferrable;

    /// <summary>Checks a table option once the token after it is known to be valid, as SQLite's reduce does.</summary>
    private void CheckTableOption(string option, string expected, int at)
    {
        if (option.Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (_tok.Kind is not (TokenKind.Comma or TokenKind.Semicolon or TokenKind.Eof))
        {
            SyntaxError();
        }

        Fail($"unknown table option: {option}", at);
    }

    private static bool StartsTableConstraint(TokenKind kind) => kind is TokenKind.Constraint or TokenKind.Primary
        or TokenKind.Unique or TokenKind.Check or TokenKind.Foreign;

    /// <summary>SQLite's SQLITE_MAX_COLUMN.</summary>
    private const int MaxColumns = 2000;

    /// <summary>A column definition; with <paramref name="previous"/>, checked as SQLite's sqlite3AddColumn checks it.</summary>
    private ColumnDef ParseColumnDef(List<ColumnDef>? previous = null, string? table = null)
    {
        var start = _tok.Start;
        var name = Name();
        var type = ParseTypeName();
        if (previous is not null)
        {
            // SQLite adds the column once it has seen the token after the type.
            if (!StartsColumnConstraint(_tok.Kind) && _tok.Kind is not (TokenKind.Comma or TokenKind.RightParen))
            {
                SyntaxError();
            }

            foreach (var c in previous)
            {
                if (AsciiEqualsIgnoreCase(c.Name, name))
                {
                    Fail($"duplicate column name: {name}", start);
                }
            }

            if (previous.Count + 1 > MaxColumns)
            {
                Fail($"too many columns on {table}", start);
            }
        }
        var constraints = new List<ColumnConstraint>();
        while (true)
        {
            // A [NOT] DEFERRABLE clause standing alone belongs to the column's foreign key in SQLite;
            // it is accepted and dropped (the REFERENCES clause keeps its own).
            while (_tok.Kind == TokenKind.Deferrable || (_tok.Kind == TokenKind.Not && PeekNext().Kind == TokenKind.Deferrable))
            {
                ParseDeferSubclause();
            }

            var c = ParseColumnConstraint(name);
            if (c is null)
            {
                break;
            }

            constraints.Add(c);
        }

        return Mark(new ColumnDef(name, type, new SyntaxList<ColumnConstraint>([.. constraints])), start);
    }

    /// <summary>SQLite's <c>typetoken</c>: <c>ids+ [( signed [, signed] )]</c>, or null when absent.</summary>
    private TypeName? ParseTypeName()
    {
        // Right after a column name SQLite's parser takes GENERATED and ALWAYS as words of the type
        // name (its fallback rule); a type ending in "GENERATED ALWAYS" then loses those two words.
        if (!IsIds(_tok.Kind))
        {
            return null;
        }

        var start = _tok.Start;
        var words = new StringBuilder();
        while (IsIds(_tok.Kind))
        {
            if (words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(Dequote(_tok));
            Advance();
        }

        string? arg1 = null;
        string? arg2 = null;
        if (Accept(TokenKind.LeftParen))
        {
            arg1 = ParseSignedNumber();
            if (Accept(TokenKind.Comma))
            {
                arg2 = ParseSignedNumber();
            }

            Expect(TokenKind.RightParen);
        }
        else if (words.Length >= 16 && words.ToString().EndsWith("always", StringComparison.OrdinalIgnoreCase))
        {
            var text = words.ToString(0, words.Length - 6).TrimEnd();
            if (text.EndsWith("generated", StringComparison.OrdinalIgnoreCase))
            {
                text = text[..^9].TrimEnd();
                if (text.Length == 0)
                {
                    return null;
                }

                words.Clear().Append(text);
            }
        }

        return Mark(new TypeName(words.ToString(), arg1, arg2), start);
    }

    /// <summary><c>[+|-] INTEGER|FLOAT</c> as its text.</summary>
    private string ParseSignedNumber()
    {
        var sign = string.Empty;
        if (Accept(TokenKind.Minus))
        {
            sign = "-";
        }
        else if (Accept(TokenKind.Plus))
        {
            sign = "+";
        }

        if (_tok.Kind is not (TokenKind.IntegerLiteral or TokenKind.FloatLiteral))
        {
            SyntaxError();
        }

        var text = sign + _tok.Text(_sql);
        Advance();
        return text;
    }

    private ConflictAction? ParseOnConflict()
    {
        if (_tok.Kind != TokenKind.On)
        {
            return null;
        }

        Advance();
        Expect(TokenKind.Conflict);
        return ParseResolveType();
    }

    private ColumnConstraint? ParseColumnConstraint(string column)
    {
        var start = _tok.Start;
        string? name = null;

        // "CONSTRAINT name" may stand alone or repeat; the last name applies to what follows.
        while (Accept(TokenKind.Constraint))
        {
            name = Name();
            start = _tok.Start;
        }

        switch (_tok.Kind)
        {
            case TokenKind.Primary:
                {
                    Advance();
                    Expect(TokenKind.Key);
                    var order = ParseSortOrder();
                    var onConflict = ParseOnConflict();
                    var autoincrement = Accept(TokenKind.Autoincrement);
                    return Mark(new PrimaryKeyColumnConstraint(name, order, onConflict, autoincrement), start);
                }

            case TokenKind.Not:
                Advance();
                Expect(TokenKind.Null);
                return Mark(new NotNullColumnConstraint(name, ParseOnConflict()), start);
            case TokenKind.Null:
                Advance();
                return Mark(new NullColumnConstraint(name, ParseOnConflict()), start);
            case TokenKind.Unique:
                Advance();
                return Mark(new UniqueColumnConstraint(name, ParseOnConflict()), start);
            case TokenKind.Check:
                {
                    Advance();
                    Expect(TokenKind.LeftParen);
                    var e = ParseExpr();
                    Expect(TokenKind.RightParen);
                    return Mark(new CheckColumnConstraint(name, e), start);
                }

            case TokenKind.Default:
                Advance();
                return Mark(new DefaultColumnConstraint(name, ParseDefaultValue()), start);
            case TokenKind.Collate:
                Advance();
                return Mark(new CollateColumnConstraint(name, IdsName()), start);
            case TokenKind.References:
                return Mark(new ReferencesColumnConstraint(name, ParseForeignKeyClause()), start);
            case TokenKind.Generated or TokenKind.As:
                {
                    if (Accept(TokenKind.Generated))
                    {
                        Expect(TokenKind.Always);
                    }

                    Expect(TokenKind.As);
                    Expect(TokenKind.LeftParen);
                    var e = ParseExpr();
                    Expect(TokenKind.RightParen);
                    var stored = false;
                    if (IsId(_tok.Kind))
                    {
                        var word = _tok.Text(_sql);
                        if (word.Equals("stored", StringComparison.OrdinalIgnoreCase))
                        {
                            stored = true;
                        }
                        var bad = !stored && !word.Equals("virtual", StringComparison.OrdinalIgnoreCase);
                        var at = _tok.Start;
                        Advance();
                        if (bad)
                        {
                            // SQLite checks the word when it reduces the constraint, after seeing the next token.
                            if (!StartsColumnConstraint(_tok.Kind) && _tok.Kind is not (TokenKind.Comma or TokenKind.RightParen))
                            {
                                SyntaxError();
                            }

                            Fail($"error in generated column \"{column}\"", at);
                        }
                    }

                    return Mark(new GeneratedColumnConstraint(name, e, stored), start);
                }

        }

        return null;
    }

    /// <summary>DEFAULT's value: a literal, a signed number, a parenthesised expression or an identifier.</summary>
    private Expr ParseDefaultValue()
    {
        var start = _tok.Start;
        switch (_tok.Kind)
        {
            case TokenKind.LeftParen:
                {
                    Advance();
                    var e = ParseExpr();
                    Expect(TokenKind.RightParen);
                    return e;
                }

            case TokenKind.Plus or TokenKind.Minus:
                {
                    var negate = _tok.Kind == TokenKind.Minus;
                    Advance();
                    if (_tok.Kind is not (TokenKind.IntegerLiteral or TokenKind.FloatLiteral or TokenKind.Null or TokenKind.StringLiteral
                        or TokenKind.Blob or TokenKind.CurrentDate or TokenKind.CurrentTime or TokenKind.CurrentTimestamp))
                    {
                        SyntaxError();
                    }

                    var operand = ParsePrimary();
                    if (negate && ReferenceEquals(operand, _minIntCandidate))
                    {
                        return Mark(new IntegerLiteral(long.MinValue) { Height = 1 }, start);
                    }

                    return Node1(new UnaryExpr(negate ? UnaryOp.Negate : UnaryOp.Plus, operand), start, operand);
                }

            case TokenKind.IntegerLiteral or TokenKind.FloatLiteral or TokenKind.Null or TokenKind.StringLiteral or TokenKind.Blob
                or TokenKind.CurrentDate or TokenKind.CurrentTime or TokenKind.CurrentTimestamp:
                {
                    var t = _tok;
                    if (t.Kind == TokenKind.StringLiteral)
                    {
                        Advance();
                        return Leaf(new StringLiteral(Dequote(t)), start);
                    }

                    return ParsePrimary();
                }

            default:
                {
                    if (!IsId(_tok.Kind))
                    {
                        SyntaxError();
                    }

                    var word = Dequote(_tok);
                    Advance();
                    if (word.Equals("true", StringComparison.OrdinalIgnoreCase) || word.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        return Leaf(new ColumnRef(null, null, word), start);
                    }

                    return Leaf(new StringLiteral(word), start);
                }
        }
    }

    private ForeignKeyClause ParseForeignKeyClause()
    {
        var start = _tok.Start;
        Expect(TokenKind.References);
        var table = Name();
        var columns = ParseOptionalNameList(eid: true);
        var onDelete = ForeignKeyAction.None;
        var onUpdate = ForeignKeyAction.None;
        bool? deferrable = null;
        while (true)
        {
            if (Accept(TokenKind.Match))
            {
                Name();
            }
            else if (Accept(TokenKind.On))
            {
                switch (_tok.Kind)
                {
                    case TokenKind.Delete:
                        Advance();
                        onDelete = ParseForeignKeyAction();
                        break;
                    case TokenKind.Update:
                        Advance();
                        onUpdate = ParseForeignKeyAction();
                        break;
                    case TokenKind.Insert:
                        Advance();
                        ParseForeignKeyAction();
                        break;
                    default:
                        SyntaxError();
                        break;
                }
            }
            else
            {
                break;
            }
        }

        if (_tok.Kind == TokenKind.Deferrable || (_tok.Kind == TokenKind.Not && PeekNext().Kind == TokenKind.Deferrable))
        {
            deferrable = ParseDeferSubclause();
        }

        return Mark(new ForeignKeyClause(table, columns, onDelete, onUpdate, deferrable), start);
    }

    /// <summary><c>[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]</c>: true only for DEFERRABLE INITIALLY DEFERRED.</summary>
    private bool ParseDeferSubclause()
    {
        var not = Accept(TokenKind.Not);
        Expect(TokenKind.Deferrable);
        var initiallyDeferred = false;
        if (Accept(TokenKind.Initially))
        {
            if (Accept(TokenKind.Deferred))
            {
                initiallyDeferred = true;
            }
            else
            {
                Expect(TokenKind.Immediate);
            }
        }

        return !not && initiallyDeferred;
    }

    private ForeignKeyAction ParseForeignKeyAction()
    {
        switch (_tok.Kind)
        {
            case TokenKind.Set:
                Advance();
                if (Accept(TokenKind.Null))
                {
                    return ForeignKeyAction.SetNull;
                }

                Expect(TokenKind.Default);
                return ForeignKeyAction.SetDefault;
            case TokenKind.Cascade:
                Advance();
                return ForeignKeyAction.Cascade;
            case TokenKind.Restrict:
                Advance();
                return ForeignKeyAction.Restrict;
            case TokenKind.No:
                Advance();
                Expect(TokenKind.Action);
                return ForeignKeyAction.NoAction;
            default:
                throw Unexpected();
        }
    }

    private void ParseTableConstraints(List<TableConstraint> into)
    {
        while (true)
        {
            var start = _tok.Start;
            string? name = null;
            if (Accept(TokenKind.Constraint))
            {
                name = Name();
            }

            switch (_tok.Kind)
            {
                case TokenKind.Constraint or TokenKind.Comma or TokenKind.RightParen when name is not null:
                    // A lone "CONSTRAINT name" is accepted and means nothing.
                    break;
                case TokenKind.Primary:
                    {
                        Advance();
                        Expect(TokenKind.Key);
                        Expect(TokenKind.LeftParen);
                        var cols = ParseSortList();
                        var autoincrement = Accept(TokenKind.Autoincrement);
                        Expect(TokenKind.RightParen);
                        into.Add(Mark(new PrimaryKeyTableConstraint(name, cols, autoincrement, ParseOnConflict()), start));
                        break;
                    }

                case TokenKind.Unique:
                    {
                        Advance();
                        Expect(TokenKind.LeftParen);
                        var cols = ParseSortList();
                        Expect(TokenKind.RightParen);
                        into.Add(Mark(new UniqueTableConstraint(name, cols, ParseOnConflict()), start));
                        break;
                    }

                case TokenKind.Check:
                    {
                        Advance();
                        Expect(TokenKind.LeftParen);
                        var e = ParseExpr();
                        Expect(TokenKind.RightParen);
                        ParseOnConflict();
                        into.Add(Mark(new CheckTableConstraint(name, e), start));
                        break;
                    }

                case TokenKind.Foreign:
                    {
                        Advance();
                        Expect(TokenKind.Key);
                        Expect(TokenKind.LeftParen);
                        var cols = ParseNameListRest(eid: true);
                        var fk = ParseForeignKeyClause();
                        into.Add(Mark(new ForeignKeyTableConstraint(name, cols, fk), start));
                        break;
                    }

                default:
                    SyntaxError();
                    break;
            }

            // Table constraints may be separated by commas or simply follow each other; a comma
            // must be followed by one.
            if (Accept(TokenKind.Comma))
            {
                if (!StartsTableConstraint(_tok.Kind))
                {
                    SyntaxError();
                }
            }
            else if (!StartsTableConstraint(_tok.Kind))
            {
                return;
            }
        }
    }

    private CreateIndexStmt ParseCreateIndex(int start)
    {
        var unique = Accept(TokenKind.Unique);
        Expect(TokenKind.Index);
        var ifNotExists = ParseIfNotExists();
        var name = QualifiedName();
        Expect(TokenKind.On);
        var table = Name();
        Expect(TokenKind.LeftParen);
        var columns = ParseSortList();
        Expect(TokenKind.RightParen);
        Expr? where = null;
        if (Accept(TokenKind.Where))
        {
            where = ParseExpr();
        }

        foreach (var c in columns)
        {
            if (c.Nulls != NullsOrder.None)
            {
                Defer($"unsupported use of NULLS {(c.Nulls == NullsOrder.First ? "FIRST" : "LAST")}", c.Start);
                break;
            }
        }

        return Mark(new CreateIndexStmt(unique, ifNotExists, name, table, columns, where), start);
    }

    private CreateViewStmt ParseCreateView(bool temp, int start)
    {
        var ifNotExists = ParseIfNotExists();
        var name = QualifiedName();
        var columns = ParseOptionalNameList(eid: true);
        Expect(TokenKind.As);
        var select = ParseSelect();
        return Mark(new CreateViewStmt(temp, ifNotExists, name, columns, select), start);
    }

    private DropStmt ParseDrop(int start)
    {
        Expect(TokenKind.Drop);
        DropKind kind;
        switch (_tok.Kind)
        {
            case TokenKind.Table: kind = DropKind.Table; break;
            case TokenKind.Index: kind = DropKind.Index; break;
            case TokenKind.View: kind = DropKind.View; break;
            case TokenKind.Trigger: kind = DropKind.Trigger; break;
            default: throw Unexpected();
        }

        Advance();
        var ifExists = false;
        if (Accept(TokenKind.If))
        {
            Expect(TokenKind.Exists);
            ifExists = true;
        }

        return Mark(new DropStmt(kind, ifExists, QualifiedName()), start);
    }

    private AlterTableStmt ParseAlter(int start)
    {
        Expect(TokenKind.Alter);
        Expect(TokenKind.Table);
        var table = QualifiedName();
        if (Accept(TokenKind.Rename))
        {
            if (Accept(TokenKind.To))
            {
                return Mark(new RenameTableStmt(table, Name()), start);
            }

            Accept(TokenKind.Column);
            var column = Name();
            Expect(TokenKind.To);
            return Mark(new RenameColumnStmt(table, column, Name()), start);
        }

        if (Accept(TokenKind.Add))
        {
            Accept(TokenKind.Column);
            return Mark(new AddColumnStmt(table, ParseColumnDef()), start);
        }

        if (Accept(TokenKind.Drop))
        {
            Accept(TokenKind.Column);
            return Mark(new DropColumnStmt(table, Name()), start);
        }

        throw Unexpected();
    }
}
