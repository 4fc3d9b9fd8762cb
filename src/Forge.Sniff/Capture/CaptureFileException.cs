namespace Forge.Sniff.Capture;

/// <summary>An unreadable or corrupt capture file; the message is libpcap's wording.</summary>
internal sealed class CaptureFileException : Exception
{
    public CaptureFileException(string message)
        : base(message)
    {
    }

    public CaptureFileException()
    {
    }

    public CaptureFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
