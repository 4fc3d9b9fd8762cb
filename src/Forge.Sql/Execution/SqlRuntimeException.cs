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
}
