using Forge.Sql.Execution.Expressions;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;
using Forge.Sql.Records;

namespace Forge.Sql.Execution;

/// <summary>
/// RAISE(IGNORE | ROLLBACK | ABORT | FAIL, message): evaluating it ends the trigger program. It
/// compiles only while a trigger program is being compiled (elsewhere it is SQLite's prepare error).
/// </summary>
internal sealed class TriggerRaise(RaiseKind kind, string? message) : CompiledExpr
{
    [ThreadStatic]
    private static int s_programDepth;

    /// <summary>Marks the start of a trigger program's compilation (RAISE becomes legal).</summary>
    public static void EnterProgram() => s_programDepth++;

    public static void ExitProgram() => s_programDepth--;

    public static CompiledExpr Compile(RaiseExpr raise) => s_programDepth > 0
        ? new TriggerRaise(raise.Kind, raise.Message)
        : throw new SqlPrepareException("RAISE() may only be used within a trigger-program");

    public override SqlValue Eval(EvalContext ctx) => throw new TriggerRaiseException(kind, message ?? "");
}

/// <summary>A RAISE() evaluated in a trigger program; the firing code turns it into the row's or the statement's outcome.</summary>
internal sealed class TriggerRaiseException : Exception
{
    public TriggerRaiseException()
    {
    }

    public TriggerRaiseException(string message)
        : base(message)
    {
    }

    public TriggerRaiseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TriggerRaiseException(RaiseKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public RaiseKind Kind { get; }
}
