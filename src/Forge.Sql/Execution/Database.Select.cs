using System.Runtime.CompilerServices;
using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Operators;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Schema;

namespace Forge.Sql.Execution;

/// <summary>
/// A SELECT prepared once (planned into an operator tree) that can be run many times: each run
/// gets a fresh context (parameters, clock, slots) and streams rows through the operators.
/// </summary>
internal sealed class PreparedSelect(PlannedQuery query, int slots)
{
    public IReadOnlyList<string> Columns => query.Names;

    internal PlannedQuery Query => query;

    internal int Slots => slots;

    /// <summary>Runs the plan, handing each row (a reused buffer of <see cref="Columns"/> values) to <paramref name="row"/>.</summary>
    public void Run(EvalContext ctx, Action<SqlValue[]> row)
    {
        var root = query.Root;
        root.Open(ctx);
        try
        {
            while (root.Next())
            {
                row(root.Current);
            }
        }
        finally
        {
            root.Close();
        }
    }

    /// <summary>Runs the plan and collects detached rows.</summary>
    public ResultSet Execute(EvalContext ctx)
    {
        var rows = new List<SqlRow>();
        var width = query.Names.Length;
        Run(ctx, current => rows.Add(new SqlRow(SubqueryAccess.Detached(current, width))));
        return new ResultSet(query.Names, rows);
    }

    /// <summary>EXPLAIN QUERY PLAN's rows: id, parent, notused, detail.</summary>
    public ResultSet ExplainQueryPlan()
    {
        var writer = new QueryPlanWriter();
        query.Root.Explain(writer, 0);
        var rows = writer.Rows.Select(r => new SqlRow([SqlValue.FromInteger(r.Id), SqlValue.FromInteger(r.Parent), SqlValue.FromInteger(0), SqlValue.FromText(r.Detail)])).ToList();
        return new ResultSet(["id", "parent", "notused", "detail"], rows);
    }
}

/// <summary>
/// SELECT: planned by <see cref="SelectPlanner"/> into operators (joins with rowid/index lookups,
/// aggregation, subqueries, compounds, CTEs, views) and run; EXPLAIN QUERY PLAN; CREATE/DROP VIEW.
/// </summary>
public sealed partial class Database
{
    /// <summary>Plans kept per parsed SELECT (a prepared statement runs its plan again), valid while the schema is unchanged.</summary>
    private readonly ConditionalWeakTable<SelectStmt, CachedSelect> _selectPlans = new();

    private sealed record CachedSelect(PreparedSelect Plan, Catalog Catalog, uint SchemaCookie);

    /// <summary>Plans a SELECT (names resolved, indexes chosen) without running it.</summary>
    internal PreparedSelect PrepareSelect(SelectStmt select, string sql)
    {
        var planner = new SelectPlanner(_catalog, _store, sql);
        var query = planner.Plan(select, null);
        return new PreparedSelect(query, planner.SlotCount);
    }

    private ResultSet RunSelect(SelectStmt select, string sql)
    {
        var cookie = _store.Pager.SchemaCookie;
        PreparedSelect prepared;
        if (_selectPlans.TryGetValue(select, out var cached) && ReferenceEquals(cached.Catalog, _catalog) && cached.SchemaCookie == cookie)
        {
            prepared = cached.Plan;
        }
        else
        {
            prepared = PrepareSelect(select, sql);
            _selectPlans.AddOrUpdate(select, new CachedSelect(prepared, _catalog, cookie));
        }

        return prepared.Execute(NewContext(prepared.Slots));
    }

    private ResultSet ExplainQueryPlan(ExplainStmt explain, string sql)
    {
        if (explain.Statement is SelectStmt select)
        {
            return PrepareSelect(select, sql).ExplainQueryPlan();
        }

        throw new SqlPrepareException("not supported yet: EXPLAIN QUERY PLAN of this statement");
    }

    private ResultSet CreateView(CreateViewStmt create, string sql)
    {
        var temp = create.Temp || string.Equals(create.Name.Schema, "temp", StringComparison.OrdinalIgnoreCase);
        if (create.Name.Schema is { } schema && !temp && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"unknown database {schema}");
        }

        var name = create.Name.Name;
        var kind = _catalog.FindView(name) is not null ? "view" : _catalog.FindTable(name) is not null ? "table" : _catalog.FindIndex(name) is not null ? "index" : null;
        if (kind is not null)
        {
            if (create.IfNotExists)
            {
                return ResultSet.Empty;
            }

            throw NameTaken(create.Name, sql);
        }

        if (name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"object name reserved for internal use: {name}");
        }

        var text = SourceText(create, sql);
        var prepared = new SelectPlanner(_catalog, _store, sql).Plan(create.Select, null);
        if (create.Columns is { } cols && cols.Count != prepared.Names.Length)
        {
            throw new SqlPrepareException($"expected {cols.Count} columns for '{name}' but got {prepared.Names.Length}");
        }

        // The view is kept as its own text (re-parsed so its offsets are its own).
        var reparsed = (CreateViewStmt)SqlParser.Parse(text).Statement!;
        if (temp)
        {
            // TEMP objects live with the connection, never in the file (SQLite keeps them in a
            // separate temp schema); a schema rowid of -1 marks them.
            var view = new ViewInfo(name, text, reparsed.Select, reparsed.Columns, -1);
            _tempViews[name] = view;
            _catalog.Add(view);
            return ResultSet.Empty;
        }

        var rowid = SchemaTable.Insert(_store, "view", name, name, 0, text);
        _catalog.Add(new ViewInfo(name, text, reparsed.Select, reparsed.Columns, rowid));
        return ResultSet.Empty;
    }

    private ResultSet DropView(DropStmt drop)
    {
        var name = drop.Name.Name;
        if (_catalog.FindView(name) is not { } view)
        {
            if (drop.IfExists)
            {
                return ResultSet.Empty;
            }

            if (_catalog.FindTable(name) is not null)
            {
                throw new SqlPrepareException($"use DROP TABLE to delete table {name}");
            }

            throw new SqlPrepareException($"no such view: {name}");
        }

        if (view.SchemaRowid < 0)
        {
            _tempViews.Remove(view.Name);
        }
        else
        {
            SchemaTable.Delete(_store, view.SchemaRowid);
        }

        _catalog.RemoveView(view.Name);
        return ResultSet.Empty;
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
}
