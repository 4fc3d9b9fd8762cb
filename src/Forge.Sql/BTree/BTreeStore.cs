using System.Buffers.Binary;
using Forge.Sql.Pager;
using Forge.Sql.Records;

namespace Forge.Sql.BTree;

/// <summary>The two kinds of b-tree in a database file.</summary>
internal enum TreeKind
{
    /// <summary>A rowid table: 64-bit integer keys, record payloads in the leaves (0x0d / 0x05).</summary>
    Table,

    /// <summary>An index (or WITHOUT ROWID table): record keys, no separate payload (0x0a / 0x02).</summary>
    Index,
}

/// <summary>
/// The b-tree layer over one database (SQLite's Btree/BtShared): creates and drops trees, opens
/// cursors, and keeps every tree valid on insert and delete (split, merge, redistribute, root
/// deepening and shallowing). Write operations need an open transaction (<see cref="Begin"/>).
/// Cursors on a tree that another cursor changes save their position (their key) and re-seek on
/// their next call, as SQLite's saveCursorPosition does.
/// </summary>
internal sealed partial class BTreeStore : IDisposable
{
    /// <summary>Deeper trees are corrupt (SQLite's BTCURSOR_MAX_DEPTH).</summary>
    public const int MaxDepth = 20;

    private readonly List<BTreeCursor> _cursors = [];

    public BTreeStore(PageManager pager)
    {
        Pager = pager;
    }

    public static BTreeStore Open(string path, int newPageSize = PageManager.DefaultPageSize) => new(PageManager.Open(path, newPageSize));

    public PageManager Pager { get; }

    public int UsableSize => Pager.UsableSize;

    public bool InTransaction => Pager.InTransaction;

    public void Begin() => Pager.Begin();

    public void Commit() => Pager.Commit();

    /// <summary>Rolls the transaction back; every open cursor becomes unpositioned.</summary>
    public void Rollback()
    {
        Pager.Rollback();
        InvalidateCursors(0);
    }

    public int BeginSavepoint() => Pager.BeginSavepoint();

    public void ReleaseSavepoint() => Pager.ReleaseSavepoint();

    public void RollbackSavepoint()
    {
        Pager.RollbackSavepoint();
        InvalidateCursors(0);
    }

    public BTreeCursor OpenTable(uint root) =>
        Register(_spareTableCursors.TryPop(out var spare) ? spare.Reopen(root) : new BTreeCursor(this, root, true, KeyInfo.Default));

    /// <summary>
    /// Closes a table cursor and keeps it for a later <see cref="OpenTable"/> (a prepared INSERT
    /// opens one per execution: about a kilobyte of buffers each time). Only for cursors that no
    /// one else references once closed: the writer's own.
    /// </summary>
    public void Recycle(BTreeCursor cursor)
    {
        if (_cursors.Remove(cursor) && cursor.IsTable && _spareTableCursors.Count < MaxSpareCursors)
        {
            cursor.Release();
            _spareTableCursors.Push(cursor);
        }
    }

    private const int MaxSpareCursors = 8;
    private readonly Stack<BTreeCursor> _spareTableCursors = new();

    public BTreeCursor OpenIndex(uint root, KeyInfo keyInfo) => Register(new BTreeCursor(this, root, false, keyInfo));

    private BTreeCursor Register(BTreeCursor cursor)
    {
        _cursors.Add(cursor);
        return cursor;
    }

    internal void Unregister(BTreeCursor cursor) => _cursors.Remove(cursor);

    /// <summary>Creates an empty tree and returns its root page number.</summary>
    public uint CreateTree(TreeKind kind)
    {
        var page = Pager.Allocate();
        BTreePage.InitializeEmpty(page.Data, 0, BTreePage.LeafTypeOf(kind == TreeKind.Table), UsableSize);
        return page.Number;
    }

    /// <summary>Frees every page of the tree rooted at <paramref name="root"/>, the root included.</summary>
    public void DropTree(uint root)
    {
        if (root < 2)
        {
            throw new InvalidOperationException("cannot drop sqlite_schema");
        }

        FreeTreePages(root, freeRoot: true);
        InvalidateCursors(root);
    }

    /// <summary>Deletes every entry of a tree, keeping its (now empty) root page.</summary>
    public void ClearTree(uint root)
    {
        var page = Pager.GetPage(root);
        var type = Node.Read(page, UsableSize, BTreePage.IsTable(page.Data[BTreePage.HeaderOffset(root)])).Type;
        FreeTreePages(root, freeRoot: false);
        Pager.MakeWritable(page);
        BTreePage.InitializeEmpty(page.Data, BTreePage.HeaderOffset(root), BTreePage.LeafTypeOf(BTreePage.IsTable(type)), UsableSize);
        InvalidateCursors(root);
    }

    private void FreeTreePages(uint root, bool freeRoot)
    {
        var rootPage = Pager.GetPage(root);
        var table = BTreePage.IsTable(rootPage.Data[BTreePage.HeaderOffset(root)]);
        var seen = new HashSet<uint>();
        var stack = new Stack<uint>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var number = stack.Pop();
            if (!seen.Add(number))
            {
                SqliteCorruptException.Throw("b-tree page referenced twice");
            }

            var node = Node.Read(Pager.GetPage(number), UsableSize, table);
            for (var i = 0; i < node.CellCount; i++)
            {
                var cell = node.Cell(i);
                if (cell.HasOverflow)
                {
                    FreeOverflow(cell);
                }

                if (!node.IsLeaf)
                {
                    stack.Push(cell.LeftChild);
                }
            }

            if (!node.IsLeaf)
            {
                stack.Push(node.RightChild);
            }

            if (number != root || freeRoot)
            {
                Pager.Free(number);
            }
        }
    }

    internal void SaveCursors(uint root, BTreeCursor? except)
    {
        foreach (var c in _cursors)
        {
            if (c != except && c.Root == root)
            {
                c.SavePosition();
            }
        }
    }

    private void InvalidateCursors(uint root)
    {
        foreach (var c in _cursors)
        {
            if (root == 0 || c.Root == root)
            {
                c.Invalidate();
            }
        }
    }

    // ---- payload and overflow ----

    /// <summary>
    /// Builds a cell of <paramref name="type"/> (allocating its overflow chain): table leaf (rowid +
    /// payload), index leaf (payload), index interior (left child + payload) or table interior (left
    /// child + rowid).
    /// </summary>
    internal byte[] BuildCell(byte type, long rowid, ReadOnlySpan<byte> payload, uint leftChild)
    {
        var u = UsableSize;
        if (type == BTreePage.TableInterior)
        {
            var cellT = new byte[Math.Max(BTreePage.MinCellSize, 4 + Varint.Length(rowid))];
            BinaryPrimitives.WriteUInt32BigEndian(cellT, leftChild);
            Varint.Write(cellT.AsSpan(4), rowid);
            return cellT;
        }

        var local = BTreePage.LocalSize(payload.Length, u, type == BTreePage.TableLeaf);
        var head = (type == BTreePage.IndexInterior ? 4 : 0) + Varint.Length(payload.Length) + (type == BTreePage.TableLeaf ? Varint.Length(rowid) : 0);
        var overflow = local < payload.Length;
        var cell = new byte[Math.Max(BTreePage.MinCellSize, head + local + (overflow ? 4 : 0))];
        var p = 0;
        if (type == BTreePage.IndexInterior)
        {
            BinaryPrimitives.WriteUInt32BigEndian(cell, leftChild);
            p = 4;
        }

        p += Varint.Write(cell.AsSpan(p), payload.Length);
        if (type == BTreePage.TableLeaf)
        {
            p += Varint.Write(cell.AsSpan(p), rowid);
        }

        payload[..local].CopyTo(cell.AsSpan(p));
        if (overflow)
        {
            var rest = payload[local..];
            Page? previous = null;
            uint first = 0;
            while (rest.Length > 0)
            {
                var page = Pager.Allocate();
                if (previous is null)
                {
                    first = page.Number;
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(previous.Data, page.Number);
                }

                var n = Math.Min(rest.Length, u - 4);
                rest[..n].CopyTo(page.Data.AsSpan(BTreePage.OverflowDataOffset));
                rest = rest[n..];
                previous = page;
            }

            BinaryPrimitives.WriteUInt32BigEndian(cell.AsSpan(p + local), first);
        }

        return cell;
    }

    internal void FreeOverflow(in CellInfo cell)
    {
        var count = BTreePage.OverflowPageCount(cell.PayloadSize, cell.LocalSize, UsableSize);
        if (count > Pager.PageCount)
        {
            SqliteCorruptException.Throw("overflow chain longer than the file");
        }

        var number = cell.FirstOverflow;
        for (var i = 0; i < count; i++)
        {
            var page = Pager.GetPage(number);
            var next = BinaryPrimitives.ReadUInt32BigEndian(page.Data);
            Pager.Free(number);
            number = next;
        }
    }

    /// <summary>Copies a cell's whole payload (local part and overflow chain) into <paramref name="destination"/>.</summary>
    internal void ReadPayload(ReadOnlySpan<byte> page, in CellInfo cell, Span<byte> destination)
    {
        page.Slice(cell.PayloadOffset, cell.LocalSize).CopyTo(destination);
        var u = UsableSize;
        var remaining = (int)cell.PayloadSize - cell.LocalSize;
        var at = cell.LocalSize;
        var number = cell.FirstOverflow;
        while (remaining > 0)
        {
            var data = Pager.GetPage(number).Data;
            var n = Math.Min(remaining, u - 4);
            data.AsSpan(BTreePage.OverflowDataOffset, n).CopyTo(destination[at..]);
            at += n;
            remaining -= n;
            number = BinaryPrimitives.ReadUInt32BigEndian(data);
        }
    }

    /// <summary>Checks a claimed payload size against the file before a buffer is sized for it.</summary>
    internal void CheckPayloadSize(in CellInfo cell)
    {
        if (cell.HasOverflow && (cell.PayloadSize - cell.LocalSize) > (long)Pager.PageCount * (UsableSize - 4))
        {
            SqliteCorruptException.Throw("payload larger than the file");
        }
    }

    public void Dispose() => Pager.Dispose();
}
