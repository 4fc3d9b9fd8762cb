namespace Forge.Cache.Storage;

/// <summary>The value of a Redis hash key. Its operations live in partial files beside this one.</summary>
internal sealed partial class RedisHash
{
}
