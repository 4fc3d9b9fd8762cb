using System.Diagnostics;
using System.Text;
using Forge.Sql.Execution;
using Forge.Sql.Execution.Expressions;
using Forge.Sql.Parsing;
using Forge.Sql.Planning;

namespace Forge.Sql.Tests;

/// <summary>
/// printf()/format() against sqlite3 3.40: a table of format strings × arguments (edge values of
/// every conversion, flag, width and precision) and a fixed-seed generator of format strings from
/// printf.html's grammar with random arguments. Each result is compared byte for byte (as hex, so
/// NUL bytes and cut UTF-8 sequences count) and NULL apart from ''.
/// </summary>
public sealed class PrintfTests
{
    private static readonly string[] s_integerFormats =
    [
        "%d", "%i", "%u", "%x", "%X", "%o", "%p", "%r", "%5d|", "%-5d|", "%05d", "%+d", "% d", "%+ d", "% +d", "%,d", "%,u", "%.3d",
        "%.0d", "%#x", "%#X", "%#o", "%#p", "%#010x", "%,015d", "%+.8d", "%-+8d|", "%08.3d", "%,x", "%,r", "%5r|", "%-#10o|", "%ld", "%lld",
        "%5ld", "%!d", "%+u", "%020,d", "%-0,12d|", "%.30d", "%#.20o",
    ];

    private static readonly string[] s_integerArgs =
    [
        "0", "1", "-1", "2", "3", "4", "11", "12", "13", "21", "111", "42", "-42", "1234", "-1234567", "1234567", "9223372036854775807",
        "-9223372036854775808", "2.5", "-2.5", "1e19", "-1e19", "'12abc'", "' -7'", "'x'", "NULL", "x'3132'", "1e308", "'9999999999999999999'",
        "'+15'", "'1e3'", "0.9999", "-0.9999", "255", "65535",
    ];

    private static readonly string[] s_floatFormats =
    [
        "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.20f", "%.30f", "%#.0f", "%!f", "%!.3f", "%!.0f", "%e", "%.0e", "%#.0e", "%.15e", "%!.20e",
        "%!e", "%E", "%g", "%.0g", "%.1g", "%.3g", "%.10g", "%.15g", "%.16g", "%.17g", "%.20g", "%!.15g", "%!.20g", "%!.26g", "%!.30g", "%!g",
        "%#g", "%#.3g", "%G", "%#G", "%15.4f|", "%-15.4e|", "%015.4f", "%+015.4f", "%-015.4f|", "% g", "%+g", "%010g", "% 012e", "%,f",
        "%,.2f", "%.350f", "%.400e", "%#!.5g", "%+.0f", "%5.0e|", "%.5G",
    ];

    private static readonly string[] s_floatArgs =
    [
        "0.0", "-0.0", "1.0", "-1.0", "0.1", "0.5", "1.5", "2.5", "1.005", "123456.789", "1e15", "1e16", "1e17", "1e-5", "1e-4", "9.9999e-5",
        "1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324", "1e-320", "1e400", "-1e400",
        "3.141592653589793", "2.718281828459045", "123", "-9223372036854775808", "9223372036854775807", "'1.5x'", "NULL", "1e100", "1e-100",
        "0.000123456", "999999.5", "9.5", "0.95", "99.95", "0.05", "1e21", "123456789012345678", "0.3", "2.0/3", "'  -2.25e2'", "x'31'",
        "1e22", "5e-324", "0.1 + 0.2", "100", "1e-7", "9.999999999999999e22",
    ];

    private static readonly string[] s_stringFormats =
    [
        "%s", "%10s|", "%-10s|", "%.2s", "%.0s", "%!.2s", "%!10s|", "%-!10s|", "%!-10s|", "%5.1s|", "%!5.1s|", "%q", "%Q", "%w", "%.3q",
        "%!.3Q", "%10Q|", "%-10q|", "%!10Q|", "%!.2w", "%c", "%3c|", "%-3c|", "%.3c", "%!.3c", "%5.3c|", "%-5.3c|", "%.1c", "%z", "%.3z",
        "%.1Q", "%.0Q", "%#s", "%,s", "%05s",
    ];

    private static readonly string[] s_stringArgs =
    [
        "''", "'a'", "'abc'", "'héllo'", "'日本語テキスト'", "'it''s'", "'a\"b\"c'", "''''''", "NULL", "42", "-1.5", "1e20", "x'4142'", "x'c3a9'",
        "'😀x'", "'e' || char(769)", "'ab' || char(0) || 'cd'", "x'00'", "0.1", "'   '", "x'ff41'",
    ];

    /// <summary>Whole calls: several conversions, missing and extra arguments, '*', limits, malformed formats.</summary>
    private static readonly string[] s_calls =
    [
        "printf()", "format()", "printf(NULL)", "printf(NULL, 1)", "printf(1)", "printf(2.5)", "printf(x'256400', 7)", "printf('')",
        "printf('%')", "printf('abc%')", "printf('%%')", "printf('%5%|')", "printf('%-5%|')", "printf('a%nb', 1)", "printf('%yx', 1)",
        "printf('ab%Tcd', 1)", "printf('ab%Scd', 1)", "printf('100%% sure')", "printf('%l')", "printf('%ll')", "printf('%-')", "printf('%.')",
        "printf('%5')", "printf('%.5')", "printf('%*')", "printf('%.*')", "printf('%5-d', 1)", "printf('%.2.3f', 1)", "printf('%.3,d', 1)",
        "printf('%d %s %f')", "printf('%d|%s|%f|%c|%q|%Q|%w|%x')", "printf('%d', 1, 2, 3)", "printf('a=%d b=%s c=%.2f', 1, 'two', 3)",
        "printf('%*d|', 5, 1)", "printf('%-*d|', 5, 2)", "printf('%*d|', -5, 3)", "printf('%.*f', 2, 3.14159)", "printf('%.*f', -2, 3.14159)",
        "printf('%*.*f|', 10, 3, 3.14159)", "printf('%*.*f|', -10, -3, 3.14159)", "printf('%.*s', 3, 'abcdef')", "printf('%.*s', -3, 'abcdef')",
        "printf('%*s|', -2147483648, 'x')", "printf('%*s|', 2147483648 + 6, 'x')", "printf('%*s|', 4294967301, 'x')",
        "printf('%.*s|', -2147483648, 'abc')", "printf('%.*s|', 4294967298, 'abc')", "printf('%*s|', 'abc', 'x')", "printf('%*s|', 3.9, 'x')",
        "printf('%*s|', NULL, 'x')", "printf('%*d')", "printf('%.*f|', 1)", "printf('%*lld|', 4, 5)", "printf('%.*lf|', 1, 2.25)",
        "printf('%2147483647d', 1)", "printf('%2147483648d|', 1)", "printf('%4294967297d|', 1)", "printf('%4294967296d|', 1)",
        "printf('%.2147483647d', 1)", "printf('%.4294967299d|', 1)", "printf('%.4294967299s|', 'abcdef')", "printf('%1000000001s', 'x')",
        "printf('abc%1000000000s', 'x')", "printf('%.*d', 1000000000, 1)", "printf('%0999999995d', 1)", "printf('%900000000.1000000000f', 1)",
        "printf('%999999990.1f', 1)", "printf('%.*c|', 100, 'é')", "printf('%200.*c|', 100, 'é')",
        "printf('%-200.*c|', 100, 'é')", "printf('%!.*s|', 4, '日本語テキスト')", "printf('%.*s|', 4, '日本語テキスト')",
        "printf('%300d|', 1)", "printf('%-300s|', 'x')", "printf('%.300e', 1.0/3)", "printf('%.5000f', 1.5)", "printf('%.4095f', 0.5)",
        "printf('%.4096f', 0.5)", "printf('%.4097g', 0.5)", "printf('%!.4097g', 1.0/7)", "printf('%s%s%s%s', 1, 2.0, 'x', NULL)",
        "printf('%s', 1e15)", "printf('%s', 123456789012345678.0)", "printf('%s', 1.0/3)", "printf('%s', -0.0)", "printf('%s', 1e-320)",
        "printf('%s', 1e400)", "printf('%d', '  +12')", "printf('%d', char(9,10,11,12,13) || '5')", "printf('%f', ' 1e5x')",
        "format('%s and %s', 'this', 'that')", "format('%.2f%%', 12.345)", "FORMAT('%5.2f', 1)", "printf('%c%c%c', 'a', 'bc', '')",
        "printf('%d%%%s', 50, 'x')", "printf('%!c', 'é')", "printf('%!5c|', 'é')", "printf('%5c|', '日')", "printf('%.2q', 'é''')",
        "printf('%!.2q', 'é''')", "printf('%.1s', 'é')", "printf('%!.1s', 'é')", "printf('%!5.1s|', 'é')", "printf('%5.1s|', 'é')",
        "printf('%!.1s', x'e9e9')", "printf('%w', 'a\"b')", "printf('%Q', '')", "printf('%q', '''')", "printf(printf('%%.%df', 3), 2)",
        "printf('%-+5d|%- 5d|', 1, 2)", "printf('%,d', -100)", "printf('%,d', -1000)", "printf('%,d', -9223372036854775808)",
        "printf('%,.10d', 1)", "printf('%,010d', -12345)", "printf('%u', '-1')", "printf('%x', 1.9e19)", "printf('%x', -1.9e19)",
    ];

    [Fact]
    public void Formats_and_arguments_match_sqlite3()
    {
        var calls = new List<string>(s_calls);
        foreach (var f in s_integerFormats)
        {
            calls.AddRange(s_integerArgs.Select(a => $"printf('{f}', {a})"));
        }

        foreach (var f in s_floatFormats)
        {
            calls.AddRange(s_floatArgs.Select(a => $"printf('{f}', {a})"));
        }

        foreach (var f in s_stringFormats)
        {
            calls.AddRange(s_stringArgs.Select(a => $"printf('{f}', {a})"));
        }

        Compare(calls);
    }

    [Theory]
    [InlineData(1, 2500)]
    [InlineData(2, 2500)]
    public void Random_format_strings_match_sqlite3(int seed, int count)
    {
        var watch = Stopwatch.StartNew();
        var random = new Random(seed);
        var calls = Enumerable.Range(0, count).Select(_ => RandomCall(random)).ToList();
        Compare(calls);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    private static readonly string[] s_randomArgs =
    [
        "0", "1", "-1", "7", "-12345", "123456789", "9223372036854775807", "-9223372036854775808", "0.0", "-0.0", "0.5", "-2.5", "3.14159",
        "1e300", "-1e-300", "1e-310", "1e400", "123456.789", "0.1", "99.99", "'abc'", "''", "'héllo wörld'", "'日本'", "'it''s \"q\"'", "NULL",
        "x'41c3a9'", "'12.5xyz'", "' 42'", "'-7e2'", "2.0/3", "1e16", "4.5e15",
    ];

    private static readonly string[] s_literalText = ["x", "ab ", "é", "日本", "''", "\"", " = ", "%%", "\t"];

    private static string RandomCall(Random r)
    {
        var format = new StringBuilder();
        var args = new List<string>();
        string Small() => (r.Next(81) - 40).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pieces = 1 + r.Next(4);
        for (var p = 0; p < pieces; p++)
        {
            switch (r.Next(6))
            {
                case 0:
                    format.Append(s_literalText[r.Next(s_literalText.Length)]);
                    break;
                default:
                    {
                        format.Append('%');
                        var flags = r.Next(4) == 0 ? 0 : r.Next(4);
                        for (var f = 0; f < flags; f++)
                        {
                            format.Append("-+ #0!,"[r.Next(7)]);
                        }

                        switch (r.Next(4))
                        {
                            case 0:
                                format.Append(1 + r.Next(r.Next(10) == 0 ? 300 : 30));
                                break;
                            case 1 when r.Next(3) == 0:
                                format.Append('*');
                                args.Add(Small());
                                break;
                        }

                        switch (r.Next(4))
                        {
                            case 0:
                                format.Append('.').Append(r.Next(r.Next(10) == 0 ? 400 : 25));
                                break;
                            case 1 when r.Next(3) == 0:
                                format.Append(".*");
                                args.Add(Small());
                                break;
                            case 2 when r.Next(4) == 0:
                                format.Append('.');
                                break;
                        }

                        if (r.Next(10) == 0)
                        {
                            format.Append(r.Next(2) == 0 ? "l" : "ll");
                        }

                        var conversions = r.Next(40) == 0 ? "dhkmT%n" : "diuxXopcsqQwzfeEgG%r";
                        var c = conversions[r.Next(conversions.Length)];
                        format.Append(c);
                        if (c is not ('%' or 'n'))
                        {
                            args.Add(s_randomArgs[r.Next(s_randomArgs.Length)]);
                        }

                        break;
                    }
            }
        }

        switch (r.Next(8))
        {
            case 0 when args.Count > 0:
                args.RemoveAt(args.Count - 1); // a missing argument reads as 0 or NULL
                break;
            case 1:
                args.Add(s_randomArgs[r.Next(s_randomArgs.Length)]);
                break;
        }

        var argList = args;
        var literal = "'" + format.ToString().Replace("'", "''", StringComparison.Ordinal) + "'";
        return $"printf({string.Join(", ", argList.Prepend(literal))})";
    }

    /// <summary>Each call through sqlite3 and forge as 'h' + hex of the bytes, or 'null'.</summary>
    private static void Compare(List<string> calls)
    {
        var wrapped = calls.Select(c => $"CASE WHEN {c} IS NULL THEN 'null' ELSE 'h' || hex({c}) END").ToList();
        var expected = Sqlite3.EvaluateEach(wrapped);
        var failures = new List<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var got = Evaluate(wrapped[i]);
            if (got != expected[i])
            {
                failures.Add($"{calls[i]}\n    sqlite3 {Show(expected[i])}\n    forge   {Show(got)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {calls.Count} differ:\n" + string.Join('\n', failures.Take(30)));
    }

    private static string Show(string rendered)
    {
        if (rendered.StartsWith("'h", StringComparison.Ordinal) && rendered.Length < 2000)
        {
            var bytes = Convert.FromHexString(rendered[2..^1]);
            return "'" + Encoding.UTF8.GetString(bytes).Replace("\0", "\\0", StringComparison.Ordinal) + "'";
        }

        return rendered.Length > 300 ? rendered[..300] + "..." : rendered;
    }

    internal static string Evaluate(string sql)
    {
        try
        {
            var compiled = new ExpressionCompiler(null).Compile(SqlParser.ParseExpression(sql));
            return Sqlite3.Render(compiled.Eval(new EvalContext()));
        }
        catch (SqlRuntimeException ex)
        {
            return "error: " + ex.Message;
        }
        catch (SqlPrepareException ex)
        {
            return "error: " + ex.Message;
        }
    }
}
