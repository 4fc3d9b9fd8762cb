namespace Forge.Cache.Commands;

/// <summary>Redis 7.0's error texts, word for word (clients and test suites match on them).</summary>
internal static class Errors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Syntax = "ERR syntax error";
    public const string NoSuchKey = "ERR no such key";
    public const string OutOfRange = "ERR index out of range";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string NotPositive = "ERR value is out of range, must be positive";
    public const string NoAuth = "NOAUTH Authentication required.";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string NanOrInfinity = "ERR increment would produce NaN or Infinity";
    public const string Timeout = "ERR timeout is not a float or out of range";
    public const string TimeoutNegative = "ERR timeout is negative";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

    public static string InvalidExpire(string fullName) => $"ERR invalid expire time in '{fullName}' command";

    public static string WrongArgs(string fullName) => $"ERR wrong number of arguments for '{fullName}' command";
}
