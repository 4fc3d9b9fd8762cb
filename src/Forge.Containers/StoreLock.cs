namespace Forge.Containers;

/// <summary>
/// The store's one writer lock: an exclusive lock on ROOT/lock held while images or container
/// records change. .NET takes flock(LOCK_EX|LOCK_NB) for FileShare.None on Unix, so waiting is a
/// retry loop; the kernel drops the lock when its holder dies, so a SIGKILLed forge never
/// leaves the store locked.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file)
    {
        _file = file;
    }

    public static StoreLock Acquire(string root, TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, "lock");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
