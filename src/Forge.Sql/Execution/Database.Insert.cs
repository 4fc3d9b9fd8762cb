using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// INSERT: each row gets the columns' affinities, NOT NULL and UNIQUE checks, a rowid (the INTEGER
/// PRIMARY KEY's value or one past the largest), its record in the table b-tree and an entry in
/// every index.
/// </summary>
public sealed partial class Database
{
    /// <summary>Compiled INSERTs kept per parsed statement (a prepared INSERT runs again without compiling), valid while the schema is unchanged.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<InsertStmt, CachedRun> _insertRuns = new();

    private sealed record CachedRun(StatementRun Run, Catalog Catalog, uint SchemaCookie, bool RecursiveTriggers);

    private ResultSet Insert(InsertStmt insert, string sql)
    {
        // TEMP triggers change without the schema cookie: with any, compile every time.
        if (_tempTriggers.Count > 0)
        {
            return PrepareInsert(insert, sql, null)(null, null);
        }

        var cookie = _store.Pager.SchemaCookie;
        if (!_insertRuns.TryGetValue(insert, out var cached) || !ReferenceEquals(cached.Catalog, _catalog) || cached.SchemaCookie != cookie || cached.RecursiveTriggers != _recursiveTriggers)
        {
            cached = new CachedRun(PrepareInsert(insert, sql, null), _catalog, cookie, _recursiveTriggers);
            _insertRuns.AddOrUpdate(insert, cached);
        }

        return cached.Run(null, null);
    }

    /// <summary>
    /// Compiles an INSERT (at the top level, or as a statement of a trigger body with <paramref name="frame"/>)
    /// and the programs of the triggers it may fire; the result runs it.
    /// </summary>
    private StatementRun PrepareInsert(InsertStmt insert, string sql, TriggerFrame? frame)
    {
        if (insert.With is { } with)
        {
            // WITH ... INSERT ... SELECT: the CTEs belong to the SELECT (outer ones first, so the
            // SELECT's own shadow them).
            insert = insert with
            {
                With = null,
                Select = insert.Select is { } s
                    ? s with { With = s.With is null ? with : new WithClause(with.Recursive || s.With.Recursive, new([.. with.Tables, .. s.With.Tables])) }
                    : null,
            };
        }

        if (TargetView(insert.Table) is { } view)
        {
            return PrepareViewInsert(insert, sql, frame, view);
        }

        if (insert.Table.Schema is { } schema && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"no such table: {schema}.{insert.Table.Name}");
        }

        var table = TargetTable(insert.Table);
        int[] targets;
        if (insert.Columns is null)
        {
            targets = [.. Enumerable.Range(0, table.Columns.Length)];
        }
        else
        {
            targets = new int[insert.Columns.Count];
            for (var i = 0; i < targets.Length; i++)
            {
                var name = insert.Columns[i];
                var c = table.FindColumn(name);
                if (c < 0 && IsRowidName(name))
                {
                    c = table.RowidAlias;
                }
                else if (c < 0)
                {
                    throw new SqlPrepareException($"table {table.Name} has no column named {name}");
                }

                targets[i] = c;
            }
        }

        var name0 = insert.Alias ?? table.Name;
        var orAction = frame?.OrConf ?? insert.OrAction;
        var upserts = CompileUpserts(insert, table, name0, frame, sql);
        var returning = CompileReturning(insert.Returning, table, sql);
        if (insert.Select is null)
        {
            targets = [];
        }

        var source = PrepareInsertSource(insert, sql, frame, table.Name, table.Columns.Length, targets);
        var before = TriggersFor(table.Name, TriggerEvent.Insert, TriggerTime.Before);
        var after = TriggersFor(table.Name, TriggerEvent.Insert, TriggerTime.After);
        PrepareTriggers(before.Concat(after), orAction);
        var slots = Math.Max(source.Slots, upserts?.Max(u => u.Slots) ?? 0);
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(slots, newRow, oldRow);
            returning?.Rows.Clear();
            using var w = OpenWrite(table, ctx);
            var given = new bool[table.Columns.Length];
            var returned = new ValueRow([]);
            foreach (var values in source.Rows(ctx))
            {
                var record = new SqlValue[table.Columns.Length];
                SqlValue? explicitRowid = null;
                Array.Clear(given);
                for (var i = 0; i < targets.Length; i++)
                {
                    if (targets[i] < 0)
                    {
                        explicitRowid = values[i];
                        continue;
                    }

                    record[targets[i]] = values[i];
                    given[targets[i]] = true;
                }

                for (var c = 0; c < record.Length; c++)
                {
                    if (!given[c])
                    {
                        record[c] = w.Defaults[c]?.Eval(ctx).Detach() ?? SqlValue.Null;
                    }

                    record[c] = SqlConvert.ApplyAffinity(record[c], table.Columns[c].Affinity);
                }

                if (table.RowidAlias >= 0)
                {
                    explicitRowid = record[table.RowidAlias].IsNull ? null : record[table.RowidAlias];
                }

                // BEFORE triggers see the row as it will be stored; a rowid still to be chosen is -1 (as in SQLite).
                if (before.Count > 0)
                {
                    var proposed = explicitRowid is { } e ? RowidValue(e) : -1;
                    var newValues = (SqlValue[])record.Clone();
                    if (table.RowidAlias >= 0)
                    {
                        newValues[table.RowidAlias] = SqlValue.FromInteger(proposed);
                    }

                    if (!FireTriggers(before, new TriggerRow(newValues, proposed), null, orAction))
                    {
                        continue;
                    }
                }

                var rowid = explicitRowid is { } v ? RowidValue(v) : NextRowid(w);

                // AUTOINCREMENT remembers the rowid chosen, even when the row is then ignored or upserted (as sqlite3 does).
                if (w.Sequence >= 0 && rowid > w.Sequence)
                {
                    w.Sequence = rowid;
                }

                var outcome = WriteRow(w, record, rowid, null, null, orAction, upserts, out var plan, out var conflictRowid);
                if (outcome == WriteOutcome.Upsert)
                {
                    if (plan!.Set is null || !UpsertUpdate(w, plan, record, rowid, conflictRowid, out record, out rowid))
                    {
                        continue;
                    }

                    _statementChanges++;
                }
                else if (outcome == WriteOutcome.Ignored)
                {
                    continue;
                }
                else
                {
                    _statementChanges++;
                    LastInsertRowid = rowid;
                    if (after.Count > 0)
                    {
                        FireTriggers(after, RowOf(record, rowid), null, orAction);
                    }
                }

                returned.Values = record;
                returned.RowId = rowid;
                AddReturningRow(returning, ctx, returned);
            }

            if (w.Sequence > w.SequenceAtStart)
            {
                // A trigger may have moved the sequence further meanwhile.
                WriteSequence(table.Name, Math.Max(w.Sequence, ReadSequence(table.Name)));
            }

            return ResultOf(returning);
        };
    }

    /// <summary>ON CONFLICT clauses bound to the rowid or the UNIQUE index their target names; DO UPDATE with the UPDATE triggers it fires.</summary>
    private List<UpsertPlan>? CompileUpserts(InsertStmt insert, TableInfo table, string name, TriggerFrame? frame, string sql)
    {
        if (insert.Upserts.Count == 0)
        {
            return null;
        }

        var shape = ShapeOf(table);
        var planner = Planner(sql);
        var compiler = new ExpressionCompiler(TargetScope(shape, name, frame, shape, "excluded", secondHidden: true)) { Subqueries = planner };
        var plans = new List<UpsertPlan>();
        for (var u = 0; u < insert.Upserts.Count; u++)
        {
            var clause = insert.Upserts[u];
            int? constraint = null;
            if (clause.Target is null)
            {
                if (u != insert.Upserts.Count - 1)
                {
                    throw new SqlPrepareException("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
                }
            }
            else
            {
                constraint = UpsertTarget(clause.Target, table);
            }

            (int, CompiledExpr)[]? set = null;
            List<TriggerInfo> before = [], after = [];
            if (clause.Set is not null)
            {
                set = [.. Assignments(clause.Set, table, compiler)];

                // DO UPDATE fires the UPDATE triggers, as an UPDATE OR ABORT would (SQLite codes it so).
                var names = SetColumnNames(clause.Set);
                before = TriggersFor(table.Name, TriggerEvent.Update, TriggerTime.Before, names);
                after = TriggersFor(table.Name, TriggerEvent.Update, TriggerTime.After, names);
                PrepareTriggers(before.Concat(after), ConflictAction.Abort);
            }

            plans.Add(new UpsertPlan
            {
                Constraint = constraint,
                Set = set,
                Where = clause.Where is null ? null : compiler.Compile(clause.Where),
                Before = before,
                After = after,
            });
        }

        foreach (var plan in plans)
        {
            plan.Slots = planner.SlotCount;
        }

        return plans;
    }

    /// <summary>The constraint an upsert target names: -1 for the INTEGER PRIMARY KEY, else the UNIQUE index with exactly those columns.</summary>
    private static int UpsertTarget(SyntaxList<OrderingTerm> target, TableInfo table)
    {
        var columns = new List<(int Column, Collation? Collation)>();
        foreach (var term in target)
        {
            var e = term.Expr;
            Collation? collation = null;
            if (e is CollateExpr ce)
            {
                collation = ExpressionCompiler.CollationByName(ce.Collation);
                e = ce.Operand;
            }

            if (e is not ColumnRef { Table: null } cr)
            {
                throw new SqlPrepareException("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
            }

            var c = table.FindColumn(cr.Column);
            if (c < 0 && IsRowidName(cr.Column) && target.Count == 1)
            {
                return -1;
            }

            if (c < 0)
            {
                throw new SqlPrepareException($"no such column: {cr.Column}");
            }

            columns.Add((c, collation));
        }

        if (columns.Count == 1 && columns[0].Column == table.RowidAlias)
        {
            return -1;
        }

        for (var i = 0; i < table.Indexes.Count; i++)
        {
            var index = table.Indexes[i];
            if (!index.Unique || index.Columns.Length != columns.Count)
            {
                continue;
            }

            if (columns.All(t => index.Columns.Any(ic => ic.Column == t.Column && (t.Collation is null || t.Collation == ic.Collation))))
            {
                return i;
            }
        }

        throw new SqlPrepareException("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    }

    /// <summary>SET clauses to (column, value) pairs; column -1 is the rowid. <c>(a, b) = (x, y)</c> splits.</summary>
    private static List<(int Column, CompiledExpr Value)> Assignments(SyntaxList<SetClause> set, TableInfo table, ExpressionCompiler compiler)
    {
        var result = new List<(int, CompiledExpr)>();
        foreach (var clause in set)
        {
            Expr[] values;
            if (clause.Columns.Count == 1)
            {
                values = [clause.Value];
            }
            else if (clause.Value is RowValueExpr rv)
            {
                if (rv.Items.Count != clause.Columns.Count)
                {
                    throw new SqlPrepareException($"{clause.Columns.Count} columns assigned {rv.Items.Count} values");
                }

                values = [.. rv.Items];
            }
            else if (clause.Value is SubqueryExpr)
            {
                throw new SqlPrepareException("not supported yet: row-value subqueries in SET");
            }
            else
            {
                throw new SqlPrepareException($"{clause.Columns.Count} columns assigned 1 values");
            }

            for (var i = 0; i < clause.Columns.Count; i++)
            {
                var name = clause.Columns[i];
                var c = table.FindColumn(name);
                if (c < 0)
                {
                    if (!IsRowidName(name))
                    {
                        throw new SqlPrepareException($"no such column: {name}");
                    }
                }
                else if (c == table.RowidAlias)
                {
                    c = -1;
                }

                result.Add((c, compiler.Compile(values[i])));
            }
        }

        return result;
    }

    /// <summary>
    /// DO UPDATE: the conflicting row gets the SET values (its old values in slot 0, the proposed
    /// row as excluded in slot 1) when the WHERE allows; false when it does not (nothing happens).
    /// </summary>
    private bool UpsertUpdate(TableWrite w, UpsertPlan plan, SqlValue[] proposed, long proposedRowid, long conflictRowid, out SqlValue[] record, out long rowid)
    {
        var table = w.Table;
        var old = new SqlValue[table.Columns.Length];
        record = old;
        rowid = conflictRowid;
        if (!ReadRowAt(w, conflictRowid, old))
        {
            return false;
        }

        var ctx = w.Ctx;
        ctx.Rows[0] = new ValueRow(old) { RowId = conflictRowid };
        ctx.Rows[1] = new ValueRow(proposed) { RowId = proposedRowid };
        try
        {
            if (plan.Where is not null && CompiledExpr.Truth(plan.Where.Eval(ctx)) != true)
            {
                return false;
            }

            (record, rowid) = UpdatedRecord(table, old, conflictRowid, plan.Set!, ctx);
        }
        finally
        {
            ctx.Rows[0] = null;
            ctx.Rows[1] = null;
        }

        var current = old;
        if (plan.Before.Count > 0)
        {
            if (!FireTriggers(plan.Before, RowOf(record, rowid), RowOf(old, conflictRowid), ConflictAction.Abort)
                || !ReloadAfterBefore(w, conflictRowid, plan.Set!, record, out current))
            {
                return false;
            }
        }

        if (WriteRow(w, record, rowid, conflictRowid, current, null, null, out _, out _) != WriteOutcome.Written)
        {
            return false;
        }

        if (plan.After.Count > 0)
        {
            FireTriggers(plan.After, RowOf(record, rowid), RowOf(old, conflictRowid), ConflictAction.Abort);
        }

        return true;
    }

    /// <summary>
    /// After BEFORE UPDATE triggers: the row as it is now (false when they deleted it); the columns
    /// the SET leaves alone take its current values (a trigger may have changed them), as in SQLite.
    /// </summary>
    private static bool ReloadAfterBefore(TableWrite w, long rowid, (int Column, CompiledExpr Value)[] set, SqlValue[] record, out SqlValue[] current)
    {
        current = new SqlValue[w.Table.Columns.Length];
        if (!ReadRowAt(w, rowid, current))
        {
            return false;
        }

        for (var c = 0; c < record.Length; c++)
        {
            if (c != w.Table.RowidAlias && !set.Any(s => s.Column == c))
            {
                record[c] = current[c];
            }
        }

        return true;
    }

    /// <summary>A row's new values: every SET value evaluated against the old row, then the columns' affinities.</summary>
    private static (SqlValue[] Record, long Rowid) UpdatedRecord(TableInfo table, SqlValue[] old, long oldRowid, (int Column, CompiledExpr Value)[] set, EvalContext ctx)
    {
        var record = (SqlValue[])old.Clone();
        var rowid = oldRowid;
        var values = new SqlValue[set.Length];
        for (var i = 0; i < set.Length; i++)
        {
            values[i] = set[i].Value.Eval(ctx).Detach();
        }

        for (var i = 0; i < set.Length; i++)
        {
            var c = set[i].Column;
            if (c < 0)
            {
                rowid = RowidValue(values[i]);
                if (table.RowidAlias >= 0)
                {
                    record[table.RowidAlias] = SqlValue.FromInteger(rowid);
                }
            }
            else
            {
                record[c] = SqlConvert.ApplyAffinity(values[i], table.Columns[c].Affinity);
            }
        }

        return (record, rowid);
    }

    private BTreeCursor[] OpenIndexCursors(IReadOnlyList<IndexInfo> indexes) => [.. indexes.Select(i => _store.OpenIndex(i.Root, KeyInfoOf(i)))];

    internal static bool IsRowidName(string name) =>
        name.Equals("rowid", StringComparison.OrdinalIgnoreCase) || name.Equals("oid", StringComparison.OrdinalIgnoreCase) || name.Equals("_rowid_", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a table row's columns (the rowid alias from the rowid; columns added later than the row, NULL).</summary>
    internal static void ReadRow(TableInfo table, BTreeCursor cursor, SqlValue[] values)
    {
        var record = cursor.Record;
        var n = record.ColumnCount;
        for (var c = 0; c < values.Length; c++)
        {
            values[c] = c == table.RowidAlias ? SqlValue.FromInteger(cursor.Rowid) : c < n ? record.GetValue(c) : MissingValue(table, c);

            // SQLite may store a REAL column's integral value as an integer; it reads back as REAL.
            if (values[c].Type == SqlType.Integer && table.Columns[c].Affinity == Values.Affinity.Real && c != table.RowidAlias)
            {
                values[c] = SqlValue.FromReal(values[c].AsInteger);
            }
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TableInfo, SqlValue[]> s_missingValues = [];

    /// <summary>
    /// A column a row's record is too short for (the row predates ALTER TABLE ADD COLUMN): the
    /// column's DEFAULT (a constant; sqlite3 refuses others once rows exist) with its affinity, else NULL.
    /// </summary>
    internal static SqlValue MissingValue(TableInfo table, int column) =>
        s_missingValues.GetValue(table, static t =>
        {
            var ctx = new EvalContext(0);
            var compiler = new ExpressionCompiler(null);
            return [.. t.Columns.Select(c =>
            {
                if (c.Default is null)
                {
                    return SqlValue.Null;
                }

                try
                {
                    return SqlConvert.ApplyAffinity(compiler.Compile(c.Default).Eval(ctx).Detach(), c.Affinity);
                }
                catch (Exception e) when (e is SqlPrepareException or SqlRuntimeException)
                {
                    return SqlValue.Null;
                }
            })];
        })[column];

    internal static KeyInfo KeyInfoOf(IndexInfo index)
    {
        var collations = new Collation[index.Columns.Length + 1];
        var descending = new bool[index.Columns.Length + 1];
        for (var i = 0; i < index.Columns.Length; i++)
        {
            collations[i] = index.Columns[i].Collation;
            descending[i] = index.Columns[i].Descending;
        }

        return new KeyInfo(collations, descending);
    }

    private static SqlValue[] IndexKey(IndexInfo index, SqlValue[] row, long rowid)
    {
        var key = new SqlValue[index.Columns.Length + 1];
        for (var i = 0; i < index.Columns.Length; i++)
        {
            var c = index.Columns[i].Column;
            key[i] = c < 0 ? SqlValue.FromInteger(rowid) : row[c];
        }

        key[^1] = SqlValue.FromInteger(rowid);
        return key;
    }
}
