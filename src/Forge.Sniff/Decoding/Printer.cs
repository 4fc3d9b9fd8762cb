using Forge.Sniff.Capture;
using Forge.Sniff.Output;

namespace Forge.Sniff.Decoding;

/// <summary>
/// Prints one packet per call as tcpdump 4.99 does: packet number, timestamp, the link decoder and
/// the protocol decoders it dispatches to, the hex/ASCII dump, newline. Holds the state that spans
/// packets (TCP sequence bases, the previous timestamp) and everything decoders share: the output
/// buffer, the flags, the current protocol name for the "[|proto]" truncation marker.
/// </summary>
internal sealed partial class Printer
{
    public Printer(OutputBuffer output, PrintOptions options, Names? names = null)
    {
        Out = output;
        Options = options;
        Names = names ?? new Names(options.Numeric);
    }

    public OutputBuffer Out { get; }

    public PrintOptions Options { get; }

    public Names Names { get; }

    /// <summary>The protocol being decoded, named in " [|proto]" when its bytes run out (ndo_protocol).</summary>
    public string Protocol { get; set; } = string.Empty;

    /// <summary>Bytes of link-layer header, left out of -x/-X/-A dumps (ndo_ll_hdr_len).</summary>
    public int LinkHeaderLength { get; set; }

    public int Verbose => Options.Verbose;

    public int Quiet => Options.Quiet;

    public bool Eflag => Options.LinkHeader;

    /// <summary>Packets whose decoding hit an out-of-range read (a decoder bug; the mutation test asserts none).</summary>
    public long DecoderFaults { get; private set; }

    /// <summary>The last such fault, for the test that looks for them.</summary>
    public Exception? LastFault { get; private set; }

    private long _packetNumber;
    private long _refSeconds = -1;
    private long _refNanos;

    /// <summary>Decodes and prints one packet (one line, or more with -v and dumps) into the output buffer.</summary>
    public void PrintPacket(in PacketHeader header, ReadOnlySpan<byte> data)
    {
        _packetNumber++;
        var mark = Out.Position;
        if (Options.PacketNumbers)
        {
            Out.UWidth((ulong)_packetNumber, 5);
            Out.Ascii("  "u8);
        }

        if (PrintInvalidHeader(header))
        {
            Finish(mark, header);
            return;
        }

        PrintTimestamp(header);
        Protocol = string.Empty;
        LinkHeaderLength = 0;
        bool complete;
        try
        {
            complete = Decoders.Link(this, header, data);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // A decoder read past its span: a bug, but one packet must not end the capture. Counted so tests catch it.
            DecoderFaults++;
            LastFault = ex;
            complete = false;
        }

        if (!complete)
        {
            PrintTrunc();
            LinkHeaderLength = 0;
        }

        var hdr = LinkHeaderLength;
        if (Options.HexAscii > 0)
        {
            if (Options.HexAscii > 1)
            {
                HexDump.HexAndAscii(Out, data);
            }
            else if (data.Length > hdr)
            {
                HexDump.HexAndAscii(Out, data[hdr..]);
            }
        }
        else if (Options.Hex > 0)
        {
            if (Options.Hex > 1)
            {
                HexDump.Hex(Out, data);
            }
            else if (data.Length > hdr)
            {
                HexDump.Hex(Out, data[hdr..]);
            }
        }
        else if (Options.Ascii > 0)
        {
            if (Options.Ascii > 1)
            {
                HexDump.Ascii(Out, data);
            }
            else if (data.Length > hdr)
            {
                HexDump.Ascii(Out, data[hdr..]);
            }
        }

        Finish(mark, header);
    }

    private void Finish(int mark, in PacketHeader header)
    {
        if (Options.Json)
        {
            JsonLine.Rewrite(Out, mark, _packetNumber, header, Options.Nano);
        }

        Out.Byte((byte)'\n');
    }

    /// <summary>
    /// Prints " [|proto]" (nd_print_trunc) and returns true: the decoder reported the cut itself and the
    /// packet is done. A decoder that instead returns false leaves the marker to <see cref="PrintPacket"/>
    /// (tcpdump's longjmp out of a GET_ macro).
    /// </summary>
    public bool PrintTrunc()
    {
        Out.Ascii(" [|"u8);
        Out.Str(Protocol);
        Out.Byte((byte)']');
        return true;
    }

    /// <summary>" (invalid)" (nd_print_invalid).</summary>
    public void Invalid() => Out.Ascii(" (invalid)"u8);

    private bool PrintInvalidHeader(in PacketHeader h)
    {
        const int Max = CaptureFileReader.MaximumSnapLen;
        var invalid = false;
        void Start(Printer p, ref bool inv)
        {
            if (!inv)
            {
                inv = true;
                p.Out.Ascii("[Invalid header:"u8);
            }
            else
            {
                p.Out.Byte((byte)',');
            }
        }

        if (h.CapLen == 0)
        {
            invalid = true;
            Out.Ascii("[Invalid header: caplen==0"u8);
        }

        if (h.Length == 0)
        {
            Start(this, ref invalid);
            Out.Ascii(" len==0"u8);
        }
        else if (h.Length < h.CapLen)
        {
            Start(this, ref invalid);
            Out.Ascii(" len("u8);
            Out.U((ulong)h.Length);
            Out.Ascii(") < caplen("u8);
            Out.U((ulong)h.CapLen);
            Out.Byte((byte)')');
        }

        if (h.CapLen > Max)
        {
            Start(this, ref invalid);
            Out.Ascii(" caplen("u8);
            Out.U((ulong)h.CapLen);
            Out.Ascii(") > 262144"u8);
        }

        if (h.Length > Max)
        {
            Start(this, ref invalid);
            Out.Ascii(" len("u8);
            Out.U((ulong)h.Length);
            Out.Ascii(") > 262144"u8);
        }

        if (invalid)
        {
            Out.Byte((byte)']');
        }

        return invalid;
    }

    private void PrintTimestamp(in PacketHeader h)
    {
        var frac = (ulong)(Options.Nano ? h.Nanoseconds : h.Nanoseconds / 1000);
        switch (Options.TimeFormat)
        {
            case 0:
                DateTime(h.Seconds, frac, withDate: false, local: true);
                Out.Byte((byte)' ');
                break;
            case 1:
                break;
            case 2:
                if ((h.Seconds & 0x80000000) != 0 || h.Seconds < 0)
                {
                    Out.Ascii("[Error converting time]"u8);
                }
                else
                {
                    Out.U((ulong)h.Seconds);
                    Frac(frac);
                }

                Out.Byte((byte)' ');
                break;
            case 3:
            case 5:
                {
                    var unit = Options.Nano ? 1_000_000_000L : 1_000_000L;
                    var fracUnit = Options.Nano ? h.Nanoseconds : h.Nanoseconds / 1000;
                    if (_refSeconds < 0 || (_refSeconds == 0 && _refNanos == 0))
                    {
                        _refSeconds = h.Seconds;
                        _refNanos = fracUnit;
                    }

                    var now = (h.Seconds * unit) + fracUnit;
                    var reference = (_refSeconds * unit) + _refNanos;
                    var negative = now < reference;
                    var delta = negative ? reference - now : now - reference;
                    Out.Byte(negative ? (byte)'-' : (byte)' ');
                    DateTime(delta / unit, (ulong)(delta % unit), withDate: false, local: false);
                    Out.Byte((byte)' ');
                    if (Options.TimeFormat == 3)
                    {
                        _refSeconds = h.Seconds;
                        _refNanos = fracUnit;
                    }

                    break;
                }

            case 4:
                DateTime(h.Seconds, frac, withDate: true, local: true);
                Out.Byte((byte)' ');
                break;
        }
    }

    private void Frac(ulong frac)
    {
        Out.Byte((byte)'.');
        Out.UPad(frac, Options.Nano ? 9 : 6);
    }

    private long _tzCacheHour = long.MinValue;
    private long _tzOffset;

    private void DateTime(long seconds, ulong frac, bool withDate, bool local)
    {
        if ((seconds & 0x80000000) != 0 || seconds < 0)
        {
            Out.Ascii("[Error converting time]"u8);
            return;
        }

        var t = seconds;
        if (local)
        {
            var hour = seconds / 3600;
            if (hour != _tzCacheHour)
            {
                _tzCacheHour = hour;
                _tzOffset = (long)TimeZoneInfo.Local.GetUtcOffset(System.DateTimeOffset.FromUnixTimeSeconds(seconds)).TotalSeconds;
            }

            t += _tzOffset;
        }

        var days = Math.DivRem(t, 86400, out var secOfDay);
        if (secOfDay < 0)
        {
            secOfDay += 86400;
            days--;
        }

        if (withDate)
        {
            var date = System.DateOnly.FromDayNumber((int)(days + 719162));
            Out.UPad((ulong)date.Year, 4);
            Out.Byte((byte)'-');
            Out.UPad((ulong)date.Month, 2);
            Out.Byte((byte)'-');
            Out.UPad((ulong)date.Day, 2);
            Out.Byte((byte)' ');
        }

        Out.UPad((ulong)(secOfDay / 3600), 2);
        Out.Byte((byte)':');
        Out.UPad((ulong)(secOfDay / 60 % 60), 2);
        Out.Byte((byte)':');
        Out.UPad((ulong)(secOfDay % 60), 2);
        Frac(frac);
    }
}
