using System.Buffers.Binary;
using Forge.Sql.Pager;
using Forge.Sql.Records;

namespace Forge.Sql.BTree;

/// <summary>How an index seek compares entries with the key (a key may be a prefix of the entries).</summary>
internal enum SeekOp
{
    /// <summary>First entry &gt;= key (entries whose prefix equals the key count as equal).</summary>
    GE,

    /// <summary>First entry &gt; key (entries equal to the key prefix are skipped).</summary>
    GT,

    /// <summary>Last entry &lt;= key.</summary>
    LE,

    /// <summary>Last entry &lt; key.</summary>
    LT,
}

/// <summary>
/// A position in one b-tree (SQLite's BtCursor). Table cursors are keyed by rowid, index cursors by
/// record. Moving allocates nothing: the path holds the cached pages, the current payload is a slice
/// of the page (or of a reused buffer when it overflows) and <see cref="Record"/> decodes columns
/// lazily. Values read from <see cref="Payload"/> or <see cref="Record"/> are valid until the cursor
/// moves or its tree changes.
/// <para>
/// After this cursor's own Insert the cursor is on the new entry; after its Delete, <see cref="Next"/>
/// moves to the entry after the deleted one and <see cref="Prev"/> to the one before it. A change
/// made through another cursor saves this cursor's key; its next call re-seeks.
/// </para>
/// </summary>
internal sealed class BTreeCursor : IDisposable
{
    private enum State
    {
        Invalid,
        Valid,
        Eof,
        RequiresSeek,
    }

    private readonly BTreeStore _store;
    private readonly PageManager _pager;
    private readonly Page[] _pages = new Page[BTreeStore.MaxDepth + 1];
    private readonly int[] _index = new int[BTreeStore.MaxDepth + 1];
    private readonly RecordReader _reader = new();
    private int _depth;
    private State _state;
    private bool _skipNext;
    private bool _readerFresh;
    private long _savedRowid;
    private byte[] _savedKey = new byte[64];
    private int _savedKeyLength;
    private byte[] _payload = new byte[256];
    private byte[] _compareBuffer = new byte[256];

    // The table leaf the cursor is on while it is Valid there (set by Finish, cleared by every
    // move that leaves it): Next, Payload and Rowid read it directly, without re-reading the page
    // header and re-parsing the cell through Node/CellInfo for every row of a scan.
    private byte[]? _leaf;
    private int _leafHdr;

    internal BTreeCursor(BTreeStore store, uint root, bool table, KeyInfo keyInfo)
    {
        _store = store;
        _pager = store.Pager;
        Root = root;
        IsTable = table;
        KeyInfo = keyInfo;
    }

    public uint Root { get; private set; }

    public bool IsTable { get; }

    public KeyInfo KeyInfo { get; }

    /// <summary>True when the cursor is on an entry.</summary>
    public bool IsValid
    {
        get
        {
            if (_state == State.RequiresSeek)
            {
                Restore();
            }

            return _state == State.Valid;
        }
    }

    private int Usable => _pager.UsableSize;

    private Node NodeAt(int level) => Node.Read(_pages[level], Usable, IsTable);

    private Node Top => NodeAt(_depth - 1);

    // ---- navigation ----

    /// <summary>Moves to the first entry; false when the tree is empty.</summary>
    public bool First()
    {
        Reset();
        Push(Root);
        return Finish(DescendLeftmost());
    }

    /// <summary>Moves to the last entry; false when the tree is empty.</summary>
    public bool Last()
    {
        Reset();
        Push(Root);
        return Finish(DescendRightmost());
    }

    /// <summary>Moves to the next entry; false (and at end) after the last.</summary>
    public bool Next()
    {
        _readerFresh = false;
        if (_leaf is { } leaf && _state == State.Valid)
        {
            var i = ++_index[_depth - 1];
            if (i < BinaryPrimitives.ReadUInt16BigEndian(leaf.AsSpan(_leafHdr + BTreePage.CellCountOffset)))
            {
                return true;
            }

            _leaf = null;
            return Finish(AscendAfterLeafEnd());
        }

        _leaf = null;
        if (_state == State.RequiresSeek)
        {
            Restore();
            if (_skipNext)
            {
                _skipNext = false;
                return _state == State.Valid;
            }
        }

        if (_state != State.Valid)
        {
            return false;
        }

        var top = Top;
        var level = _depth - 1;
        if (top.IsLeaf)
        {
            if (++_index[level] < top.CellCount)
            {
                return true;
            }

            return Finish(AscendAfterLeafEnd());
        }

        // Index tree on an interior cell: the next entry is the leftmost of the child to its right.
        _index[level]++;
        Push(top.Child(_index[level]));
        return Finish(DescendLeftmost());
    }

    /// <summary>Moves to the previous entry; false (and unpositioned) before the first. From the end, moves to the last entry.</summary>
    public bool Prev()
    {
        _readerFresh = false;
        _leaf = null;
        if (_state == State.RequiresSeek)
        {
            Restore();
            _skipNext = false;
        }

        if (_state == State.Eof)
        {
            return Last();
        }

        if (_state != State.Valid)
        {
            return false;
        }

        var top = Top;
        var level = _depth - 1;
        if (top.IsLeaf)
        {
            if (--_index[level] >= 0)
            {
                return true;
            }

            while (_depth > 1)
            {
                _depth--;
                var i = _index[_depth - 1];
                if (i > 0)
                {
                    if (IsTable)
                    {
                        _index[_depth - 1] = i - 1;
                        Push(NodeAt(_depth - 1).Child(i - 1));
                        return Finish(DescendRightmost());
                    }

                    _index[_depth - 1] = i - 1;
                    return Finish(true);
                }
            }

            // Before the first entry: unpositioned (Next and Prev return false until a seek).
            Reset();
            return false;
        }

        Push(top.Child(_index[level]));
        return Finish(DescendRightmost());
    }

    /// <summary>Table trees: moves to the first rowid &gt;= <paramref name="rowid"/>; <paramref name="exact"/> tells whether it is equal. False when there is none.</summary>
    public bool SeekRowid(long rowid, out bool exact)
    {
        RequireTable();
        if (SeekInLeaf(rowid, out exact))
        {
            if (_index[_depth - 1] < Top.CellCount)
            {
                return Finish(true);
            }

            exact = false;
            return Finish(AscendAfterLeafEnd());
        }

        Reset();
        exact = DescendTable(rowid);
        if (_index[_depth - 1] < Top.CellCount)
        {
            return Finish(true);
        }

        exact = false;
        return Finish(AscendAfterLeafEnd());
    }

    /// <summary>
    /// Index trees: positions by <paramref name="op"/> relative to <paramref name="key"/>, which may
    /// have fewer fields than the entries (a prefix). Returns false when no entry qualifies.
    /// </summary>
    public bool Seek(ReadOnlySpan<SqlValue> key, SeekOp op)
    {
        RequireIndex();
        Reset();
        var strict = op is SeekOp.GT or SeekOp.LE;
        var found = SeekIndexCore(key, strict);
        if (op is SeekOp.GE or SeekOp.GT)
        {
            return found;
        }

        return Prev();
    }

    /// <summary>Compares the current index entry with <paramref name="key"/> (see <see cref="SqlComparer.CompareRecord"/>).</summary>
    public int CompareCurrent(ReadOnlySpan<SqlValue> key, int defaultResult = 0) =>
        SqlComparer.CompareRecord(Payload.Span, key, KeyInfo, defaultResult);

    /// <summary>Moves to the last entry and returns its rowid, or 0 for an empty table (the next rowid is this + 1).</summary>
    public long MaxRowid()
    {
        RequireTable();
        return Last() ? Rowid : 0;
    }

    // ---- current entry ----

    /// <summary>The rowid of the current table entry.</summary>
    public long Rowid
    {
        get
        {
            if (_leaf is { } leaf && _state == State.Valid && LeafRowid(leaf, out var rowid))
            {
                return rowid;
            }

            EnsureValid();
            RequireTable();
            return Top.RowidAt(_index[_depth - 1]);
        }
    }

    /// <summary>The current entry's payload size in bytes.</summary>
    public long PayloadSize
    {
        get
        {
            EnsureValid();
            return Top.Cell(_index[_depth - 1]).PayloadSize;
        }
    }

    /// <summary>The current entry's whole payload (the record); overflow pages are read into a reused buffer.</summary>
    public ReadOnlyMemory<byte> Payload
    {
        get
        {
            if (_leaf is { } leaf && _state == State.Valid && LeafPayload(leaf, out var start, out var size))
            {
                return leaf.AsMemory(start, size);
            }

            EnsureValid();
            var top = Top;
            var cell = top.Cell(_index[_depth - 1]);
            if (!cell.HasOverflow)
            {
                return top.Data.AsMemory(cell.PayloadOffset, (int)cell.PayloadSize);
            }

            _store.CheckPayloadSize(cell);
            EnsureCapacity(ref _payload, (int)cell.PayloadSize);
            _store.ReadPayload(top.Data, cell, _payload);
            return _payload.AsMemory(0, (int)cell.PayloadSize);
        }
    }

    /// <summary>A column reader over the current entry's record, reset once per position.</summary>
    public RecordReader Record
    {
        get
        {
            if (!_readerFresh || _state != State.Valid)
            {
                if (_leaf is { } leaf && _state == State.Valid && LeafPayload(leaf, out var start, out var size))
                {
                    _reader.Reset(leaf, start, size);
                }
                else
                {
                    _reader.Reset(Payload);
                }

                _readerFresh = true;
            }

            return _reader;
        }
    }

    /// <summary>Index trees: the rowid stored as the last field of the current entry.</summary>
    public long IndexRowid()
    {
        var r = Record;
        return r.GetInt64(r.ColumnCount - 1);
    }

    // ---- writing ----

    /// <summary>Table trees: inserts a row, or replaces the row with the same rowid. The cursor ends on it.</summary>
    public void Insert(long rowid, ReadOnlySpan<byte> payload)
    {
        RequireTable();
        _store.SaveCursors(Root, this);
        if (!SeekInLeaf(rowid, out var exact))
        {
            Reset();
            exact = DescendTable(rowid);
        }

        _leaf = null;
        var level = _depth - 1;
        var index = _index[level];
        var cell = _store.BuildCell(BTreePage.TableLeaf, rowid, payload, 0);
        if (exact)
        {
            var old = Top.Cell(index);
            if (!old.HasOverflow && old.Size == cell.Length && BTreePage.LocalSize(payload.Length, Usable, true) == payload.Length)
            {
                // Same size, no overflow on either side (UPDATE of fixed-width columns, the common
                // case): overwrite the cell where it is instead of rebuilding the page.
                var page = _store.Pager.GetPage(_pages[level].Number);
                _store.Pager.MakeWritable(page);
                cell.CopyTo(page.Data, old.Offset);
                _savedRowid = rowid;
                if (ReferenceEquals(page, _pages[level]))
                {
                    // Nothing moved: the cursor stays on the row, its path still valid.
                    Finish(true);
                }
                else
                {
                    _state = State.RequiresSeek;
                }

                return;
            }

            _store.FreeOverflow(old);
            var content = _store.ReadContent(_pages[level].Number, true);
            content.Cells[index] = cell;
            PlaceAt(level, content);
        }
        else if (InsertCell(level, index, cell) && IsTable && ReferenceEquals(_store.Pager.GetPage(_pages[level].Number), _pages[level]))
        {
            // The cell went into this page where it belongs: the path still leads to it.
            _savedRowid = rowid;
            Finish(true);
            return;
        }

        _savedRowid = rowid;
        _state = State.RequiresSeek;
    }

    /// <summary>Index trees: inserts an entry (a record whose last field is normally the rowid). The cursor ends on it.</summary>
    public void Insert(ReadOnlySpan<byte> key)
    {
        RequireIndex();
        _store.SaveCursors(Root, this);
        var values = RecordFormat.DecodeAll(key.ToArray());
        Reset();
        Push(Root);
        while (true)
        {
            var node = Top;
            var i = LowerBound(node, values, strict: false);
            _index[_depth - 1] = i;
            if (node.IsLeaf)
            {
                break;
            }

            Push(node.Child(i));
        }

        var level = _depth - 1;
        InsertCell(level, _index[level], _store.BuildCell(BTreePage.IndexLeaf, 0, key, 0));
        SaveKey(key);
        _state = State.RequiresSeek;
    }

    /// <summary>
    /// Deletes the current entry. Afterwards <see cref="Next"/> moves to the entry that followed it
    /// and <see cref="Prev"/> to the one before it.
    /// </summary>
    public void Delete()
    {
        EnsureValid();
        _store.SaveCursors(Root, this);
        var level = _depth - 1;
        var top = Top;
        var index = _index[level];
        if (IsTable)
        {
            _savedRowid = top.RowidAt(index);
        }
        else
        {
            SaveKey(Payload.Span);
        }

        if (top.IsLeaf)
        {
            RemoveLeafCell(level, index);
        }
        else
        {
            // Index interior entry: move its predecessor (the last entry of its left subtree) up into its place.
            Push(top.Child(index));
            if (!DescendRightmost())
            {
                SqliteCorruptException.Throw("empty subtree under an index entry");
            }

            var predecessor = Payload.ToArray();
            RemoveLeafCell(_depth - 1, _index[_depth - 1]);
            var key = RecordFormat.DecodeAll(_savedKey.AsMemory(0, _savedKeyLength).ToArray());
            Reset();
            if (!SeekIndexCore(key, strict: false) || CompareCurrent(key) != 0)
            {
                SqliteCorruptException.Throw("index entry vanished during delete");
            }

            level = _depth - 1;
            var node = Top;
            var cell = node.Cell(_index[level]);
            _store.FreeOverflow(cell);
            var replacement = node.IsLeaf
                ? _store.BuildCell(BTreePage.IndexLeaf, 0, predecessor, 0)
                : _store.BuildCell(BTreePage.IndexInterior, 0, predecessor, cell.LeftChild);
            var content = _store.ReadContent(_pages[level].Number, false);
            content.Cells[_index[level]] = replacement;
            PlaceAt(level, content);
        }

        _state = State.RequiresSeek;
        _readerFresh = false;
    }

    private void RemoveLeafCell(int level, int index)
    {
        var node = NodeAt(level);
        var cell = node.Cell(index);
        if (cell.HasOverflow)
        {
            _store.FreeOverflow(cell);
        }

        if (_store.TryRemoveInPlace(_pages[level].Number, IsTable, index, isRoot: level == 0))
        {
            return;
        }

        var content = _store.ReadContent(_pages[level].Number, IsTable);
        content.Cells.RemoveAt(index);
        PlaceAt(level, content);
    }

    /// <summary>Inserts a cell at the path's <paramref name="level"/>; true when it went in place (no page but this one changed).</summary>
    private bool InsertCell(int level, int index, byte[] cell)
    {
        if (_store.TryInsertInPlace(_pages[level].Number, IsTable, index, cell))
        {
            return true;
        }

        if (IsTable && level > 0 && TryAppendPage(level, index, cell))
        {
            return false;
        }

        var content = _store.ReadContent(_pages[level].Number, IsTable);
        content.Cells.Insert(index, cell);
        PlaceAt(level, content);
        return false;
    }

    /// <summary>
    /// Appending past the last row of a full rightmost table leaf (rowids that only grow, the
    /// common case) starts a new leaf holding just the new cell, as SQLite's balance_quick does:
    /// the full page stays full, the parent gains one divider (the full page's largest rowid) and
    /// points its right child at the new page. The general balance would instead read and rewrite
    /// three siblings for every page filled, leaving each about two thirds full.
    /// </summary>
    private bool TryAppendPage(int level, int index, byte[] cell)
    {
        var leaf = NodeAt(level);
        var parentLevel = level - 1;
        var parent = NodeAt(parentLevel);
        if (!leaf.IsLeaf || index != leaf.CellCount || leaf.CellCount == 0 || _index[parentLevel] != parent.CellCount
            || parent.RightChild != _pages[level].Number || _pages[parentLevel].Number == 1)
        {
            return false;
        }

        var last = leaf.Cell(leaf.CellCount - 1);
        var lengthSize = Varint.Read(leaf.Data.AsSpan(last.Offset), out _);
        Varint.Read(leaf.Data.AsSpan(last.Offset + lengthSize), out var lastRowid);

        var fresh = _store.Pager.Allocate();
        _store.WriteNode(fresh.Number, new NodeContent(BTreePage.TableLeaf, [cell], 0));
        var divider = _store.BuildCell(BTreePage.TableInterior, lastRowid, default, _pages[level].Number);
        var parentNumber = _pages[parentLevel].Number;
        _state = State.Invalid;
        if (_store.TryInsertInPlace(parentNumber, true, parent.CellCount, divider))
        {
            _store.SetRightChild(parentNumber, fresh.Number);
            return true;
        }

        var content = _store.ReadContent(parentNumber, true);
        content.Cells.Add(divider);
        PlaceAt(parentLevel, new NodeContent(content.Type, content.Cells, fresh.Number));
        return true;
    }

    private void PlaceAt(int level, NodeContent content)
    {
        var pages = new uint[_depth];
        var index = new int[_depth];
        for (var l = 0; l < _depth; l++)
        {
            pages[l] = _pages[l].Number;
            index[l] = _index[l];
        }

        _state = State.Invalid;
        _store.Place(pages, index, level, content, IsTable);
    }

    // ---- saving and restoring ----

    internal void SavePosition()
    {
        _readerFresh = false;
        if (_state == State.Valid)
        {
            if (IsTable)
            {
                _savedRowid = Rowid;
            }
            else
            {
                SaveKey(Payload.Span);
            }

            _state = State.RequiresSeek;
            _skipNext = false;
        }
        else if (_state == State.Eof)
        {
            _depth = 0;
        }
    }

    internal void Invalidate()
    {
        _state = State.Invalid;
        _depth = 0;
        _readerFresh = false;
    }

    private void SaveKey(ReadOnlySpan<byte> key)
    {
        EnsureCapacity(ref _savedKey, key.Length);
        key.CopyTo(_savedKey);
        _savedKeyLength = key.Length;
    }

    private void Restore()
    {
        bool exact;
        if (IsTable)
        {
            exact = SeekRowid(_savedRowid, out var e) && e;
        }
        else
        {
            var key = RecordFormat.DecodeAll(_savedKey.AsMemory(0, _savedKeyLength).ToArray());
            Reset();
            exact = SeekIndexCore(key, strict: false) && CompareCurrent(key) == 0;
        }

        _skipNext = _state == State.Valid && !exact;
    }

    // ---- internals ----

    private void Reset()
    {
        _leaf = null;
        _depth = 0;
        _state = State.Invalid;
        _skipNext = false;
        _readerFresh = false;
    }

    private bool Finish(bool valid)
    {
        _state = valid ? State.Valid : State.Eof;
        _readerFresh = false;
        _leaf = null;
        if (valid && IsTable && _depth > 0)
        {
            var page = _pages[_depth - 1];
            var hdr = BTreePage.HeaderOffset(page.Number);
            if (page.Data[hdr] == BTreePage.TableLeaf)
            {
                _leaf = page.Data;
                _leafHdr = hdr;
            }
        }

        return valid;
    }


    /// <summary>
    /// The offset of the current cell of <see cref="_leaf"/>, when its pointer is sane and leaves
    /// room for the cell's varints (12 bytes before the usable end); false sends the caller to the
    /// checked slow path, which reports the corruption.
    /// </summary>
    private bool LeafCellOffset(byte[] leaf, out int offset)
    {
        var hdr = _leafHdr;
        int count = BinaryPrimitives.ReadUInt16BigEndian(leaf.AsSpan(hdr + BTreePage.CellCountOffset));
        var i = _index[_depth - 1];
        offset = 0;
        if ((uint)i >= (uint)count)
        {
            return false;
        }

        offset = BinaryPrimitives.ReadUInt16BigEndian(leaf.AsSpan(hdr + 8 + (2 * i)));
        return offset >= hdr + 8 + (2 * count) && offset <= Usable - 12;
    }

    /// <summary>
    /// Where the current cell of <see cref="_leaf"/> keeps its payload, when the cell is the
    /// common kind (no overflow) and well formed; false sends the caller to the checked slow path.
    /// </summary>
    private bool LeafPayload(byte[] leaf, out int start, out int size)
    {
        var usable = Usable;
        start = size = 0;
        if (!LeafCellOffset(leaf, out var p))
        {
            return false;
        }

        // Payload size: one or two varint bytes cover every payload that fits a page of 64 KiB.
        int b = leaf[p];
        if (b < 0x80)
        {
            size = b;
            p++;
        }
        else if (leaf[p + 1] < 0x80)
        {
            size = ((b & 0x7F) << 7) | leaf[p + 1];
            p += 2;
        }
        else
        {
            return false;
        }

        // Rowid: skip its varint (up to 9 bytes).
        var limit = Math.Min(p + 9, usable);
        while (p < limit && leaf[p] >= 0x80)
        {
            p++;
        }

        p++;
        if (p > limit || size > usable - 35 || p + size > usable)
        {
            return false;
        }

        start = p;
        return true;
    }

    /// <summary>The rowid of the current cell of <see cref="_leaf"/>; false sends the caller to the checked slow path.</summary>
    private bool LeafRowid(byte[] leaf, out long rowid)
    {
        var usable = Usable;
        rowid = 0;
        if (!LeafCellOffset(leaf, out var p))
        {
            return false;
        }

        // Skip the payload size (at most 9 bytes), then the rowid: one byte is the common case.
        var limit = p + 9;
        while (p < limit && leaf[p] >= 0x80)
        {
            p++;
        }

        p++;
        if (p >= usable)
        {
            return false;
        }

        if (leaf[p] < 0x80)
        {
            rowid = leaf[p];
            return true;
        }

        return Varint.Read(leaf.AsSpan(p, usable - p), out rowid) > 0;
    }

    private void Push(uint pageNumber)
    {
        if (_depth >= BTreeStore.MaxDepth)
        {
            SqliteCorruptException.Throw("b-tree too deep (a cycle?)");
        }

        if (pageNumber == 1 && _depth > 0)
        {
            SqliteCorruptException.Throw("page 1 below a b-tree root");
        }

        for (var l = 0; l < _depth; l++)
        {
            if (_pages[l].Number == pageNumber)
            {
                SqliteCorruptException.Throw("b-tree page is its own ancestor");
            }
        }

        var page = _pager.GetPage(pageNumber);
        _ = Node.Read(page, Usable, IsTable);
        _pages[_depth] = page;
        _index[_depth] = 0;
        _depth++;
    }

    private bool DescendLeftmost()
    {
        while (true)
        {
            var node = Top;
            _index[_depth - 1] = 0;
            if (node.IsLeaf)
            {
                return CheckLeafNotEmpty(node);
            }

            Push(node.Child(0));
        }
    }

    private bool DescendRightmost()
    {
        while (true)
        {
            var node = Top;
            if (node.IsLeaf)
            {
                _index[_depth - 1] = node.CellCount - 1;
                return CheckLeafNotEmpty(node);
            }

            _index[_depth - 1] = node.CellCount;
            Push(node.Child(node.CellCount));
        }
    }

    private bool CheckLeafNotEmpty(Node node)
    {
        if (node.CellCount > 0)
        {
            return true;
        }

        if (_depth > 1)
        {
            SqliteCorruptException.Throw($"page {node.PageNumber}: empty non-root leaf");
        }

        return false;
    }

    /// <summary>From one past a leaf's last cell, moves to the next entry in key order.</summary>
    private bool AscendAfterLeafEnd()
    {
        if (Top.CellCount == 0 && _depth > 1)
        {
            SqliteCorruptException.Throw("empty non-root leaf");
        }

        while (_depth > 1)
        {
            _depth--;
            var node = Top;
            var i = _index[_depth - 1];
            if (i < node.CellCount)
            {
                if (IsTable)
                {
                    _index[_depth - 1] = i + 1;
                    Push(node.Child(i + 1));
                    return DescendLeftmost();
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Descends to the leaf where <paramref name="rowid"/> is or would be; returns whether it is there.</summary>
    /// <summary>
    /// When the cursor is on a table leaf whose rowids span <paramref name="rowid"/>, positions it
    /// there by a binary search of that leaf alone (the row an UPDATE or DELETE just read, or its
    /// neighbour): no descent from the root. False when the leaf can't tell.
    /// </summary>
    private bool SeekInLeaf(long rowid, out bool exact)
    {
        exact = false;
        if (_leaf is null || _state != State.Valid)
        {
            return false;
        }

        var node = Top;
        var count = node.CellCount;
        if (count == 0 || rowid < node.RowidAt(0))
        {
            return false;
        }

        if (rowid > node.RowidAt(count - 1))
        {
            // Past this leaf's last rowid: still this leaf when it is the tree's rightmost (an append).
            for (var l = 0; l < _depth - 1; l++)
            {
                if (_index[l] != NodeAt(l).CellCount)
                {
                    return false;
                }
            }

            _index[_depth - 1] = count;
            return true;
        }

        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (node.RowidAt(mid) < rowid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        _index[_depth - 1] = lo;
        exact = node.RowidAt(lo) == rowid;
        return true;
    }

    private bool DescendTable(long rowid)
    {
        Push(Root);
        while (true)
        {
            var node = Top;
            int lo = 0, hi = node.CellCount;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (node.RowidAt(mid) < rowid)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            _index[_depth - 1] = lo;
            if (node.IsLeaf)
            {
                return lo < node.CellCount && node.RowidAt(lo) == rowid;
            }

            Push(node.Child(lo));
        }
    }

    private bool SeekIndexCore(ReadOnlySpan<SqlValue> key, bool strict)
    {
        Push(Root);
        while (true)
        {
            var node = Top;
            var i = LowerBound(node, key, strict);
            _index[_depth - 1] = i;
            if (node.IsLeaf)
            {
                if (i < node.CellCount)
                {
                    return Finish(true);
                }

                return Finish(AscendAfterLeafEnd());
            }

            Push(node.Child(i));
        }
    }

    /// <summary>The first cell that compares &gt;= key (or &gt; key when <paramref name="strict"/>).</summary>
    private int LowerBound(Node node, ReadOnlySpan<SqlValue> key, bool strict)
    {
        int lo = 0, hi = node.CellCount;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = SqlComparer.CompareRecord(CellPayload(node, mid), key, KeyInfo);
            if (strict ? c <= 0 : c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private ReadOnlySpan<byte> CellPayload(Node node, int index)
    {
        var cell = node.Cell(index);
        if (!cell.HasOverflow)
        {
            return node.Data.AsSpan(cell.PayloadOffset, (int)cell.PayloadSize);
        }

        _store.CheckPayloadSize(cell);
        EnsureCapacity(ref _compareBuffer, (int)cell.PayloadSize);
        _store.ReadPayload(node.Data, cell, _compareBuffer);
        return _compareBuffer.AsSpan(0, (int)cell.PayloadSize);
    }

    private void EnsureValid()
    {
        if (_state == State.RequiresSeek)
        {
            Restore();
        }

        if (_state != State.Valid)
        {
            throw new InvalidOperationException("the cursor is not on an entry");
        }
    }

    private void RequireTable()
    {
        if (!IsTable)
        {
            throw new InvalidOperationException("not a table b-tree cursor");
        }
    }

    private void RequireIndex()
    {
        if (IsTable)
        {
            throw new InvalidOperationException("not an index b-tree cursor");
        }
    }

    private static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }

    public void Dispose() => _store.Unregister(this);

    /// <summary>
    /// Makes a closed table cursor (<see cref="BTreeStore.Recycle"/>) a new one on <paramref name="root"/>.
    /// Values read before it closed stay valid: the overflow buffer they may slice is given up, not reused.
    /// </summary>
    internal BTreeCursor Reopen(uint root)
    {
        Root = root;
        Reset();
        return this;
    }

    /// <summary>Lets go of everything a value read through this cursor may still hold (before the cursor is reused).</summary>
    internal void Release()
    {
        Reset();
        Array.Clear(_pages);
        _payload = [];
    }
}
