namespace Forge.Sniff.Live;

/// <summary>A live capture that cannot start or continue (unknown interface, no permission, ...).</summary>
internal sealed class LiveCaptureException : Exception
{
    public LiveCaptureException(string message)
        : base(message)
    {
    }

    public LiveCaptureException()
    {
    }

    public LiveCaptureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
