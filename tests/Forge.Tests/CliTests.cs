using Forge.Testing;

namespace Forge.Tests;

/// <summary>The host's contract: help, version, usage errors and exit codes, through the real binary.</summary>
public class CliTests
{
    [Fact]
    public async Task Help_lists_usage_and_exits_zero()
    {
        var (code, stdout, _) = await ForgeProcess.RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains("forge", stdout, StringComparison.Ordinal);
        Assert.Contains("--version", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_assembly_version()
    {
        var (code, stdout, _) = await ForgeProcess.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error_with_exit_code_2()
    {
        var (code, stdout, stderr) = await ForgeProcess.RunAsync("nosuch");
        Assert.Equal(2, code);
        Assert.Contains("nosuch", stderr, StringComparison.Ordinal);
        Assert.Contains("--help", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("nosuch", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var (code, _, stderr) = await ForgeProcess.RunAsync("--no-such-flag");
        Assert.Equal(2, code);
        Assert.Contains("--no-such-flag", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_prints_help_and_exits_2()
    {
        var (code, stdout, _) = await ForgeProcess.RunAsync();
        Assert.Equal(2, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }
}
