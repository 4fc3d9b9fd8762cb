using Forge.Sql.Execution;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>One SELECT core: joins, filters, projection or aggregation, DISTINCT, ORDER BY, LIMIT.</summary>
internal sealed partial class SelectPlanner
{
    private PlannedQuery PlanCore(SelectCore core, SyntaxList<OrderingTerm> orderBy, LimitClause? limit, FromScope? outer)
    {
        var savedSubqueries = _coreSubqueries;
        var subqueries = new List<SubqueryExprBase>();
        try
        {
            var terms = new List<Term>();
            var sources = BuildFrom(core.From, outer, terms);
            _coreSubqueries = subqueries;
            var scope = new FromScope(sources, outer);
            var items = new List<(Expr Expr, string Name, string? Alias)>();
            var inAlias = false;
            ExpressionCompiler compiler = null!;

            // A name that is no column but a result column's alias stands for that expression (SQLite allows it in WHERE, GROUP BY, HAVING).
            int AliasOf(Expr e)
            {
                if (inAlias || e is not ColumnRef { Table: null, Schema: null } cr || items.Count == 0)
                {
                    return -1;
                }

                try
                {
                    if (scope.TryLocal(null, cr.Column, out _, out _, out _))
                    {
                        return -1;
                    }
                }
                catch (SqlPrepareException)
                {
                    return -1;
                }

                return items.FindIndex(x => x.Alias is not null && x.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase));
            }

            CompiledExpr? CompileAlias(Expr e, ExpressionCompiler via)
            {
                var k = AliasOf(e);
                if (k < 0)
                {
                    return null;
                }

                inAlias = true;
                try
                {
                    return via.Compile(items[k].Expr);
                }
                finally
                {
                    inAlias = false;
                }
            }

            compiler = NewCompiler(scope, e => CompileAlias(e, compiler));
            if (core.Where is not null)
            {
                AddConjuncts(terms, core.Where, -1);
            }

            // Result columns (stars expanded).
            foreach (var rc in core.Columns)
            {
                switch (rc)
                {
                    case StarColumn star:
                        {
                            if (sources.Count == 0)
                            {
                                throw new SqlPrepareException("no tables specified");
                            }

                            var any = false;
                            foreach (var s in sources)
                            {
                                if (star.Table is not null && !s.Name.Equals(star.Table, StringComparison.OrdinalIgnoreCase))
                                {
                                    continue;
                                }

                                any = true;
                                foreach (var c in s.Columns)
                                {
                                    if (star.Table is null && s.Hidden.Contains(c))
                                    {
                                        continue;
                                    }

                                    items.Add((new ColumnRef(null, s.Name, c), c, null));
                                }
                            }

                            if (!any)
                            {
                                throw new SqlPrepareException($"no such table: {star.Table}");
                            }

                            break;
                        }

                    case ExprColumn ec:
                        items.Add((ec.Expr, ec.Alias ?? NameOf(ec.Expr, scope), ec.Alias));
                        break;
                }
            }

            var aggregate = core.GroupBy.Count > 0 || items.Any(i => HasAggregate(i.Expr)) || orderBy.Any(t => HasAggregate(t.Expr));
            if (core.Having is not null && !aggregate)
            {
                throw new SqlPrepareException("HAVING clause on a non-aggregate query");
            }

            // WHERE/ON terms, compiled; what they read.
            foreach (var t in terms)
            {
                if (HasAggregate(t.Expr))
                {
                    throw new SqlPrepareException($"misuse of aggregate function {FirstAggregateName(t.Expr)}()");
                }

                var sub = false;
                t.Mask = MaskOf(t.Expr, scope, ref sub);
                if (sub || ReadsAlias(t.Expr))
                {
                    t.Mask = sources.Count == 0 ? 0 : (sources.Count == 64 ? ulong.MaxValue : (1UL << sources.Count) - 1);
                }

                t.Compiled = compiler.Compile(t.Expr);
            }

            bool ReadsAlias(Expr e) => AliasOf(e) >= 0 || (e is not (SubqueryExpr or ExistsExpr) && Children(e).Any(ReadsAlias));

            var orderSatisfied = false;
            GroupSatisfied = DistinctSatisfied = false;
            var join = MinMaxShortcut(core, sources, terms, items, orderBy, compiler)
                ?? PlanJoin(sources, terms, compiler, items, core, orderBy, aggregate, out orderSatisfied);
            var groupSatisfied = GroupSatisfied;
            var distinctSatisfied = DistinctSatisfied;
            join.Subqueries = subqueries;

            RowOperator root;
            var names = items.Select(i => i.Name).ToArray();
            var exprsAst = items.Select(i => (Expr?)i.Expr).ToArray();
            CompiledExpr[] outputs;
            var keys = new List<SortKey>();
            if (!aggregate)
            {
                var compiled = items.Select(i => compiler.Compile(i.Expr)).ToList();
                outputs = [.. compiled];
                ResolveOrderBy(orderBy, items, compiled, compiler, keys);
                root = new ProjectOp(join, [.. compiled], items.Count);
            }
            else
            {
                var aggregateOp = PlanAggregate(core, join, scope, compiler, items, orderBy, keys, CompileAlias, out outputs);
                if (groupSatisfied)
                {
                    aggregateOp.ExplainText = null;
                }

                // Groups come out in ascending key order: an ORDER BY of the GROUP BY terms needs no sort.
                if (GroupOrder(core, orderBy, items))
                {
                    orderSatisfied = true;
                }

                root = aggregateOp;
            }

            if (core.Distinct)
            {
                root = new DistinctOp(root, [.. outputs.Select(o => o.Collation ?? Collation.Binary)], distinctSatisfied ? null : "USE TEMP B-TREE FOR DISTINCT");
            }

            if (keys.Count > 0 && !orderSatisfied)
            {
                root = new SortOp(root, [.. keys], BoundOf(limit), "USE TEMP B-TREE FOR ORDER BY");
            }

            if (limit is not null)
            {
                root = new LimitOp(root, LimitOf(limit));
            }

            return new PlannedQuery(root, names, [.. outputs.Select(o => o.Affinity)], [.. outputs.Select(o => o.Collation)], exprsAst);
        }
        finally
        {
            _coreSubqueries = savedSubqueries;
        }
    }

    /// <summary>
    /// SELECT min(c) / max(c) FROM t with an index starting with c: the first non-NULL entry from
    /// the right end of the index is the answer (SQLite's min/max optimization).
    /// </summary>
    private JoinLoop? MinMaxShortcut(SelectCore core, List<SourceInfo> sources, List<Term> terms, List<(Expr Expr, string Name, string? Alias)> items, SyntaxList<OrderingTerm> orderBy, ExpressionCompiler compiler)
    {
        if (core.GroupBy.Count > 0 || core.Having is not null || terms.Count > 0 || orderBy.Count > 0 || sources.Count != 1 || sources[0].Table is not { } table
            || items.Count != 1 || items[0].Expr is not FunctionCall { Distinct: false, Star: false, Filter: null, Args.Count: 1 } f
            || f.Name.ToLowerInvariant() is not ("min" or "max") || f.Args[0] is not ColumnRef cr)
        {
            return null;
        }

        var scope = (FromScope)compiler.Scope!;
        if (ColumnOf(cr, sources[0], scope) is not { } column || column < 0)
        {
            return null;
        }

        var index = Enumerable.Reverse(sources[0].UsableIndexes).FirstOrDefault(i => i.Columns[0].Column == column && i.Columns[0].Collation == table.Columns[column].Collation);
        if (index is null)
        {
            return null;
        }

        var max = f.Name.Equals("max", StringComparison.OrdinalIgnoreCase);
        var access = new IndexAccess(store, table, index, covering: true, [], null)
        {
            Reverse = max != index.Columns[0].Descending,
            Detail = $"SEARCH {sources[0].Name} USING COVERING INDEX {index.Name}",
        };
        var notNull = new Execution.Expressions.NullTestExpr(compiler.Compile(cr), not: true);
        var level = new JoinLevel(sources[0].Slot, access) { Match = [notNull] };
        return new JoinLoop([level], []) { StopAfter = 1 };
    }

    private static bool GroupOrder(SelectCore core, SyntaxList<OrderingTerm> orderBy, List<(Expr Expr, string Name, string? Alias)> items)
    {
        if (orderBy.Count == 0 || orderBy.Count > core.GroupBy.Count)
        {
            return false;
        }

        for (var i = 0; i < orderBy.Count; i++)
        {
            var t = orderBy[i];
            if (t.Order == SortOrder.Desc || t.Nulls == NullsOrder.Last)
            {
                return false;
            }

            var e = t.Expr;
            if (e is IntegerLiteral n && n.Value >= 1 && n.Value <= items.Count)
            {
                e = items[(int)n.Value - 1].Expr;
            }
            else if (e is ColumnRef { Table: null } cr && items.FindIndex(x => x.Alias is not null && x.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase)) is var k && k >= 0)
            {
                e = items[k].Expr;
            }

            var g = core.GroupBy[i];
            if (g is IntegerLiteral gn && gn.Value >= 1 && gn.Value <= items.Count)
            {
                g = items[(int)gn.Value - 1].Expr;
            }
            else if (g is ColumnRef { Table: null } gr && items.FindIndex(x => x.Alias is not null && x.Alias.Equals(gr.Column, StringComparison.OrdinalIgnoreCase)) is var gk && gk >= 0)
            {
                g = items[gk].Expr;
            }

            if (!e.Equals(g))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>sqlite3's name for a result column without alias: a column's declared name, else the expression's text.</summary>
    private string NameOf(Expr e, FromScope scope)
    {
        if (e is ColumnRef cr && cr.Schema is null)
        {
            try
            {
                if (scope.TryLocal(cr.Table, cr.Column, out _, out var source, out var column))
                {
                    return column >= 0 ? source!.Columns[column] : source!.Table is { RowidAlias: >= 0 } t ? t.Columns[t.RowidAlias].Name : "rowid";
                }
            }
            catch (SqlPrepareException)
            {
                // reported when compiled
            }
        }

        return e.End > e.Start && e.End <= _sql.Length ? _sql[e.Start..e.End] : e.ToSql();
    }

    private static void ResolveOrderBy(SyntaxList<OrderingTerm> orderBy, List<(Expr Expr, string Name, string? Alias)> items, List<CompiledExpr> compiled, ExpressionCompiler compiler, List<SortKey> keys)
    {
        for (var i = 0; i < orderBy.Count; i++)
        {
            var t = orderBy[i];
            var e = t.Expr;
            Collation? explicitCollation = null;
            if (e is CollateExpr ce)
            {
                explicitCollation = ExpressionCompiler.CollationByName(ce.Collation);
                e = ce.Operand;
            }

            var column = -1;
            if (e is IntegerLiteral n)
            {
                if (n.Value < 1 || n.Value > items.Count)
                {
                    throw new SqlPrepareException($"{Ordinal(i + 1)} ORDER BY term out of range - should be between 1 and {items.Count}");
                }

                column = (int)n.Value - 1;
            }
            else if (e is ColumnRef { Table: null } cr)
            {
                column = items.FindIndex(x => x.Alias is not null && x.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase));
            }

            if (column < 0)
            {
                column = items.FindIndex(x => x.Expr.Equals(e));
            }

            if (column < 0)
            {
                column = compiled.Count;
                compiled.Add(compiler.Compile(e));
            }

            keys.Add(MakeKey(t, column, explicitCollation ?? compiled[column].Collation ?? Collation.Binary));
        }
    }

    // ------------------------------------------------------------------ aggregation

    private static readonly HashSet<string> s_aggregates = new(StringComparer.OrdinalIgnoreCase) { "count", "sum", "avg", "total", "group_concat", "string_agg", "min", "max" };

    private static bool IsAggregateCall(FunctionCall f) =>
        s_aggregates.Contains(f.Name) && !(f.Name.ToLowerInvariant() is "min" or "max" && f.Args.Count != 1);

    private static bool HasAggregate(Expr e) => e switch
    {
        FunctionCall f when IsAggregateCall(f) => true,
        SubqueryExpr or ExistsExpr => false,
        _ => Children(e).Any(HasAggregate),
    };

    private static string? FirstAggregateName(Expr e) => e is FunctionCall f && IsAggregateCall(f) ? f.Name : Children(e).Select(FirstAggregateName).FirstOrDefault(n => n is not null);

    private AggregateOp PlanAggregate(SelectCore core, JoinLoop join, FromScope scope, ExpressionCompiler compiler, List<(Expr Expr, string Name, string? Alias)> items, SyntaxList<OrderingTerm> orderBy, List<SortKey> keys, Func<Expr, ExpressionCompiler, CompiledExpr?> compileAlias, out CompiledExpr[] outputs)
    {
        var output = new GroupOutput();
        var groupAst = new List<Expr>();
        var groupCompiled = new List<CompiledExpr>();
        foreach (var g in core.GroupBy)
        {
            var e = g;
            if (e is IntegerLiteral n)
            {
                if (n.Value < 1 || n.Value > items.Count)
                {
                    throw new SqlPrepareException($"{Ordinal(groupAst.Count + 1)} GROUP BY term out of range - should be between 1 and {items.Count}");
                }

                e = items[(int)n.Value - 1].Expr;
            }
            else if (e is ColumnRef { Table: null } cr && !scope.TryLocal(null, cr.Column, out _, out _, out _)
                && items.FindIndex(x => x.Alias is not null && x.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase)) is var k && k >= 0)
            {
                e = items[k].Expr;
            }

            if (HasAggregate(e))
            {
                throw new SqlPrepareException("aggregate functions are not allowed in the GROUP BY clause");
            }

            groupAst.Add(e);
            groupCompiled.Add(compiler.Compile(e));
        }

        var aggs = new List<AggSpec>();
        var aggAst = new List<FunctionCall>();
        var bare = new List<CompiledExpr>();
        ExpressionCompiler? aggCompiler = null;
        aggCompiler = NewCompiler(scope, e =>
        {
            var g = groupAst.FindIndex(x => x.Equals(e));
            if (g >= 0)
            {
                var c = groupCompiled[g];
                return new GroupValueExpr(output, GroupPart.Key, g) { Affinity = c.Affinity, Collation = c.Collation };
            }

            if (e is FunctionCall f && IsAggregateCall(f))
            {
                var existing = aggAst.FindIndex(x => x.Equals(f));
                if (existing >= 0)
                {
                    return new GroupValueExpr(output, GroupPart.Aggregate, existing) { Affinity = AggAffinity(f) };
                }

                var spec = AggregateSpec(f, compiler);
                aggs.Add(spec);
                aggAst.Add(f);
                return new GroupValueExpr(output, GroupPart.Aggregate, aggs.Count - 1) { Affinity = AggAffinity(f) };
            }

            if (e is ColumnRef cr)
            {
                if (compileAlias(cr, aggCompiler!) is { } aliased)
                {
                    return aliased;
                }

                var c = compiler.Compile(cr);
                if (c is ColumnExpr col && scope.Sources.Any(s => s.Slot == col.Slot))
                {
                    bare.Add(c);
                    return new GroupValueExpr(output, GroupPart.Bare, bare.Count - 1) { Affinity = c.Affinity, Collation = c.Collation };
                }

                return c;
            }

            return null;
        });

        var compiled = items.Select(i => aggCompiler.Compile(i.Expr)).ToList();
        var width = compiled.Count;
        ResolveOrderBy(orderBy, items, compiled, aggCompiler, keys);
        var having = core.Having is null ? null : aggCompiler.Compile(core.Having);
        outputs = [.. compiled.Take(width)];
        var subqueries = items.Any(i => HasSubquery(i.Expr)) || (core.Having is not null && HasSubquery(core.Having)) || orderBy.Any(o => HasSubquery(o.Expr));
        return new AggregateOp(join, [.. groupCompiled], [.. groupCompiled.Select(c => c.Collation ?? Collation.Binary)], [.. aggs], [.. bare], having, [.. compiled], output, width)
        {
            ExplainText = core.GroupBy.Count > 0 ? "USE TEMP B-TREE FOR GROUP BY" : null,
            Snapshots = subqueries ? [.. scope.Sources.Select(s => (s.Slot, s.Columns.Length))] : [],
        };
    }

    private static Affinity AggAffinity(FunctionCall f) => Affinity.Blob;

    private static AggSpec AggregateSpec(FunctionCall f, ExpressionCompiler compiler)
    {
        var name = f.Name.ToLowerInvariant();
        foreach (var a in f.Args)
        {
            if (HasAggregate(a))
            {
                throw new SqlPrepareException($"misuse of aggregate function {FirstAggregateName(a)}()");
            }
        }

        var (kind, min, max) = name switch
        {
            "count" => (f.Star ? AggKind.CountStar : AggKind.Count, 0, 1),
            "sum" => (AggKind.Sum, 1, 1),
            "total" => (AggKind.Total, 1, 1),
            "avg" => (AggKind.Avg, 1, 1),
            "min" => (AggKind.Min, 1, 1),
            "max" => (AggKind.Max, 1, 1),
            "string_agg" => (AggKind.GroupConcat, 2, 2),
            _ => (AggKind.GroupConcat, 1, 2),
        };
        if (f.Args.Count < min || f.Args.Count > max || (f.Star && name != "count"))
        {
            throw new SqlPrepareException($"wrong number of arguments to function {f.Name}()");
        }

        if (f.Distinct && f.Args.Count != 1)
        {
            throw new SqlPrepareException("DISTINCT aggregates must have exactly one argument");
        }

        if (kind == AggKind.Count && f.Args.Count == 0)
        {
            kind = AggKind.CountStar;
        }

        var args = f.Args.Select(compiler.Compile).ToArray();
        var collation = args.Length > 0 ? args[0].Collation ?? Collation.Binary : Collation.Binary;
        var filter = f.Filter is null ? null : compiler.Compile(f.Filter);
        return new AggSpec(kind, args, f.Distinct, filter, collation);
    }
}
