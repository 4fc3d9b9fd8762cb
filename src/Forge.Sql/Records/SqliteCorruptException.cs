namespace Forge.Sql.Records;

/// <summary>
/// A database file that breaks the format (SQLITE_CORRUPT). The message is SQLite's own text; the
/// detail says what was wrong, for logs and tests.
/// </summary>
public sealed class SqliteCorruptException : Exception
{
    public const string SqliteMessage = "database disk image is malformed";

    public SqliteCorruptException()
        : base(SqliteMessage)
    {
        Detail = "";
    }

    public SqliteCorruptException(string detail)
        : base(SqliteMessage)
    {
        Detail = detail;
    }

    public SqliteCorruptException(string detail, Exception inner)
        : base(SqliteMessage, inner)
    {
        Detail = detail;
    }

    public string Detail { get; }

    public override string ToString() => $"{Message} ({Detail})";

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void Throw(string detail) => throw new SqliteCorruptException(detail);
}
