using System.Globalization;
using System.Text;

namespace Forge.Sql.Execution.Functions;

/// <summary>An argument of a date/time function: NULL, a number (INTEGER or REAL) or text.</summary>
internal readonly struct DateArg
{
    private DateArg(DateArgKind kind, double number, string? text)
    {
        Kind = kind;
        Number = number;
        Text = text;
    }

    public DateArgKind Kind { get; }

    public double Number { get; }

    public string? Text { get; }

    public static DateArg Null => default;

    public static DateArg Of(double number) => new(DateArgKind.Number, number, null);

    public static DateArg Of(string text) => new(DateArgKind.Text, 0, text);
}

internal enum DateArgKind : byte
{
    Null,
    Number,
    Text,
}

/// <summary>
/// SQLite's date and time functions (https://www.sqlite.org/lang_datefunc.html, as sqlite3 3.40
/// behaves): date, time, datetime, julianday, unixepoch and strftime, with their time-value
/// formats and modifiers. A moment is kept as SQLite keeps it: a Julian day number in milliseconds,
/// and/or the broken-down Y-M-D and h:m:s it was parsed from; the broken-down form stays
/// authoritative until a modifier forces a recomputation, which is why date('2024-02-30') echoes
/// its input while date('2024-02-30', '+0 days') gives '2024-03-01'. Any invalid input or
/// modifier makes the result NULL (<c>null</c> here).
/// </summary>
internal static class DateTimeFunctions
{
    /// <summary>Milliseconds from the Julian epoch to 1970-01-01 00:00:00 UTC.</summary>
    private const long UnixEpochJdMs = 210866760000000;

    /// <summary>The largest valid Julian day in milliseconds (9999-12-31 23:59:59.999).</summary>
    private const long MaxJdMs = 464269060799999;

    private const long MsPerDay = 86400000;

    public static string? Date(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        if (!TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeYmd();
        return FormatYmd(m);
    }

    public static string? Time(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        if (!TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeHms();
        return string.Create(CultureInfo.InvariantCulture, $"{m.H:D2}:{m.Mi:D2}:{(int)m.S:D2}");
    }

    public static string? DateTime(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        if (!TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeYmd();
        m.ComputeHms();
        return FormatYmd(m) + string.Create(CultureInfo.InvariantCulture, $" {m.H:D2}:{m.Mi:D2}:{(int)m.S:D2}");
    }

    public static double? JulianDay(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        if (!TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeJd();
        return m.Jd / (double)MsPerDay;
    }

    public static long? UnixEpoch(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        if (!TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeJd();
        return (m.Jd / 1000) - (UnixEpochJdMs / 1000);
    }

    /// <summary>strftime(FORMAT, TIME-VALUE, MODIFIER...): NULL for a NULL format or an unknown %-code.</summary>
    public static string? StrFTime(DateArg format, ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local = null)
    {
        var fmt = format.Kind switch
        {
            DateArgKind.Text => format.Text!,
            DateArgKind.Number => FormatNumberAsText(format.Number),
            _ => null,
        };
        if (fmt is null || !TryEvaluate(args, nowUnixMs, local, out var m))
        {
            return null;
        }

        m.ComputeJd();
        m.ComputeYmd();
        m.ComputeHms();
        var sb = new StringBuilder(fmt.Length + 16);
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < fmt.Length; i++)
        {
            var ch = fmt[i];
            if (ch != '%')
            {
                sb.Append(ch);
                continue;
            }

            if (++i >= fmt.Length)
            {
                return null;
            }

            switch (fmt[i])
            {
                case 'd':
                    sb.Append(m.D.ToString("D2", inv));
                    break;
                case 'f':
                    sb.Append(Math.Min(m.S, 59.999).ToString("00.000", inv));
                    break;
                case 'H':
                    sb.Append(m.H.ToString("D2", inv));
                    break;
                case 'W' or 'j':
                    {
                        // Day of the year from the Julian day of January 1st of the same year.
                        // January 1st of the same year at the same time of day.
                        var jan1 = m;
                        jan1.HasJd = false;
                        jan1.M = 1;
                        jan1.D = 1;
                        jan1.ComputeJd();
                        var dayOfYear = (int)((m.Jd - jan1.Jd + 43200000) / MsPerDay);
                        if (fmt[i] == 'W')
                        {
                            var mondayBased = (int)((m.Jd + 43200000) / MsPerDay % 7);
                            sb.Append(((dayOfYear + 7 - mondayBased) / 7).ToString("D2", inv));
                        }
                        else
                        {
                            sb.Append((dayOfYear + 1).ToString("D3", inv));
                        }

                        break;
                    }

                case 'J':
                    sb.Append(FormatG16(m.Jd / (double)MsPerDay));
                    break;
                case 'm':
                    sb.Append(m.M.ToString("D2", inv));
                    break;
                case 'M':
                    sb.Append(m.Mi.ToString("D2", inv));
                    break;
                case 's':
                    sb.Append(((m.Jd / 1000) - (UnixEpochJdMs / 1000)).ToString(inv));
                    break;
                case 'S':
                    sb.Append(((int)m.S).ToString("D2", inv));
                    break;
                case 'w':
                    sb.Append(((m.Jd + 129600000) / MsPerDay % 7).ToString(inv));
                    break;
                case 'Y':
                    // printf("%04d"): the sign counts in the width ("-010").
                    sb.Append(m.Y < 0 ? "-" + (-m.Y).ToString("D3", inv) : m.Y.ToString("D4", inv));
                    break;
                case '%':
                    sb.Append('%');
                    break;
                default:
                    return null;
            }
        }

        return sb.ToString();
    }

    private static string FormatYmd(in Moment m) => m.Y < 0
        ? string.Create(CultureInfo.InvariantCulture, $"-{-m.Y:D4}-{m.M:D2}-{m.D:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"{m.Y:D4}-{m.M:D2}-{m.D:D2}");

    /// <summary>printf's "%.16g".</summary>
    private static string FormatG16(double v)
    {
        var s = v.ToString("G16", CultureInfo.InvariantCulture);
        return s.Contains('E', StringComparison.Ordinal) ? s.Replace("E", "e", StringComparison.Ordinal) : s;
    }

    /// <summary>How a numeric format argument reads as text (an integer without ".0", a real as SQLite prints it).</summary>
    private static string FormatNumberAsText(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ((long)v).ToString(CultureInfo.InvariantCulture) : FormatG16(v);

    /// <summary>isDate(): the time value (or 'now' when there are no arguments), then each modifier.</summary>
    private static bool TryEvaluate(ReadOnlySpan<DateArg> args, long nowUnixMs, TimeZoneInfo? local, out Moment m)
    {
        m = default;
        if (args.IsEmpty)
        {
            m.SetNow(nowUnixMs);
        }
        else
        {
            var first = args[0];
            switch (first.Kind)
            {
                case DateArgKind.Null:
                    return false;
                case DateArgKind.Number:
                    m.SetRawNumber(first.Number);
                    break;
                default:
                    if (!m.TryParse(first.Text!, nowUnixMs))
                    {
                        return false;
                    }

                    break;
            }
        }

        for (var i = 1; i < args.Length; i++)
        {
            var text = args[i].Kind switch
            {
                DateArgKind.Text => args[i].Text!,
                DateArgKind.Number => FormatNumberAsText(args[i].Number),
                _ => null,
            };
            if (text is null || !m.TryApplyModifier(text, i, local ?? TimeZoneInfo.Local))
            {
                return false;
            }
        }

        m.ComputeJd();
        return !m.IsError && m.Jd >= 0 && m.Jd <= MaxJdMs;
    }

    /// <summary>A point in time as SQLite's date.c keeps it (see the class summary).</summary>
    private struct Moment
    {
        public long Jd;          // Julian day number times 86400000
        public int Y, M, D;      // valid when HasYmd
        public int H, Mi;        // valid when HasHms
        public double S;         // seconds with fraction; the raw number when IsRawNumber
        public int Tz;           // minutes east of UTC, given in the text
        public bool HasJd, HasYmd, HasHms, HasTz, TzSet, IsRawNumber, IsError;

        public void SetNow(long nowUnixMs)
        {
            Jd = nowUnixMs + UnixEpochJdMs;
            HasJd = true;
        }

        public void SetRawNumber(double r)
        {
            S = r;
            IsRawNumber = true;
            if (r >= 0.0 && r < 5373484.5)
            {
                Jd = (long)((r * MsPerDay) + 0.5);
                HasJd = true;
            }
        }

        public bool TryParse(string text, long nowUnixMs)
        {
            if (TryParseYmd(text))
            {
                return true;
            }

            if (TryParseHms(text.AsSpan()))
            {
                return true;
            }

            if (text.Equals("now", StringComparison.OrdinalIgnoreCase))
            {
                SetNow(nowUnixMs);
                return true;
            }

            if (TryParseWholeNumber(text, out var r))
            {
                SetRawNumber(r);
                return true;
            }

            return false;
        }

        private bool TryParseYmd(string text)
        {
            var s = text.AsSpan();
            var negative = s.Length > 0 && s[0] == '-';
            if (negative)
            {
                s = s[1..];
            }

            if (!Digits(s, 0, 4, 0, 9999, out var y) || !At(s, 4, '-') || !Digits(s, 5, 2, 1, 12, out var mo) || !At(s, 7, '-') || !Digits(s, 8, 2, 1, 31, out var d))
            {
                return false;
            }

            s = s[10..];
            while (!s.IsEmpty && (IsSpace(s[0]) || s[0] == 'T'))
            {
                s = s[1..];
            }

            if (!TryParseHms(s))
            {
                if (!s.IsEmpty)
                {
                    return false;
                }

                HasHms = false;
            }

            HasJd = false;
            HasYmd = true;
            Y = negative ? -y : y;
            M = mo;
            D = d;
            if (HasTz)
            {
                ComputeJd();
            }

            return true;
        }

        /// <summary>HH:MM[:SS[.fff]] then an optional time zone; nothing else may follow.</summary>
        private bool TryParseHms(ReadOnlySpan<char> s)
        {
            if (!Digits(s, 0, 2, 0, 24, out var h) || !At(s, 2, ':') || !Digits(s, 3, 2, 0, 59, out var mi))
            {
                return false;
            }

            s = s[5..];
            double seconds = 0;
            if (!s.IsEmpty && s[0] == ':')
            {
                if (!Digits(s, 1, 2, 0, 59, out var sec))
                {
                    return false;
                }

                seconds = sec;
                s = s[3..];
                if (s.Length >= 2 && s[0] == '.' && char.IsAsciiDigit(s[1]))
                {
                    double fraction = 0, scale = 1;
                    var j = 1;
                    for (; j < s.Length && char.IsAsciiDigit(s[j]); j++)
                    {
                        fraction = (fraction * 10) + (s[j] - '0');
                        scale *= 10;
                    }

                    seconds += fraction / scale;
                    s = s[j..];
                }
            }

            HasJd = false;
            IsRawNumber = false;
            HasHms = true;
            H = h;
            Mi = mi;
            S = seconds;
            if (!TryParseZone(s))
            {
                return false;
            }

            HasTz = Tz != 0;
            return true;
        }

        private bool TryParseZone(ReadOnlySpan<char> s)
        {
            while (!s.IsEmpty && IsSpace(s[0]))
            {
                s = s[1..];
            }

            Tz = 0;
            if (s.IsEmpty)
            {
                return true;
            }

            if (s[0] is 'Z' or 'z')
            {
                s = s[1..];
            }
            else if (s[0] is '+' or '-')
            {
                var sign = s[0] == '-' ? -1 : 1;
                if (!Digits(s, 1, 2, 0, 14, out var zh) || !At(s, 3, ':') || !Digits(s, 4, 2, 0, 59, out var zm))
                {
                    return false;
                }

                Tz = sign * ((zh * 60) + zm);
                s = s[6..];
            }
            else
            {
                return false;
            }

            while (!s.IsEmpty && IsSpace(s[0]))
            {
                s = s[1..];
            }

            TzSet = true;
            return s.IsEmpty;
        }

        public void ComputeJd()
        {
            if (HasJd)
            {
                return;
            }

            int y = 2000, m = 1, d = 1;
            if (HasYmd)
            {
                (y, m, d) = (Y, M, D);
            }

            if (y < -4713 || y > 9999 || IsRawNumber)
            {
                SetError();
                return;
            }

            if (m <= 2)
            {
                y--;
                m += 12;
            }

            var a = y / 100;
            var b = 2 - a + (a / 4);
            var x1 = 36525 * (y + 4716) / 100;
            var x2 = 306001 * (m + 1) / 10000;
            Jd = (long)((x1 + x2 + d + b - 1524.5) * MsPerDay);
            HasJd = true;
            if (HasHms)
            {
                Jd += (H * 3600000L) + (Mi * 60000L) + (long)((S * 1000) + 0.5);
                if (HasTz)
                {
                    Jd -= Tz * 60000L;
                    HasYmd = false;
                    HasHms = false;
                    HasTz = false;
                }
            }
        }

        public void ComputeYmd()
        {
            if (HasYmd)
            {
                return;
            }

            if (!HasJd)
            {
                (Y, M, D) = (2000, 1, 1);
            }
            else if (Jd < 0 || Jd > MaxJdMs)
            {
                SetError();
                return;
            }
            else
            {
                // Julian day to proleptic Gregorian date (Meeus, Astronomical Algorithms, ch. 7).
                var z = (int)((Jd + 43200000) / MsPerDay);
                var alpha = (int)((z - 1867216.25) / 36524.25);
                var a = z + 1 + alpha - (alpha / 4);
                var b = a + 1524;
                var c = (int)((b - 122.1) / 365.25);
                var dd = 36525 * (c & 32767) / 100;
                var e = (int)((b - dd) / 30.6001);
                var x1 = (int)(30.6001 * e);
                D = b - dd - x1;
                M = e < 14 ? e - 1 : e - 13;
                Y = M > 2 ? c - 4716 : c - 4715;
            }

            HasYmd = true;
        }

        public void ComputeHms()
        {
            if (HasHms)
            {
                return;
            }

            ComputeJd();
            var ms = (int)((Jd + 43200000) % MsPerDay);
            S = ms / 1000.0;
            var whole = (int)S;
            S -= whole;
            H = whole / 3600;
            whole -= H * 3600;
            Mi = whole / 60;
            S += whole - (Mi * 60);
            IsRawNumber = false;
            HasHms = true;
        }

        private void ClearBrokenDown()
        {
            HasYmd = false;
            HasHms = false;
            HasTz = false;
        }

        private void SetError()
        {
            this = default;
            IsError = true;
        }

        /// <summary>One modifier (already known to be text); false when it is not valid here.</summary>
        public bool TryApplyModifier(string modifier, int index, TimeZoneInfo local)
        {
            var z = modifier.Length > 29 ? modifier[..29].ToLowerInvariant() : modifier.ToLowerInvariant();
            switch (z)
            {
                case "localtime":
                    ToLocalTime(local);
                    return true;
                case "utc":
                    if (!TzSet)
                    {
                        // Guess the UTC instant whose local time is this wall-clock time, and correct
                        // the guess by the error of its round trip (a few rounds at a DST change).
                        ComputeJd();
                        var original = Jd;
                        var guess = original;
                        var error = 0L;
                        var rounds = 0;
                        do
                        {
                            guess -= error;
                            var probe = new Moment { Jd = guess, HasJd = true };
                            probe.ToLocalTime(local);
                            probe.ComputeJd();
                            error = probe.Jd - original;
                        }
                        while (error != 0 && rounds++ < 3);
                        this = new Moment { Jd = guess, HasJd = true, TzSet = true };
                    }

                    return true;
                case "unixepoch":
                    if (IsRawNumber && index == 1)
                    {
                        var r = (S * 1000.0) + UnixEpochJdMs;
                        if (r >= 0.0 && r < MaxJdMs + 1)
                        {
                            ClearBrokenDown();
                            Jd = (long)(r + 0.5);
                            HasJd = true;
                            IsRawNumber = false;
                            return true;
                        }
                    }

                    return false;
                case "julianday":
                    if (index > 1)
                    {
                        return false;
                    }

                    if (HasJd && IsRawNumber)
                    {
                        IsRawNumber = false;
                        return true;
                    }

                    return false;
                case "auto":
                    if (index > 1)
                    {
                        return false;
                    }

                    if (IsRawNumber)
                    {
                        if (S >= 0.0 && S < 5373484.5)
                        {
                            IsRawNumber = false; // already a Julian day
                        }
                        else
                        {
                            var r = (S * 1000.0) + UnixEpochJdMs;
                            if (r < 0.0 || r >= MaxJdMs + 1)
                            {
                                return false;
                            }

                            ClearBrokenDown();
                            Jd = (long)(r + 0.5);
                            HasJd = true;
                            IsRawNumber = false;
                        }
                    }

                    return true;
            }

            if (z.StartsWith("weekday ", StringComparison.Ordinal))
            {
                if (!TryParseWholeNumber(z.AsSpan(8), out var r) || r < 0 || r >= 7 || r != (int)r)
                {
                    return false;
                }

                var n = (long)r;
                ComputeYmd();
                ComputeHms();
                Tz = 0;
                HasJd = false;
                ComputeJd();
                var weekday = (Jd + 129600000) / MsPerDay % 7;
                if (weekday > n)
                {
                    weekday -= 7;
                }

                Jd += (n - weekday) * MsPerDay;
                ClearBrokenDown();
                return true; // an error inside the moment (IsError) is judged at the end, as SQLite does
            }

            if (z.StartsWith("start of ", StringComparison.Ordinal))
            {
                var unit = z[9..];
                if (unit is not ("month" or "year" or "day"))
                {
                    return false;
                }

                if (!HasJd && !HasYmd && !HasHms)
                {
                    return false;
                }

                ComputeYmd();
                HasHms = true;
                H = Mi = 0;
                S = 0;
                IsRawNumber = false;
                Tz = 0;
                HasTz = false;
                HasJd = false;
                if (unit == "month")
                {
                    D = 1;
                }
                else if (unit == "year")
                {
                    M = 1;
                    D = 1;
                }

                return true; // an error inside the moment (IsError) is judged at the end, as SQLite does
            }

            return TryApplyOffset(z);
        }

        /// <summary>"±NNN unit[s]" or "±HH:MM[:SS[.fff]]".</summary>
        private bool TryApplyOffset(string z)
        {
            if (z.Length == 0 || !(z[0] is '+' or '-' || char.IsAsciiDigit(z[0])))
            {
                return false;
            }

            var n = 1;
            while (n < z.Length && z[n] != ':' && !IsSpace(z[n]))
            {
                n++;
            }

            if (!TryParseWholeNumber(z.AsSpan(0, n), out var r))
            {
                return false;
            }

            if (n < z.Length && z[n] == ':')
            {
                var body = char.IsAsciiDigit(z[0]) ? z.AsSpan() : z.AsSpan(1);
                var tx = default(Moment);
                if (!tx.TryParseHms(body))
                {
                    return false;
                }

                tx.ComputeJd();
                tx.Jd -= 43200000;
                tx.Jd -= tx.Jd / MsPerDay * MsPerDay;
                if (z[0] == '-')
                {
                    tx.Jd = -tx.Jd;
                }

                ComputeJd();
                ClearBrokenDown();
                Jd += tx.Jd;
                return true; // an error inside the moment (IsError) is judged at the end, as SQLite does
            }

            var rest = z.AsSpan(n);
            while (!rest.IsEmpty && IsSpace(rest[0]))
            {
                rest = rest[1..];
            }

            if (rest.Length is > 10 or < 3)
            {
                return false;
            }

            if (rest[^1] == 's')
            {
                rest = rest[..^1];
            }

            ComputeJd();
            var rounder = r < 0 ? -0.5 : 0.5;
            double seconds;
            switch (rest)
            {
                case "second" when Math.Abs(r) < 4.6427e+14:
                    seconds = 1;
                    break;
                case "minute" when Math.Abs(r) < 7.7379e+12:
                    seconds = 60;
                    break;
                case "hour" when Math.Abs(r) < 1.2897e+11:
                    seconds = 3600;
                    break;
                case "day" when Math.Abs(r) < 5373485.0:
                    seconds = 86400;
                    break;
                case "month" when Math.Abs(r) < 176546.0:
                    {
                        ComputeYmd();
                        ComputeHms();
                        M += (int)r;
                        var years = M > 0 ? (M - 1) / 12 : (M - 12) / 12;
                        Y += years;
                        M -= years * 12;
                        HasJd = false;
                        r -= (int)r;
                        seconds = 2592000;
                        break;
                    }

                case "year" when Math.Abs(r) < 14713.0:
                    {
                        ComputeYmd();
                        ComputeHms();
                        Y += (int)r;
                        HasJd = false;
                        r -= (int)r;
                        seconds = 31536000;
                        break;
                    }

                default:
                    return false;
            }

            ComputeJd();
            Jd += (long)((r * 1000.0 * seconds) + rounder);
            ClearBrokenDown();
            return true;
        }

        /// <summary>
        /// Replaces this UTC moment by the local wall-clock time. Outside 1970-01-01..2038-01-18
        /// the year is moved into 2000–2003 (same leap position) for the zone lookup and moved back,
        /// as SQLite does, since zone rules are not trusted outside that span.
        /// </summary>
        private void ToLocalTime(TimeZoneInfo zone)
        {
            ComputeJd();
            long unixSeconds;
            var yearShift = 0;
            if (Jd < 210866760000000 || Jd > 213014145600000)
            {
                var x = this;
                x.ComputeYmd();
                x.ComputeHms();
                yearShift = 2000 + (x.Y % 4) - x.Y;
                x.Y += yearShift;
                x.HasJd = false;
                x.ComputeJd();
                unixSeconds = (x.Jd / 1000) - (UnixEpochJdMs / 1000);
            }
            else
            {
                unixSeconds = (Jd / 1000) - (UnixEpochJdMs / 1000);
            }

            var local = TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.UnixEpoch.AddSeconds(unixSeconds), zone);
            var millis = Jd % 1000;
            this = new Moment
            {
                Y = local.Year - yearShift,
                M = local.Month,
                D = local.Day,
                H = local.Hour,
                Mi = local.Minute,
                S = local.Second + (millis * 0.001),
                HasYmd = true,
                HasHms = true,
                TzSet = TzSet,
            };
        }

        private static bool Digits(ReadOnlySpan<char> s, int start, int count, int min, int max, out int value)
        {
            value = 0;
            if (s.Length < start + count)
            {
                return false;
            }

            for (var i = start; i < start + count; i++)
            {
                if (!char.IsAsciiDigit(s[i]))
                {
                    return false;
                }

                value = (value * 10) + (s[i] - '0');
            }

            return value >= min && value <= max;
        }

        private static bool At(ReadOnlySpan<char> s, int index, char c) => s.Length > index && s[index] == c;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r' or '\v';

    /// <summary>The whole text (surrounding spaces allowed) is a decimal number, as sqlite3AtoF accepts it.</summary>
    private static bool TryParseWholeNumber(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        var t = text.Trim(" \t\n\f\r\v");
        if (t.IsEmpty)
        {
            return false;
        }

        var i = 0;
        if (t[0] is '+' or '-')
        {
            i++;
        }

        var digits = 0;
        while (i < t.Length && char.IsAsciiDigit(t[i]))
        {
            i++;
            digits++;
        }

        if (i < t.Length && t[i] == '.')
        {
            i++;
            while (i < t.Length && char.IsAsciiDigit(t[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < t.Length && t[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < t.Length && t[j] is '+' or '-')
            {
                j++;
            }

            var expDigits = 0;
            while (j < t.Length && char.IsAsciiDigit(t[j]))
            {
                j++;
                expDigits++;
            }

            if (expDigits > 0)
            {
                i = j;
            }
        }

        return i == t.Length && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
