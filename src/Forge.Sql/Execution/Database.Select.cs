using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// SELECT, first slice: no FROM, or one table scanned in rowid order; WHERE, result expressions
/// (with * and t.*), DISTINCT, ORDER BY (column numbers, aliases or expressions; collations,
/// ASC/DESC, NULLS FIRST/LAST), LIMIT/OFFSET. Joins, aggregates, subqueries, compounds and index
/// use come with the planner.
/// </summary>
public sealed partial class Database
{
    private ResultSet RunSelect(SelectStmt select, string sql)
    {
        if (select.With is not null || select.Body is not SelectCore core)
        {
            if (select.Body is ValuesBody values && select.With is null)
            {
                return RunValues(values, select, sql);
            }

            throw new SqlPrepareException("not supported yet: WITH and compound SELECT");
        }

        if (core.GroupBy.Count > 0 || core.Having is not null)
        {
            throw new SqlPrepareException("not supported yet: GROUP BY");
        }

        TableInfo? table = null;
        string? alias = null;
        if (core.From is not null)
        {
            if (core.From.Joins.Count > 0 || core.From.First is not TableRef tr || tr.Args is not null)
            {
                throw new SqlPrepareException("not supported yet: joins and subqueries in FROM");
            }

            table = _catalog.FindTable(tr.Name.Name) ?? throw new SqlPrepareException($"no such table: {tr.Name.Name}");
            alias = tr.Alias ?? table.Name;
        }

        var scope = table is null ? null : new TableScope(table, alias!, 0);
        var compiler = new ExpressionCompiler(scope);

        // Result columns.
        var names = new List<string>();
        var exprs = new List<CompiledExpr>();
        foreach (var rc in core.Columns)
        {
            switch (rc)
            {
                case StarColumn star:
                    if (table is null)
                    {
                        throw new SqlPrepareException("no tables specified");
                    }

                    if (star.Table is not null && !star.Table.Equals(alias, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new SqlPrepareException($"no such table: {star.Table}");
                    }

                    for (var c = 0; c < table.Columns.Length; c++)
                    {
                        names.Add(table.Columns[c].Name);
                        exprs.Add(new ColumnExpr(0, c) { Affinity = table.Columns[c].Affinity, Collation = table.Columns[c].Collation });
                    }

                    break;
                case ExprColumn ec:
                    names.Add(ec.Alias ?? (ec.Expr is ColumnRef cr && table is not null ? ColumnName(table, cr) : SourceText(ec.Expr, sql)));
                    exprs.Add(compiler.Compile(ec.Expr));
                    break;
            }
        }

        if (ContainsAggregate(core))
        {
            throw new SqlPrepareException("not supported yet: aggregate functions");
        }

        var where = core.Where is null ? null : compiler.Compile(core.Where);
        var order = CompileOrderBy(select.OrderBy, core, compiler, exprs, names);
        var ctx = NewContext(1);
        var (limit, offset) = EvalLimit(select.Limit, ctx);

        var rows = new List<SqlValue[]>();
        void Emit()
        {
            if (where is not null && CompiledExpr.Truth(where.Eval(ctx)) != true)
            {
                return;
            }

            var values = new SqlValue[exprs.Count + order.Count];
            for (var i = 0; i < exprs.Count; i++)
            {
                values[i] = exprs[i].Eval(ctx).Detach();
            }

            for (var i = 0; i < order.Count; i++)
            {
                values[exprs.Count + i] = order[i].Expr.Eval(ctx).Detach();
            }

            rows.Add(values);
        }

        if (table is null)
        {
            Emit();
        }
        else
        {
            using var cursor = _store.OpenTable(table.Root);
            var row = new TableRow(table, cursor);
            ctx.Rows[0] = row;
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                row.Load();
                Emit();
            }
        }

        if (core.Distinct)
        {
            rows = Distinct(rows, exprs.Count);
        }

        if (order.Count > 0)
        {
            var width = exprs.Count;
            rows.Sort((a, b) => CompareKeys(a, b, width, order));
        }

        var result = rows.Skip((int)Math.Min(offset, int.MaxValue)).Take(limit < 0 ? int.MaxValue : (int)Math.Min(limit, int.MaxValue))
            .Select(r => new SqlRow(r.Length == exprs.Count ? r : r[..exprs.Count])).ToList();
        return new ResultSet(names, result);
    }

    private ResultSet RunValues(ValuesBody values, SelectStmt select, string sql)
    {
        if (select.OrderBy.Count > 0 || select.Limit is not null)
        {
            throw new SqlPrepareException("not supported yet: ORDER BY and LIMIT on VALUES");
        }

        var compiler = new ExpressionCompiler(null);
        var ctx = NewContext(0);
        var width = values.Rows[0].Count;
        var names = Enumerable.Range(1, width).Select(i => $"column{i}").ToList();
        var rows = new List<SqlRow>();
        foreach (var r in values.Rows)
        {
            if (r.Count != width)
            {
                throw new SqlPrepareException("all VALUES must have the same number of terms");
            }

            rows.Add(new SqlRow([.. r.Select(e => compiler.Compile(e).Eval(ctx).Detach())]));
        }

        _ = sql;
        return new ResultSet(names, rows);
    }

    private static string ColumnName(TableInfo table, ColumnRef cr)
    {
        var c = table.FindColumn(cr.Column);
        return c >= 0 ? table.Columns[c].Name : cr.Column;
    }

    private static bool ContainsAggregate(SelectCore core) =>
        core.Columns.OfType<ExprColumn>().Any(c => HasAggregate(c.Expr));

    private static bool HasAggregate(Expr e) => e switch
    {
        FunctionCall f when f.Star || f.Distinct || f.Name.ToLowerInvariant() is "count" or "sum" or "avg" or "total" or "group_concat" or "string_agg" || (f.Name.ToLowerInvariant() is "min" or "max" && f.Args.Count == 1) => true,
        FunctionCall f => f.Args.Any(HasAggregate),
        BinaryExpr b => HasAggregate(b.Left) || HasAggregate(b.Right),
        UnaryExpr u => HasAggregate(u.Operand),
        _ => false,
    };

    private sealed record OrderTerm(CompiledExpr Expr, bool Descending, bool NullsFirst, Collation Collation);

    private static List<OrderTerm> CompileOrderBy(SyntaxList<OrderingTerm> terms, SelectCore core, ExpressionCompiler compiler, List<CompiledExpr> exprs, List<string> names)
    {
        var result = new List<OrderTerm>();
        foreach (var t in terms)
        {
            var e = t.Expr;
            Collation? explicitCollation = null;
            if (e is CollateExpr ce)
            {
                explicitCollation = ExpressionCompiler.CollationByName(ce.Collation);
                e = ce.Operand;
            }

            CompiledExpr compiled;
            if (e is IntegerLiteral n)
            {
                if (n.Value < 1 || n.Value > exprs.Count)
                {
                    throw new SqlPrepareException($"{Ordinal(result.Count + 1)} ORDER BY term out of range - should be between 1 and {exprs.Count}");
                }

                compiled = exprs[(int)n.Value - 1];
            }
            else if (e is ColumnRef { Table: null } cr && names.FindIndex(x => x.Equals(cr.Column, StringComparison.OrdinalIgnoreCase)) is var k && k >= 0
                && core.Columns.OfType<ExprColumn>().Any(c => c.Alias is not null && c.Alias.Equals(cr.Column, StringComparison.OrdinalIgnoreCase)))
            {
                compiled = exprs[k];
            }
            else
            {
                compiled = compiler.Compile(e);
            }

            var desc = t.Order == SortOrder.Desc;
            var nullsFirst = t.Nulls == NullsOrder.None ? !desc : t.Nulls == NullsOrder.First;
            result.Add(new OrderTerm(compiled, desc, nullsFirst, explicitCollation ?? compiled.Collation ?? Collation.Binary));
        }

        return result;
    }

    private static string Ordinal(int n) => n switch
    {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        _ => $"{n}th",
    };

    private static int CompareKeys(SqlValue[] a, SqlValue[] b, int width, List<OrderTerm> order)
    {
        for (var i = 0; i < order.Count; i++)
        {
            var x = a[width + i];
            var y = b[width + i];
            int c;
            if (x.IsNull || y.IsNull)
            {
                c = x.IsNull && y.IsNull ? 0 : x.IsNull == order[i].NullsFirst ? -1 : 1;
                if (c != 0)
                {
                    return c;
                }

                continue;
            }

            c = SqlComparer.Compare(x, y, order[i].Collation);
            if (c != 0)
            {
                return order[i].Descending ? -c : c;
            }
        }

        return 0;
    }

    /// <summary>Keeps the first of rows equal in every column (NULLs equal each other here; 1 equals 1.0).</summary>
    private static List<SqlValue[]> Distinct(List<SqlValue[]> rows, int width)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SqlValue[]>();
        var key = new SqlValue[width];
        foreach (var r in rows)
        {
            for (var i = 0; i < width; i++)
            {
                key[i] = r[i].Type == SqlType.Real && SqlConvert.RealIsExactInteger(r[i].AsReal, out var n) ? SqlValue.FromInteger(n) : r[i];
            }

            if (seen.Add(Convert.ToBase64String(RecordFormat.Encode(key))))
            {
                result.Add(r);
            }
        }

        return result;
    }

    private static (long Limit, long Offset) EvalLimit(LimitClause? clause, EvalContext ctx)
    {
        if (clause is null)
        {
            return (-1, 0);
        }

        var compiler = new ExpressionCompiler(null);
        long Eval(Expr e)
        {
            var v = SqlConvert.ApplyAffinity(compiler.Compile(e).Eval(ctx), Affinity.Numeric);
            return v.Type == SqlType.Integer ? v.AsInteger : throw new SqlRuntimeException("datatype mismatch", SqlRuntimeException.Mismatch);
        }

        var limit = Eval(clause.Limit);
        var offset = clause.Offset is null ? 0 : Math.Max(0, Eval(clause.Offset));
        return (limit, offset);
    }

    /// <summary>The row under a table cursor, its columns decoded on demand.</summary>
    private sealed class TableRow(TableInfo table, BTreeCursor cursor) : IRowSource
    {
        private readonly SqlValue[] _values = new SqlValue[table.Columns.Length];

        public long RowId => cursor.Rowid;

        public void Load() => ReadRow(table, cursor, _values);

        public SqlValue Column(int index) => _values[index];
    }

    /// <summary>Names in one table: its columns, and rowid/oid/_rowid_ when no column takes the name.</summary>
    private sealed class TableScope(TableInfo table, string alias, int slot) : IColumnScope
    {
        public bool TryResolve(string? tableName, string column, out ColumnBinding binding)
        {
            binding = default;
            if (tableName is not null && !tableName.Equals(alias, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var c = table.FindColumn(column);
            if (c >= 0)
            {
                var info = table.Columns[c];
                binding = new ColumnBinding(slot, c == table.RowidAlias ? -1 : c, info.Affinity, info.Collation);
                return true;
            }

            if (IsRowidName(column))
            {
                binding = new ColumnBinding(slot, -1, Affinity.Integer, Collation.Binary);
                return true;
            }

            return false;
        }
    }
}
