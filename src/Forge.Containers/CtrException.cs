namespace Forge.Containers;

/// <summary>
/// A failure of forge itself (not of the container's process), with docker's exit code: 125 when
/// forge could not do what was asked (bad image, bad flag value, name in use), 126 when the
/// container's command cannot be invoked, 127 when it cannot be found. The message is what docker
/// prints after "docker: " / "Error response from daemon: ".
/// </summary>
internal sealed class CtrException : Exception
{
    public const int ExitForge = 125;
    public const int ExitCannotInvoke = 126;
    public const int ExitNotFound = 127;

    public CtrException(string message, int exitCode = ExitForge)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CtrException(string message, Exception inner, int exitCode = ExitForge)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
