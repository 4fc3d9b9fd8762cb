namespace Forge.Sql.Pager;

/// <summary>
/// One cached page: its number and a buffer of exactly the page size. Obtain pages from
/// <see cref="PageManager.GetPage"/>; call <see cref="PageManager.MakeWritable"/> before changing
/// <see cref="Data"/>, so the before-image is saved for rollback.
/// </summary>
internal sealed class Page
{
    public Page(uint number, byte[] data)
    {
        Number = number;
        Data = data;
    }

    public uint Number { get; }

    public byte[] Data { get; }

    /// <summary>Changed in the current transaction and not yet written to the file.</summary>
    public bool IsDirty { get; internal set; }
}
