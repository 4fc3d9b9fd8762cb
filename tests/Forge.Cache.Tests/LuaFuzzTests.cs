using System.Diagnostics;
using System.Text;
using Forge.Cache.Scripting.Lua;

namespace Forge.Cache.Tests;

/// <summary>
/// Random and mutated scripts through the parser and interpreter: every run must end with a value
/// or a Lua error (never another exception, a crash or a hang: an instruction budget stops loops).
/// </summary>
public sealed class LuaFuzzTests
{
    private static readonly string[] s_corpus =
    [
        "local t = {} for i = 1, 10 do t[i] = function() return i end end return t[1](), t[10]()",
        "local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(15)",
        "return string.gsub('hello world', '(%w+)', '<%1>')",
        "return string.match('key:123:abc', '(%a+):(%d+):(%a+)')",
        "local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.foo",
        "local s = 0 local i = 0 while i < 100 do i = i + 1 if i % 2 == 0 then s = s + i end end return s",
        "return cjson.encode({1, 2, {a = 'b', c = {true, false}}})",
        "return cjson.decode('{\"a\":[1,2,3],\"b\":{\"c\":null}}')",
        "local r = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do r[#r + 1] = k .. v end return table.concat(r, ';')",
        "local t = {5, 3, 1, 4} table.sort(t, function(a, b) return a > b end) return unpack(t)",
        "return string.format('%5.2f %d %s %q %x', 1.5, 2, 'x', 'y', 255)",
        "local ok, e = pcall(error, {code = 1}) return ok, type(e)",
        "return bit.band(0xff, bit.lshift(1, 4)), bit.tohex(-1)",
        "local a, b, c = (function(...) return select('#', ...), ... end)(1, nil, 3) return a, b, c",
        "repeat local x = 1 until x == 1 return [[long]] .. [==[str]==]",
        "local obj = {n = 0} function obj:inc(x) self.n = self.n + x return self end return obj:inc(1):inc(2).n",
        "return #'abc' + #{1, 2, 3} .. 'x' .. -(-2) ^ 2",
        "local x = 'a' for i = 1, 20 do x = x .. x end return #x",
        "return string.rep('ab', 100, ','):find('b,a', 1, true)",
        "return tostring(nil) .. tostring(1e100) .. tostring(-0.0) .. tostring(0/0)",
    ];

    private static readonly string[] s_tokens =
    [
        "local", "function", "end", "if", "then", "else", "elseif", "while", "do", "for", "in", "repeat", "until",
        "return", "break", "and", "or", "not", "nil", "true", "false", "(", ")", "{", "}", "[", "]", "=", "==", "~=",
        "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "#", "..", "...", ",", ";", ":", ".", "x", "y", "t", "f",
        "1", "0", "2.5", "1e308", "'s'", "\"q\"", "[[l]]", "string", "table", "math", "pcall", "error", "setmetatable",
        "string.rep", "string.find", "string.gsub", "'%b()'", "'(.-)%1'", "'[%a-'", "x()", "t.x", "t[1]", "{...}",
        "function(...) return ... end", "while true do end", "x = x .. x", "select('#', ...)", "unpack",
    ];

    [Fact]
    public void RandomAndMutatedScriptsEndWithAValueOrALuaError()
    {
        var random = new Random(20240601);
        var sw = Stopwatch.StartNew();
        var runs = 0;
        var errors = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(4) && runs < 20000)
        {
            var source = random.Next(3) switch
            {
                0 => Soup(random),
                1 => Mutate(random, s_corpus[random.Next(s_corpus.Length)]),
                _ => Mutate(random, Mutate(random, s_corpus[random.Next(s_corpus.Length)])),
            };
            runs++;
            if (!RunBounded(source))
            {
                errors++;
            }
        }

        Assert.True(runs > 100, $"only {runs} runs");
        Assert.True(errors < runs, "every script failed: the generator is broken");
    }

    /// <summary>Runs with an instruction budget; true for a value, false for a Lua error. Any other exception fails the test.</summary>
    private static bool RunBounded(string source)
    {
        var l = LuaInterpreterTests.NewState();
        l.OnHook = s =>
        {
            if (s.HookCalls > 30)
            {
                throw new LuaException("budget") { Uncatchable = true };
            }
        };
        try
        {
            var results = l.Run(l.Compile(Encoding.UTF8.GetBytes(source)));
            foreach (var v in results)
            {
                _ = l.ToStringMeta(v);
            }

            return true;
        }
        catch (LuaException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"script {source} threw {e}");
            return false;
        }
    }

    private static string Soup(Random random)
    {
        var sb = new StringBuilder();
        var n = random.Next(1, 40);
        for (var i = 0; i < n; i++)
        {
            sb.Append(s_tokens[random.Next(s_tokens.Length)]).Append(' ');
        }

        return sb.ToString();
    }

    private static string Mutate(Random random, string source)
    {
        var chars = new StringBuilder(source);
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && chars.Length > 0; i++)
        {
            var at = random.Next(chars.Length);
            switch (random.Next(5))
            {
                case 0:
                    chars.Remove(at, Math.Min(random.Next(1, 6), chars.Length - at));
                    break;
                case 1:
                    chars.Insert(at, s_tokens[random.Next(s_tokens.Length)] + " ");
                    break;
                case 2:
                    chars[at] = (char)random.Next(32, 127);
                    break;
                case 3:
                    var from = random.Next(chars.Length);
                    var len = Math.Min(random.Next(1, 20), chars.Length - from);
                    chars.Insert(at, chars.ToString(from, len));
                    break;
                default:
                    chars.Insert(at, (char)random.Next(0, 256));
                    break;
            }
        }

        return chars.ToString();
    }
}
