using System.Diagnostics;
using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>EVAL and friends through a real server: reply conversion, errors, script cache, busy scripts.</summary>
public sealed class LuaEvalCommandTests
{
    private static string Sha(string s) => Forge.Cache.Scripting.ScriptEngine.Sha1Hex(System.Text.Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task RepliesConvertAsRedisDocuments()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        Assert.Equal("$5\r\nhello\r\n", c.CallRaw("EVAL", "return 'hello'", "0"));
        Assert.Equal(":3\r\n", c.CallRaw("EVAL", "return 3.99", "0"));
        Assert.Equal(":-3\r\n", c.CallRaw("EVAL", "return -3.99", "0"));
        Assert.Equal(":1\r\n", c.CallRaw("EVAL", "return true", "0"));
        Assert.Equal("$-1\r\n", c.CallRaw("EVAL", "return false", "0"));
        Assert.Equal("$-1\r\n", c.CallRaw("EVAL", "return nil", "0"));
        Assert.Equal("*3\r\n:1\r\n$1\r\na\r\n*2\r\n:2\r\n:3\r\n", c.CallRaw("EVAL", "return {1, 'a', {2, 3}, nil, 5}", "0"));
        Assert.Equal("+fine\r\n", c.CallRaw("EVAL", "return {ok = 'fine'}", "0"));
        Assert.Equal("-bad thing\r\n", c.CallRaw("EVAL", "return {err = 'bad thing'}", "0"));
        Assert.Equal("-My Error\r\n", c.CallRaw("EVAL", "return redis.error_reply('My Error')", "0"));
        Assert.Equal("+X\r\n", c.CallRaw("EVAL", "return redis.status_reply('X')", "0"));
        Assert.Equal(":-9223372036854775808\r\n", c.CallRaw("EVAL", "return 2^63", "0"));
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", c.CallRaw("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", "2", "a", "b", "c", "d"));
        Assert.Equal("$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n", c.CallRaw("EVAL", "return redis.sha1hex('')", "0"));
    }

    [Fact]
    public async Task Resp3Conversions()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        c.Call("HELLO", "3");
        Assert.Equal("#t\r\n", c.CallRaw("EVAL", "redis.setresp(3) return true", "0"));
        Assert.Equal("_\r\n", c.CallRaw("EVAL", "return false", "0"));
        Assert.Equal(",3.5\r\n", c.CallRaw("EVAL", "redis.setresp(3) return {double = 3.5}", "0"));
        Assert.Equal("%1\r\n$1\r\na\r\n:1\r\n", c.CallRaw("EVAL", "redis.setresp(3) return {map = {a = 1}}", "0"));
        Assert.Equal("(123\r\n", c.CallRaw("EVAL", "redis.setresp(3) return {big_number = '123'}", "0"));
        c.Call("HSET", "h", "f", "v");
        Assert.Equal("$1\r\nv\r\n", c.CallRaw("EVAL", "redis.setresp(3) return redis.call('hgetall', 'h').map.f", "0"));
    }

    [Fact]
    public async Task RedisCallRunsCommandsAndConvertsReplies()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        Assert.Equal("OK", c.Call("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"));
        Assert.Equal("v", c.Call("GET", "k"));
        Assert.Equal(2L, c.Call("EVAL", "redis.call('rpush', 'l', 'a', 'b') return redis.call('llen', 'l')", "0"));
        Assert.Equal("$-1\r\n", c.CallRaw("EVAL", "return redis.call('get', 'missing')", "0"));
        Assert.Equal(":1\r\n", c.CallRaw("EVAL", "return redis.call('get', 'missing') == false", "0"));
        Assert.Equal("ERR value is not an integer or out of range", ((RespError)c.Call("EVAL", "return redis.pcall('incr', 'k')", "0")!).Message);
        var err = (RespError)c.Call("EVAL", "return redis.call('incr', 'k')", "0")!;
        Assert.Equal($"ERR value is not an integer or out of range script: {Sha("return redis.call('incr', 'k')")}, on @user_script:1.", err.Message);
        Assert.StartsWith("ERR Unknown Redis command called from script", ((RespError)c.Call("EVAL", "return redis.call('nosuch')", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR Wrong number of args calling Redis command from script", ((RespError)c.Call("EVAL", "return redis.call('get')", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR This Redis command is not allowed from script", ((RespError)c.Call("EVAL", "return redis.call('eval', 'return 1', '0')", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR Lua redis lib command arguments must be strings or integers", ((RespError)c.Call("EVAL", "return redis.call('get', {})", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR Write commands are not allowed from read-only scripts.", ((RespError)c.Call("EVAL_RO", "return redis.call('set', 'a', 'b')", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR Write commands are not allowed from read-only scripts.", ((RespError)c.Call("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", "0")!).Message, StringComparison.Ordinal);

        // SELECT inside a script does not change the caller's database.
        Assert.Equal("OK", c.Call("EVAL", "redis.call('select', 5) return redis.call('set', 'in5', '1')", "0"));
        Assert.Null(c.Call("GET", "in5"));
        c.Call("SELECT", "5");
        Assert.Equal("1", c.Call("GET", "in5"));
    }

    [Fact]
    public async Task ErrorsAndScriptCache()
    {
        await using var server = InProcessServer.Start();
        using var c = server.Connect();
        Assert.Equal("ERR Number of keys can't be negative", ((RespError)c.Call("EVAL", "return 1", "-1")!).Message);
        Assert.Equal("ERR Number of keys can't be greater than number of args", ((RespError)c.Call("EVAL", "return 1", "3", "a")!).Message);
        Assert.Equal("ERR value is not an integer or out of range", ((RespError)c.Call("EVAL", "return 1", "x")!).Message);
        Assert.Equal("NOSCRIPT No matching script. Please use EVAL.", ((RespError)c.Call("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0")!).Message);
        Assert.Equal("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'", ((RespError)c.Call("EVAL", "return 1 +", "0")!).Message);
        Assert.Equal($"ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: {Sha("return a")}, on @user_script:1.", ((RespError)c.Call("EVAL", "return a", "0")!).Message);
        Assert.StartsWith("ERR user_script:1: Attempt to modify a readonly table", ((RespError)c.Call("EVAL", "a = 5", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("ERR user_script:1: Attempt to modify a readonly table", ((RespError)c.Call("EVAL", "redis.call = 1", "0")!).Message, StringComparison.Ordinal);
        Assert.StartsWith("x script: ", ((RespError)c.Call("EVAL", "error({err = 'x'})", "0")!).Message, StringComparison.Ordinal);
        Assert.Equal("ERR Unknown lua shebang option: name=x", ((RespError)c.Call("EVAL", "#!lua name=x\nreturn 1", "0")!).Message);
        Assert.Equal("ERR Unexpected flag in script shebang: bad", ((RespError)c.Call("EVAL", "#!lua flags=bad\nreturn 1", "0")!).Message);

        var sha = (string)c.Call("SCRIPT", "LOAD", "return ARGV[1]")!;
        Assert.Equal(Sha("return ARGV[1]"), sha);
        Assert.Equal("x", c.Call("EVALSHA", sha, "0", "x"));
        Assert.Equal("x", c.Call("EVALSHA", sha.ToUpperInvariant(), "0", "x"));
        Assert.Equal("*2\r\n:1\r\n:0\r\n", c.CallRaw("SCRIPT", "EXISTS", sha, "ffff"));
        Assert.Equal("OK", c.Call("SCRIPT", "FLUSH", "ASYNC"));
        Assert.Equal("*1\r\n:0\r\n", c.CallRaw("SCRIPT", "EXISTS", sha));
        Assert.Equal("NOTBUSY No scripts in execution right now.", ((RespError)c.Call("SCRIPT", "KILL")!).Message);

        // A deeply recursive reply ends with an error instead of overflowing the stack.
        var raw = c.CallRaw("EVAL", "local a = {} local b = {a} a[1] = b return a", "0");
        Assert.EndsWith("-ERR reached lua stack limit\r\n", raw, StringComparison.Ordinal);
        Assert.Equal("PONG", c.Call("PING"));
    }

    [Fact]
    public async Task BusyScriptIsReportedAndKilled()
    {
        await using var server = InProcessServer.Start(("busy-reply-threshold", "50"));
        using var runner = server.Connect();
        using var other = server.Connect();
        runner.Send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
        WaitForBusy(other);

        Assert.Equal("OK", other.Call("MULTI"));
        Assert.StartsWith("BUSY", ((RespError)other.Call("INCR", "x")!).Message, StringComparison.Ordinal);
        Assert.Equal("OK", other.Call("SCRIPT", "KILL"));
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", ((RespError)runner.Read()!).Message, StringComparison.Ordinal);
        Assert.StartsWith("EXECABORT", ((RespError)other.Call("EXEC")!).Message, StringComparison.Ordinal);
        Assert.Equal("PONG", other.Call("PING"));
        Assert.Equal("PONG", runner.Call("PING"));
        Assert.Equal("NOTBUSY No scripts in execution right now.", ((RespError)other.Call("SCRIPT", "KILL")!).Message);
    }

    [Fact]
    public async Task ScriptThatWroteIsUnkillableUntilShutdownNoSave()
    {
        await using var server = InProcessServer.Start(("busy-reply-threshold", "50"));
        using var runner = server.Connect();
        using var other = server.Connect();
        runner.Send("EVAL", "redis.call('set', 'w', '1') while true do end", "0");
        WaitForBusy(other);
        Assert.StartsWith("UNKILLABLE", ((RespError)other.Call("SCRIPT", "KILL")!).Message, StringComparison.Ordinal);
        using var third = server.Connect(); // accepted while busy
        Assert.StartsWith("BUSY", ((RespError)third.Call("GET", "w")!).Message, StringComparison.Ordinal);
        other.Send("SHUTDOWN", "NOSAVE");
        Assert.StartsWith("ERR Script killed", ((RespError)runner.Read()!).Message, StringComparison.Ordinal);
        Assert.True(server.Server.ShutdownRequested.Task.IsCompleted);
    }

    private static void WaitForBusy(RespClient c)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (c.Call("PING") is RespError { Message: var m } && m.StartsWith("BUSY", StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail("the script never became busy");
    }
}
