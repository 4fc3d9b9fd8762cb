using Forge.Sql.Execution.Operators;
using Forge.Sql.Parsing;

namespace Forge.Sql.Execution;

/// <summary>A SELECT run as sqlite3_step runs it: the rows before a runtime error are kept.</summary>
public sealed partial class Database
{
    /// <summary>
    /// Runs a SELECT and returns the rows it produced; when a runtime error stops it, the rows before
    /// the error are returned with the error in <paramref name="error"/> (the shell prints both, as
    /// sqlite3 prints the rows it stepped through before the failing step).
    /// </summary>
    internal ResultSet RunSelectUntilError(SelectStmt select, string sql, out SqlRuntimeException? error)
    {
        var prepared = PrepareSelect(select, sql);
        var rows = new List<SqlRow>();
        var width = prepared.Columns.Count;
        error = null;
        try
        {
            prepared.Run(NewContext(prepared.Slots), current => rows.Add(new SqlRow(SubqueryAccess.Detached(current, width))));
        }
        catch (SqlRuntimeException e)
        {
            error = e;
        }

        return new ResultSet(prepared.Columns, rows);
    }
}
