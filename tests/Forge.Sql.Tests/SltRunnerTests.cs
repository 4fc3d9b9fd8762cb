using Forge.Sql.Slt;

namespace Forge.Sql.Tests;

/// <summary>
/// The sqllogictest runner: a small script of our own (every record kind, sort mode, hashing, labels,
/// skipif/onlyif, halt) passes both through forge's engine and through the real sqlite3; a script with
/// wrong expectations fails exactly where it should.
/// </summary>
public sealed class SltRunnerTests
{
    private const string Script = """
        # A comment line; the next record is a statement.
        hash-threshold 8

        statement ok
        CREATE TABLE t1(a INTEGER, b TEXT, c REAL)

        statement ok
        INSERT INTO t1 VALUES(3, 'three', 3.25), (1, 'one', NULL), (2, '', -0.0004), (4, 'é', 1e3)

        statement error
        INSERT INTO nosuch VALUES(1)

        statement error
        SELECT * FORM t1

        query I nosort
        SELECT a FROM t1 ORDER BY a
        ----
        1
        2
        3
        4

        query IT rowsort
        SELECT a, b FROM t1
        ----
        1
        one
        2
        (empty)
        3
        three
        4
        @@

        query R valuesort
        SELECT c FROM t1
        ----
        -0.000
        1000.000
        3.250
        NULL

        # Integer columns read text and reals the way sqlite3_column_int does.
        query II nosort
        SELECT '12abc', 7.9
        ----
        12
        7

        query T nosort
        SELECT 1.5
        ----
        1.5

        # More than 8 values: compared as a hash.
        query IIT rowsort
        SELECT a, a * 10, b FROM t1
        ----
        12 values hashing to f0df3db307ce852e6ebc7c96c7011f96

        query I rowsort same-values
        SELECT a FROM t1
        ----
        1
        2
        3
        4

        query I rowsort same-values
        SELECT a FROM t1 ORDER BY a DESC
        ----
        1
        2
        3
        4

        skipif sqlite
        query I nosort
        SELECT this is not sql
        ----
        1

        onlyif mysql
        statement ok
        THIS IS NOT SQL EITHER

        onlyif sqlite
        query T nosort
        SELECT 'only here'
        ----
        only here

        onlyif mssql
        halt

        query I nosort
        SELECT 42
        ----
        42

        halt

        query I nosort
        SELECT 'never run'
        ----
        0
        """;

    private const string Failing = """
        statement ok
        CREATE TABLE t(x)

        statement ok
        INSERT INTO nosuch VALUES(1)

        statement error
        INSERT INTO t VALUES(1)

        query I nosort
        SELECT x FROM t
        ----
        2

        query I nosort
        SELECT x FROM t
        ----
        1
        1

        query II nosort
        SELECT x FROM t
        ----
        1

        query I nosort
        SELECT x, x, x, x, x, x, x, x, x FROM t
        ----
        9 values hashing to 00000000000000000000000000000000

        query I nosort lbl
        SELECT 1
        ----
        1

        query I nosort lbl
        SELECT 2
        ----
        2

        query I nosort
        SELECT * FROM nosuch
        ----
        """;

    [Fact]
    public void Hash_is_md5_of_the_values_each_followed_by_a_newline()
    {
        // md5("1\n2\n") as `printf '1\n2\n' | md5sum` computes it.
        Assert.Equal("6ddb4095eb719e2a9f0a3f95677d24e0", SltRunner.Md5(["1", "2"]));
    }

    [Fact]
    public void The_script_passes_in_forge()
    {
        var result = Run(Script, sqlite3: false);
        Assert.Empty(result.Failures);
        Assert.Equal(14, result.Passed);
        Assert.Equal(2, result.Skipped);
        Assert.True(result.Halted);
    }

    [Fact]
    public void The_script_passes_in_sqlite3()
    {
        Assert.True(Sqlite3.Available, $"{Sqlite3.Path} is missing");
        var result = Run(Script, sqlite3: true);
        Assert.Empty(result.Failures);
        Assert.Equal(14, result.Passed);
        Assert.Equal(2, result.Skipped);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Wrong_expectations_fail_with_their_line_numbers(bool sqlite3)
    {
        var result = Run(Failing, sqlite3);
        Assert.Equal(2, result.Passed);
        Assert.Equal(
            [
                "t.test:4: statement error: no such table: nosuch",
                "t.test:7: statement succeeded, expected an error",
                "t.test:10: wrong result - expected [2] got [1]",
                "t.test:15: too few result values - expected 2 got 1",
                "t.test:21: wrong number of result columns: expected 2 but got 1",
                "t.test:26: wrong number of result columns: expected 1 but got 9",
                "t.test:36: labeled result [lbl] does not agree with previous values",
                "t.test:41: query failed: no such table: nosuch",
            ],
            result.Failures);
    }

    [Fact]
    public void Values_render_as_the_reference_driver_renders_them()
    {
        var v = Forge.Sql.Records.SqlValue.FromInteger(5_000_000_000);
        Assert.Equal("705032704", SltRunner.Render(v, 'I')); // sqlite3_column_int keeps the low 32 bits
        Assert.Equal("5000000000.000", SltRunner.Render(v, 'R'));
        Assert.Equal("5000000000", SltRunner.Render(v, 'T'));
        Assert.Equal("NULL", SltRunner.Render(Forge.Sql.Records.SqlValue.Null, 'T'));
        Assert.Equal("a@b", SltRunner.Render(Forge.Sql.Records.SqlValue.FromText("a\tb"), 'T'));
        Assert.Equal("-0.000", SltRunner.Render(Forge.Sql.Records.SqlValue.FromReal(-0.0001), 'R'));
    }

    private static SltFileResult Run(string script, bool sqlite3)
    {
        var dir = Directory.CreateTempSubdirectory("forge-slt-test-");
        try
        {
            var file = Path.Combine(dir.FullName, "t.test");
            File.WriteAllText(file, script.ReplaceLineEndings("\n") + "\n");
            return SltRunner.RunFile(file, sqlite3, TimeSpan.FromSeconds(30));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
