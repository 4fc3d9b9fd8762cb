using Forge.Cache.Tests.Support;

namespace Forge.Cache.Tests;

/// <summary>
/// An in-process cache server and a client for the hash and set command tests, with replies in a
/// compact test form: bulk and simple strings as themselves, integers as ":n", errors as
/// "-ERR ...", nil as null, arrays as object?[].
/// </summary>
internal sealed class HashSetRespClient : IDisposable
{
    private readonly InProcessServer _server;
    private readonly RespClient _client;

    private HashSetRespClient(InProcessServer server)
    {
        _server = server;
        _client = server.Connect();
    }

    public static HashSetRespClient Start() => new(InProcessServer.Start());

    public object? Call(params string[] args) => Convert(_client.Call(args));

    /// <summary>A command whose reply is an array of strings (a nil element reads "(nil)").</summary>
    public string[] Strings(params string[] args)
    {
        var reply = Call(args);
        return reply is object?[] items ? Array.ConvertAll(items, i => (string?)i ?? "(nil)") : throw new InvalidOperationException($"not an array: {reply}");
    }

    private static object? Convert(object? value) => value switch
    {
        long n => ":" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespError e => "-" + e.Message,
        object?[] items => Array.ConvertAll(items, Convert),
        _ => value,
    };

    public void Dispose()
    {
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
