using System.Buffers.Binary;
using Forge.Sql.Records;

namespace Forge.Sql.Pager;

/// <summary>
/// SQLite's pager: pages by number through a bounded cache, the database header, free-page
/// allocation through the freelist, and in-process transactions with nested savepoints
/// (statement rollback). All reads are bounds-checked; a page number outside the file is corruption.
/// <para>
/// Transactions: <see cref="Begin"/> starts a write transaction; the first <see cref="MakeWritable"/>
/// of a page in the innermost savepoint saves its before-image. <see cref="Rollback"/> (and
/// <see cref="RollbackSavepoint"/>) copy the before-images back into the same <see cref="Page"/>
/// objects and restore the page count. <see cref="Commit"/> runs <see cref="WriteTransaction"/>:
/// journal, sync, write pages, sync. Reads outside a transaction see the committed file.
/// </para>
/// </summary>
internal sealed class PageManager : IDisposable
{
    /// <summary>Freelist trunk page layout (fileformat2 §1.5).</summary>
    private const int TrunkNext = 0;      // 4 bytes: next trunk page, 0 at the end
    private const int TrunkLeafCount = 4; // 4 bytes: number of leaf page numbers that follow
    private const int TrunkLeaves = 8;    // 4 bytes each

    /// <summary>The byte offset of the lock-byte page (pending byte, 2^30); that page is never used.</summary>
    private const long PendingByte = 0x40000000;

    public const int DefaultPageSize = 4096;

    /// <summary>PRAGMA cache_size's default: 8000 KiB, 2000 pages of 4 KiB (sqlite3's is -2000, 2000 KiB).</summary>
    public const long DefaultCacheSize = -8000;

    private readonly DatabaseFile _file;
    private readonly Dictionary<uint, Page> _cache = [];
    private readonly List<Savepoint> _savepoints = [];
    private int _cacheCapacity;
    private int _nextEviction;
    private readonly int _newPageSize;
    private uint _pageCount;

    private sealed class Savepoint
    {
        public readonly Dictionary<uint, byte[]> BeforeImages = [];
        public uint PageCount;
    }

    // Every statement inside a transaction is a savepoint, and its first write to a page copies
    // the page's before-image: for a prepared INSERT in a loop that was a fresh page-sized array
    // and a fresh savepoint per row (8 KB of garbage per row, a third of the insert time in GC and
    // zeroing). Released images and savepoints are kept for reuse, a bounded number of them.
    private const int MaxPooledImages = 64;
    private readonly Stack<byte[]> _imagePool = new();
    private readonly Stack<Savepoint> _savepointPool = new();

    /// <param name="cacheSize">The page cache as PRAGMA cache_size sets it: N pages, or -N KiB.</param>
    private PageManager(DatabaseFile file, int newPageSize, long cacheSize)
    {
        _file = file;
        _newPageSize = newPageSize;

        // The smallest cache until the page size is known (Load reads the header page).
        _cacheCapacity = _nextEviction = 16;
        Load();
        SetCacheSize(cacheSize);
    }

    /// <summary>Opens (or, when empty or missing, prepares to create) a database file; ":memory:" is an in-memory database.</summary>
    public static PageManager Open(string path, int newPageSize = DefaultPageSize, long cacheSize = DefaultCacheSize, bool readOnly = false)
    {
        var file = DatabaseFile.Open(path, readOnly);
        try
        {
            return new PageManager(file, newPageSize, cacheSize);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public static PageManager Open(DatabaseFile file, int newPageSize = DefaultPageSize, long cacheSize = DefaultCacheSize) =>
        new(file, newPageSize, cacheSize);

    public int PageSize { get; private set; }

    /// <summary>Page size minus the reserved bytes at the end of each page (the b-tree's U).</summary>
    public int UsableSize { get; private set; }

    /// <summary>Pages in the database (0 for a new database before its first write).</summary>
    public uint PageCount => _pageCount;

    public bool InTransaction => _savepoints.Count > 0;

    /// <summary>True for auto-vacuum databases, which this pager reads but refuses to write (no pointer map yet).</summary>
    public bool IsAutoVacuum { get; private set; }

    public int CachedPages => _cache.Count;

    private void Load()
    {
        _cache.Clear();
        var header = new byte[DatabaseHeader.Size];
        var n = _file.Read(0, header);
        if (n == 0)
        {
            PageSize = _newPageSize;
            UsableSize = _newPageSize;
            _pageCount = 0;
            return;
        }

        if (n < DatabaseHeader.Size)
        {
            throw new SqliteNotADatabaseException();
        }

        DatabaseHeader.Validate(header);
        if (header[DatabaseHeader.ReadVersion] == 2 || header[DatabaseHeader.WriteVersion] == 2)
        {
            throw new NotSupportedException("WAL-mode databases are not supported yet (run PRAGMA journal_mode=DELETE first)");
        }

        PageSize = DatabaseHeader.DecodePageSize(header);
        UsableSize = PageSize - header[DatabaseHeader.ReservedBytes];
        IsAutoVacuum = DatabaseHeader.ReadUInt32(header, DatabaseHeader.LargestRootPage) != 0;
        var filePages = (uint)Math.Min(_file.Length / PageSize, uint.MaxValue);
        var headerPages = DatabaseHeader.ReadUInt32(header, DatabaseHeader.DatabaseSizePages);
        var counter = DatabaseHeader.ReadUInt32(header, DatabaseHeader.FileChangeCounter);
        var validFor = DatabaseHeader.ReadUInt32(header, DatabaseHeader.VersionValidFor);
        // The in-header size is trusted only when valid-for matches the change counter and it is
        // nonzero; even then never beyond the file (a hostile header must not make us read past it).
        _pageCount = headerPages != 0 && validFor == counter ? Math.Min(headerPages, Math.Max(filePages, 1)) : filePages;
        if (_pageCount == 0)
        {
            _pageCount = 1;
        }
    }

    // ---- reading ----

    /// <summary>The page <paramref name="number"/>; throws <see cref="SqliteCorruptException"/> when it is outside the database.</summary>
    public Page GetPage(uint number)
    {
        if (number == 0 || number > _pageCount)
        {
            SqliteCorruptException.Throw($"page number {number} out of range 1..{_pageCount}");
        }

        if (_cache.TryGetValue(number, out var page))
        {
            return page;
        }

        var data = new byte[PageSize];
        _file.Read((long)(number - 1) * PageSize, data);
        page = new Page(number, data);
        AddToCache(page);
        return page;
    }

    private void AddToCache(Page page)
    {
        if (_cache.Count >= _nextEviction)
        {
            EvictClean();
        }

        _cache[page.Number] = page;
    }

    /// <summary>
    /// PRAGMA cache_size as sqlite3 keeps it: N &gt; 0 is pages, N &lt; 0 is -N KiB. The cache holds
    /// at least 16 pages whatever is asked; dirty pages of the open transaction are never dropped.
    /// </summary>
    public long CacheSizeSetting { get; private set; } = DefaultCacheSize;

    public void SetCacheSize(long setting)
    {
        CacheSizeSetting = setting;
        var pages = setting >= 0 ? setting : -setting * 1024 / PageSize;
        _cacheCapacity = (int)Math.Clamp(pages, 16, int.MaxValue / 2);
        _nextEviction = _cacheCapacity;
        if (_cache.Count >= _nextEviction)
        {
            EvictClean();
        }
    }

    private void EvictClean()
    {
        // Drop clean pages until the cache is at three quarters of its capacity. Dirty pages stay:
        // they are the transaction. Holders of an evicted Page keep a valid (clean) copy.
        var target = _cacheCapacity * 3 / 4;
        List<uint>? victims = null;
        foreach (var (number, page) in _cache)
        {
            if (!page.IsDirty && number != 1)
            {
                (victims ??= []).Add(number);
                if (_cache.Count - victims.Count <= target)
                {
                    break;
                }
            }
        }

        if (victims is not null)
        {
            foreach (var v in victims)
            {
                _cache.Remove(v);
            }
        }

        // A large transaction fills the cache with dirty pages, which stay. Walking the whole cache
        // again on every page added would make each new page cost O(cache) (it was 11 % of a
        // 1M-row insert): look again only after the cache has grown by another quarter.
        _nextEviction = Math.Max(_cacheCapacity, _cache.Count + (_cacheCapacity / 4));
    }

    // ---- header fields ----

    private Page Page1 => GetPage(1);

    public uint ReadHeaderField(int offset) => _pageCount == 0 ? 0 : DatabaseHeader.ReadUInt32(Page1.Data, offset);

    public void WriteHeaderField(int offset, uint value)
    {
        var p1 = Page1;
        MakeWritable(p1);
        DatabaseHeader.WriteUInt32(p1.Data, offset, value);
    }

    public uint SchemaCookie => ReadHeaderField(DatabaseHeader.SchemaCookie);

    public uint ChangeCounter => ReadHeaderField(DatabaseHeader.FileChangeCounter);

    public uint FreelistCount => ReadHeaderField(DatabaseHeader.FreelistCount);

    public void BumpSchemaCookie() => WriteHeaderField(DatabaseHeader.SchemaCookie, SchemaCookie + 1);

    // ---- transactions ----

    /// <summary>Starts a write transaction. On a new (empty) database this creates page 1 with an empty sqlite_schema.</summary>
    public void Begin()
    {
        if (_savepoints.Count > 0)
        {
            throw new InvalidOperationException("cannot start a transaction within a transaction");
        }

        if (IsAutoVacuum)
        {
            throw new NotSupportedException("writing auto-vacuum databases is not supported yet");
        }

        _savepoints.Add(NewSavepoint());
        if (_pageCount == 0)
        {
            _pageCount = 1;
            var p1 = new Page(1, new byte[PageSize]);
            AddToCache(p1);
            p1.IsDirty = true;
            DatabaseHeader.Initialize(p1.Data, PageSize);
            Forge.Sql.BTree.BTreePage.InitializeEmpty(p1.Data, DatabaseHeader.Size, Forge.Sql.BTree.BTreePage.TableLeaf, UsableSize);
        }
    }

    /// <summary>Opens a nested savepoint (a statement inside the transaction); returns its depth.</summary>
    public int BeginSavepoint()
    {
        RequireTransaction();
        _savepoints.Add(NewSavepoint());
        return _savepoints.Count - 1;
    }

    private Savepoint NewSavepoint()
    {
        var sp = _savepointPool.TryPop(out var pooled) ? pooled : new Savepoint();
        sp.PageCount = _pageCount;
        return sp;
    }

    /// <summary>Returns a savepoint whose images were taken over or restored (its dictionary is emptied).</summary>
    private void RecycleSavepoint(Savepoint sp, bool recycleImages)
    {
        if (recycleImages)
        {
            foreach (var image in sp.BeforeImages.Values)
            {
                RecycleImage(image);
            }
        }

        sp.BeforeImages.Clear();
        if (_savepointPool.Count < MaxPooledImages)
        {
            _savepointPool.Push(sp);
        }
    }

    private void RecycleImage(byte[] image)
    {
        if (image.Length == PageSize && _imagePool.Count < MaxPooledImages)
        {
            _imagePool.Push(image);
        }
    }

    private byte[] CopyOf(byte[] data)
    {
        if (!_imagePool.TryPop(out var image) || image.Length != data.Length)
        {
            image = GC.AllocateUninitializedArray<byte>(data.Length);
        }

        data.CopyTo(image, 0);
        return image;
    }

    /// <summary>Keeps the innermost savepoint's changes as part of the enclosing one.</summary>
    public void ReleaseSavepoint()
    {
        if (_savepoints.Count < 2)
        {
            throw new InvalidOperationException("no savepoint to release");
        }

        var inner = _savepoints[^1];
        var outer = _savepoints[^2];
        _savepoints.RemoveAt(_savepoints.Count - 1);
        foreach (var (number, image) in inner.BeforeImages)
        {
            // The inner image is the state at the inner start; when the outer has none, the page
            // was unchanged since the outer start, so it is the outer's image too.
            if (number > outer.PageCount || !outer.BeforeImages.TryAdd(number, image))
            {
                RecycleImage(image);
            }
        }

        RecycleSavepoint(inner, recycleImages: false);
    }

    /// <summary>Undoes everything since the innermost savepoint began and ends it.</summary>
    public void RollbackSavepoint()
    {
        if (_savepoints.Count < 2)
        {
            throw new InvalidOperationException("no savepoint to roll back");
        }

        var inner = _savepoints[^1];
        Restore(inner);
        _savepoints.RemoveAt(_savepoints.Count - 1);
        RecycleSavepoint(inner, recycleImages: false);
    }

    /// <summary>Undoes the whole transaction: every page is as it was at <see cref="Begin"/>.</summary>
    public void Rollback()
    {
        RequireTransaction();
        for (var i = _savepoints.Count - 1; i >= 0; i--)
        {
            Restore(_savepoints[i]);
            RecycleSavepoint(_savepoints[i], recycleImages: false);
        }

        _savepoints.Clear();
        foreach (var page in _cache.Values)
        {
            page.IsDirty = false;
        }
    }

    private void Restore(Savepoint sp)
    {
        foreach (var (number, image) in sp.BeforeImages)
        {
            if (_cache.TryGetValue(number, out var page))
            {
                image.CopyTo(page.Data, 0);
                RecycleImage(image);
            }
            else
            {
                var p = new Page(number, image) { IsDirty = true };
                _cache[number] = p;
            }
        }

        // Pages added after the savepoint began are gone again.
        for (var n = sp.PageCount + 1; n <= _pageCount; n++)
        {
            _cache.Remove(n);
        }

        _pageCount = sp.PageCount;
        sp.BeforeImages.Clear();
    }

    /// <summary>Writes the transaction to the file and ends it.</summary>
    public void Commit()
    {
        RequireTransaction();
        var dirty = new List<Page>();
        foreach (var page in _cache.Values)
        {
            if (page.IsDirty)
            {
                dirty.Add(page);
            }
        }

        if (dirty.Count > 0)
        {
            var p1 = Page1;
            if (!p1.IsDirty)
            {
                MakeWritable(p1);
                dirty.Add(p1);
            }

            var counter = DatabaseHeader.ReadUInt32(p1.Data, DatabaseHeader.FileChangeCounter) + 1;
            DatabaseHeader.WriteUInt32(p1.Data, DatabaseHeader.FileChangeCounter, counter);
            DatabaseHeader.WriteUInt32(p1.Data, DatabaseHeader.VersionValidFor, counter);
            DatabaseHeader.WriteUInt32(p1.Data, DatabaseHeader.DatabaseSizePages, _pageCount);
            DatabaseHeader.WriteUInt32(p1.Data, DatabaseHeader.SqliteVersionNumber, DatabaseHeader.WriterVersionNumber);
            dirty.Sort(static (a, b) => a.Number.CompareTo(b.Number));
            WriteTransaction(dirty);
        }

        foreach (var page in dirty)
        {
            page.IsDirty = false;
        }

        foreach (var sp in _savepoints)
        {
            RecycleSavepoint(sp, recycleImages: true);
        }

        _savepoints.Clear();
        if (_cache.Count > _cacheCapacity)
        {
            EvictClean();
        }
    }

    /// <summary>
    /// The commit path in the order a crash-safe pager needs it. Today steps 1, 2 and 6 are empty:
    /// a rollback journal (or WAL) slots in here without touching the callers.
    /// </summary>
    private void WriteTransaction(List<Page> dirtyPagesInOrder)
    {
        // 1. Journal: write the before-images of the pages about to be overwritten (not yet).
        // 2. Sync the journal (not yet).
        // 3. Write the pages.
        foreach (var page in dirtyPagesInOrder)
        {
            if (page.Number <= _pageCount)
            {
                _file.Write((long)(page.Number - 1) * PageSize, page.Data);
            }
        }

        // 4. The file is exactly PageCount pages.
        var length = (long)_pageCount * PageSize;
        if (_file.Length != length)
        {
            _file.SetLength(length);
        }

        // 5. Sync the database file.
        _file.Sync();
        // 6. Delete (or invalidate) the journal (not yet).
    }

    private void RequireTransaction()
    {
        if (_savepoints.Count == 0)
        {
            throw new InvalidOperationException("no transaction is active");
        }
    }

    /// <summary>Marks <paramref name="page"/> as about to change, saving its before-image once per savepoint.</summary>
    public void MakeWritable(Page page)
    {
        RequireTransaction();
        var sp = _savepoints[^1];
        if (page.Number <= sp.PageCount && !sp.BeforeImages.ContainsKey(page.Number))
        {
            sp.BeforeImages[page.Number] = CopyOf(page.Data);
        }

        page.IsDirty = true;
        // A holder may keep a page that was evicted and re-read since; the one being written wins.
        _cache[page.Number] = page;
    }

    // ---- allocation ----

    private uint LockBytePage => (uint)(PendingByte / PageSize) + 1;

    /// <summary>A zero-filled writable page, from the freelist when it has one, else appended to the file.</summary>
    public Page Allocate()
    {
        RequireTransaction();
        var freeCount = ReadHeaderField(DatabaseHeader.FreelistCount);
        var trunkNo = ReadHeaderField(DatabaseHeader.FirstFreelistTrunk);
        if (freeCount > 0 && trunkNo != 0)
        {
            var trunk = GetPage(trunkNo);
            var leaves = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkLeafCount));
            if (leaves > (uint)((UsableSize / 4) - 2))
            {
                SqliteCorruptException.Throw("freelist trunk leaf count too large");
            }

            uint number;
            MakeWritable(trunk);
            if (leaves > 0)
            {
                number = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkLeaves + (int)((leaves - 1) * 4)));
                BinaryPrimitives.WriteUInt32BigEndian(trunk.Data.AsSpan(TrunkLeafCount), leaves - 1);
                if (number < 2 || number > _pageCount)
                {
                    SqliteCorruptException.Throw("freelist leaf page out of range");
                }
            }
            else
            {
                number = trunkNo;
                WriteHeaderField(DatabaseHeader.FirstFreelistTrunk, BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkNext)));
            }

            WriteHeaderField(DatabaseHeader.FreelistCount, freeCount - 1);
            var page = GetPage(number);
            MakeWritable(page);
            Array.Clear(page.Data);
            return page;
        }

        _pageCount++;
        if (_pageCount == LockBytePage)
        {
            _pageCount++;
            var lockPage = new Page(_pageCount - 1, new byte[PageSize]) { IsDirty = true };
            _cache[lockPage.Number] = lockPage;
        }

        var fresh = new Page(_pageCount, new byte[PageSize]);
        AddToCache(fresh);
        fresh.IsDirty = true;
        return fresh;
    }

    /// <summary>Returns page <paramref name="number"/> to the freelist (as a leaf of the first trunk, or as a new trunk).</summary>
    public void Free(uint number)
    {
        RequireTransaction();
        if (number < 2 || number > _pageCount)
        {
            SqliteCorruptException.Throw($"freeing page {number} out of range");
        }

        var freeCount = ReadHeaderField(DatabaseHeader.FreelistCount);
        var trunkNo = ReadHeaderField(DatabaseHeader.FirstFreelistTrunk);
        // SQLite keeps at most usable/4 - 8 leaves per trunk so that old readers accept the file.
        var maxLeaves = (uint)((UsableSize / 4) - 8);
        if (trunkNo != 0)
        {
            var trunk = GetPage(trunkNo);
            var leaves = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkLeafCount));
            if (leaves < maxLeaves)
            {
                MakeWritable(trunk);
                BinaryPrimitives.WriteUInt32BigEndian(trunk.Data.AsSpan(TrunkLeaves + (int)(leaves * 4)), number);
                BinaryPrimitives.WriteUInt32BigEndian(trunk.Data.AsSpan(TrunkLeafCount), leaves + 1);
                WriteHeaderField(DatabaseHeader.FreelistCount, freeCount + 1);
                return;
            }
        }

        var page = GetPage(number);
        MakeWritable(page);
        Array.Clear(page.Data);
        BinaryPrimitives.WriteUInt32BigEndian(page.Data.AsSpan(TrunkNext), trunkNo);
        WriteHeaderField(DatabaseHeader.FirstFreelistTrunk, number);
        WriteHeaderField(DatabaseHeader.FreelistCount, freeCount + 1);
    }

    /// <summary>Every page number on the freelist (trunks and leaves), bounds- and cycle-checked.</summary>
    public List<uint> ReadFreelist()
    {
        var result = new List<uint>();
        var count = ReadHeaderField(DatabaseHeader.FreelistCount);
        var trunkNo = ReadHeaderField(DatabaseHeader.FirstFreelistTrunk);
        var seen = new HashSet<uint>();
        while (trunkNo != 0)
        {
            if (!seen.Add(trunkNo) || result.Count > count)
            {
                SqliteCorruptException.Throw("freelist trunk chain loops or is longer than the freelist count");
            }

            result.Add(trunkNo);
            var trunk = GetPage(trunkNo);
            var leaves = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkLeafCount));
            if (leaves > (uint)((UsableSize / 4) - 2))
            {
                SqliteCorruptException.Throw("freelist trunk leaf count too large");
            }

            for (var i = 0; i < leaves; i++)
            {
                var leaf = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkLeaves + (i * 4)));
                if (leaf < 2 || leaf > _pageCount || !seen.Add(leaf))
                {
                    SqliteCorruptException.Throw("freelist leaf page out of range or repeated");
                }

                result.Add(leaf);
            }

            trunkNo = BinaryPrimitives.ReadUInt32BigEndian(trunk.Data.AsSpan(TrunkNext));
        }

        if (result.Count != count)
        {
            SqliteCorruptException.Throw("freelist count does not match the freelist");
        }

        return result;
    }

    public void Dispose()
    {
        if (_savepoints.Count > 0)
        {
            Rollback();
        }

        _file.Dispose();
    }
}
