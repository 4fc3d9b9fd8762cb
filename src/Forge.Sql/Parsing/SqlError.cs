namespace Forge.Sql.Parsing;

/// <summary>
/// A parse error: the message exactly as SQLite words it (what the sqlite3 shell prints after
/// "Parse error: ") and the offset of the token it is about.
/// </summary>
public sealed record SqlError(string Message, int Offset);

/// <summary>The outcome of parsing one statement of a script.</summary>
public sealed class ParseResult
{
    internal ParseResult(Statement? statement, SqlError? error, int tail, int parameterCount, IReadOnlyList<string?> parameterNames)
    {
        Statement = statement;
        Error = error;
        Tail = tail;
        ParameterCount = parameterCount;
        ParameterNames = parameterNames;
    }

    /// <summary>The statement; null when the text held only whitespace, comments and ';' or on error.</summary>
    public Statement? Statement { get; }

    /// <summary>The error, if any.</summary>
    public SqlError? Error { get; }

    /// <summary>Offset just past the statement's ';' (or the end of the text): where the next statement starts, like sqlite3_prepare's pzTail.</summary>
    public int Tail { get; }

    /// <summary>The largest bind parameter index used (sqlite3_bind_parameter_count).</summary>
    public int ParameterCount { get; }

    /// <summary>Names by index - 1 ("?3", ":a"); null for anonymous "?" parameters.</summary>
    public IReadOnlyList<string?> ParameterNames { get; }
}

/// <summary>Thrown by <see cref="SqlParser.ParseScript"/> for the first statement that fails to parse.</summary>
public sealed class SqlParseException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public SqlParseException(SqlError error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Unused; required by the exception pattern.</summary>
    public SqlParseException()
        : base("parse error")
    {
        Error = new SqlError("parse error", 0);
    }

    /// <summary>Unused; required by the exception pattern.</summary>
    public SqlParseException(string message)
        : base(message)
    {
        Error = new SqlError(message, 0);
    }

    /// <summary>Unused; required by the exception pattern.</summary>
    public SqlParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new SqlError(message, 0);
    }

    /// <summary>The error.</summary>
    public SqlError Error { get; }
}
