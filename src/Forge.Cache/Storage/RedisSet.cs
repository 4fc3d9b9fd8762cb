namespace Forge.Cache.Storage;

/// <summary>The value of a Redis set key. Its operations live in partial files beside this one.</summary>
internal sealed partial class RedisSet
{
}
