using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>FROM items: tables, views, CTEs and subqueries to sources with slots; USING/NATURAL to terms.</summary>
internal sealed partial class SelectPlanner
{
    /// <summary>A WHERE or ON conjunct and what it needs.</summary>
    private sealed class Term
    {
        public required Expr Expr { get; init; }

        /// <summary>Bit per FROM position the term reads.</summary>
        public ulong Mask { get; set; }

        /// <summary>For a LEFT JOIN's ON term: the FROM position of its right side; else -1.</summary>
        public int LeftJoin { get; init; } = -1;

        public Execution.Expressions.CompiledExpr? Compiled { get; set; }

        /// <summary>The access guarantees the term (a rowid or index equality it seeks): not checked again.</summary>
        public bool Consumed { get; set; }
    }

    private List<SourceInfo> BuildFrom(FromClause? from, FromScope? outer, List<Term> terms)
    {
        var sources = new List<SourceInfo>();
        if (from is null)
        {
            return sources;
        }

        AddSource(sources, from.First, JoinKind.Inner, null, null, terms, outer);
        foreach (var join in from.Joins)
        {
            AddSource(sources, join.Source, join.Kind, join.On, join.Using, terms, outer);
        }

        if (sources.Count > 64)
        {
            throw new SqlPrepareException("at most 64 tables in a join");
        }

        return sources;
    }

    private void AddSource(List<SourceInfo> sources, TableSource item, JoinKind kind, Expr? on, SyntaxList<string>? usingColumns, List<Term> terms, FromScope? outer)
    {
        if ((kind & JoinKind.Right) != 0)
        {
            throw new SqlPrepareException("not supported yet: RIGHT and FULL JOIN");
        }

        if (item is JoinGroupSource group)
        {
            AddSource(sources, group.From.First, kind, null, null, terms, outer);
            foreach (var join in group.From.Joins)
            {
                AddSource(sources, join.Source, join.Kind, join.On, join.Using, terms, outer);
            }

            if (on is not null)
            {
                AddConjuncts(terms, on, (kind & JoinKind.Left) != 0 ? sources.Count - 1 : -1);
            }

            return;
        }

        var left = (kind & JoinKind.Left) != 0;
        var source = MakeSource(item, sources.Count, left, outer);
        var position = sources.Count;

        // USING / NATURAL: each named column equals the first earlier item's column of that name.
        var names = usingColumns?.ToList();
        if ((kind & JoinKind.Natural) != 0)
        {
            if (sources.Count == 0)
            {
                throw new SqlPrepareException("a NATURAL join may not have an ON or USING clause");
            }

            names = [.. source.Columns.Where(c => sources.Any(s => s.FindColumn(c) >= 0 && !s.Hidden.Contains(c)))];
        }

        if (names is not null)
        {
            foreach (var name in names)
            {
                var leftSource = sources.FirstOrDefault(s => s.FindColumn(name) >= 0 && !s.Hidden.Contains(name));
                if (leftSource is null || source.FindColumn(name) < 0)
                {
                    throw new SqlPrepareException($"cannot join using column {name} - column not present in both tables");
                }

                source.Hidden.Add(name);
                var eq = new BinaryExpr(BinaryOp.Eq, new ColumnRef(null, leftSource.Name, leftSource.Columns[leftSource.FindColumn(name)]), new ColumnRef(null, source.Name, source.Columns[source.FindColumn(name)]));
                terms.Add(new Term { Expr = eq, LeftJoin = left ? position : -1 });
            }
        }

        sources.Add(source);
        if (on is not null)
        {
            AddConjuncts(terms, on, left ? position : -1);
        }
    }

    private static void AddConjuncts(List<Term> terms, Expr e, int leftJoin)
    {
        if (e is BinaryExpr { Op: BinaryOp.And } and)
        {
            AddConjuncts(terms, and.Left, leftJoin);
            AddConjuncts(terms, and.Right, leftJoin);
            return;
        }

        terms.Add(new Term { Expr = e, LeftJoin = leftJoin });
    }

    private SourceInfo MakeSource(TableSource item, int position, bool left, FromScope? outer)
    {
        _ = outer;
        switch (item)
        {
            case TableRef tr:
                {
                    if (tr.Args is not null)
                    {
                        throw new SqlPrepareException($"not supported yet: table-valued function {tr.Name.Name}");
                    }

                    var name = tr.Name.Name;
                    var schema = tr.Name.Schema;
                    if (schema is not null && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new SqlPrepareException($"unknown database {schema}");
                    }

                    if (schema is null && FindCte(name) is { } cte)
                    {
                        return CteSource(cte, tr.Alias ?? name, position, left);
                    }

                    if (catalog.FindTable(name) is { } table)
                    {
                        if (tr.IndexedBy is { } ib && !table.Indexes.Any(i => i.Name.Equals(ib, StringComparison.OrdinalIgnoreCase)))
                        {
                            throw new SqlPrepareException($"no such index: {ib}");
                        }

                        return new SourceInfo
                        {
                            Name = tr.Alias ?? table.Name,
                            Slot = _slots++,
                            Position = position,
                            Table = table,
                            IndexHint = tr.NotIndexed ? [] : tr.IndexedBy is { } hint ? [.. table.Indexes.Where(i => i.Name.Equals(hint, StringComparison.OrdinalIgnoreCase))] : null,
                            Columns = [.. table.Columns.Select(c => c.Name)],
                            Affinities = [.. table.Columns.Select(c => c.Affinity)],
                            Collations = [.. table.Columns.Select(c => c.Collation)],
                            LeftOuter = left,
                        };
                    }

                    if (catalog.FindView(name) is { } view)
                    {
                        return ViewSource(view, tr.Alias ?? view.Name, position, left);
                    }

                    if (name.Equals("sqlite_schema", StringComparison.OrdinalIgnoreCase) || name.Equals("sqlite_master", StringComparison.OrdinalIgnoreCase))
                    {
                        return SchemaSource(tr.Alias ?? name, position, left);
                    }

                    throw new SqlPrepareException($"no such table: {(schema is null ? name : schema + "." + name)}");
                }

            case SubquerySource sq:
                {
                    var saved = _coreSubqueries;
                    var q = Plan(sq.Select, null);
                    _coreSubqueries = saved;
                    return QuerySource(q, sq.Alias ?? $"(subquery-{position + 1})", null, position, left);
                }

            default:
                throw new SqlPrepareException("not supported yet: this FROM item");
        }
    }

    /// <summary>
    /// Column names made unique as SQLite does for a subquery, a view or CREATE TABLE ... AS SELECT:
    /// a name already taken gets ":N" (a trailing ":digits" of its own replaced), N counting from 1.
    /// </summary>
    internal static string[] UniqueColumnNames(IReadOnlyList<string> names)
    {
        var unique = new string[names.Count];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < unique.Length; i++)
        {
            var name = names[i];
            var stem = StripCounter(name);
            for (var k = 1; !seen.Add(name); k++)
            {
                name = $"{stem}:{k}";
            }

            unique[i] = name;
        }

        return unique;
    }

    /// <summary>"a:2" is "a" before the next counter is appended.</summary>
    private static string StripCounter(string name)
    {
        var j = name.Length - 1;
        while (j > 0 && char.IsAsciiDigit(name[j]))
        {
            j--;
        }

        return j > 0 && j < name.Length - 1 && name[j] == ':' ? name[..j] : name;
    }

    private SourceInfo QuerySource(PlannedQuery q, string name, SyntaxList<string>? columnNames, int position, bool left)
    {
        var names = UniqueColumnNames([.. q.Names.Select((n, i) => columnNames is not null && i < columnNames.Count ? columnNames[i] : n)]);

        return new SourceInfo
        {
            Name = name,
            Slot = _slots++,
            Position = position,
            Columns = names,
            Affinities = q.Affinities,
            Collations = [.. q.Collations.Select(c => c ?? Collation.Binary)],
            Query = q.Root,
            LeftOuter = left,
        };
    }

    private SourceInfo ViewSource(ViewInfo view, string name, int position, bool left)
    {
        // A view is planned from its own text, outside any WITH of the query that reads it.
        var savedSql = _sql;
        var savedCtes = _ctes.ToList();
        var savedSubqueries = _coreSubqueries;
        _ctes.Clear();
        _sql = view.Sql;
        try
        {
            var q = Plan(view.Select, null);
            if (view.Columns is { } cols && cols.Count != q.Names.Length)
            {
                throw new SqlPrepareException($"expected {cols.Count} columns for '{view.Name}' but got {q.Names.Length}");
            }

            return QuerySource(q, name, view.Columns, position, left);
        }
        finally
        {
            _sql = savedSql;
            _ctes.Clear();
            _ctes.AddRange(savedCtes);
            _coreSubqueries = savedSubqueries;
        }
    }

    private SourceInfo SchemaSource(string name, int position, bool left)
    {
        var columns = new[] { "type", "name", "tbl_name", "rootpage", "sql" };
        var table = new TableInfo("sqlite_schema", 1, [.. columns.Select(c => new ColumnInfo(c, c == "rootpage" ? "int" : "text", c == "rootpage" ? Affinity.Integer : Affinity.Text, Collation.Binary, false, null, false))], 0, "");
        return new SourceInfo
        {
            Name = name,
            Slot = _slots++,
            Position = position,
            Table = table,
            Columns = columns,
            Affinities = [.. table.Columns.Select(c => c.Affinity)],
            Collations = [.. table.Columns.Select(c => c.Collation)],
            LeftOuter = left,
        };
    }

    private CteBinding? FindCte(string name)
    {
        for (var i = _ctes.Count - 1; i >= 0; i--)
        {
            if (_ctes[i].Cte.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return _ctes[i];
            }
        }

        return null;
    }

    private SourceInfo CteSource(CteBinding cte, string name, int position, bool left)
    {
        if (cte.Queue is not null)
        {
            return new SourceInfo
            {
                Name = name,
                Slot = _slots++,
                Position = position,
                Columns = cte.QueueNames!,
                Affinities = cte.QueueAffinities!,
                Collations = new Collation[cte.QueueNames!.Length],
                Queue = cte.Queue,
                LeftOuter = left,
            };
        }

        // The CTE sees the CTEs defined before it (and itself only when recursive).
        var index = _ctes.IndexOf(cte);
        var savedCtes = _ctes.ToList();
        var savedSubqueries = _coreSubqueries;
        _ctes.RemoveRange(index + 1, _ctes.Count - index - 1);
        try
        {
            var select = cte.Cte.Select;
            PlannedQuery q;
            if (References(select, cte.Cte.Name) && select.Body is CompoundSelect { Terms.Count: >= 1 } compound
                && compound.Terms[^1].Op is CompoundOp.Union or CompoundOp.UnionAll && !References(compound.First, cte.Cte.Name))
            {
                q = PlanRecursive(cte, select, compound);
            }
            else
            {
                _ctes.RemoveAt(index);
                q = Plan(select, null);
            }

            if (cte.Cte.Columns is { } cols && cols.Count != q.Names.Length)
            {
                throw new SqlPrepareException($"table {cte.Cte.Name} has {q.Names.Length} values for {cols.Count} columns");
            }

            return QuerySource(q, name, cte.Cte.Columns, position, left);
        }
        finally
        {
            _ctes.Clear();
            _ctes.AddRange(savedCtes);
            _coreSubqueries = savedSubqueries;
        }
    }

    private PlannedQuery PlanRecursive(CteBinding cte, SelectStmt select, CompoundSelect compound)
    {
        if (select.OrderBy.Count > 0 || select.Limit is not null)
        {
            throw new SqlPrepareException("not supported yet: ORDER BY and LIMIT in a recursive CTE");
        }

        var initialBody = compound.Terms.Count == 1 ? compound.First : new CompoundSelect(compound.First, new([.. compound.Terms.Take(compound.Terms.Count - 1)]));
        var initial = PlanBody(initialBody, null);
        var queue = new QueueRowAccess();
        cte.Queue = queue;
        cte.QueueNames = cte.Cte.Columns is { } cols ? [.. cols] : initial.Names;
        cte.QueueAffinities = initial.Affinities;
        PlannedQuery recursive;
        try
        {
            recursive = PlanBody(compound.Terms[^1].Select, null);
        }
        finally
        {
            cte.Queue = null;
        }

        if (recursive.Names.Length != initial.Names.Length)
        {
            throw new SqlPrepareException($"SELECTs to the left and right of {(compound.Terms[^1].Op == CompoundOp.Union ? "UNION" : "UNION ALL")} do not have the same number of result columns");
        }

        var collations = initial.Collations.Select(c => c ?? Collation.Binary).ToArray();
        var op = new RecursiveCteOp(initial.Root, recursive.Root, queue, compound.Terms[^1].Op == CompoundOp.Union, collations);
        return initial with { Root = op };
    }

    /// <summary>Whether a FROM anywhere in the statement names <paramref name="name"/>.</summary>
    private static bool References(Node node, string name) => node switch
    {
        SelectStmt s => References(s.Body, name),
        SelectCore c => (c.From is not null && References(c.From, name))
            || c.Columns.OfType<ExprColumn>().Any(x => References(x.Expr, name)) || (c.Where is not null && References(c.Where, name)),
        CompoundSelect c => References(c.First, name) || c.Terms.Any(t => References(t.Select, name)),
        FromClause f => References(f.First, name) || f.Joins.Any(j => References(j.Source, name)),
        TableRef t => t.Name.Schema is null && t.Name.Name.Equals(name, StringComparison.OrdinalIgnoreCase),
        SubquerySource s => References(s.Select, name),
        JoinGroupSource g => References(g.From, name),
        SubqueryExpr s => References(s.Select, name),
        ExistsExpr s => References(s.Select, name),
        InExpr { Subquery: { } s } => References(s, name),
        BinaryExpr b => References(b.Left, name) || References(b.Right, name),
        UnaryExpr u => References(u.Operand, name),
        _ => false,
    };

    /// <summary>Bit per FROM position that an expression reads (subqueries count as reading everything).</summary>
    private static ulong MaskOf(Expr e, FromScope scope, ref bool hasSubquery)
    {
        switch (e)
        {
            case ColumnRef cr when cr.Schema is null:
                {
                    try
                    {
                        if (scope.TryLocal(cr.Table, cr.Column, out _, out var source, out _))
                        {
                            return 1UL << source!.Position;
                        }
                    }
                    catch (SqlPrepareException)
                    {
                        // ambiguous: compiling the term reports it
                    }

                    return 0;
                }

            case SubqueryExpr or ExistsExpr or InExpr { List: null }:
                hasSubquery = true;
                return e is InExpr i ? MaskOf(i.Operand, scope, ref hasSubquery) : 0;
            default:
                {
                    ulong mask = 0;
                    foreach (var child in Children(e))
                    {
                        mask |= MaskOf(child, scope, ref hasSubquery);
                    }

                    return mask;
                }
        }
    }

    private static IEnumerable<Expr> Children(Expr e)
    {
        switch (e)
        {
            case UnaryExpr u:
                yield return u.Operand;
                break;
            case BinaryExpr b:
                yield return b.Left;
                yield return b.Right;
                break;
            case Parsing.LikeExpr l:
                yield return l.Operand;
                yield return l.Pattern;
                if (l.Escape is not null)
                {
                    yield return l.Escape;
                }

                break;
            case Parsing.BetweenExpr b:
                yield return b.Operand;
                yield return b.Low;
                yield return b.High;
                break;
            case InExpr i:
                yield return i.Operand;
                if (i.List is not null)
                {
                    foreach (var x in i.List)
                    {
                        yield return x;
                    }
                }

                break;
            case Parsing.NullTestExpr n:
                yield return n.Operand;
                break;
            case Parsing.CaseExpr c:
                if (c.Operand is not null)
                {
                    yield return c.Operand;
                }

                foreach (var w in c.Whens)
                {
                    yield return w.When;
                    yield return w.Then;
                }

                if (c.Else is not null)
                {
                    yield return c.Else;
                }

                break;
            case Parsing.CastExpr c:
                yield return c.Operand;
                break;
            case CollateExpr c:
                yield return c.Operand;
                break;
            case FunctionCall f:
                foreach (var a in f.Args)
                {
                    yield return a;
                }

                if (f.Filter is not null)
                {
                    yield return f.Filter;
                }

                break;
            case RowValueExpr r:
                foreach (var x in r.Items)
                {
                    yield return x;
                }

                break;
        }
    }

    /// <summary>Whether the expression contains a subquery anywhere.</summary>
    private static bool HasSubquery(Expr e) => e is SubqueryExpr or ExistsExpr or InExpr { List: null } || Children(e).Any(HasSubquery);
}
