namespace Forge.Sql.Execution;

/// <summary>
/// An error while a statement runs (SQLite's runtime errors: "integer overflow", "UNIQUE
/// constraint failed: t.a", ...). The message is SQLite's text, as the shell prints it after
/// "Runtime error: ".
/// </summary>
public sealed class SqlRuntimeException : Exception
{
    public SqlRuntimeException()
        : base("SQL logic error")
    {
    }

    public SqlRuntimeException(string message)
        : base(message)
    {
    }

    public SqlRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SqlRuntimeException(string message, int code)
        : base(message)
    {
        Code = code;
    }

    /// <summary>SQLite's primary result code: 1 SQLITE_ERROR, 13 FULL, 19 CONSTRAINT, 20 MISMATCH.</summary>
    public int Code { get; } = 1;

    public const int Full = 13;
    public const int Constraint = 19;
    public const int Mismatch = 20;

    /// <summary>The message as the sqlite3 shell prints it: the result code follows unless it is SQLITE_ERROR.</summary>
    public string ShellMessage => Code == 1 ? Message : $"{Message} ({Code})";
}
