using Forge.Sql.Parsing;

namespace Forge.Sql.Execution;

/// <summary>
/// A statement parsed once and run many times with different parameter values (sqlite3_prepare /
/// sqlite3_bind / sqlite3_step in SQLite's C API): the tokenizer and parser run once, not per call.
/// </summary>
public sealed class PreparedStatement
{
    private readonly Database _database;
    private readonly Statement _statement;
    private readonly string _sql;

    internal PreparedStatement(Database database, Statement statement, string sql)
    {
        _database = database;
        _statement = statement;
        _sql = sql;
    }

    /// <summary>The statement's text.</summary>
    public string Sql => _sql;

    /// <summary>Runs the statement with the given values for ?1, ?2, ... (null is SQL NULL).</summary>
    public ResultSet Execute(params object?[] parameters)
    {
        _database.Parameters = parameters;
        return _database.Run(_statement, _sql);
    }
}

public sealed partial class Database
{
    /// <summary>
    /// Parses one statement for repeated execution. Throws <see cref="SqlParseException"/> for a
    /// syntax error, and <see cref="ArgumentException"/> when the text holds no statement or more
    /// than one.
    /// </summary>
    public PreparedStatement Prepare(string sql)
    {
        var parsed = SqlParser.Parse(sql, 0);
        if (parsed.Error is not null)
        {
            throw new SqlParseException(parsed.Error);
        }

        if (parsed.Statement is null)
        {
            throw new ArgumentException("the text holds no SQL statement", nameof(sql));
        }

        if (parsed.Tail < sql.Length && SqlParser.Parse(sql, parsed.Tail).Statement is not null)
        {
            throw new ArgumentException("Prepare takes one statement; the text holds more", nameof(sql));
        }

        return new PreparedStatement(this, parsed.Statement, sql);
    }
}
