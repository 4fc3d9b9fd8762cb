using System.Diagnostics;
using System.Text;
using Forge.Testing;

namespace Forge.Sql.Tests;

/// <summary>`forge sql` against the sqlite3 shell: same script on stdin, same stdout, stderr and exit code.</summary>
public sealed class ShellTests
{
    private const string Sqlite3Binary = "/usr/bin/sqlite3";

    private const string Script = """
        create table t(a integer primary key, b text, c real);
        insert into t(b, c) values ('one', 1), (NULL, 2.5), ("x", -0.0);
        select * from t order by a desc;
        select * from nope;
        select abs(-9223372036854775808);
        select * form t;
        select b, c * 2 from t where c > 1;
        insert into t values (1, 'dup', 0);
        select count_me(1);
        select 1e20, 1/3.0, 10/4, 'it''s';
        """;

    [Fact]
    public async Task A_script_on_stdin_gives_what_sqlite3_gives()
    {
        Assert.True(File.Exists(Sqlite3Binary), $"{Sqlite3Binary} is missing: ./test.sh installs Debian's sqlite3");
        var psi = new ProcessStartInfo(Sqlite3Binary) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var sqlite = Process.Start(psi)!;
        await sqlite.StandardInput.WriteAsync(Script);
        sqlite.StandardInput.Close();
        var expectedOut = await sqlite.StandardOutput.ReadToEndAsync();
        var expectedErr = await sqlite.StandardError.ReadToEndAsync();
        await sqlite.WaitForExitAsync();

        using var forge = ForgeProcess.Start(["sql"]);
        forge.WriteStdinAndClose(Script);
        var exit = await forge.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(expectedOut.TrimEnd('\n'), forge.Stdout.TrimEnd('\n'));
        Assert.Equal(expectedErr.TrimEnd('\n'), forge.Stderr.TrimEnd('\n'));
        Assert.Equal(sqlite.ExitCode, exit);
    }
}
