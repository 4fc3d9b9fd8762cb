namespace Forge.Sql.Execution;

/// <summary>
/// changes(), total_changes() and last_insert_rowid() as sqlite3 keeps them: rows inserted,
/// updated or deleted by the last INSERT/UPDATE/DELETE (not by the triggers it fired, nor the rows
/// REPLACE removed); every such row since the database was opened, triggers' included; and the
/// rowid of the last row inserted, which a trigger's own INSERTs change only while it runs.
/// </summary>
public sealed partial class Database
{
    /// <summary>Rows the running statement (or trigger program) has changed so far.</summary>
    private long _statementChanges;

    /// <summary>Rows changed by the last INSERT, UPDATE or DELETE that completed (sqlite3_changes).</summary>
    public long Changes { get; private set; }

    /// <summary>Rows changed by every INSERT, UPDATE and DELETE since the database was opened, triggers included (sqlite3_total_changes).</summary>
    public long TotalChanges { get; private set; }

    /// <summary>The rowid of the most recent row inserted (sqlite3_last_insert_rowid); 0 before any.</summary>
    public long LastInsertRowid { get; private set; }

    private static bool CountsChanges(Parsing.Statement statement) =>
        statement is Parsing.InsertStmt or Parsing.UpdateStmt or Parsing.DeleteStmt;

    /// <summary>A top-level statement starts: its own count starts at zero.</summary>
    private long BeginCounting()
    {
        _statementChanges = 0;
        return TotalChanges;
    }

    /// <summary>A top-level INSERT/UPDATE/DELETE completed (or failed under OR FAIL, keeping its rows).</summary>
    private void CountCompleted()
    {
        Changes = _statementChanges;
        TotalChanges += _statementChanges;
    }

    /// <summary>A top-level statement was undone: nothing it or its triggers did counts.</summary>
    private void CountUndone(long totalAtStart)
    {
        Changes = 0;
        TotalChanges = totalAtStart;
    }

    /// <summary>A trigger program starts its own count; <see cref="LeaveTriggerFrame"/> gets the statement's back.</summary>
    private (long Changes, long Rowid) EnterTriggerFrame()
    {
        var outer = (_statementChanges, LastInsertRowid);
        _statementChanges = 0;
        return outer;
    }

    /// <summary>A trigger program ended: its rows count in total_changes() only, and the rowids its INSERTs set are forgotten.</summary>
    private void LeaveTriggerFrame((long Changes, long Rowid) outer)
    {
        TotalChanges += _statementChanges;
        (_statementChanges, LastInsertRowid) = outer;
    }
}
