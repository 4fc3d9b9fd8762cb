namespace Forge.Sniff.Cli;

/// <summary>Everything tcpdump's command line sets, as plain data (what getopt produced).</summary>
internal sealed class SniffOptions
{
    public const int DefaultSnapLen = 262144;

    public int Count { get; set; }
    public string? ReadFile { get; set; }
    public string? WriteFile { get; set; }
    public string? Interface { get; set; }
    public int SnapLen { get; set; } = DefaultSnapLen;

    /// <summary>-B in bytes (the flag takes KiB); 0 for the default.</summary>
    public int BufferSize { get; set; }

    /// <summary>-n count: 1 no host names, 2 (-nn) no port names either.</summary>
    public int Numeric { get; set; }

    public int Verbose { get; set; }
    public int Quiet { get; set; }
    public bool LinkHeader { get; set; }

    /// <summary>-x count (hex).</summary>
    public int Hex { get; set; }

    /// <summary>-X count (hex and ASCII).</summary>
    public int HexAscii { get; set; }

    /// <summary>-A count (ASCII).</summary>
    public int Ascii { get; set; }

    /// <summary>-t count: 0 default time, 1 none, 2 unix, 3 delta, 4 date, 5 since first.</summary>
    public int TimeFormat { get; set; }

    public bool PacketNumbers { get; set; }
    public bool LineBuffered { get; set; }
    public bool AbsoluteSeq { get; set; }
    public bool PacketBuffered { get; set; }
    public bool PrintWhileWriting { get; set; }
    public bool Json { get; set; }
    public bool ListInterfaces { get; set; }
    public bool NoPromiscuous { get; set; }
    public bool NoChecksum { get; set; }

    /// <summary>-Q: null for inout, "in" or "out".</summary>
    public string? Direction { get; set; }

    public bool Immediate { get; set; }
    public bool NanoPrecision { get; set; }

    /// <summary>-C in bytes (the flag takes millions of bytes); 0 for no size rotation.</summary>
    public long FileSize { get; set; }

    /// <summary>-G seconds; 0 for no time rotation.</summary>
    public int RotateSeconds { get; set; }

    /// <summary>-W file count; 0 for unlimited.</summary>
    public int FileCount { get; set; }

    public bool Help { get; set; }
    public bool Version { get; set; }

    /// <summary>The filter expression (the words after the options); compiled by the coming BPF work.</summary>
    public List<string> Expression { get; } = [];
}
