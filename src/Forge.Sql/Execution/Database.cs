using Forge.Sql.BTree;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Pager;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>The rows one statement produced (empty for statements that return none).</summary>
public sealed class ResultSet(IReadOnlyList<string> columns, List<SqlRow> rows)
{
    public IReadOnlyList<string> Columns { get; } = columns;

    public IReadOnlyList<SqlRow> Rows { get; } = rows;

    public static ResultSet Empty { get; } = new([], []);
}

/// <summary>One result row; values are detached copies that stay valid.</summary>
public sealed class SqlRow
{
    internal SqlRow(SqlValue[] values)
    {
        Values = values;
    }

    internal SqlValue[] Values { get; }

    public int Count => Values.Length;

    /// <summary>The value's text as sqlite3 prints it in list mode (NULL → null).</summary>
    public string? GetText(int i) => Values[i].IsNull ? null : Forge.Sql.Execution.Values.SqlConvert.ToText(Values[i]);

    /// <summary>The storage class: "null", "integer", "real", "text" or "blob".</summary>
    public string TypeOf(int i) => Values[i].Type.ToString().ToLowerInvariant();
}

/// <summary>
/// A database connection (SQLite's sqlite3 object): one file (or memory), its schema, and
/// statement execution in autocommit or inside BEGIN ... COMMIT. Each statement is atomic: a
/// failing statement leaves no trace (a savepoint around it inside a transaction, the whole
/// transaction in autocommit).
/// </summary>
public sealed partial class Database : IDisposable
{
    private readonly BTreeStore _store;
    private Catalog _catalog;
    private bool _explicitTransaction;

    /// <summary>The file's path as opened; null for an in-memory database.</summary>
    private readonly string? _path;

    private Database(BTreeStore store, string? path = null)
    {
        _store = store;
        _path = path;
        _catalog = Catalog.Load(store);
    }

    /// <summary>Opens (or creates) a database file; ":memory:" or null for a private in-memory database.</summary>
    public static Database Open(string? path)
    {
        var store = path is null or "" or ":memory:"
            ? new BTreeStore(PageManager.Open(new MemoryDatabaseFile()))
            : BTreeStore.Open(path);
        return new Database(store, path is null or "" or ":memory:" ? null : path);
    }

    internal Catalog Catalog => _catalog;

    /// <summary>CREATE TEMP VIEWs: the connection's, not the file's; they outlive catalog reloads.</summary>
    private readonly Dictionary<string, ViewInfo> _tempViews = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The catalog as the file has it, plus this connection's temp views.</summary>
    private Catalog LoadCatalog()
    {
        var catalog = Catalog.Load(_store);
        foreach (var view in _tempViews.Values)
        {
            catalog.Add(view);
        }

        foreach (var trigger in _tempTriggers.Values)
        {
            catalog.Add(trigger);
        }

        return catalog;
    }

    internal BTreeStore Store => _store;

    /// <summary>Bound parameter values for the next statements (1-based; index 0 unused).</summary>
    public IReadOnlyList<object?> Parameters { get; set; } = [];

    /// <summary>
    /// Runs every statement of <paramref name="sql"/> in order and returns each one's rows. The
    /// first statement that fails throws (<see cref="SqlParseException"/>, <see cref="SqlPrepareException"/>
    /// or <see cref="SqlRuntimeException"/>); the statements before it stay done, as in sqlite3_exec.
    /// </summary>
    public IReadOnlyList<ResultSet> Execute(string sql)
    {
        var results = new List<ResultSet>();
        var offset = 0;
        while (offset < sql.Length)
        {
            var parsed = SqlParser.Parse(sql, offset);
            if (parsed.Error is not null)
            {
                throw new SqlParseException(parsed.Error);
            }

            offset = parsed.Tail;
            if (parsed.Statement is null)
            {
                continue;
            }

            results.Add(ExecuteStatement(parsed.Statement, sql));
        }

        return results;
    }

    /// <summary>Runs one statement and returns its rows.</summary>
    public ResultSet ExecuteOne(string sql) => Execute(sql) is { Count: > 0 } r ? r[^1] : ResultSet.Empty;

    /// <summary>Runs one parsed statement of <paramref name="sql"/> (the shell drives statements one by one).</summary>
    internal ResultSet Run(Statement statement, string sql) => ExecuteStatement(statement, sql);

    private ResultSet ExecuteStatement(Statement statement, string sql)
    {
        switch (statement)
        {
            case BeginStmt:
                if (_explicitTransaction)
                {
                    throw new SqlRuntimeException("cannot start a transaction within a transaction");
                }

                _store.Begin();
                _explicitTransaction = true;
                return ResultSet.Empty;
            case CommitStmt:
                if (!_explicitTransaction)
                {
                    throw new SqlRuntimeException("cannot commit - no transaction is active");
                }

                _store.Commit();
                _explicitTransaction = false;
                EndSavepoints();
                return ResultSet.Empty;
            case SavepointStmt savepoint:
                return Savepoint(savepoint.Name);
            case ReleaseStmt release:
                return Release(release.Name);
            case RollbackStmt { Savepoint: { } to }:
                return RollbackTo(to);
            case RollbackStmt { Savepoint: null }:
                if (!_explicitTransaction)
                {
                    throw new SqlRuntimeException("cannot rollback - no transaction is active");
                }

                _store.Rollback();
                _explicitTransaction = false;
                EndSavepoints();
                _catalog = LoadCatalog();
                return ResultSet.Empty;
            case SelectStmt select:
                return RunSelect(select, sql);
            case ExplainStmt { QueryPlan: true } explain:
                return ExplainQueryPlan(explain, sql);
            case PragmaStmt pragma when IsRecursiveTriggersPragma(pragma):
                return RecursiveTriggersPragma(pragma);
            case PragmaStmt pragma:
                return Pragma(pragma);
        }

        // Everything else changes the database: atomically.
        var counts = CountsChanges(statement);
        var totalAtStart = BeginCounting();
        if (_explicitTransaction)
        {
            _store.BeginSavepoint();
        }
        else
        {
            _store.Begin();
        }

        try
        {
            var result = statement switch
            {
                CreateTableStmt ct => CreateTable(ct, sql),
                CreateIndexStmt ci => CreateIndex(ci, sql),
                InsertStmt ins => Insert(ins, sql),
                UpdateStmt upd => Update(upd, sql),
                DeleteStmt del => Delete(del, sql),
                CreateViewStmt cv => CreateView(cv, sql),
                DropStmt { Kind: DropKind.View } dv => DropViewWithTriggers(dv),
                DropStmt { Kind: DropKind.Trigger } dt => DropTrigger(dt),
                CreateTriggerStmt ctr => CreateTrigger(ctr, sql),
                DropStmt drop => Drop(drop),
                AlterTableStmt alter => Alter(alter, sql),
                ReindexStmt reindex => Reindex(reindex),
                _ => throw new SqlPrepareException($"not supported yet: {statement.GetType().Name.Replace("Stmt", "", StringComparison.Ordinal).ToUpperInvariant()} statements"),
            };
            if (counts)
            {
                CountCompleted();
            }

            if (_explicitTransaction)
            {
                _store.ReleaseSavepoint();
            }
            else
            {
                _store.Commit();
            }

            return result;
        }
        catch (SqlRuntimeException) when (_failedWith is ConflictAction.Fail or ConflictAction.Rollback)
        {
            // FAIL keeps what the statement did before the failing row; ROLLBACK ends the transaction.
            var action = _failedWith;
            _failedWith = null;
            if (action == ConflictAction.Fail)
            {
                if (counts)
                {
                    CountCompleted();
                }

                if (_explicitTransaction)
                {
                    _store.ReleaseSavepoint();
                }
                else
                {
                    _store.Commit();
                }
            }
            else
            {
                if (counts)
                {
                    CountUndone(totalAtStart);
                }

                _store.Rollback();
                _explicitTransaction = false;
                EndSavepoints();
                _catalog = LoadCatalog();
            }

            throw;
        }
        catch
        {
            _failedWith = null;
            if (counts)
            {
                CountUndone(totalAtStart);
            }

            if (_explicitTransaction)
            {
                _store.RollbackSavepoint();
            }
            else
            {
                _store.Rollback();
            }

            _catalog = LoadCatalog();
            throw;
        }
    }

    /// <summary>The text a node was parsed from.</summary>
    internal static string SourceText(Parsing.Node node, string sql) =>
        node.End > node.Start && node.End <= sql.Length ? sql[node.Start..node.End] : node.ToSql();

    internal EvalContext NewContext(int slots) => new(slots) { Parameters = BindParameters(), Connection = this };

    private SqlValue[] BindParameters()
    {
        var values = new SqlValue[Parameters.Count + 1];
        for (var i = 0; i < Parameters.Count; i++)
        {
            values[i + 1] = Parameters[i] switch
            {
                null => SqlValue.Null,
                long l => SqlValue.FromInteger(l),
                int n => SqlValue.FromInteger(n),
                double d => SqlValue.FromReal(d),
                string s => SqlValue.FromText(s),
                byte[] b => SqlValue.FromBlob(b),
                var other => SqlValue.FromText(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
            };
        }

        return values;
    }

    public void Dispose()
    {
        if (_explicitTransaction)
        {
            _store.Rollback();
        }

        _store.Dispose();
    }
}
