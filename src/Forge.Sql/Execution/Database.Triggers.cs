using Forge.Sql.Execution.Expressions;
using Forge.Sql.Execution.Values;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;
using Forge.Sql.Schema;

namespace Forge.Sql.Execution;

/// <summary>
/// Triggers: CREATE/DROP TRIGGER (rows of sqlite_schema, or the connection's for TEMP), and their
/// firing. A trigger's WHEN and statements are compiled once into a program per (trigger, conflict
/// action), as SQLite codes one sub-program per pair, when a statement that may fire it is prepared;
/// the program runs once per row with NEW and OLD in row slots 2 and 3 of its contexts. With
/// recursive_triggers off (SQLite's default) a trigger already running is not started again.
/// </summary>
public sealed partial class Database
{
    /// <summary>The row slot NEW is read from in a trigger program's statements.</summary>
    internal const int NewSlot = 2;

    /// <summary>The row slot OLD is read from.</summary>
    internal const int OldSlot = 3;

    /// <summary>Slots a write statement keeps for itself: 0 the target row, 1 the excluded/FROM row, then NEW and OLD.</summary>
    internal const int ReservedSlots = 4;

    /// <summary>SQLITE_MAX_TRIGGER_DEPTH.</summary>
    internal const int MaxTriggerDepth = 1000;

    /// <summary>A prepared statement of a trigger body (or a whole write statement): runs with the firing row's NEW and OLD.</summary>
    private delegate ResultSet StatementRun(IRowSource? newRow, IRowSource? oldRow);

    /// <summary>What a trigger's statements are compiled against: the names new./old. and the firing statement's conflict action.</summary>
    private sealed class TriggerFrame
    {
        public required FromScope Scope { get; init; }

        /// <summary>The firing statement's OR action: when set, it overrides the body statements' own (SQLite's rule).</summary>
        public ConflictAction? OrConf { get; init; }
    }

    /// <summary>The columns of a table or view as NEW/OLD and write statements see them.</summary>
    private sealed record RowShape(string Name, TableInfo? Table, string[] Columns, Affinity[] Affinities, Collation[] Collations);

    private sealed class TriggerProgram
    {
        public required TriggerInfo Trigger { get; init; }

        public CompiledExpr? When { get; set; }

        public int Slots { get; set; } = ReservedSlots;

        public List<StatementRun> Steps { get; } = [];

        public bool Active { get; set; }
    }

    private readonly Dictionary<string, TriggerInfo> _tempTriggers = new(StringComparer.OrdinalIgnoreCase);
    private long _tempTriggerCount;
    private readonly Dictionary<string, List<TriggerProgram>> _programs = [];
    private Catalog? _programsCatalog;
    private uint _programsCookie;
    private int _triggerDepth;
    private readonly HashSet<string> _runningTriggers = new(StringComparer.OrdinalIgnoreCase);
    private bool _recursiveTriggers;

    // ---- CREATE TRIGGER / DROP TRIGGER ----

    private ResultSet CreateTrigger(CreateTriggerStmt create, string sql)
    {
        var temp = create.Temp || string.Equals(create.Name.Schema, "temp", StringComparison.OrdinalIgnoreCase);
        if (create.Name.Schema is { } schema && !temp && !schema.Equals("main", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"unknown database {schema}");
        }

        var tableName = create.Table.Name;
        var system = tableName.Equals("sqlite_schema", StringComparison.OrdinalIgnoreCase) || tableName.Equals("sqlite_master", StringComparison.OrdinalIgnoreCase)
            || tableName.Equals("sqlite_temp_schema", StringComparison.OrdinalIgnoreCase) || tableName.Equals("sqlite_temp_master", StringComparison.OrdinalIgnoreCase);
        var table = _catalog.FindTable(tableName);
        var view = table is null ? _catalog.FindView(tableName) : null;
        if (table is null && view is null && !system)
        {
            throw new SqlPrepareException($"no such table: {create.Table.Schema ?? "main"}.{tableName}");
        }

        var name = create.Name.Name;
        var nameToken = TokensOf(sql, create.Name.Start, create.Name.End)[^1];
        if (name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException($"object name reserved for internal use: {name}");
        }

        if (_catalog.FindTrigger(name) is not null)
        {
            if (create.IfNotExists)
            {
                return ResultSet.Empty;
            }

            throw new SqlPrepareException($"trigger {nameToken.Text(sql)} already exists", nameToken.Start);
        }

        if (system || tableName.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlPrepareException("cannot create trigger on system table");
        }

        var time = create.Time ?? TriggerTime.Before;
        if (view is not null && time != TriggerTime.InsteadOf)
        {
            throw new SqlPrepareException($"cannot create {(time == TriggerTime.Before ? "BEFORE" : "AFTER")} trigger on view: {tableName}");
        }

        if (table is not null && time == TriggerTime.InsteadOf)
        {
            throw new SqlPrepareException($"cannot create INSTEAD OF trigger on table: {tableName}");
        }

        // sqlite_schema keeps "CREATE TRIGGER " and the text from the name to END (no TEMP, IF NOT EXISTS or schema).
        var text = "CREATE TRIGGER " + sql[nameToken.Start..Math.Min(create.End, sql.Length)];
        var reparsed = (CreateTriggerStmt)SqlParser.Parse(text).Statement!;
        TriggerInfo info;
        if (temp)
        {
            info = new TriggerInfo(name, tableName, text, reparsed, -(++_tempTriggerCount));
            _tempTriggers[name] = info;
        }
        else
        {
            var rowid = SchemaTable.Insert(_store, "trigger", name, tableName, 0, text);
            info = new TriggerInfo(name, tableName, text, reparsed, rowid);
        }

        _catalog.Add(info);
        _programs.Clear();
        return ResultSet.Empty;
    }

    private ResultSet DropTrigger(DropStmt drop)
    {
        var name = drop.Name.Name;
        var schema = drop.Name.Schema;
        var trigger = _catalog.FindTrigger(name);
        if (trigger is not null && schema is not null
            && !(schema.Equals("main", StringComparison.OrdinalIgnoreCase) && trigger.SchemaRowid >= 0)
            && !(schema.Equals("temp", StringComparison.OrdinalIgnoreCase) && trigger.SchemaRowid < 0))
        {
            trigger = null;
        }

        if (trigger is null)
        {
            if (drop.IfExists)
            {
                return ResultSet.Empty;
            }

            throw new SqlPrepareException($"no such trigger: {(schema is null ? name : schema + "." + name)}");
        }

        RemoveTrigger(trigger);
        return ResultSet.Empty;
    }

    private void RemoveTrigger(TriggerInfo trigger)
    {
        if (trigger.SchemaRowid < 0)
        {
            _tempTriggers.Remove(trigger.Name);
        }
        else
        {
            SchemaTable.Delete(_store, trigger.SchemaRowid);
        }

        _catalog.RemoveTrigger(trigger.Name);
        _programs.Clear();
    }

    /// <summary>DROP VIEW: the view's triggers go with it.</summary>
    private ResultSet DropViewWithTriggers(DropStmt drop)
    {
        var view = _catalog.FindView(drop.Name.Name);
        var result = DropView(drop);
        if (view is not null)
        {
            foreach (var trigger in _catalog.TriggersOn(view.Name))
            {
                RemoveTrigger(trigger);
            }
        }

        return result;
    }

    /// <summary>TEMP triggers on a table that is dropped go with it (the file's go with the table's schema rows).</summary>
    private void DropTempTriggersOn(string table)
    {
        foreach (var trigger in _tempTriggers.Values.Where(t => t.Table.Equals(table, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            _tempTriggers.Remove(trigger.Name);
        }

        _programs.Clear();
    }

    /// <summary>PRAGMA recursive_triggers [= bool]: whether a trigger may fire while it is already running.</summary>
    private ResultSet RecursiveTriggersPragma(PragmaStmt pragma)
    {
        if (pragma.Value is null)
        {
            return new ResultSet(["recursive_triggers"], [new SqlRow([SqlValue.FromInteger(_recursiveTriggers ? 1 : 0)])]);
        }

        _recursiveTriggers = pragma.Value.ToUpperInvariant() switch
        {
            "ON" or "TRUE" or "YES" => true,
            "OFF" or "FALSE" or "NO" => false,
            var v => long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) && n != 0,
        };
        _programs.Clear();
        return ResultSet.Empty;
    }

    private static bool IsRecursiveTriggersPragma(PragmaStmt pragma) =>
        pragma.Name.Name.Equals("recursive_triggers", StringComparison.OrdinalIgnoreCase)
        && (pragma.Name.Schema is null || pragma.Name.Schema.Equals("main", StringComparison.OrdinalIgnoreCase));

    /// <summary>The connection's TEMP triggers in the order they were created (the shell's .schema shows them).</summary>
    internal List<(string Table, string Sql)> TempTriggers =>
        [.. _tempTriggers.Values.OrderByDescending(t => t.SchemaRowid).Select(t => (t.Table, t.Sql))];

    // ---- shapes and scopes ----

    private static RowShape ShapeOf(TableInfo table) => new(
        table.Name,
        table,
        [.. table.Columns.Select(c => c.Name)],
        [.. table.Columns.Select(c => c.Affinity)],
        [.. table.Columns.Select(c => c.Collation)]);

    private RowShape ShapeOf(ViewInfo view)
    {
        var query = new SelectPlanner(_catalog, _store, view.Sql).Plan(view.Select, null);
        var names = view.Columns is { } cols ? [.. cols] : query.Names;
        var collations = query.Collations.Select(c => c ?? Collation.Binary).ToArray();

        // A stand-in table (no b-tree) so that new.rowid and old.rowid resolve, as they do in SQLite.
        var columns = names.Select((n, i) => new ColumnInfo(n, null, query.Affinities[i], collations[i], false, null, false)).ToArray();
        var table = new TableInfo(view.Name, 0, columns, -1, view.Sql);
        return new RowShape(view.Name, table, names, query.Affinities, collations);
    }

    /// <summary>A FROM-item view of a row in a slot; <paramref name="hidden"/>: reachable only as <c>name.column</c>.</summary>
    private static SourceInfo SourceOf(RowShape shape, string name, int slot, bool hidden = false)
    {
        var source = new SourceInfo
        {
            Name = name,
            Slot = slot,
            Position = 0,
            Table = shape.Table,
            Columns = shape.Columns,
            Affinities = shape.Affinities,
            Collations = shape.Collations,
        };
        if (hidden)
        {
            foreach (var c in shape.Columns)
            {
                source.Hidden.Add(c);
            }
        }

        return source;
    }

    /// <summary>new. (INSERT, UPDATE) and old. (UPDATE, DELETE) in slots 2 and 3; only qualified names reach them.</summary>
    private static FromScope NewOldScope(RowShape shape, TriggerEvent ev)
    {
        var sources = new List<SourceInfo>();
        if (ev != TriggerEvent.Delete)
        {
            sources.Add(TriggerRowSource(shape, "new", NewSlot));
        }

        if (ev != TriggerEvent.Insert)
        {
            sources.Add(TriggerRowSource(shape, "old", OldSlot));
        }

        return new FromScope(sources, null);
    }

    /// <summary>
    /// NEW or OLD as names see them: SQLite gives <c>new.x</c> no affinity (only the rowid and its
    /// INTEGER PRIMARY KEY alias are INTEGER) but the column's collation; rowid, oid and _rowid_
    /// follow the columns (a <see cref="TriggerRow"/> answers them with its rowid).
    /// </summary>
    private static SourceInfo TriggerRowSource(RowShape shape, string name, int slot)
    {
        var alias = shape.Table?.RowidAlias ?? -1;
        string[] rowidNames = ["rowid", "oid", "_rowid_"];
        var source = new SourceInfo
        {
            Name = name,
            Slot = slot,
            Position = 0,
            Columns = [.. shape.Columns, .. rowidNames],
            Affinities = [.. shape.Columns.Select((_, i) => i == alias ? Affinity.Integer : Affinity.Blob), .. rowidNames.Select(_ => Affinity.Integer)],
            Collations = [.. shape.Collations, .. rowidNames.Select(_ => Collation.Binary)],
        };
        foreach (var c in source.Columns)
        {
            source.Hidden.Add(c);
        }

        return source;
    }

    /// <summary>A row as NEW or OLD (or a view's row): its values, then its rowid for the rowid names.</summary>
    private sealed class TriggerRow(SqlValue[] values, long rowid) : IRowSource
    {
        public SqlValue[] Values => values;

        public long RowId => rowid;

        public SqlValue Column(int index) => index < values.Length ? values[index] : SqlValue.FromInteger(rowid);
    }

    /// <summary>The names of a write statement: its target (slot 0), optionally a second row (slot 1), then a trigger's new./old.</summary>
    private static FromScope TargetScope(RowShape target, string name, TriggerFrame? frame, RowShape? second = null, string? secondName = null, bool secondHidden = false)
    {
        var sources = new List<SourceInfo> { SourceOf(target, name, 0) };
        if (second is not null)
        {
            sources.Add(SourceOf(second, secondName!, 1, secondHidden));
        }

        return new FromScope(sources, frame?.Scope);
    }

    private SelectPlanner Planner(string sql) => new SelectPlanner(_catalog, _store, sql).ReserveSlots(ReservedSlots);

    /// <summary>A context for one run of a write statement: NEW and OLD of the firing row in their slots.</summary>
    private EvalContext RunContext(int slots, IRowSource? newRow, IRowSource? oldRow)
    {
        var ctx = NewContext(Math.Max(slots, ReservedSlots));
        ctx.Rows[NewSlot] = newRow;
        ctx.Rows[OldSlot] = oldRow;
        return ctx;
    }

    // ---- which triggers fire ----

    /// <summary>The triggers of one event and time on a table or view, in firing order; UPDATE OF lists must name a SET column.</summary>
    private List<TriggerInfo> TriggersFor(string table, TriggerEvent ev, TriggerTime time, ICollection<string>? setColumns = null) =>
        _catalog.Triggers.Count == 0 ? [] : [.. _catalog.TriggersOn(table).Where(t => t.Event == ev && t.Time == time
            && (ev != TriggerEvent.Update || t.Create.UpdateOf is null || setColumns is null || t.Create.UpdateOf.Any(setColumns.Contains)))];

    private static HashSet<string> SetColumnNames(IEnumerable<SetClause> set) =>
        new(set.SelectMany(s => s.Columns), StringComparer.OrdinalIgnoreCase);

    /// <summary>Compiles the programs of triggers a statement may fire (their errors are the statement's prepare errors, as in SQLite).</summary>
    private void PrepareTriggers(IEnumerable<TriggerInfo> triggers, ConflictAction? orconf)
    {
        foreach (var trigger in triggers)
        {
            _ = AcquireProgram(trigger, orconf, prepareOnly: true);
        }
    }

    private const string NoSuchTable = "no such table: ";

    private static string ProgramKey(TriggerInfo trigger, ConflictAction? orconf) => trigger.Name.ToUpperInvariant() + "|" + orconf;

    /// <summary>A program of the trigger for this conflict action that is not running (compiled when there is none).</summary>
    private TriggerProgram AcquireProgram(TriggerInfo trigger, ConflictAction? orconf, bool prepareOnly = false)
    {
        var cookie = _store.Pager.SchemaCookie;
        if (!ReferenceEquals(_programsCatalog, _catalog) || _programsCookie != cookie)
        {
            _programs.Clear();
            _programsCatalog = _catalog;
            _programsCookie = cookie;
        }

        var key = ProgramKey(trigger, orconf);
        if (!_programs.TryGetValue(key, out var list))
        {
            list = [];
            _programs[key] = list;
        }

        foreach (var p in list)
        {
            if (!p.Active || prepareOnly)
            {
                return p;
            }
        }

        var program = new TriggerProgram { Trigger = trigger };
        list.Add(program);
        TriggerRaise.EnterProgram();
        try
        {
            RowShape shape;
            if (_catalog.FindTable(trigger.Table) is { } table)
            {
                shape = ShapeOf(table);
            }
            else if (_catalog.FindView(trigger.Table) is { } view)
            {
                shape = ShapeOf(view);
            }
            else
            {
                throw new SqlPrepareException($"no such table: main.{trigger.Table}");
            }

            var frame = new TriggerFrame { Scope = NewOldScope(shape, trigger.Event), OrConf = orconf };
            if (trigger.Create.When is { } when)
            {
                var planner = Planner(trigger.Sql);
                program.When = new ExpressionCompiler(frame.Scope) { Subqueries = planner }.Compile(when);
                program.Slots = Math.Max(ReservedSlots, planner.SlotCount);
            }

            foreach (var step in trigger.Create.Body)
            {
                program.Steps.Add(PrepareStep(step, trigger.Sql, frame));
            }
        }
        catch (SqlPrepareException e) when (e.Message.StartsWith(NoSuchTable, StringComparison.Ordinal) && !e.Message.AsSpan(NoSuchTable.Length).Contains('.'))
        {
            // A trigger's table names are bound to its schema (SQLite's sqlite3FixSrcList): the error names it.
            list.Remove(program);
            throw new SqlPrepareException(NoSuchTable + "main." + e.Message[NoSuchTable.Length..], e);
        }
        catch
        {
            list.Remove(program);
            throw;
        }
        finally
        {
            TriggerRaise.ExitProgram();
        }

        return program;
    }

    private StatementRun PrepareStep(Statement step, string sql, TriggerFrame frame)
    {
        switch (step)
        {
            case InsertStmt insert:
                return PrepareInsert(insert, sql, frame);
            case UpdateStmt update:
                return PrepareUpdate(update, sql, frame);
            case DeleteStmt delete:
                return PrepareDelete(delete, sql, frame);
            case SelectStmt select:
                {
                    var planner = Planner(sql);
                    var query = planner.Plan(select, frame.Scope);
                    var slots = planner.SlotCount;
                    return (newRow, oldRow) =>
                    {
                        var ctx = RunContext(slots, newRow, oldRow);
                        var root = query.Root;
                        root.Open(ctx);
                        try
                        {
                            while (root.Next())
                            {
                            }
                        }
                        finally
                        {
                            root.Close();
                        }

                        return ResultSet.Empty;
                    };
                }

            default:
                throw new SqlPrepareException("not supported yet: this statement in a trigger");
        }
    }

    // ---- firing ----

    /// <summary>
    /// Runs <paramref name="triggers"/> for one row. False when a RAISE(IGNORE) ended the row's
    /// processing (the rest of its triggers and its change are skipped); RAISE(ABORT|FAIL|ROLLBACK)
    /// become the statement's error with SQLite's outcome for each.
    /// </summary>
    private bool FireTriggers(List<TriggerInfo> triggers, IRowSource? newRow, IRowSource? oldRow, ConflictAction? orconf)
    {
        foreach (var trigger in triggers)
        {
            // SQLite marks the running sub-program with its trigger (not its conflict action).
            if (!_recursiveTriggers && _runningTriggers.Contains(trigger.Name))
            {
                continue;
            }

            if (_triggerDepth >= MaxTriggerDepth)
            {
                throw new SqlRuntimeException("too many levels of trigger recursion");
            }

            var program = AcquireProgram(trigger, orconf);
            program.Active = true;
            var outermost = _runningTriggers.Add(trigger.Name);
            _triggerDepth++;
            var frame = EnterTriggerFrame();
            try
            {
                if (program.When is not null)
                {
                    var ctx = RunContext(program.Slots, newRow, oldRow);
                    if (CompiledExpr.Truth(program.When.Eval(ctx)) != true)
                    {
                        continue;
                    }
                }

                foreach (var step in program.Steps)
                {
                    step(newRow, oldRow);
                }
            }
            catch (TriggerRaiseException e) when (e.Kind == RaiseKind.Ignore)
            {
                return false;
            }
            catch (TriggerRaiseException e)
            {
                _failedWith = e.Kind switch
                {
                    RaiseKind.Fail => ConflictAction.Fail,
                    RaiseKind.Rollback => ConflictAction.Rollback,
                    _ => ConflictAction.Abort,
                };
                throw new SqlRuntimeException(e.Message, SqlRuntimeException.Constraint);
            }
            finally
            {
                LeaveTriggerFrame(frame);
                program.Active = false;
                if (outermost)
                {
                    _runningTriggers.Remove(trigger.Name);
                }

                _triggerDepth--;
            }
        }

        return true;
    }

    /// <summary>A copy of a row's values as NEW or OLD.</summary>
    private static TriggerRow RowOf(SqlValue[] values, long rowid) => new((SqlValue[])values.Clone(), rowid);

    // ---- INSTEAD OF triggers: writes to views ----

    private ViewInfo? TargetView(QualifiedName name) =>
        (name.Schema is null || name.Schema.Equals("main", StringComparison.OrdinalIgnoreCase) || name.Schema.Equals("temp", StringComparison.OrdinalIgnoreCase))
        && _catalog.FindTable(name.Name) is null ? _catalog.FindView(name.Name) : null;

    private static SqlPrepareException ViewNotWritable(ViewInfo view) => new($"cannot modify {view.Name} because it is a view");

    /// <summary>INSERT into a view: each row (no affinity, missing columns NULL) goes to the INSTEAD OF INSERT triggers as NEW.</summary>
    private StatementRun PrepareViewInsert(InsertStmt insert, string sql, TriggerFrame? frame, ViewInfo view)
    {
        var triggers = TriggersFor(view.Name, TriggerEvent.Insert, TriggerTime.InsteadOf);
        if (triggers.Count == 0)
        {
            throw ViewNotWritable(view);
        }

        if (insert.Upserts.Count > 0)
        {
            throw new SqlPrepareException("cannot UPSERT a view");
        }

        if (insert.Returning is not null)
        {
            throw new SqlPrepareException("not supported yet: RETURNING on a view");
        }

        var shape = ShapeOf(view);
        int[] targets;
        if (insert.Columns is null)
        {
            targets = [.. Enumerable.Range(0, shape.Columns.Length)];
        }
        else
        {
            targets = [.. insert.Columns.Select(n =>
            {
                var c = Array.FindIndex(shape.Columns, x => x.Equals(n, StringComparison.OrdinalIgnoreCase));
                return c >= 0 ? c : throw new SqlPrepareException($"table {view.Name} has no column named {n}");
            })];
        }

        var orconf = frame?.OrConf ?? insert.OrAction;
        var source = PrepareInsertSource(insert, sql, frame, view.Name, shape.Columns.Length, targets);
        PrepareTriggers(triggers, orconf);
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(source.Slots, newRow, oldRow);
            foreach (var values in source.Rows(ctx))
            {
                var record = new SqlValue[shape.Columns.Length];
                for (var i = 0; i < targets.Length; i++)
                {
                    record[targets[i]] = values[i];
                }

                FireTriggers(triggers, new TriggerRow(record, -1), null, orconf);
            }

            return ResultSet.Empty;
        };
    }

    /// <summary>UPDATE of a view: the rows the WHERE selects are taken first; each goes to the INSTEAD OF UPDATE triggers as OLD, with the SET values as NEW.</summary>
    private StatementRun PrepareViewUpdate(UpdateStmt update, string sql, TriggerFrame? frame, ViewInfo view)
    {
        var setNames = SetColumnNames(update.Set);
        var triggers = TriggersFor(view.Name, TriggerEvent.Update, TriggerTime.InsteadOf, setNames);
        if (triggers.Count == 0)
        {
            throw ViewNotWritable(view);
        }

        if (update.From is not null || update.Returning is not null || update.OrderBy.Count > 0 || update.Limit is not null)
        {
            throw new SqlPrepareException("not supported yet: FROM, RETURNING, ORDER BY and LIMIT in an UPDATE of a view");
        }

        var shape = ShapeOf(view);
        var planner = Planner(sql);
        var compiler = new ExpressionCompiler(TargetScope(shape, update.Alias ?? view.Name, frame)) { Subqueries = planner };
        var set = new List<(int Column, CompiledExpr Value)>();
        foreach (var clause in update.Set)
        {
            if (clause.Columns.Count != 1)
            {
                throw new SqlPrepareException("not supported yet: row values in an UPDATE of a view");
            }

            var c = Array.FindIndex(shape.Columns, x => x.Equals(clause.Columns[0], StringComparison.OrdinalIgnoreCase));
            if (c < 0)
            {
                throw new SqlPrepareException($"no such column: {clause.Columns[0]}");
            }

            set.Add((c, compiler.Compile(clause.Value)));
        }

        var where = update.Where is null ? null : compiler.Compile(update.Where);
        var rows = ViewRows(view);
        var slots = planner.SlotCount;
        var orconf = frame?.OrConf ?? update.OrAction;
        PrepareTriggers(triggers, orconf);
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(slots, newRow, oldRow);
            var selected = SelectViewRows(rows(), where, ctx);
            for (var i = 0; i < selected.Count; i++)
            {
                var old = new TriggerRow(selected[i], i + 1);
                ctx.Rows[0] = old;
                var record = (SqlValue[])selected[i].Clone();
                foreach (var (c, value) in set)
                {
                    record[c] = value.Eval(ctx).Detach();
                }

                ctx.Rows[0] = null;
                FireTriggers(triggers, new TriggerRow(record, i + 1), old, orconf);
            }

            return ResultSet.Empty;
        };
    }

    /// <summary>DELETE from a view: the rows the WHERE selects go to the INSTEAD OF DELETE triggers as OLD.</summary>
    private StatementRun PrepareViewDelete(DeleteStmt delete, string sql, TriggerFrame? frame, ViewInfo view)
    {
        var triggers = TriggersFor(view.Name, TriggerEvent.Delete, TriggerTime.InsteadOf);
        if (triggers.Count == 0)
        {
            throw ViewNotWritable(view);
        }

        if (delete.Returning is not null || delete.OrderBy.Count > 0 || delete.Limit is not null)
        {
            throw new SqlPrepareException("not supported yet: RETURNING, ORDER BY and LIMIT in a DELETE from a view");
        }

        var shape = ShapeOf(view);
        var planner = Planner(sql);
        var compiler = new ExpressionCompiler(TargetScope(shape, delete.Alias ?? view.Name, frame)) { Subqueries = planner };
        var where = delete.Where is null ? null : compiler.Compile(delete.Where);
        var rows = ViewRows(view);
        var slots = planner.SlotCount;
        PrepareTriggers(triggers, null);
        return (newRow, oldRow) =>
        {
            var ctx = RunContext(slots, newRow, oldRow);
            var selected = SelectViewRows(rows(), where, ctx);
            for (var i = 0; i < selected.Count; i++)
            {
                FireTriggers(triggers, null, new TriggerRow(selected[i], i + 1), null);
            }

            return ResultSet.Empty;
        };
    }

    /// <summary>The view's rows, computed when called (a planned SELECT * of the view).</summary>
    private Func<List<SqlValue[]>> ViewRows(ViewInfo view)
    {
        var planner = new SelectPlanner(_catalog, _store, view.Sql);
        var query = planner.Plan(view.Select, null);
        var slots = planner.SlotCount;
        var width = query.Names.Length;
        return () =>
        {
            var result = new List<SqlValue[]>();
            new PreparedSelect(query, slots).Run(NewContext(slots), row => result.Add([.. row.Take(width).Select(v => v.Detach())]));
            return result;
        };
    }

    private static List<SqlValue[]> SelectViewRows(List<SqlValue[]> rows, CompiledExpr? where, EvalContext ctx)
    {
        if (where is null)
        {
            return rows;
        }

        var selected = new List<SqlValue[]>();
        var row = new ValueRow([]);
        foreach (var values in rows)
        {
            row.Values = values;
            ctx.Rows[0] = row;
            if (CompiledExpr.Truth(where.Eval(ctx)) == true)
            {
                selected.Add(values);
            }
        }

        ctx.Rows[0] = null;
        return selected;
    }

    /// <summary>An INSERT's rows, compiled: VALUES evaluated row by row as they go in, or a SELECT's result taken whole first.</summary>
    private sealed class InsertSource
    {
        public required int Slots { get; init; }

        public required Func<EvalContext, IEnumerable<SqlValue[]>> Rows { get; init; }
    }

    private InsertSource PrepareInsertSource(InsertStmt insert, string sql, TriggerFrame? frame, string tableName, int tableColumns, int[] targets)
    {
        var planner = Planner(sql);
        if (insert.Select is null)
        {
            return new InsertSource { Slots = ReservedSlots, Rows = _ => [[]] };
        }

        if (insert.Select is { Body: ValuesBody values, With: null, OrderBy.Count: 0, Limit: null })
        {
            var compiler = new ExpressionCompiler(new FromScope([], frame?.Scope)) { Subqueries = planner };
            var compiled = new List<CompiledExpr[]>();
            foreach (var row in values.Rows)
            {
                if (row.Count != targets.Length)
                {
                    throw new SqlPrepareException(insert.Columns is null
                        ? $"table {tableName} has {tableColumns} columns but {row.Count} values were supplied"
                        : $"{row.Count} values for {targets.Length} columns");
                }

                compiled.Add([.. row.Select(compiler.Compile)]);
            }

            return new InsertSource
            {
                Slots = planner.SlotCount,
                Rows = ctx => compiled.Select(r => r.Select(e => e.Eval(ctx).Detach()).ToArray()),
            };
        }

        var query = planner.Plan(insert.Select, frame?.Scope);
        if (query.Names.Length != targets.Length)
        {
            throw new SqlPrepareException(insert.Columns is null
                ? $"table {tableName} has {tableColumns} columns but {query.Names.Length} values were supplied"
                : $"{query.Names.Length} values for {targets.Length} columns");
        }

        var width = query.Names.Length;
        var slots = planner.SlotCount;
        return new InsertSource
        {
            Slots = slots,
            Rows = ctx =>
            {
                var result = new List<SqlValue[]>();
                new PreparedSelect(query, slots).Run(ctx, row => result.Add([.. row.Take(width).Select(v => v.Detach())]));
                return result;
            },
        };
    }
}
