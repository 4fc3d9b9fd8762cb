using System.Globalization;

namespace Forge.Sniff.Capture;

/// <summary>
/// -w with tcpdump's rotation: -C starts a new file when the current one passes N million bytes
/// (FILE, FILE1, FILE2, ...), -G every N seconds (FILE is a strftime pattern), -W caps the number of
/// files (names get a zero-padded counter and wrap around). -U flushes after every packet.
/// </summary>
internal sealed class RotatingWriter : IDisposable
{
    private readonly string _pattern;
    private readonly Cli.SniffOptions _options;
    private readonly int _linkType;
    private readonly int _snapLen;
    private readonly Stream? _stdout;
    private PcapWriter _writer;
    private int _fileIndex;
    private long _rotateAt;

    public RotatingWriter(string pattern, Cli.SniffOptions options, int linkType, int snapLen, Stream stdout)
    {
        _pattern = pattern;
        _options = options;
        _linkType = linkType;
        _snapLen = snapLen;
        if (pattern == "-")
        {
            _stdout = stdout;
        }

        _writer = Open(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>True with -w -: packets go to stdout, so nothing else may.</summary>
    public bool UsesStdout => _stdout is not null;

    private PcapWriter Open(long now)
    {
        Stream stream;
        if (_stdout is not null)
        {
            stream = new NonClosingStream(_stdout);
        }
        else
        {
            var name = _options.RotateSeconds > 0 ? StrfTime(_pattern, now) : _pattern;
            name = FileName(name, _fileIndex, _options.FileCount);
            stream = new FileStream(name, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        }

        if (_options.RotateSeconds > 0)
        {
            _rotateAt = now + _options.RotateSeconds;
        }

        return new PcapWriter(stream, _linkType, _snapLen, _options.NanoPrecision);
    }

    /// <summary>tcpdump's MakeFilename: FILE, or FILE plus a counter (zero-padded to the width of -W's largest index).</summary>
    internal static string FileName(string name, int index, int maxFiles)
    {
        if (index == 0 && maxFiles == 0)
        {
            return name;
        }

        var width = maxFiles > 0 ? (maxFiles - 1).ToString(CultureInfo.InvariantCulture).Length : 0;
        return name + index.ToString(new string('0', Math.Max(1, width)), CultureInfo.InvariantCulture);
    }

    public void Write(in PacketHeader header, ReadOnlySpan<byte> data)
    {
        if (_stdout is null)
        {
            if (_options.RotateSeconds > 0 && header.Seconds >= _rotateAt && _rotateAt > 0)
            {
                Rotate(header.Seconds, timeRotation: true);
            }
            else if (_options.FileSize > 0 && _writer.BytesWritten > _options.FileSize)
            {
                Rotate(header.Seconds, timeRotation: false);
            }
        }

        var snapped = data.Length > _snapLen ? data[.._snapLen] : data;
        _writer.Write(header, snapped);
        if (_options.PacketBuffered)
        {
            _writer.Flush();
        }
    }

    private void Rotate(long now, bool timeRotation)
    {
        _writer.Dispose();
        if (timeRotation && _options.FileSize == 0)
        {
            // -G alone: the name pattern carries the time; -W caps how many rotations happen.
            _fileIndex = 0;
        }
        else
        {
            _fileIndex++;
            if (_options.FileCount > 0 && _fileIndex >= _options.FileCount)
            {
                _fileIndex = 0;
            }
        }

        _writer = Open(now);
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

    public void Dispose() => _writer.Dispose();

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
