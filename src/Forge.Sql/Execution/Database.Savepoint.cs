namespace Forge.Sql.Execution;

/// <summary>
/// SAVEPOINT name / RELEASE [SAVEPOINT] name / ROLLBACK [TRANSACTION] TO [SAVEPOINT] name, as
/// SQLite nests them (https://www.sqlite.org/lang_savepoint.html): outside a transaction SAVEPOINT
/// starts one, which releasing the outermost savepoint commits; ROLLBACK TO undoes everything since
/// the savepoint and keeps it (and the transaction) open; names may repeat, the innermost wins;
/// COMMIT and ROLLBACK end every savepoint. Each savepoint is a pager savepoint level.
/// </summary>
public sealed partial class Database
{
    /// <summary>Open savepoints, innermost last: name and the pager savepoint level it owns.</summary>
    private readonly List<(string Name, int Level)> _savepoints = [];

    /// <summary>The transaction was opened by SAVEPOINT (not BEGIN): releasing the outermost commits it.</summary>
    private bool _transactionFromSavepoint;

    private ResultSet Savepoint(string name)
    {
        if (!_explicitTransaction)
        {
            _store.Begin();
            _explicitTransaction = true;
            _transactionFromSavepoint = true;
        }

        _savepoints.Add((name, _store.BeginSavepoint()));
        return ResultSet.Empty;
    }

    private ResultSet Release(string name)
    {
        var at = FindSavepoint(name);
        while (_savepoints.Count > at)
        {
            _store.ReleaseSavepoint();
            _savepoints.RemoveAt(_savepoints.Count - 1);
        }

        if (_savepoints.Count == 0 && _transactionFromSavepoint)
        {
            _store.Commit();
            _explicitTransaction = false;
            _transactionFromSavepoint = false;
        }

        return ResultSet.Empty;
    }

    private ResultSet RollbackTo(string name)
    {
        var at = FindSavepoint(name);
        while (_savepoints.Count > at + 1)
        {
            _store.RollbackSavepoint();
            _savepoints.RemoveAt(_savepoints.Count - 1);
        }

        // Undo the savepoint's own changes, then open it again at the same level: it stays.
        _store.RollbackSavepoint();
        _savepoints[at] = (_savepoints[at].Name, _store.BeginSavepoint());
        _catalog = LoadCatalog();
        return ResultSet.Empty;
    }

    private int FindSavepoint(string name)
    {
        for (var i = _savepoints.Count - 1; i >= 0; i--)
        {
            if (_savepoints[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new SqlRuntimeException($"no such savepoint: {name}");
    }

    /// <summary>COMMIT or ROLLBACK ended the transaction: every savepoint with it.</summary>
    private void EndSavepoints()
    {
        _savepoints.Clear();
        _transactionFromSavepoint = false;
    }
}
