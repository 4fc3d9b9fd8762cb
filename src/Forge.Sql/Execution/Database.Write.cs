using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// The row-level writes INSERT, UPDATE, DELETE and upsert share: constraint checks in SQLite's
/// order (NOT NULL, CHECK, then the rowid and every UNIQUE index, the upsert's target first and
/// REPLACE constraints last), conflict resolution (ROLLBACK/ABORT/FAIL/IGNORE/REPLACE), and the
/// table record plus one entry per index written or removed together.
/// </summary>
public sealed partial class Database
{
    /// <summary>Set when a constraint failed under FAIL (keep the statement's earlier changes) or ROLLBACK (end the transaction).</summary>
    private ConflictAction? _failedWith;

    /// <summary>What a table's CREATE TABLE says about constraints beyond the catalog's columns.</summary>
    private sealed class TableRules
    {
        public required ConflictAction?[] NotNullAction { get; init; }

        public required (string Message, CompiledExpr Expr)[] Checks { get; init; }

        public ConflictAction? RowidAction { get; init; }

        public required ConflictAction?[] IndexAction { get; init; }

        public bool Autoincrement { get; init; }

        /// <summary>Each column's compiled DEFAULT (null without one).</summary>
        public required CompiledExpr?[] Defaults { get; init; }

        /// <summary>The table's <see cref="TableInfo.IndexGeneration"/> these rules were made for (CREATE INDEX adds to the table in place).</summary>
        public int IndexGeneration { get; init; }

        /// <summary>No UNIQUE index: the rowid is the only uniqueness to check.</summary>
        public bool RowidOnlyUnique { get; init; }
    }

    /// <summary>A row held in memory, seen by compiled expressions through a slot.</summary>
    private sealed class ValueRow(SqlValue[] values) : IRowSource
    {
        public SqlValue[] Values { get; set; } = values;

        public long RowId { get; set; }

        public SqlValue Column(int index) => Values[index];
    }

    /// <summary>Names of one table in a slot: its columns and rowid/oid/_rowid_; with <c>qualifiedOnly</c> only as <c>name.column</c> (upsert's excluded).</summary>
    private sealed class RowScope(TableInfo table, string name, int slot, bool qualifiedOnly = false, IColumnScope? next = null) : IColumnScope
    {
        public bool TryResolve(string? tableName, string column, out ColumnBinding binding)
        {
            binding = default;
            var mine = tableName is null ? !qualifiedOnly : tableName.Equals(name, StringComparison.OrdinalIgnoreCase);
            if (mine)
            {
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
            }

            return next is not null && next.TryResolve(tableName, column, out binding);
        }
    }

    /// <summary>An ON CONFLICT clause bound to its constraint (-1: the rowid; i: table.Indexes[i]; null target: any).</summary>
    private sealed class UpsertPlan
    {
        public int? Constraint { get; init; }

        public (int Column, CompiledExpr Value)[]? Set { get; init; }

        public CompiledExpr? Where { get; init; }

        /// <summary>DO UPDATE's BEFORE and AFTER UPDATE triggers.</summary>
        public List<TriggerInfo> Before { get; init; } = [];

        public List<TriggerInfo> After { get; init; } = [];

        /// <summary>Row slots its expressions need.</summary>
        public int Slots { get; set; }
    }

    /// <summary>The open cursors and compiled rules for writing one table during one statement.</summary>
    private sealed class TableWrite : IDisposable
    {
        public required TableInfo Table { get; init; }

        public required TableRules Rules { get; init; }

        public required BTreeCursor Rows { get; init; }

        public required BTreeCursor[] Indexes { get; init; }

        public required CompiledExpr?[] Defaults { get; init; }

        public required EvalContext Ctx { get; init; }

        /// <summary>The row the CHECK constraints see (slot 0 of <see cref="Ctx"/> while checking).</summary>
        public ValueRow CheckRow { get; } = new([]);

        /// <summary>AUTOINCREMENT: the largest rowid sqlite_sequence records (updated as rows go in), or -1 when not AUTOINCREMENT.</summary>
        public long Sequence { get; set; } = -1;

        public long SequenceAtStart { get; set; } = -1;

        public required BTreeStore Store { get; init; }

        public void Dispose()
        {
            Store.Recycle(Rows);
            foreach (var c in Indexes)
            {
                c.Dispose();
            }
        }
    }

    private enum WriteOutcome
    {
        Written,
        Ignored,
        Upsert,
    }

    private readonly Dictionary<TableInfo, TableRules> _rules = [];

    private TableWrite OpenWrite(TableInfo table, EvalContext ctx)
    {
        var rules = RulesOf(table);
        var write = new TableWrite
        {
            Table = table,
            Rules = rules,
            Store = _store,
            Rows = _store.OpenTable(table.Root),
            Indexes = OpenIndexCursors(table.Indexes),
            Defaults = rules.Defaults,
            Ctx = ctx,
        };
        if (rules.Autoincrement)
        {
            write.Sequence = write.SequenceAtStart = ReadSequence(table.Name);
        }

        return write;
    }

    private TableRules RulesOf(TableInfo table)
    {
        if (_rules.TryGetValue(table, out var cached) && cached.IndexGeneration == table.IndexGeneration)
        {
            return cached;
        }

        var create = (CreateTableStmt)SqlParser.Parse(table.Sql).Statement!;
        var notNull = new ConflictAction?[table.Columns.Length];
        var checks = new List<(string, CompiledExpr)>();
        var compiler = new ExpressionCompiler(new RowScope(table, table.Name, 0));
        ConflictAction? rowidAction = null;
        var autoincrement = false;
        foreach (var def in create.Columns)
        {
            var c = table.FindColumn(def.Name);
            foreach (var constraint in def.Constraints)
            {
                switch (constraint)
                {
                    case NotNullColumnConstraint nn:
                        notNull[c] = nn.OnConflict;
                        break;
                    case CheckColumnConstraint ck:
                        checks.Add((ck.Name ?? SourceText(ck.Expr, table.Sql), compiler.Compile(ck.Expr)));
                        break;
                    case PrimaryKeyColumnConstraint pk when c == table.RowidAlias:
                        rowidAction = pk.OnConflict;
                        autoincrement |= pk.Autoincrement;
                        break;
                }
            }
        }

        foreach (var constraint in create.Constraints)
        {
            switch (constraint)
            {
                case CheckTableConstraint ck:
                    checks.Add((ck.Name ?? SourceText(ck.Expr, table.Sql), compiler.Compile(ck.Expr)));
                    break;
                case PrimaryKeyTableConstraint pk when table.RowidAlias >= 0 && pk.Columns.Count == 1:
                    rowidAction = pk.OnConflict;
                    autoincrement |= pk.Autoincrement;
                    break;
            }
        }

        // The autoindexes' ON CONFLICT clauses, in the order Catalog.ConstraintIndexes numbers them.
        var autoActions = new List<ConflictAction?>();
        foreach (var def in create.Columns)
        {
            var c = table.FindColumn(def.Name);
            foreach (var constraint in def.Constraints)
            {
                if (constraint is UniqueColumnConstraint u)
                {
                    autoActions.Add(u.OnConflict);
                }
                else if (constraint is PrimaryKeyColumnConstraint pk && c != table.RowidAlias)
                {
                    autoActions.Add(pk.OnConflict);
                }
            }
        }

        foreach (var constraint in create.Constraints)
        {
            if (constraint is PrimaryKeyTableConstraint pk && !(pk.Columns.Count == 1 && table.RowidAlias >= 0))
            {
                autoActions.Add(pk.OnConflict);
            }
            else if (constraint is UniqueTableConstraint u)
            {
                autoActions.Add(u.OnConflict);
            }
        }

        var prefix = $"sqlite_autoindex_{table.Name}_";
        var indexActions = table.Indexes.Select(i =>
            i.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && int.TryParse(i.Name.AsSpan(prefix.Length), out var n) && n >= 1 && n <= autoActions.Count
                ? autoActions[n - 1]
                : null).ToArray();
        var rules = new TableRules
        {
            NotNullAction = notNull,
            Checks = [.. checks],
            RowidAction = rowidAction,
            IndexAction = indexActions,
            Autoincrement = autoincrement,
            Defaults = [.. table.Columns.Select(c => c.Default is null ? null : new ExpressionCompiler(null).Compile(c.Default))],
            RowidOnlyUnique = !table.Indexes.Any(i => i.Unique),
            IndexGeneration = table.IndexGeneration,
        };
        _rules[table] = rules;
        return rules;
    }

    /// <summary>Reads the row with <paramref name="rowid"/> into <paramref name="values"/> (detached); false when there is none.</summary>
    private static bool ReadRowAt(TableWrite w, long rowid, SqlValue[] values)
    {
        if (!w.Rows.SeekRowid(rowid, out var exact) || !exact)
        {
            return false;
        }

        ReadRow(w.Table, w.Rows, values);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = values[i].Detach();
        }

        return true;
    }

    /// <summary>Deletes a row and its entry in every index (<paramref name="values"/>: the row as read).</summary>
    private static void DeleteRowAt(TableWrite w, long rowid, SqlValue[] values)
    {
        for (var i = 0; i < w.Indexes.Length; i++)
        {
            DeleteIndexEntry(w.Indexes[i], IndexKey(w.Table.Indexes[i], values, rowid));
        }

        if (w.Rows.SeekRowid(rowid, out var exact) && exact)
        {
            w.Rows.Delete();
        }
    }

    private static void DeleteIndexEntry(BTreeCursor cursor, SqlValue[] key)
    {
        if (cursor.Seek(key, SeekOp.GE) && cursor.CompareCurrent(key) == 0)
        {
            cursor.Delete();
        }
        else
        {
            throw new SqliteCorruptException("index entry missing for a row being changed");
        }
    }

    /// <summary>The rowid of another row whose key in UNIQUE index <paramref name="i"/> equals <paramref name="record"/>'s, or null.</summary>
    private static long? FindIndexConflict(TableWrite w, int i, SqlValue[] record, long ownRowid)
    {
        var index = w.Table.Indexes[i];
        var prefix = new SqlValue[index.Columns.Length];
        for (var k = 0; k < prefix.Length; k++)
        {
            var c = index.Columns[k].Column;
            prefix[k] = c < 0 ? SqlValue.FromInteger(ownRowid) : record[c];
            if (prefix[k].IsNull)
            {
                return null;
            }
        }

        var cursor = w.Indexes[i];
        for (var ok = cursor.Seek(prefix, SeekOp.GE); ok && cursor.CompareCurrent(prefix) == 0; ok = cursor.Next())
        {
            var r = cursor.IndexRowid();
            if (r != ownRowid)
            {
                return r;
            }
        }

        return null;
    }

    private SqlRuntimeException ConstraintError(string message, ConflictAction action)
    {
        _failedWith = action;
        return new SqlRuntimeException(message, SqlRuntimeException.Constraint);
    }

    /// <summary>
    /// Checks and writes one row. <paramref name="record"/> holds every column after affinity (the
    /// rowid alias's slot is ignored; <paramref name="rowid"/> is the row's rowid). For an UPDATE,
    /// <paramref name="oldRowid"/>/<paramref name="oldValues"/> are the row before. Returns Ignored
    /// when a constraint said IGNORE, Upsert (with the plan and the conflicting rowid) when an ON
    /// CONFLICT clause takes over.
    /// </summary>
    private WriteOutcome WriteRow(TableWrite w, SqlValue[] record, long rowid, long? oldRowid, SqlValue[]? oldValues, ConflictAction? orAction, List<UpsertPlan>? upserts, out UpsertPlan? upsert, out long conflictRowid)
    {
        upsert = null;
        conflictRowid = 0;
        var table = w.Table;
        var rules = w.Rules;
        if (table.RowidAlias >= 0)
        {
            record[table.RowidAlias] = SqlValue.FromInteger(rowid);
        }

        // NOT NULL.
        for (var c = 0; c < record.Length; c++)
        {
            if (!table.Columns[c].NotNull || !record[c].IsNull)
            {
                continue;
            }

            var action = orAction ?? rules.NotNullAction[c] ?? ConflictAction.Abort;
            if (action == ConflictAction.Replace && w.Defaults[c] is { } d)
            {
                record[c] = SqlConvert.ApplyAffinity(d.Eval(w.Ctx).Detach(), table.Columns[c].Affinity);
                if (!record[c].IsNull)
                {
                    continue;
                }
            }

            if (action == ConflictAction.Ignore)
            {
                return WriteOutcome.Ignored;
            }

            throw ConstraintError($"NOT NULL constraint failed: {table.Name}.{table.Columns[c].Name}", action == ConflictAction.Replace ? ConflictAction.Abort : action);
        }

        // CHECK.
        if (rules.Checks.Length > 0)
        {
            w.CheckRow.Values = record;
            w.CheckRow.RowId = rowid;
            var saved = w.Ctx.Rows.Length > 0 ? w.Ctx.Rows[0] : null;
            if (w.Ctx.Rows.Length > 0)
            {
                w.Ctx.Rows[0] = w.CheckRow;
            }

            try
            {
                foreach (var (message, expr) in rules.Checks)
                {
                    var v = SqlConvert.ApplyAffinity(expr.Eval(w.Ctx), Affinity.Numeric);
                    if (CompiledExpr.Truth(v) == false)
                    {
                        var action = orAction ?? ConflictAction.Abort;
                        if (action == ConflictAction.Ignore)
                        {
                            return WriteOutcome.Ignored;
                        }

                        throw ConstraintError($"CHECK constraint failed: {message}", action == ConflictAction.Replace ? ConflictAction.Abort : action);
                    }
                }
            }
            finally
            {
                if (w.Ctx.Rows.Length > 0)
                {
                    w.Ctx.Rows[0] = saved;
                }
            }
        }

        // Uniqueness: the rowid (-1) and each UNIQUE index, upsert targets first, REPLACE last.
        var own = oldRowid ?? long.MinValue;
        if (rules.RowidOnlyUnique && upserts is null && orAction is null && rules.RowidAction is null or ConflictAction.Abort)
        {
            // The common INSERT: only the rowid can conflict, and a conflict is an error.
            if ((oldRowid is null || oldRowid != rowid) && w.Rows.SeekRowid(rowid, out var taken) && taken)
            {
                throw ConstraintError($"UNIQUE constraint failed: {UniqueNames(table, -1)}", ConflictAction.Abort);
            }

            return WriteChecked(w, record, rowid, oldRowid, oldValues);
        }

        var order = new List<int>();
        if (oldRowid is null || oldRowid != rowid)
        {
            order.Add(-1);
        }

        for (var i = 0; i < table.Indexes.Count; i++)
        {
            // An UPDATE that leaves an index's key (and the rowid) alone cannot make it conflict.
            if (table.Indexes[i].Unique && (oldValues is null || oldRowid != rowid || !SameKey(IndexKey(table.Indexes[i], oldValues, rowid), IndexKey(table.Indexes[i], record, rowid))))
            {
                order.Add(i);
            }
        }

        var replaceTriggers = false;
        ConflictAction ActionOf(int k) => orAction ?? (k < 0 ? rules.RowidAction : rules.IndexAction[k]) ?? ConflictAction.Abort;
        int Rank(int k) => upserts is not null && upserts.Any(u => u.Constraint == k) ? 0 : ActionOf(k) == ConflictAction.Replace ? 2 : 1;
        order = [.. order.OrderBy(Rank)];
        foreach (var k in order)
        {
            long? other;
            if (k < 0)
            {
                other = w.Rows.SeekRowid(rowid, out var exact) && exact ? rowid : null;
            }
            else
            {
                other = FindIndexConflict(w, k, record, oldRowid ?? rowid);
                if (other == own)
                {
                    other = null;
                }
            }

            if (other is not { } conflict)
            {
                continue;
            }

            if (upserts?.FirstOrDefault(u => u.Constraint == k || u.Constraint is null) is { } plan)
            {
                upsert = plan;
                conflictRowid = conflict;
                return WriteOutcome.Upsert;
            }

            var action = ActionOf(k);
            switch (action)
            {
                case ConflictAction.Ignore:
                    return WriteOutcome.Ignored;
                case ConflictAction.Replace:
                    {
                        var victim = new SqlValue[table.Columns.Length];
                        if (ReadRowAt(w, conflict, victim))
                        {
                            replaceTriggers |= ReplaceDelete(w, conflict, victim);
                        }

                        break;
                    }

                default:
                    throw ConstraintError($"UNIQUE constraint failed: {UniqueNames(table, k)}", action);
            }
        }

        // DELETE triggers a REPLACE fired may have brought a conflict back: SQLite checks again, as ABORT.
        if (replaceTriggers)
        {
            foreach (var k in order)
            {
                var again = k < 0
                    ? (w.Rows.SeekRowid(rowid, out var exact) && exact ? rowid : null)
                    : FindIndexConflict(w, k, record, oldRowid ?? rowid);
                if (again is { } r && r != own)
                {
                    throw ConstraintError($"UNIQUE constraint failed: {UniqueNames(table, k)}", ConflictAction.Abort);
                }
            }
        }

        return WriteChecked(w, record, rowid, oldRowid, oldValues);
    }

    /// <summary>
    /// SQLite's storage of REAL-affinity columns: a REAL whose value is an integer (not the
    /// smallest or largest int64) goes into the record as an integer (a smaller serial type);
    /// reading the column gives REAL again. sqlite3 writes such records, and its files and ours
    /// now hold the same bytes for them.
    /// </summary>
    internal static void StoreIntegralReals(TableInfo table, SqlValue[] values)
    {
        var columns = table.Columns;
        for (var c = 0; c < values.Length && c < columns.Length; c++)
        {
            if (columns[c].Affinity != Affinity.Real || values[c].Type != SqlType.Real)
            {
                continue;
            }

            var r = values[c].AsReal;
            if (r >= -9.2233720368547758E18 && r < 9.2233720368547758E18)
            {
                var ix = (long)r;
                if (ix == r && ix != long.MinValue && ix != long.MaxValue)
                {
                    values[c] = SqlValue.FromInteger(ix);
                }
            }
        }
    }

    /// <summary>Writes a row whose constraints were checked: the record (the rowid alias stored as NULL), then the index entries that changed.</summary>
    private static WriteOutcome WriteChecked(TableWrite w, SqlValue[] record, long rowid, long? oldRowid, SqlValue[]? oldValues)
    {
        var table = w.Table;
        var stored = (SqlValue[])record.Clone();
        if (table.RowidAlias >= 0)
        {
            stored[table.RowidAlias] = SqlValue.Null;
        }

        for (var i = 0; i < w.Indexes.Length; i++)
        {
            var index = table.Indexes[i];
            var key = IndexKey(index, record, rowid);
            if (oldValues is not null)
            {
                var oldKey = IndexKey(index, oldValues, oldRowid!.Value);
                if (SameKey(oldKey, key))
                {
                    continue;
                }

                DeleteIndexEntry(w.Indexes[i], oldKey);
            }

            w.Indexes[i].Insert(RecordFormat.Encode(key));
        }

        if (oldRowid is { } before && before != rowid && w.Rows.SeekRowid(before, out var found) && found)
        {
            w.Rows.Delete();
        }

        StoreIntegralReals(table, stored);
        w.Rows.Insert(rowid, RecordFormat.Encode(stored));
        return WriteOutcome.Written;
    }

    /// <summary>
    /// REPLACE deleting a conflicting row: its DELETE triggers fire only with recursive_triggers on
    /// (SQLite's rule); a trigger that deleted the row already leaves nothing to do.
    /// </summary>
    private bool ReplaceDelete(TableWrite w, long rowid, SqlValue[] victim)
    {
        var before = _recursiveTriggers ? TriggersFor(w.Table.Name, TriggerEvent.Delete, TriggerTime.Before) : [];
        var after = _recursiveTriggers ? TriggersFor(w.Table.Name, TriggerEvent.Delete, TriggerTime.After) : [];
        if (before.Count == 0 && after.Count == 0)
        {
            DeleteRowAt(w, rowid, victim);
            return false;
        }

        var current = victim;
        if (before.Count > 0)
        {
            current = new SqlValue[victim.Length];
            if (!FireTriggers(before, null, RowOf(victim, rowid), ConflictAction.Replace) || !ReadRowAt(w, rowid, current))
            {
                return true;
            }
        }

        DeleteRowAt(w, rowid, current);
        if (after.Count > 0)
        {
            FireTriggers(after, null, RowOf(victim, rowid), ConflictAction.Replace);
        }

        return true;
    }

    /// <summary>The columns a UNIQUE failure names: the rowid (k &lt; 0) or index k's.</summary>
    private static string UniqueNames(TableInfo table, int k) => k < 0
        ? $"{table.Name}.{(table.RowidAlias >= 0 ? table.Columns[table.RowidAlias].Name : "rowid")}"
        : IndexColumnsText(table, table.Indexes[k]);

    private static bool SameKey(SqlValue[] a, SqlValue[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Type != b[i].Type || SqlComparer.Compare(a[i], b[i], Collation.Binary) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new rowid: one past the largest (for AUTOINCREMENT, past the largest ever used too).</summary>
    private static long NextRowid(TableWrite w)
    {
        var max = w.Rows.MaxRowid();
        if (w.Sequence >= 0)
        {
            max = Math.Max(max, w.Sequence);
        }

        if (max == long.MaxValue)
        {
            throw new SqlRuntimeException("database or disk is full", SqlRuntimeException.Full);
        }

        return max + 1;
    }

    /// <summary>A value given for the rowid (or INTEGER PRIMARY KEY) as an integer, or "datatype mismatch".</summary>
    private static long RowidValue(SqlValue v)
    {
        var n = SqlConvert.ApplyAffinity(v, Affinity.Integer);
        if (n.Type != SqlType.Integer)
        {
            throw new SqlRuntimeException("datatype mismatch", SqlRuntimeException.Mismatch);
        }

        return n.AsInteger;
    }

    // ---- RETURNING ----

    /// <summary>RETURNING's columns; <c>RealColumns</c> marks bare references to REAL columns.</summary>
    private sealed record Returning(List<string> Names, List<CompiledExpr> Exprs, List<bool> RealColumns, List<SqlRow> Rows)
    {
        /// <summary>
        /// INSERT and UPDATE: sqlite3 hands RETURNING a REAL column's integral value as it is about to
        /// store it (an integer flagged real), which its shell prints without ".0"; DELETE reads the row back.
        /// </summary>
        public bool IntegralRealsAsIntegers { get; init; }
    }

    /// <summary>RETURNING's columns: they see the target table by its own name (not the statement's alias, not FROM tables), as in sqlite3.</summary>
    private static Returning? CompileReturning(SyntaxList<ResultColumn>? columns, TableInfo table, string sql, bool integralRealsAsIntegers = true)
    {
        if (columns is null)
        {
            return null;
        }

        var compiler = new ExpressionCompiler(new RowScope(table, table.Name, 0));
        var names = new List<string>();
        var exprs = new List<CompiledExpr>();
        foreach (var rc in columns)
        {
            switch (rc)
            {
                case StarColumn { Table: null }:
                    for (var c = 0; c < table.Columns.Length; c++)
                    {
                        names.Add(table.Columns[c].Name);
                        exprs.Add(new ColumnExpr(0, c == table.RowidAlias ? -1 : c) { Affinity = table.Columns[c].Affinity, Collation = table.Columns[c].Collation });
                    }

                    break;
                case StarColumn:
                    throw new SqlPrepareException("RETURNING may not use \"TABLE.*\" wildcards");
                case ExprColumn ec:
                    names.Add(ec.Alias ?? (ec.Expr is ColumnRef { Table: null } cr && table.FindColumn(cr.Column) is var k && k >= 0 ? table.Columns[k].Name : SourceText(ec.Expr, sql)));
                    exprs.Add(compiler.Compile(ec.Expr));
                    break;
            }
        }

        var realColumns = exprs.Select(e => e is ColumnExpr { Slot: 0, ColumnIndex: >= 0 } ce && table.Columns[ce.ColumnIndex].Affinity == Affinity.Real).ToList();
        return new Returning(names, exprs, realColumns, []) { IntegralRealsAsIntegers = integralRealsAsIntegers };
    }

    private static void AddReturningRow(Returning? returning, EvalContext ctx, ValueRow row)
    {
        if (returning is null)
        {
            return;
        }

        var saved = ctx.Rows[0];
        ctx.Rows[0] = row;
        var values = new SqlValue[returning.Exprs.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = returning.Exprs[i].Eval(ctx).Detach();
            if (returning.IntegralRealsAsIntegers && returning.RealColumns[i] && values[i].Type == SqlType.Real && SqlConvert.RealIsExactInteger(values[i].AsReal, out var n))
            {
                values[i] = SqlValue.FromInteger(n);
            }
        }

        returning.Rows.Add(new SqlRow(values));
        ctx.Rows[0] = saved;
    }

    private static ResultSet ResultOf(Returning? returning) => returning is null ? ResultSet.Empty : new ResultSet(returning.Names, returning.Rows);

    // ---- the rows a WHERE selects ----

    /// <summary>
    /// The rowids of the rows <paramref name="where"/> selects, collected before anything changes
    /// (the Halloween problem). The access path: a rowid equality or range taken from the WHERE's
    /// top-level AND terms when there is one, otherwise a full scan; the whole WHERE is checked
    /// on every candidate. With <paramref name="order"/> (UPDATE/DELETE ... ORDER BY ... LIMIT)
    /// the rows are sorted (stable, from rowid order) and cut to the LIMIT and OFFSET.
    /// </summary>
    private List<long> MatchingRowids(TableInfo table, IColumnScope scope, Expr? whereSyntax, CompiledExpr? compiled, EvalContext ctx, DmlOrder? order = null)
    {
        var (low, high) = RowidRange(whereSyntax, scope, ctx);
        var result = new List<long>();
        var keys = order is null ? null : new List<SqlValue[]>();
        if (low > high)
        {
            return result;
        }

        using var cursor = _store.OpenTable(table.Root);
        var row = new ValueRow(new SqlValue[table.Columns.Length]);
        var saved = ctx.Rows[0];
        ctx.Rows[0] = row;
        try
        {
            for (var ok = low == long.MinValue ? cursor.First() : cursor.SeekRowid(low, out _); ok; ok = cursor.Next())
            {
                var rowid = cursor.Rowid;
                if (rowid > high)
                {
                    break;
                }

                if (compiled is not null || keys is not null)
                {
                    ReadRow(table, cursor, row.Values);
                    row.RowId = rowid;
                    if (compiled is not null && CompiledExpr.Truth(compiled.Eval(ctx)) != true)
                    {
                        continue;
                    }

                    keys?.Add([.. order!.Keys.Select(k => k.Expr.Eval(ctx).Detach())]);
                }

                result.Add(rowid);
            }
        }
        finally
        {
            ctx.Rows[0] = saved;
        }

        if (order is null)
        {
            return result;
        }

        var picked = order.Pick(keys!, ctx);
        return [.. picked.Select(i => result[i])];
    }

    /// <summary>UPDATE ... FROM with ORDER BY/LIMIT: the pairs sorted by the target row's keys and cut.</summary>
    private (List<long> Rowids, List<SqlValue[]> Partners) OrderAndLimitPairs(TableInfo table, List<long> rowids, List<SqlValue[]> partners, DmlOrder order, EvalContext ctx)
    {
        using var cursor = _store.OpenTable(table.Root);
        var row = new ValueRow(new SqlValue[table.Columns.Length]);
        var keys = new List<SqlValue[]>();
        for (var i = 0; i < rowids.Count; i++)
        {
            if (cursor.SeekRowid(rowids[i], out var exact) && exact)
            {
                ReadRow(table, cursor, row.Values);
            }

            row.RowId = rowids[i];
            ctx.Rows[0] = row;
            ctx.Rows[1] = new ValueRow(partners[i]);
            keys.Add([.. order.Keys.Select(k => k.Expr.Eval(ctx).Detach())]);
        }

        ctx.Rows[0] = null;
        ctx.Rows[1] = null;
        var picked = order.Pick(keys, ctx);
        return ([.. picked.Select(i => rowids[i])], [.. picked.Select(i => partners[i])]);
    }

    /// <summary>One ORDER BY term of an UPDATE or DELETE.</summary>
    private sealed record DmlSortKey(CompiledExpr Expr, bool Descending, bool NullsFirst, Collation Collation);

    /// <summary>UPDATE/DELETE's ORDER BY, LIMIT and OFFSET (SQLITE_ENABLE_UPDATE_DELETE_LIMIT, as Debian builds sqlite3).</summary>
    private sealed class DmlOrder
    {
        public required DmlSortKey[] Keys { get; init; }

        public required CompiledExpr Limit { get; init; }

        public CompiledExpr? Offset { get; init; }

        /// <summary>The positions of the rows to change: stably sorted by the keys, then OFFSET skipped and LIMIT taken (a negative LIMIT: all).</summary>
        public List<int> Pick(List<SqlValue[]> keys, EvalContext ctx)
        {
            var limit = LimitValue(Limit, ctx);
            var offset = Offset is null ? 0 : Math.Max(0, LimitValue(Offset, ctx));
            var order = Enumerable.Range(0, keys.Count).ToList();
            if (Keys.Length > 0)
            {
                order = [.. order.Order(Comparer<int>.Create((x, y) =>
                {
                    for (var k = 0; k < Keys.Length; k++)
                    {
                        var key = Keys[k];
                        var a = keys[x][k];
                        var b = keys[y][k];
                        int c;
                        if (a.IsNull || b.IsNull)
                        {
                            c = a.IsNull && b.IsNull ? 0 : a.IsNull == key.NullsFirst ? -1 : 1;
                        }
                        else
                        {
                            c = SqlComparer.Compare(a, b, key.Collation);
                            if (key.Descending)
                            {
                                c = -c;
                            }
                        }

                        if (c != 0)
                        {
                            return c;
                        }
                    }

                    return x.CompareTo(y);
                }))];
            }

            // The rows chosen are then changed in rowid order (sqlite3 rewrites the statement to
            // "rowid IN (SELECT rowid ... ORDER BY ... LIMIT ...)").
            var skipped = order.Skip((int)Math.Min(offset, int.MaxValue));
            return [.. (limit < 0 ? skipped : skipped.Take((int)Math.Min(limit, int.MaxValue))).Order()];
        }

        private static long LimitValue(CompiledExpr e, EvalContext ctx)
        {
            var v = SqlConvert.ApplyAffinity(e.Eval(ctx), Affinity.Numeric);
            return v.Type == SqlType.Integer ? v.AsInteger : throw new SqlRuntimeException("datatype mismatch", SqlRuntimeException.Mismatch);
        }
    }

    /// <summary>
    /// Compiles UPDATE/DELETE's ORDER BY and LIMIT against the target's names (null without a
    /// LIMIT; ORDER BY without one is the parser's error). ORDER BY N names the rowid for N = 1,
    /// as sqlite3's rewrite to <c>rowid IN (SELECT rowid ... ORDER BY ... LIMIT ...)</c> makes it.
    /// </summary>
    private static DmlOrder? CompileDmlOrder(SyntaxList<OrderingTerm> orderBy, LimitClause? limit, ExpressionCompiler compiler, string statement)
    {
        if (limit is null)
        {
            return orderBy.Count > 0 ? throw new SqlPrepareException($"ORDER BY without LIMIT on {statement}") : null;
        }

        var keys = new DmlSortKey[orderBy.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var term = orderBy[i];
            CompiledExpr e;
            if (term.Expr is IntegerLiteral n)
            {
                if (n.Value != 1)
                {
                    throw new SqlPrepareException($"{SelectPlanner.Ordinal(i + 1)} ORDER BY term out of range - should be between 1 and 1");
                }

                e = compiler.Compile(new ColumnRef(null, null, "rowid", false));
            }
            else
            {
                e = compiler.Compile(term.Expr);
            }

            var desc = term.Order == SortOrder.Desc;
            var nullsFirst = term.Nulls == NullsOrder.None ? !desc : term.Nulls == NullsOrder.First;
            keys[i] = new DmlSortKey(e, desc, nullsFirst, e.Collation ?? Collation.Binary);
        }

        var constants = new ExpressionCompiler(null);
        return new DmlOrder
        {
            Keys = keys,
            Limit = constants.Compile(limit.Limit),
            Offset = limit.Offset is null ? null : constants.Compile(limit.Offset),
        };
    }

    /// <summary>The rowid bounds the WHERE's top-level AND terms imply (<c>rowid = c</c>, <c>rowid &lt; c</c>, ... with a constant c).</summary>
    private static (long Low, long High) RowidRange(Expr? where, IColumnScope scope, EvalContext ctx)
    {
        long low = long.MinValue, high = long.MaxValue;
        var terms = new Stack<Expr>();
        if (where is not null)
        {
            terms.Push(where);
        }

        var constants = new ExpressionCompiler(null);
        while (terms.Count > 0)
        {
            var e = terms.Pop();
            if (e is BinaryExpr { Op: BinaryOp.And } and)
            {
                terms.Push(and.Left);
                terms.Push(and.Right);
                continue;
            }

            if (e is not BinaryExpr { Op: BinaryOp.Eq or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge } b)
            {
                continue;
            }

            var op = b.Op;
            Expr other;
            if (IsRowidRef(b.Left, scope))
            {
                other = b.Right;
            }
            else if (IsRowidRef(b.Right, scope))
            {
                other = b.Left;
                op = op switch
                {
                    BinaryOp.Lt => BinaryOp.Gt,
                    BinaryOp.Le => BinaryOp.Ge,
                    BinaryOp.Gt => BinaryOp.Lt,
                    BinaryOp.Ge => BinaryOp.Le,
                    _ => op,
                };
            }
            else
            {
                continue;
            }

            if (!IsConstantSyntax(other))
            {
                continue;
            }

            CompiledExpr value;
            try
            {
                value = constants.Compile(other);
            }
            catch (SqlPrepareException)
            {
                continue;
            }

            // Only exact integers narrow the range; anything else is left to the full WHERE.
            var v = SqlConvert.ApplyAffinity(value.Eval(ctx), Affinity.Numeric);
            if (v.Type != SqlType.Integer)
            {
                if (v.IsNull)
                {
                    return (1, 0);
                }

                continue;
            }

            var n = v.AsInteger;
            switch (op)
            {
                case BinaryOp.Eq:
                    low = Math.Max(low, n);
                    high = Math.Min(high, n);
                    break;
                case BinaryOp.Lt:
                    if (n == long.MinValue)
                    {
                        return (1, 0);
                    }

                    high = Math.Min(high, n - 1);
                    break;
                case BinaryOp.Le:
                    high = Math.Min(high, n);
                    break;
                case BinaryOp.Gt:
                    if (n == long.MaxValue)
                    {
                        return (1, 0);
                    }

                    low = Math.Max(low, n + 1);
                    break;
                case BinaryOp.Ge:
                    low = Math.Max(low, n);
                    break;
            }
        }

        return (low, high);
    }

    /// <summary>Literals, parameters and operators/functions over them: no column, no subquery.</summary>
    private static bool IsConstantSyntax(Expr e) => e switch
    {
        NullLiteral or IntegerLiteral or RealLiteral or StringLiteral or BlobLiteral or BindParameter => true,
        UnaryExpr u => IsConstantSyntax(u.Operand),
        BinaryExpr b => IsConstantSyntax(b.Left) && IsConstantSyntax(b.Right),
        Parsing.CastExpr c => IsConstantSyntax(c.Operand),
        _ => false,
    };

    private static bool IsRowidRef(Expr e, IColumnScope scope) =>
        e is ColumnRef { Schema: null } c && scope.TryResolve(c.Table, c.Column, out var binding) && binding.Slot == 0 && binding.Column < 0;

    /// <summary>"t.a, t.b": an index's columns as UNIQUE constraint errors name them.</summary>
    internal static string IndexColumnsText(TableInfo table, IndexInfo index) =>
        string.Join(", ", index.Columns.Select(c => $"{table.Name}.{(c.Column < 0 ? "rowid" : table.Columns[c.Column].Name)}"));
}
