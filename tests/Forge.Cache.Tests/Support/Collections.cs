namespace Forge.Cache.Tests.Support;

/// <summary>Tests that start forge cache / redis-server processes run one at a time (2-core machines).</summary>
[CollectionDefinition("forge cache process", DisableParallelization = true)]
public sealed class ForgeCacheProcesses
{
}
