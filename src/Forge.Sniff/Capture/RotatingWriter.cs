using System.Globalization;

namespace Forge.Sniff.Capture;

/// <summary>
/// -w with tcpdump's rotation, as its dump_packet_and_trunc does it:
/// <list type="bullet">
/// <item>-C N starts a new file once the current one holds more than N million bytes: FILE, FILE1,
/// FILE2, ... (with -W the counter is zero-padded to the width of W-1 and wraps around to 0).</item>
/// <item>-G N starts a new file on the first packet at least N seconds (wall clock, not packet time)
/// after the last rotation; FILE is a strftime pattern expanded at that time. With -C as well, each
/// time rotation restarts the size counter at 0. -G with -W and without -C stops the capture after
/// W files ("Maximum file limit reached: W").</item>
/// </list>
/// -U flushes after every packet.
/// </summary>
internal sealed class RotatingWriter : IDisposable
{
    private readonly string _pattern;
    private readonly Cli.SniffOptions _options;
    private readonly int _linkType;
    private readonly int _snapLen;
    private readonly Stream? _stdout;
    private readonly TimeProvider _clock;
    private readonly int _counterWidth;
    private PcapWriter _writer;
    private int _sizeCount;
    private int _timeCount;
    private long _rotatedAt;
    private bool _finished;

    public RotatingWriter(string pattern, Cli.SniffOptions options, int linkType, int snapLen, Stream stdout, TimeProvider? clock = null)
    {
        _pattern = pattern;
        _options = options;
        _linkType = linkType;
        _snapLen = snapLen;
        _clock = clock ?? TimeProvider.System;
        _counterWidth = CounterWidth(options.FileCount);
        if (pattern == "-")
        {
            _stdout = stdout;
        }

        _rotatedAt = _clock.GetUtcNow().ToUnixTimeSeconds();
        _writer = Open();
    }

    /// <summary>True with -w -: packets go to stdout, so nothing else may.</summary>
    public bool UsesStdout => _stdout is not null;

    /// <summary>The name of the file being written now (tcpdump's CurrentFileName).</summary>
    public string CurrentFile { get; private set; } = "";

    private PcapWriter Open()
    {
        Stream stream;
        if (_stdout is not null)
        {
            stream = new NonClosingStream(_stdout);
            CurrentFile = "-";
        }
        else
        {
            var name = _options.RotateSeconds > 0 ? StrfTime(_pattern, _rotatedAt) : _pattern;
            // Without -C no counter is added; with it, even the first file gets one when -W is set.
            CurrentFile = FileName(name, _sizeCount, _options.FileSize > 0 ? _counterWidth : 0);
            stream = new FileStream(CurrentFile, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        }

        return new PcapWriter(stream, _linkType, _snapLen, _options.NanoPrecision);
    }

    /// <summary>tcpdump's getWflagChars: the number of digits of W-1 (0 for W of 0 or 1).</summary>
    internal static int CounterWidth(int maxFiles)
    {
        var width = 0;
        for (var x = maxFiles - 1; x > 0; x /= 10)
        {
            width++;
        }

        return width;
    }

    /// <summary>tcpdump's MakeFilename: FILE when the counter and width are both 0, else FILE and the counter zero-padded to the width.</summary>
    internal static string FileName(string name, int counter, int width)
    {
        if (counter == 0 && width == 0)
        {
            return name;
        }

        return name + counter.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
    }

    /// <summary>Writes one packet, rotating first if it is time. False when -G with -W has made its last file: the capture must stop (the packet is not written).</summary>
    public bool Write(in PacketHeader header, ReadOnlySpan<byte> data)
    {
        if (_stdout is null)
        {
            if (_options.RotateSeconds > 0)
            {
                var now = _clock.GetUtcNow().ToUnixTimeSeconds();
                if (now - _rotatedAt >= _options.RotateSeconds)
                {
                    _rotatedAt = now;
                    _timeCount++;
                    _writer.Dispose();
                    if (_options.FileSize == 0 && _options.FileCount > 0 && _timeCount >= _options.FileCount)
                    {
                        _finished = true;
                        return false;
                    }

                    _sizeCount = 0;
                    _writer = Open();
                }
            }

            if (_options.FileSize > 0 && _writer.BytesWritten > _options.FileSize)
            {
                _writer.Dispose();
                _sizeCount++;
                if (_options.FileCount > 0 && _sizeCount >= _options.FileCount)
                {
                    _sizeCount = 0;
                }

                _writer = Open();
            }
        }

        var snapped = data.Length > _snapLen ? data[.._snapLen] : data;
        _writer.Write(header, snapped);
        if (_options.PacketBuffered)
        {
            _writer.Flush();
        }

        return true;
    }

    /// <summary>The strftime conversions tcpdump users put in -G names (%Y %m %d %H %M %S %s %j %%), local time.</summary>
    internal static string StrfTime(string pattern, long unixSeconds)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToLocalTime();
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 == pattern.Length)
            {
                sb.Append(pattern[i]);
                continue;
            }

            var c = pattern[++i];
            sb.Append(c switch
            {
                'Y' => t.Year.ToString("D4", CultureInfo.InvariantCulture),
                'm' => t.Month.ToString("D2", CultureInfo.InvariantCulture),
                'd' => t.Day.ToString("D2", CultureInfo.InvariantCulture),
                'H' => t.Hour.ToString("D2", CultureInfo.InvariantCulture),
                'M' => t.Minute.ToString("D2", CultureInfo.InvariantCulture),
                'S' => t.Second.ToString("D2", CultureInfo.InvariantCulture),
                's' => unixSeconds.ToString(CultureInfo.InvariantCulture),
                'j' => t.DayOfYear.ToString("D3", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }

        return sb.ToString();
    }

    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            _writer.Dispose();
        }
    }

    /// <summary>Lets the writer "close" stdout without closing it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
