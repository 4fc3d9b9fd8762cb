namespace Forge.Cache.Storage;

/// <summary>
/// Approximate bytes a value occupies on the managed heap (MEMORY USAGE). Strings are exact
/// (array header + bytes, rounded to 8); containers report their own estimate when they have one.
/// </summary>
internal static class MemoryEstimate
{
    public static long Of(object value) => value switch
    {
        byte[] s => 24 + ((s.Length + 7) & ~7),
        IMemoryEstimate m => m.EstimateBytes(),
        _ => 64,
    };
}

/// <summary>Implemented by container values that can estimate their own size.</summary>
internal interface IMemoryEstimate
{
    long EstimateBytes();
}
