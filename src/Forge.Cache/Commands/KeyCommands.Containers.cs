using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>The per-type parts of COPY and OBJECT ENCODING, one line per container type.</summary>
internal static partial class KeyCommands
{
    private static object CloneContainer(object value) => value switch
    {
        RedisList list => list.Clone(),
        RedisHash hash => hash.Clone(),
        RedisSet set => set.Clone(),
        RedisSortedSet z => z.Clone(),
        RedisStream s => s.Clone(),
        _ => throw new NotSupportedException($"COPY of {TypeName(value)} values"),
    };

    private static string ContainerEncoding(CommandContext c, object value) => value switch
    {
        RedisList => RedisList.Encoding(c.Server.Config.Limits.ListMaxListpackSize),
        RedisHash hash => hash.Encoding(),
        RedisSet set => set.Encoding(),
        RedisSortedSet z => z.Encoding,
        RedisStream => RedisStream.Encoding,
        _ => "unknown",
    };
}
