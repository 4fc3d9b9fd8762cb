using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Records;

namespace Forge.Sql.Planning;

/// <summary>Access paths and join order: SQLite's choices without statistics (a table holds ~1M rows, an index key ~10).</summary>
internal sealed partial class SelectPlanner
{
    private enum ConstraintOp
    {
        Eq,
        Lt,
        Le,
        Gt,
        Ge,
        In,
    }

    private sealed record Constraint(Term Term, int Column, ConstraintOp Op, CompiledExpr? Other, CompiledExpr[]? List, Affinity? Apply, bool ColumnConverted, Collation Collation)
    {
        /// <summary>c IS NULL: an equality whose key is NULL.</summary>
        public bool MatchesNull { get; init; }
    }

    private enum AccessKind
    {
        Scan,
        Rowid,
        Index,
        Query,
    }

    private sealed class Candidate
    {
        public AccessKind Kind { get; init; }

        public IndexInfo? Index { get; init; }

        public bool Covering { get; init; }

        public List<Constraint> Eq { get; init; } = [];

        /// <summary>One equality column takes its values from an IN list (<see cref="InPosition"/>).</summary>
        public bool LastIsIn { get; init; }

        public int InPosition => Eq.FindIndex(c => c.Op == ConstraintOp.In);

        public Constraint? Low { get; init; }

        public Constraint? High { get; init; }

        public double Cost { get; init; }

        public double Rows { get; init; }

        public bool Reverse { get; set; }

        public bool OrderScan { get; set; }
    }

    private JoinLoop PlanJoin(List<SourceInfo> sources, List<Term> terms, ExpressionCompiler compiler, List<(Expr Expr, string Name, string? Alias)> items, SelectCore core, SyntaxList<OrderingTerm> orderBy, bool aggregate, out bool orderSatisfied)
    {
        orderSatisfied = false;
        GroupSatisfied = false;
        DistinctSatisfied = false;
        var scope = (FromScope)compiler.Scope!;
        var used = UsedColumns(sources, scope, items, terms, core, orderBy);

        // Join order: FROM order, or (inner joins only) the cheapest permutation.
        var order = Enumerable.Range(0, sources.Count).ToArray();
        if (sources.Count is >= 2 and <= 5 && !sources.Any(s => s.LeftOuter))
        {
            var best = double.MaxValue;
            foreach (var perm in Permutations(sources.Count))
            {
                var cost = 0.0;
                var rows = 1.0;
                ulong avail = 0;
                foreach (var p in perm)
                {
                    var c = Choose(sources[p], avail, terms, compiler, used[p]);
                    cost += rows * c.Cost;
                    rows *= Math.Max(1, c.Rows * FilterFactor(sources[p], avail, terms));
                    avail |= 1UL << p;
                }

                if (cost <= best * 1.001)
                {
                    best = cost;
                    order = perm;
                }
            }
        }
        else if (sources.Count > 5 && sources.Count <= 64 && !sources.Any(s => s.LeftOuter))
        {
            order = BeamOrder(sources, terms, compiler, used);
        }

        var candidates = new Candidate[sources.Count];
        ulong available = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var p = order[i];
            candidates[i] = Choose(sources[p], available, terms, compiler, used[p]);
            available |= 1UL << p;
        }

        if (orderBy.Count > 0 && !aggregate && sources.Count > 0 && sources[order[0]].Table is { } t0)
        {
            var columns = OrderColumns(orderBy, items, scope, sources[order[0]]);
            if (columns is not null)
            {
                if (Satisfies(candidates[0], columns, t0))
                {
                    orderSatisfied = true;
                }
                else if (candidates[0].Kind == AccessKind.Scan && !candidates[0].OrderScan)
                {
                    foreach (var index in Enumerable.Reverse(sources[order[0]].UsableIndexes))
                    {
                        var scan = new Candidate { Kind = AccessKind.Index, Index = index, Covering = Covers(index, used[order[0]], t0), OrderScan = true };
                        if (Satisfies(scan, columns, t0))
                        {
                            candidates[0] = scan;
                            orderSatisfied = true;
                            break;
                        }
                    }
                }
            }
        }

        // GROUP BY / DISTINCT on columns the outer loop delivers in order: no temp b-tree in SQLite's plan.
        if (sources.Count > 0 && sources[order[0]].Table is { } first)
        {
            static OrderingTerm Asc(Expr e) => new(e, SortOrder.None, NullsOrder.None);
            if (aggregate && core.GroupBy.Count > 0
                && OrderColumns(new([.. core.GroupBy.Select(Asc)]), items, scope, sources[order[0]]) is { } g && Satisfies(candidates[0], g, first) && !candidates[0].Reverse)
            {
                GroupSatisfied = true;
            }

            if (core.Distinct && !aggregate
                && OrderColumns(new([.. items.Select(i => Asc(i.Expr))]), items, scope, sources[order[0]]) is { } d && Satisfies(candidates[0], d, first) && !candidates[0].Reverse)
            {
                DistinctSatisfied = true;
            }
        }

        var levels = new JoinLevel[order.Length];
        var levelOf = new int[sources.Count];
        for (var i = 0; i < order.Length; i++)
        {
            var s = sources[order[i]];
            levels[i] = new JoinLevel(s.Slot, BuildAccess(s, candidates[i], i)) { LeftOuter = s.LeftOuter };
            levelOf[order[i]] = i;
        }

        var match = levels.Select(_ => new List<CompiledExpr>()).ToArray();
        var after = levels.Select(_ => new List<CompiledExpr>()).ToArray();
        var constant = new List<CompiledExpr>();
        foreach (var term in terms)
        {
            if (term.Consumed)
            {
                continue;
            }

            if (term.LeftJoin >= 0)
            {
                match[levelOf[term.LeftJoin]].Add(term.Compiled!);
                continue;
            }

            if (term.Mask == 0)
            {
                constant.Add(term.Compiled!);
                continue;
            }

            var max = 0;
            for (var p = 0; p < sources.Count; p++)
            {
                if ((term.Mask & (1UL << p)) != 0)
                {
                    max = Math.Max(max, levelOf[p]);
                }
            }

            (levels[max].LeftOuter ? after : match)[max].Add(term.Compiled!);
        }

        for (var i = 0; i < levels.Length; i++)
        {
            levels[i].Match = [.. match[i]];
            levels[i].After = [.. after[i]];
        }

        return new JoinLoop(levels, [.. constant]);
    }

    /// <summary>
    /// Join order for many tables, as SQLite's "N nearest neighbours" solver does it: grow every
    /// partial order by one table at a time, keeping only the <see cref="BeamWidth"/> cheapest
    /// (and, of those covering the same set of tables, only the cheapest), so a 20-way join costs
    /// n² × width access choices instead of n! permutations.
    /// </summary>
    private static int[] BeamOrder(List<SourceInfo> sources, List<Term> terms, ExpressionCompiler compiler, HashSet<int>?[] used)
    {
        var n = sources.Count;
        var paths = new List<(int[] Order, ulong Avail, double Cost, double Rows)> { ([], 0, 0, 1) };
        for (var step = 0; step < n; step++)
        {
            var next = new Dictionary<ulong, (int[] Order, ulong Avail, double Cost, double Rows)>();
            foreach (var (ord, avail, cost, rows) in paths)
            {
                for (var p = 0; p < n; p++)
                {
                    if ((avail & (1UL << p)) != 0)
                    {
                        continue;
                    }

                    var c = Choose(sources[p], avail, terms, compiler, used[p]);
                    var total = cost + (rows * c.Cost);
                    var mask = avail | (1UL << p);
                    if (next.TryGetValue(mask, out var seen) && seen.Cost <= total)
                    {
                        continue;
                    }

                    next[mask] = ([.. ord, p], mask, total, Math.Max(1, rows * c.Rows * FilterFactor(sources[p], avail, terms)));
                }
            }

            paths = [.. next.Values.OrderBy(x => x.Cost).ThenBy(x => string.Join(',', x.Order)).Take(BeamWidth)];
        }

        return paths[0].Order;
    }

    private const int BeamWidth = 10;

    private static IEnumerable<int[]> Permutations(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        return Permute(a, 0);

        static IEnumerable<int[]> Permute(int[] a, int k)
        {
            if (k == a.Length)
            {
                yield return (int[])a.Clone();
                yield break;
            }

            for (var i = k; i < a.Length; i++)
            {
                var b = (int[])a.Clone();
                var x = b[i];
                Array.Copy(b, k, b, k + 1, i - k);
                b[k] = x;
                foreach (var p in Permute(b, k + 1))
                {
                    yield return p;
                }
            }
        }
    }

    private static double FilterFactor(SourceInfo s, ulong avail, List<Term> terms)
    {
        var bit = 1UL << s.Position;
        var f = 1.0;
        foreach (var t in terms)
        {
            if ((t.Mask & bit) != 0 && (t.Mask & ~(avail | bit)) == 0)
            {
                f *= 0.25;
            }
        }

        return f;
    }

    /// <summary>Columns of each source the query reads (null: all of them, e.g. when subqueries are involved).</summary>
    private static HashSet<int>?[] UsedColumns(List<SourceInfo> sources, FromScope scope, List<(Expr Expr, string Name, string? Alias)> items, List<Term> terms, SelectCore core, SyntaxList<OrderingTerm> orderBy)
    {
        var used = new HashSet<int>?[sources.Count];
        for (var i = 0; i < used.Length; i++)
        {
            used[i] = [];
        }

        var all = items.Select(i => i.Expr).Concat(terms.Select(t => t.Expr)).Concat(core.GroupBy).Concat(orderBy.Select(o => o.Expr));
        if (core.Having is not null)
        {
            all = all.Append(core.Having);
        }

        foreach (var e in all)
        {
            if (HasSubquery(e))
            {
                return new HashSet<int>?[sources.Count];
            }

            Collect(e);
        }

        return used;

        void Collect(Expr e)
        {
            if (e is ColumnRef cr && cr.Schema is null)
            {
                try
                {
                    if (scope.TryLocal(cr.Table, cr.Column, out var b, out var source, out _))
                    {
                        used[source!.Position]?.Add(b.Column);
                    }
                }
                catch (SqlPrepareException)
                {
                    // reported when compiled
                }

                return;
            }

            foreach (var c in Children(e))
            {
                Collect(c);
            }
        }
    }

    private static bool Covers(IndexInfo index, HashSet<int>? used, TableInfo table)
    {
        if (used is null)
        {
            return false;
        }

        foreach (var c in used)
        {
            if (c >= 0 && c != table.RowidAlias && !index.Columns.Any(ic => ic.Column == c))
            {
                return false;
            }
        }

        return true;
    }

    private static Candidate Choose(SourceInfo s, ulong avail, List<Term> terms, ExpressionCompiler compiler, HashSet<int>? used)
    {
        if (s.Table is not { } table)
        {
            return new Candidate { Kind = AccessKind.Query, Cost = 1000, Rows = 1000 };
        }

        var constraints = Constraints(s, avail, terms, compiler);
        var best = new Candidate { Kind = AccessKind.Scan, Cost = TableRows * 3, Rows = TableRows };
        if (used is not null && s.Table.Root != 1)
        {
            IndexInfo? smallest = null;
            foreach (var index in Enumerable.Reverse(s.UsableIndexes))
            {
                if (Covers(index, used, table) && (smallest is null || index.Columns.Length < smallest.Columns.Length))
                {
                    smallest = index;
                }
            }

            if (smallest is not null)
            {
                best = new Candidate { Kind = AccessKind.Index, Index = smallest, Covering = true, Cost = TableRows * 2, Rows = TableRows };
            }
        }

        // rowid
        var rowEq = constraints.FirstOrDefault(c => c.Column == -1 && c.Op == ConstraintOp.Eq);
        var rowIn = constraints.FirstOrDefault(c => c.Column == -1 && c.Op == ConstraintOp.In);
        if (rowEq is not null)
        {
            return new Candidate { Kind = AccessKind.Rowid, Eq = [rowEq], Cost = LookupCost, Rows = 1 };
        }

        if (rowIn is not null)
        {
            var n = rowIn.List!.Length;
            best = Better(best, new Candidate { Kind = AccessKind.Rowid, Eq = [rowIn], LastIsIn = true, Cost = LookupCost * n, Rows = n });
        }
        else
        {
            var low = constraints.FirstOrDefault(c => c.Column == -1 && c.Op is ConstraintOp.Gt or ConstraintOp.Ge);
            var high = constraints.FirstOrDefault(c => c.Column == -1 && c.Op is ConstraintOp.Lt or ConstraintOp.Le);
            if (low is not null || high is not null)
            {
                var rows = TableRows / (low is not null && high is not null ? 64 : 4);
                best = Better(best, new Candidate { Kind = AccessKind.Rowid, Low = low, High = high, Cost = rows * 3, Rows = rows });
            }
        }

        foreach (var index in Enumerable.Reverse(s.UsableIndexes))
        {
            var eq = new List<Constraint>();
            var isIn = false;
            foreach (var ic in index.Columns)
            {
                var c = constraints.FirstOrDefault(c => c.Column == ic.Column && c.Op == ConstraintOp.Eq && Usable(c, table) && c.Collation == ic.Collation);
                if (c is not null)
                {
                    eq.Add(c);
                    continue;
                }

                c = isIn ? null : constraints.FirstOrDefault(c => c.Column == ic.Column && c.Op == ConstraintOp.In && c.Collation == ic.Collation);
                if (c is not null)
                {
                    eq.Add(c);
                    isIn = true;
                    continue;
                }

                break;
            }

            Constraint? lo = null, hi = null;
            if (!isIn && eq.Count < index.Columns.Length && !index.Columns[eq.Count].Descending)
            {
                var ic = index.Columns[eq.Count];
                lo = constraints.FirstOrDefault(c => c.Column == ic.Column && c.Op is ConstraintOp.Gt or ConstraintOp.Ge && Usable(c, table) && c.Collation == ic.Collation);
                hi = constraints.FirstOrDefault(c => c.Column == ic.Column && c.Op is ConstraintOp.Lt or ConstraintOp.Le && Usable(c, table) && c.Collation == ic.Collation);
            }

            if (eq.Count == 0 && lo is null && hi is null)
            {
                continue;
            }

            var covering = Covers(index, used, table);
            double rowsEst;
            if (index.Unique && eq.Count == index.Columns.Length && !isIn)
            {
                rowsEst = 1;
            }
            else
            {
                rowsEst = eq.Count > 0 ? 10 : TableRows;
                if (isIn)
                {
                    rowsEst *= eq.Find(x => x.Op == ConstraintOp.In)!.List!.Length;
                }

                if (lo is not null)
                {
                    rowsEst /= 4;
                }

                if (hi is not null)
                {
                    rowsEst /= 4;
                }
            }

            var seeks = isIn ? eq.Find(x => x.Op == ConstraintOp.In)!.List!.Length : 1;
            var cost = (LookupCost * seeks) + (rowsEst * (covering ? 1 : 4)) - (eq.Count * 0.01);
            best = Better(best, new Candidate { Kind = AccessKind.Index, Index = index, Covering = covering, Eq = eq, LastIsIn = isIn, Low = lo, High = hi, Cost = cost, Rows = rowsEst });
        }

        return best;
    }

    /// <summary>SQLite's sqlite3IndexAffinityOk: an index on a column without affinity serves any comparison; else the column must keep its values as stored.</summary>
    private static bool Usable(Constraint c, TableInfo table) => !c.ColumnConverted && table is not null;

    /// <summary>Set by the last <see cref="PlanJoin"/>: the outer loop delivers GROUP BY's order.</summary>
    private bool GroupSatisfied { get; set; }

    /// <summary>Set by the last <see cref="PlanJoin"/>: the outer loop delivers DISTINCT's columns in order.</summary>
    private bool DistinctSatisfied { get; set; }

    private static Candidate Better(Candidate a, Candidate b) => b.Cost < a.Cost ? b : a;

    private static List<Constraint> Constraints(SourceInfo s, ulong avail, List<Term> terms, ExpressionCompiler compiler)
    {
        var result = new List<Constraint>();
        var scope = (FromScope)compiler.Scope!;
        var bit = 1UL << s.Position;
        foreach (var t in terms)
        {
            if ((t.LeftJoin >= 0 && t.LeftJoin != s.Position) || (t.Mask & bit) == 0 || (t.Mask & ~(avail | bit)) != 0)
            {
                continue;
            }

            switch (t.Expr)
            {
                case BinaryExpr { Op: BinaryOp.Eq or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge } b:
                    {
                        var op = b.Op switch
                        {
                            BinaryOp.Eq => ConstraintOp.Eq,
                            BinaryOp.Lt => ConstraintOp.Lt,
                            BinaryOp.Le => ConstraintOp.Le,
                            BinaryOp.Gt => ConstraintOp.Gt,
                            _ => ConstraintOp.Ge,
                        };
                        if (ColumnOf(b.Left, s, scope) is { } lc && IsFree(b.Right, s, scope))
                        {
                            Add(t, lc, op, b.Left, b.Right, true);
                        }
                        else if (ColumnOf(b.Right, s, scope) is { } rc && IsFree(b.Left, s, scope))
                        {
                            var flipped = op switch
                            {
                                ConstraintOp.Lt => ConstraintOp.Gt,
                                ConstraintOp.Le => ConstraintOp.Ge,
                                ConstraintOp.Gt => ConstraintOp.Lt,
                                ConstraintOp.Ge => ConstraintOp.Le,
                                _ => op,
                            };
                            Add(t, rc, flipped, b.Right, b.Left, false);
                        }

                        break;
                    }

                case BinaryExpr { Op: BinaryOp.Is, Right: NullLiteral } isNull when ColumnOf(isNull.Left, s, scope) is { } c && c >= 0:
                    {
                        var col = compiler.Compile(isNull.Left);
                        result.Add(new Constraint(t, c, ConstraintOp.Eq, new ConstantExpr(SqlValue.Null), null, null, false, col.Collation ?? Collation.Binary) { MatchesNull = true });
                        break;
                    }

                case BinaryExpr { Op: BinaryOp.Or } disjunction when OrEqualities(disjunction, s, scope) is { } eqs:
                    {
                        var col = compiler.Compile(eqs.Column);
                        var apply = col.Affinity == Affinity.Blob ? (Affinity?)null : col.Affinity;
                        result.Add(new Constraint(t, ColumnOf(eqs.Column, s, scope)!.Value, ConstraintOp.In, null, [.. eqs.Values.Select(compiler.Compile)], apply, false, col.Collation ?? Collation.Binary));
                        break;
                    }

                case Parsing.BetweenExpr { Not: false } be when ColumnOf(be.Operand, s, scope) is { } c && IsFree(be.Low, s, scope) && IsFree(be.High, s, scope):
                    Add(t, c, ConstraintOp.Ge, be.Operand, be.Low, true);
                    Add(t, c, ConstraintOp.Le, be.Operand, be.High, true);
                    break;
                case InExpr { Not: false, List: { } list } ie when ColumnOf(ie.Operand, s, scope) is { } c && list.Count > 0 && list.All(x => IsFree(x, s, scope)):
                    {
                        var col = compiler.Compile(ie.Operand);
                        var apply = col.Affinity == Affinity.Blob ? (Affinity?)null : col.Affinity;
                        result.Add(new Constraint(t, c, ConstraintOp.In, null, [.. list.Select(compiler.Compile)], apply, false, col.Collation ?? Collation.Binary));
                        break;
                    }
            }
        }

        return result;

        void Add(Term t, int column, ConstraintOp op, Expr columnExpr, Expr other, bool columnLeft)
        {
            var col = compiler.Compile(columnExpr);
            var value = compiler.Compile(other);
            var (la, ra) = columnLeft ? ExpressionCompiler.AffinitiesFor(col, value) : Swap(ExpressionCompiler.AffinitiesFor(value, col));
            Collation collation;
            if (value is CollatedExpr { CollationIsExplicit: true } && value.Collation is { } vc)
            {
                collation = vc;
            }
            else
            {
                collation = columnLeft ? col.Collation ?? value.Collation ?? Collation.Binary : value.Collation ?? col.Collation ?? Collation.Binary;
            }

            result.Add(new Constraint(t, column, op, value, null, ra, la is not null, collation));
        }

        static (Affinity? Column, Affinity? Value) Swap((Affinity? Left, Affinity? Right) x) => (x.Right, x.Left);
    }

    /// <summary><c>c = v1 OR c = v2 OR ...</c> on one column of <paramref name="s"/> (SQLite plans it as <c>c IN (v1, v2, ...)</c>).</summary>
    private static (Expr Column, List<Expr> Values)? OrEqualities(BinaryExpr or, SourceInfo s, FromScope scope)
    {
        var disjuncts = new List<Expr>();
        void Flatten(Expr e)
        {
            if (e is BinaryExpr { Op: BinaryOp.Or } b)
            {
                Flatten(b.Left);
                Flatten(b.Right);
            }
            else
            {
                disjuncts.Add(e);
            }
        }

        Flatten(or);
        Expr? column = null;
        int? index = null;
        var values = new List<Expr>();
        foreach (var d in disjuncts)
        {
            if (d is not BinaryExpr { Op: BinaryOp.Eq } eq)
            {
                return null;
            }

            Expr col, value;
            if (ColumnOf(eq.Left, s, scope) is { } l && IsFree(eq.Right, s, scope))
            {
                (col, value, index) = index is null || index == l ? (eq.Left, eq.Right, l) : (null!, null!, -2);
            }
            else if (ColumnOf(eq.Right, s, scope) is { } r && IsFree(eq.Left, s, scope))
            {
                (col, value, index) = index is null || index == r ? (eq.Right, eq.Left, r) : (null!, null!, -2);
            }
            else
            {
                return null;
            }

            if (index == -2)
            {
                return null;
            }

            column ??= col;
            values.Add(value);
        }

        return column is null ? null : (column, values);
    }

    /// <summary>The column of <paramref name="s"/> an expression is (-1: the rowid), or null.</summary>
    private static int? ColumnOf(Expr e, SourceInfo s, FromScope scope)
    {
        if (e is not ColumnRef { Schema: null } cr)
        {
            return null;
        }

        try
        {
            return scope.TryLocal(cr.Table, cr.Column, out var b, out var source, out _) && source == s ? b.Column : null;
        }
        catch (SqlPrepareException)
        {
            return null;
        }
    }

    /// <summary>Whether an expression can be evaluated before <paramref name="s"/>'s loop (it does not read s, nor run subqueries).</summary>
    private static bool IsFree(Expr e, SourceInfo s, FromScope scope)
    {
        var sub = false;
        var mask = MaskOf(e, scope, ref sub);
        return !sub && (mask & (1UL << s.Position)) == 0;
    }

    private Access BuildAccess(SourceInfo s, Candidate c, int level)
    {
        if (s.Queue is not null)
        {
            return s.Queue;
        }

        if (s.Query is not null)
        {
            return new SubqueryAccess(s.Query, level > 0) { Detail = $"SCAN {s.Name}" };
        }

        var table = s.Table!;
        switch (c.Kind)
        {
            case AccessKind.Rowid:
                {
                    // Rowid keys are converted exactly as the comparison would: the terms need no second check.
                    foreach (var k in c.Eq.Append(c.Low).Append(c.High))
                    {
                        if (k is not null && k.Op != ConstraintOp.In && k.Term.Expr is BinaryExpr { Op: not (BinaryOp.Is or BinaryOp.IsNot or BinaryOp.Or) })
                        {
                            k.Term.Consumed = true;
                        }
                    }

                    var terms = new List<string>();
                    if (c.Eq.Count > 0)
                    {
                        terms.Add("rowid=?");
                    }

                    if (c.Low is not null)
                    {
                        terms.Add("rowid>?");
                    }

                    if (c.High is not null)
                    {
                        terms.Add("rowid<?");
                    }

                    return new RowidAccess(store, table)
                    {
                        Equal = c.Eq.Count > 0 && !c.LastIsIn ? c.Eq[0].Other : null,
                        InList = c.LastIsIn ? c.Eq[0].List : null,
                        Low = c.Low?.Other,
                        LowInclusive = c.Low?.Op == ConstraintOp.Ge,
                        High = c.High?.Other,
                        HighInclusive = c.High?.Op == ConstraintOp.Le,
                        Detail = $"SEARCH {s.Name} USING INTEGER PRIMARY KEY ({string.Join(" AND ", terms)})",
                    };
                }

            case AccessKind.Index:
                {
                    var index = c.Index!;
                    var parts = new List<string>();
                    for (var i = 0; i < c.Eq.Count; i++)
                    {
                        parts.Add($"{ColumnName(table, index.Columns[i].Column)}=?");
                    }

                    if (c.Low is not null)
                    {
                        parts.Add($"{ColumnName(table, index.Columns[c.Eq.Count].Column)}>?");
                    }

                    if (c.High is not null)
                    {
                        parts.Add($"{ColumnName(table, index.Columns[c.Eq.Count].Column)}<?");
                    }

                    foreach (var k in c.Eq)
                    {
                        if (k.Op == ConstraintOp.Eq && !k.ColumnConverted && !k.MatchesNull && k.Term.Expr is BinaryExpr { Op: BinaryOp.Eq })
                        {
                            k.Term.Consumed = true;
                        }
                    }

                    var kind = c.Covering ? "COVERING INDEX" : "INDEX";
                    var detail = parts.Count == 0 ? $"SCAN {s.Name} USING {kind} {index.Name}" : $"SEARCH {s.Name} USING {kind} {index.Name} ({string.Join(" AND ", parts)})";
                    var eq = c.Eq.Select(x => new IndexKeyTerm(x.Other ?? new ConstantExpr(SqlValue.Null), x.Apply, x.MatchesNull)).ToArray();
                    return new IndexAccess(store, table, index, c.Covering, eq, c.LastIsIn ? c.Eq[c.InPosition].List : null, c.LastIsIn ? c.InPosition : -1)
                    {
                        Reverse = c.Reverse,
                        Low = c.Low is null ? null : new IndexKeyTerm(c.Low.Other!, c.Low.Apply),
                        LowInclusive = c.Low?.Op == ConstraintOp.Ge,
                        High = c.High is null ? null : new IndexKeyTerm(c.High.Other!, c.High.Apply),
                        HighInclusive = c.High?.Op == ConstraintOp.Le,
                        Detail = detail,
                    };
                }

            default:
                return new TableScanAccess(store, table, c.Reverse) { Detail = $"SCAN {s.Name}" };
        }
    }

    private static string ColumnName(TableInfo table, int column) => column < 0 ? "rowid" : table.Columns[column].Name;

    /// <summary>ORDER BY as (column of <paramref name="s"/>, -1 for rowid; descending; collation), or null if a term is anything else.</summary>
    private static List<(int Column, bool Desc, Collation Collation)>? OrderColumns(SyntaxList<OrderingTerm> orderBy, List<(Expr Expr, string Name, string? Alias)> items, FromScope scope, SourceInfo s)
    {
        var result = new List<(int, bool, Collation)>();
        foreach (var t in orderBy)
        {
            var e = t.Expr;
            Collation? explicitCollation = null;
            if (e is CollateExpr ce)
            {
                explicitCollation = ExpressionCompiler.CollationByName(ce.Collation);
                e = ce.Operand;
            }

            if (e is IntegerLiteral n && n.Value >= 1 && n.Value <= items.Count)
            {
                e = items[(int)n.Value - 1].Expr;
            }
            else if (e is ColumnRef { Table: null } cr && items.FindIndex(x => x.Alias is not null && x.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase)) is var k && k >= 0)
            {
                e = items[k].Expr;
            }

            var desc = t.Order == SortOrder.Desc;
            if (t.Nulls != NullsOrder.None && (t.Nulls == NullsOrder.First) == desc)
            {
                return null;
            }

            if (ColumnOf(e, s, scope) is not { } column)
            {
                return null;
            }

            var collation = explicitCollation ?? (column >= 0 ? s.Collations[column] : Collation.Binary);
            if (s.Table is { } table && column == table.RowidAlias)
            {
                column = -1;
            }

            result.Add((column, desc, collation));
        }

        return result;
    }

    private static bool Satisfies(Candidate c, List<(int Column, bool Desc, Collation Collation)> columns, TableInfo table)
    {
        if (c.Kind is AccessKind.Scan or AccessKind.Rowid)
        {
            if (c.Kind == AccessKind.Rowid && c.LastIsIn)
            {
                return columns.TrueForAll(x => x.Column == -1 && !x.Desc);
            }

            if (columns.Count >= 1 && columns[0].Column == -1)
            {
                if (columns[0].Desc && c.Kind == AccessKind.Scan)
                {
                    c.Reverse = true;
                    return true;
                }

                return !columns[0].Desc;
            }

            return false;
        }

        if (c.Kind != AccessKind.Index)
        {
            return false;
        }

        var index = c.Index!;
        if (c.LastIsIn && c.InPosition != c.Eq.Count - 1)
        {
            return false;
        }

        var fixedCount = c.LastIsIn ? c.Eq.Count - 1 : c.Eq.Count;
        var p = fixedCount;
        bool? reverse = null;
        foreach (var (column, desc, collation) in columns)
        {
            var isFixed = false;
            for (var i = 0; i < fixedCount; i++)
            {
                if (index.Columns[i].Column == column)
                {
                    isFixed = true;
                }
            }

            if (isFixed)
            {
                continue;
            }

            if (p < index.Columns.Length)
            {
                var ic = index.Columns[p];
                reverse ??= ic.Descending != desc;
                if (ic.Column != column || (ic.Descending != desc) != reverse || ic.Collation != collation)
                {
                    return false;
                }

                p++;
                continue;
            }

            // Past the index columns the entries are in rowid order.
            reverse ??= desc;
            if (column != -1 || desc != reverse)
            {
                return false;
            }
        }

        _ = table;
        if (reverse == true)
        {
            if (c.LastIsIn)
            {
                return false;
            }

            c.Reverse = true;
        }

        return true;
    }
}
