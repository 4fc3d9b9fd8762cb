using Forge.Cache.Scripting.Lua;

namespace Forge.Cache.Tests;

/// <summary>The Lua 5.1 interpreter on its own: language features, libraries, patterns, error texts.</summary>
public sealed class LuaInterpreterTests
{
    internal static LuaState NewState()
    {
        var l = new LuaState();
        BaseLib.Open(l);
        StringLib.Open(l);
        Libraries.OpenTable(l);
        Libraries.OpenMath(l, new Random(1));
        Libraries.OpenBit(l);
        CjsonLib.Open(l);
        return l;
    }

    /// <summary>Runs a chunk and renders its results as tostring() values joined by ",".</summary>
    private static string Run(string code)
    {
        var l = NewState();
        var results = l.Run(l.Compile(System.Text.Encoding.UTF8.GetBytes(code)));
        return string.Join(",", results.Select(v => l.ToStringMeta(v).ToString()));
    }

    private static string Error(string code)
    {
        var e = Assert.Throws<LuaException>(() => Run(code));
        return e.Value is LuaString s ? s.ToString() : Lua.TypeName(e.Value);
    }

    [Theory]
    [InlineData("return 1 + 2 * 3 ^ 2", "19")]
    [InlineData("return 2 ^ 3 ^ 2", "512")]
    [InlineData("return -2 ^ 2", "-4")]
    [InlineData("return 'a' .. 'b' .. 1 .. 2", "ab12")]
    [InlineData("return 7 % 3, -7 % 3, 7 % -3, 10 / 4", "1,2,-2,2.5")]
    [InlineData("return '10' + 5, '3' * '4', 10 .. 20", "15,12,1020")]
    [InlineData("return 1 == 1.0, 'a' < 'b', not nil, nil == false", "true,true,true,false")]
    [InlineData("return nil and 1 or 2, false or nil, 0 and 'zero'", "2,nil,zero")]
    [InlineData("return #'hello', #{1, 2, 3}, #{}", "5,3,0")]
    [InlineData("local a, b, c = 1 return a, b, c", "1,nil,nil")]
    [InlineData("local a, b = 1, 2 a, b = b, a return a, b", "2,1")]
    [InlineData("local t = {} t.x, t.y = 1, 2 return t.x + t.y", "3")]
    [InlineData("local s = 0 for i = 1, 10 do s = s + i end return s", "55")]
    [InlineData("local s = 0 for i = 10, 1, -3 do s = s + i end return s", "22")]
    [InlineData("local n = 0 while n < 5 do n = n + 1 end return n", "5")]
    [InlineData("local n = 0 repeat local m = n n = n + 1 until m >= 3 return n", "4")]
    [InlineData("for i = 1, 3 do if i == 2 then return i end end", "2")]
    [InlineData("local x = 0 while true do x = x + 1 if x == 7 then break end end return x", "7")]
    [InlineData("if false then return 1 elseif nil then return 2 else return 3 end", "3")]
    [InlineData("local function f(...) return select('#', ...), ... end return f(1, nil, 3)", "3,1,nil,3")]
    [InlineData("local function f(...) local a, b = ... return b end return f(1, 2)", "2")]
    [InlineData("return select(-1, 'a', 'b', 'c')", "c")]
    [InlineData("local t = {f = function(self, x) return self.v + x end, v = 1} return t:f(2)", "3")]
    [InlineData("local t = {1, 2, [10] = 'ten', x = 'y', 3} return t[3], t[10], t.x, #t", "3,ten,y,3")]
    [InlineData("local function f() return 1, 2 end local t = {f(), f()} return #t", "3")]
    [InlineData("local function f() return 1, 2 end return (f())", "1")]
    [InlineData("return [[a\nb]], [==[x]]y]==]", "a\nb,x]]y")]
    [InlineData("return '\\65\\066\\n' == 'AB\\n', '\\x' ", "true,x")]
    [InlineData("return 0x10, 1e2, .5, 3.", "16,100,0.5,3")]
    [InlineData("return 1e15, 1e14, 123456789012345, 0.1, -0.0", "1e+15,1e+14,1.2345678901234e+14,0.1,-0")]
    [InlineData("return 1/0, -1/0", "inf,-inf")]
    [InlineData("-- comment\n--[[ long\ncomment ]] return 1", "1")]
    public void LanguageFeatures(string code, string expected) => Assert.Equal(expected, Run(code));

    [Fact]
    public void ClosuresCaptureFreshLoopVariablesAndShareUpvalues()
    {
        Assert.Equal("1,10", Run("local t = {} for i = 1, 10 do t[i] = function() return i end end return t[1](), t[10]()"));
        Assert.Equal("3", Run("local function counter() local n = 0 return function() n = n + 1 return n end end local c = counter() c() c() return c()"));
        Assert.Equal("2,2", Run("local x = 1 local function get() return x end local function set(v) x = v end set(2) return get(), x"));
        Assert.Equal("11", Run("local fs = {} local k = 1 while k <= 2 do local j = k * 10 fs[k] = function() return j + 1 end k = k + 1 end return fs[1]()"));
        Assert.Equal("6765", Run("local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)"));
    }

    [Fact]
    public void Metatables()
    {
        Assert.Equal("foo!", Run("local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.foo"));
        Assert.Equal("42", Run("local t = setmetatable({}, {__call = function(self, x) return x * 2 end}) return t(21)"));
        Assert.Equal("3", Run("local mt = {__add = function(a, b) return a.v + b.v end} return setmetatable({v = 1}, mt) + setmetatable({v = 2}, mt)"));
        Assert.Equal("true", Run("local mt = {__eq = function() return true end} return setmetatable({}, mt) == setmetatable({}, mt)"));
        Assert.Equal("true,true", Run("local mt = {__lt = function(a, b) return a.v < b.v end} local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt) return a < b, a <= b"));
        Assert.Equal("cat", Run("return setmetatable({}, {__concat = function() return 'cat' end}) .. 'x'"));
        Assert.Equal("50", Run("local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 10) end}) t.a = 5 return t.a"));
        Assert.Equal("base", Run("local base = {name = 'base'} local obj = setmetatable({}, {__index = base}) return obj.name"));
        Assert.Equal("T", Run("return tostring(setmetatable({}, {__tostring = function() return 'T' end}))"));
    }

    [Theory]
    [InlineData("return string.find('hello world', 'o w')", "5,7")]
    [InlineData("return string.find('hello world', '(o)(r)')", "8,9,o,r")]
    [InlineData("return string.find('a.b', '.', 1, true)", "2,2")]
    [InlineData("return string.match('key:123:abc', '(%a+):(%d+):(%a+)')", "key,123,abc")]
    [InlineData("return string.match('  trim  ', '^%s*(.-)%s*$')", "trim")]
    [InlineData("return string.match('hello', '()ll()')", "3,5")]
    [InlineData("return string.match('f(a(b)c)d', '%b()')", "(a(b)c)")]
    [InlineData("return string.gsub('THE (quick) fox', '%f[%a]%a+', 'X')", "X (X) X,3")]
    [InlineData("return string.gsub('hello world', '(%w+)', '<%1>')", "<hello> <world>,2")]
    [InlineData("return string.gsub('abc', '%w', {a = '1', b = false})", "1bc,3")]
    [InlineData("return string.gsub('abc', '%w', function(c) return c:upper() end, 2)", "ABc,2")]
    [InlineData("return string.gsub('hello', '', '-')", "-h-e-l-l-o-,6")]
    [InlineData("return string.match('aaa', 'a-b')", "nil")]
    [InlineData("return string.match('aaab', 'a-b')", "aaab")]
    [InlineData("return string.match('[x]', '[%[]')", "[")]
    [InlineData("return string.match('x=1, y=2', '(%w+)=(%w+)$')", "y,2")]
    [InlineData("return string.match('abcabc', '(abc)%1')", "abc")]
    [InlineData("return string.match('0xFF', '^0[xX](%x+)$')", "FF")]
    [InlineData("local r = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do r[#r + 1] = k .. v end return table.concat(r, ';')", "a1;b2")]
    public void Patterns(string code, string expected) => Assert.Equal(expected, Run(code));

    [Theory]
    [InlineData("return string.format('%5.2f|%d|%s|%q|%x', 3.14159, 42, 'hi', 'a\"b', 255)", " 3.14|42|hi|\"a\\\"b\"|ff")]
    [InlineData("return string.format('%-5s|%5s|%05d|%+d|%.3s', 'a', 'b', 42, 7, 'abcdef')", "a    |    b|00042|+7|abc")]
    [InlineData("return string.format('%g %g %g %e', 0.0001, 1e20, 100, 12345.678)", "0.0001 1e+20 100 1.234568e+04")]
    [InlineData("return string.rep('ab', 3), ('x'):upper(), string.reverse('abc'), string.sub('hello', 2, -2)", "ababab,X,cba,ell")]
    [InlineData("return string.byte('ABC', 1, -1)", "65,66,67")]
    [InlineData("return string.char(72, 105), string.len('\\0\\0')", "Hi,2")]
    [InlineData("local t = {3, 1, 2} table.sort(t) return table.concat(t, ',')", "1,2,3")]
    [InlineData("local t = {3, 1, 2} table.sort(t, function(a, b) return a > b end) return table.concat(t, ',')", "3,2,1")]
    [InlineData("local t = {1, 2, 3} table.insert(t, 2, 9) table.insert(t, 7) return table.concat(t, ',')", "1,9,2,3,7")]
    [InlineData("local t = {1, 2, 3} return table.remove(t, 1), table.concat(t, ','), table.getn(t)", "1,2,3,2")]
    [InlineData("return unpack({1, 2, 3})", "1,2,3")]
    [InlineData("return math.floor(3.7), math.ceil(3.2), math.abs(-2), math.max(1, 5, 3), math.min(4, 2), math.fmod(7, 3)", "3,4,2,5,2,1")]
    [InlineData("return math.modf(3.7)", "3,0.7")]
    [InlineData("return bit.band(0xff, 0x0f), bit.bor(1, 2), bit.bxor(3, 1), bit.bnot(0), bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-16, 2)", "15,3,2,-1,16,15,-4")]
    [InlineData("return bit.tohex(255), bit.tohex(-1, 4), bit.tobit(2 ^ 32 + 5), bit.rol(1, 33), bit.ror(1, 1)", "000000ff,ffff,5,2,-2147483648")]
    [InlineData("return tonumber('0x10'), tonumber('  12  '), tonumber('z', 36), tonumber('abc')", "16,12,35,nil")]
    [InlineData("return cjson.encode({1, 2, {a = 1}}), cjson.encode({}), cjson.encode('a/b')", "[1,2,{\"a\":1}],{},\"a\\/b\"")]
    [InlineData("local t = cjson.decode('{\"a\":[1,2,null],\"c\":\"\\\\u0041\"}') return t.c, #t.a, t.a[3] == cjson.null", "A,3,true")]
    [InlineData("return pcall(error, 'x')", "false,x")]
    [InlineData("return pcall(function() local x = nil return x.y end)", "false,user_script:1: attempt to index local 'x' (a nil value)")]
    [InlineData("return xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)", "false,handled: user_script:1: x")]
    [InlineData("return loadstring('return 1 + 1')()", "2")]
    [InlineData("return loadstring('return +')", "nil,[string \"return +\"]:1: unexpected symbol near '+'")]
    public void LibraryFunctions(string code, string expected) => Assert.Equal(expected, Run(code));

    [Theory]
    [InlineData("local t = nil return t.x", "user_script:1: attempt to index local 't' (a nil value)")]
    [InlineData("return 1 < nil", "user_script:1: attempt to compare number with nil")]
    [InlineData("return {} < {}", "user_script:1: attempt to compare two table values")]
    [InlineData("return nil .. 1", "user_script:1: attempt to concatenate a nil value")]
    [InlineData("local x x()", "user_script:1: attempt to call local 'x' (a nil value)")]
    [InlineData("local t = {} t.f()", "user_script:1: attempt to call field 'f' (a nil value)")]
    [InlineData("local t = {} t:m()", "user_script:1: attempt to call method 'm' (a nil value)")]
    [InlineData("return 'a' + 1", "user_script:1: attempt to perform arithmetic on a string value")]
    [InlineData("local x return x + 1", "user_script:1: attempt to perform arithmetic on local 'x' (a nil value)")]
    [InlineData("return #5", "user_script:1: attempt to get length of a number value")]
    [InlineData("\n\nerror('boom')", "user_script:3: boom")]
    [InlineData("error('boom', 0)", "boom")]
    [InlineData("local t = {} t[nil] = 1", "user_script:1: table index is nil")]
    [InlineData("return string.rep()", "user_script:1: bad argument #1 to 'rep' (string expected, got no value)")]
    [InlineData("return string.rep('x', 1e10)", "user_script:1: string length overflow")]
    [InlineData("return string.find('abc', '[a-')", "user_script:1: malformed pattern (missing ']')")]
    [InlineData("local function f() f() end f()", "user_script:1: stack overflow")]
    [InlineData("return 1 +", "user_script:1: unexpected symbol near '<eof>'")]
    [InlineData("x = = 1", "user_script:1: unexpected symbol near '='")]
    [InlineData("for i = 1 do end", "user_script:1: ',' expected near 'do'")]
    [InlineData("if x then", "user_script:1: 'end' expected near '<eof>'")]
    [InlineData("local s = 'abc", "user_script:1: unfinished string near '<eof>'")]
    [InlineData("break", "user_script:1: no loop to break near '<eof>'")]
    [InlineData("x.y", "user_script:1: '=' expected near '<eof>'")]
    public void ErrorMessages(string code, string expected) => Assert.Equal(expected, Error(code));

    [Fact]
    public void DeepNestingIsASyntaxErrorNotACrash()
    {
        var deep = "return " + new string('(', 5000) + "1" + new string(')', 5000);
        Assert.Contains("chunk has too many syntax levels", Error(deep), StringComparison.Ordinal);
        var tables = "return " + string.Concat(Enumerable.Repeat("{", 5000)) + string.Concat(Enumerable.Repeat("}", 5000));
        Assert.Contains("chunk has too many syntax levels", Error(tables), StringComparison.Ordinal);
        var unary = "return " + string.Concat(Enumerable.Repeat("- ", 5000)) + "1";
        Assert.Contains("chunk has too many syntax levels", Error(unary), StringComparison.Ordinal);
    }

    [Fact]
    public void DeepRecursionThroughLibrariesIsAStackOverflowError()
    {
        Assert.Contains("stack overflow", Run("local function f() return pcall(f) end return f()"), StringComparison.Ordinal);
        Assert.Contains("stack overflow", Error("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x"), StringComparison.Ordinal);
    }

    [Fact]
    public void TablesKeepTraversalWorkingWhileFieldsAreCleared()
    {
        Assert.Equal("0", Run("local t = {} for i = 1, 100 do t['k' .. i] = i t[i] = i end for k in pairs(t) do t[k] = nil end return #t + (next(t) == nil and 0 or 1)"));
        Assert.Equal("5050", Run("local t = {} for i = 1, 100 do t[i] = i end local s = 0 for _, v in ipairs(t) do s = s + v end return s"));
    }

    [Fact]
    public void StringsAreBinarySafe()
    {
        Assert.Equal("3,0,255", Run("local s = '\\0\\255x' return #s, s:byte(1), s:byte(2)"));
    }
}
