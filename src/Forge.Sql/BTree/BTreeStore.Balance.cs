using System.Buffers.Binary;
using Forge.Sql.Records;

namespace Forge.Sql.BTree;

/// <summary>A page's cells as separate arrays while a balance rearranges them.</summary>
internal sealed class NodeContent
{
    public NodeContent(byte type, List<byte[]> cells, uint rightChild)
    {
        Type = type;
        Cells = cells;
        RightChild = rightChild;
    }

    public byte Type { get; set; }

    public List<byte[]> Cells { get; }

    public uint RightChild { get; set; }

    public bool IsLeaf => BTreePage.IsLeaf(Type);

    public int Bytes
    {
        get
        {
            var total = BTreePage.HeaderSize(Type);
            foreach (var c in Cells)
            {
                total += c.Length + 2;
            }

            return total;
        }
    }
}

/// <summary>
/// Balancing. Every change that does not fit a page in place becomes a <see cref="NodeContent"/> for
/// one level of the cursor's path and goes through <see cref="Place"/>: it is written when it fits
/// and is not underfull; otherwise the node and up to two neighbours are redistributed over as few
/// pages as hold them (a split when more pages are needed, a merge when fewer), the parent's
/// dividers are rewritten, and the parent is placed in turn. An overfull root moves its content to
/// a new child and stays at the same page number; an interior root left without cells absorbs its
/// only child when it fits.
/// </summary>
internal sealed partial class BTreeStore
{
    internal NodeContent ReadContent(uint pageNumber, bool table)
    {
        var node = Node.Read(Pager.GetPage(pageNumber), UsableSize, table);
        var cells = new List<byte[]>(node.CellCount + 1);
        for (var i = 0; i < node.CellCount; i++)
        {
            var c = node.Cell(i);
            cells.Add(node.Data.AsSpan(c.Offset, c.Size).ToArray());
        }

        return new NodeContent(node.Type, cells, node.IsLeaf ? 0 : node.RightChild);
    }

    /// <summary>Rewrites a page from scratch: header, pointer array, cells packed at the end, no freeblocks.</summary>
    internal void WriteNode(uint pageNumber, NodeContent content)
    {
        var page = Pager.GetPage(pageNumber);
        Pager.MakeWritable(page);
        var data = page.Data;
        var hdr = BTreePage.HeaderOffset(pageNumber);
        var hsize = BTreePage.HeaderSize(content.Type);
        var u = UsableSize;
        if (hdr + content.Bytes > u)
        {
            throw new InvalidOperationException("b-tree content does not fit its page");
        }

        data.AsSpan(hdr, u - hdr).Clear();
        data[hdr + BTreePage.PageTypeOffset] = content.Type;
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(hdr + BTreePage.CellCountOffset), (ushort)content.Cells.Count);
        if (!content.IsLeaf)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(hdr + BTreePage.RightChildOffset), content.RightChild);
        }

        var top = u;
        var ptr = hdr + hsize;
        foreach (var cell in content.Cells)
        {
            top -= cell.Length;
            cell.CopyTo(data, top);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(ptr), (ushort)top);
            ptr += 2;
        }

        BTreePage.WriteContentStart(data.AsSpan(hdr), top);
    }

    /// <summary>Inserts a cell into a page when it fits (defragmenting first if only scattered space would hold it).</summary>
    internal bool TryInsertInPlace(uint pageNumber, bool table, int index, byte[] cell)
    {
        var page = Pager.GetPage(pageNumber);
        var node = Node.Read(page, UsableSize, table);
        var need = cell.Length + 2;
        var free = node.FreeSpace(); // also validates the content area start
        var gap = node.ContentStart - node.PointerArrayEnd;
        if (gap < need)
        {
            if (free < need)
            {
                return false;
            }

            WriteNode(pageNumber, ReadContent(pageNumber, table));
            node = Node.Read(page, UsableSize, table);
            if (node.ContentStart - node.PointerArrayEnd < need)
            {
                return false; // the free-space accounting on the page was wrong (a damaged file)
            }
        }

        if (node.CellCount >= ushort.MaxValue)
        {
            return false;
        }

        Pager.MakeWritable(page);
        var data = page.Data;
        var top = node.ContentStart - cell.Length;
        cell.CopyTo(data, top);
        var at = node.Hdr + node.HeaderSize + (2 * index);
        var end = node.PointerArrayEnd;
        data.AsSpan(at, end - at).CopyTo(data.AsSpan(at + 2));
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)top);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(node.Hdr + BTreePage.CellCountOffset), (ushort)(node.CellCount + 1));
        BTreePage.WriteContentStart(data.AsSpan(node.Hdr), top);
        return true;
    }

    /// <summary>
    /// Removes cell <paramref name="index"/> of a leaf without rebuilding the page, when the page
    /// stays at least a third full (or is the root): the pointer array closes up and the cell's
    /// bytes join the content area or the freeblock list (merged with neighbours as SQLite keeps
    /// it: ascending, no two blocks closer than 4 bytes, smaller gaps counted as fragments).
    /// False when the page would be underfull and must be balanced, or looks damaged.
    /// </summary>
    internal bool TryRemoveInPlace(uint pageNumber, bool table, int index, bool isRoot)
    {
        var page = Pager.GetPage(pageNumber);
        var node = Node.Read(page, UsableSize, table);
        if (!node.IsLeaf || (uint)index >= (uint)node.CellCount)
        {
            return false;
        }

        var cell = node.Cell(index);
        var start = cell.Offset;
        var size = cell.Size;
        var free = node.FreeSpace(); // also validates the freeblock list
        var used = Capacity(pageNumber) - free - size - 2;
        var contentStart = node.ContentStart;
        if ((!isRoot && used < UsableSize / 3) || size < BTreePage.MinCellSize || start < contentStart || start + size > UsableSize)
        {
            return false;
        }

        var data = page.Data;
        var hdr = node.Hdr;

        // Find the freeblocks around the cell: prev (or the header's first-freeblock field) and next.
        var link = hdr + BTreePage.FirstFreeblockOffset;
        int next = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(link));
        while (next != 0 && next < start)
        {
            link = next;
            next = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(next));
        }

        var end = start + size;
        var fragments = 0;
        if (next != 0 && end + 3 >= next)
        {
            if (next < end)
            {
                return false; // overlapping: damaged
            }

            fragments += next - end;
            end = next + BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(next + 2));
            next = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(next));
        }

        if (link != hdr + BTreePage.FirstFreeblockOffset)
        {
            var linkEnd = link + BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(link + 2));
            if (linkEnd + 3 >= start)
            {
                if (linkEnd > start)
                {
                    return false;
                }

                fragments += start - linkEnd;
                start = link;
            }
        }

        var frag = data[hdr + BTreePage.FragmentedBytesOffset];
        if (fragments > frag)
        {
            return false;
        }

        Pager.MakeWritable(page);
        data[hdr + BTreePage.FragmentedBytesOffset] = (byte)(frag - fragments);
        if (start == contentStart)
        {
            // The freed bytes begin the content area: it simply shrinks.
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(hdr + BTreePage.FirstFreeblockOffset), (ushort)next);
            BTreePage.WriteContentStart(data.AsSpan(hdr), end);
        }
        else
        {
            if (start != link)
            {
                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(link), (ushort)start);
            }

            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(start), (ushort)next);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(start + 2), (ushort)(end - start));
        }

        var at = hdr + node.HeaderSize + (2 * index);
        var ptrEnd = node.PointerArrayEnd;
        data.AsSpan(at + 2, ptrEnd - at - 2).CopyTo(data.AsSpan(at));
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(hdr + BTreePage.CellCountOffset), (ushort)(node.CellCount - 1));
        return true;
    }

    /// <summary>Points an interior page's right-child pointer at <paramref name="child"/>.</summary>
    internal void SetRightChild(uint pageNumber, uint child)
    {
        var page = Pager.GetPage(pageNumber);
        Pager.MakeWritable(page);
        var hdr = BTreePage.HeaderOffset(pageNumber);
        BinaryPrimitives.WriteUInt32BigEndian(page.Data.AsSpan(hdr + BTreePage.RightChildOffset), child);
    }

    private int Capacity(uint pageNumber) => UsableSize - BTreePage.HeaderOffset(pageNumber);

    private bool Underfull(NodeContent c) => c.Cells.Count == 0 || c.Bytes < UsableSize / 3;

    /// <summary>
    /// Puts <paramref name="content"/> at level <paramref name="level"/> of a root-to-node path
    /// (<paramref name="pages"/>[0] is the root; <paramref name="childIndex"/>[l] is which child of
    /// level l the path follows), balancing as needed.
    /// </summary>
    internal void Place(uint[] pages, int[] childIndex, int level, NodeContent content, bool table)
    {
        var number = pages[level];
        var fits = content.Bytes <= Capacity(number);
        if (level == 0)
        {
            if (fits)
            {
                WriteNode(number, content);
                if (!content.IsLeaf && content.Cells.Count == 0)
                {
                    TryShallower(number, table);
                }

                return;
            }

            // Deepen: the root keeps its page number and becomes an interior page with one child.
            var child = Pager.Allocate();
            WriteNode(number, new NodeContent(BTreePage.InteriorTypeOf(table), [], child.Number));
            var deeperPages = new uint[pages.Length + 1];
            var deeperIndex = new int[pages.Length + 1];
            deeperPages[0] = number;
            deeperPages[1] = child.Number;
            deeperIndex[0] = 0;
            Place(deeperPages, deeperIndex, 1, content, table);
            return;
        }

        if (fits && !Underfull(content))
        {
            WriteNode(number, content);
            return;
        }

        BalanceSiblings(pages, childIndex, level, content, table);
    }

    private void TryShallower(uint root, bool table)
    {
        var rootContent = ReadContent(root, table);
        if (rootContent.IsLeaf || rootContent.Cells.Count > 0)
        {
            return;
        }

        var child = rootContent.RightChild;
        var childContent = ReadContent(child, table);
        if (childContent.Bytes <= Capacity(root))
        {
            WriteNode(root, childContent);
            Pager.Free(child);
        }
    }

    private void BalanceSiblings(uint[] pages, int[] childIndex, int level, NodeContent content, bool table)
    {
        var parentNumber = pages[level - 1];
        var parent = ReadContent(parentNumber, table);
        if (parent.IsLeaf)
        {
            SqliteCorruptException.Throw("b-tree path through a leaf");
        }

        var idx = childIndex[level - 1];
        var nChildren = parent.Cells.Count + 1;
        if (idx < 0 || idx >= nChildren)
        {
            throw new InvalidOperationException("b-tree path index out of range");
        }

        var count = Math.Min(3, nChildren);
        var first = Math.Clamp(idx - 1, 0, nChildren - count);
        var siblingPages = new uint[count];
        var contents = new NodeContent[count];
        for (var j = 0; j < count; j++)
        {
            var ci = first + j;
            siblingPages[j] = ci == parent.Cells.Count ? parent.RightChild : BinaryPrimitives.ReadUInt32BigEndian(parent.Cells[ci]);
            contents[j] = ci == idx ? content : ReadContent(siblingPages[j], table);
            if (contents[j].Type != content.Type)
            {
                SqliteCorruptException.Throw("sibling b-tree pages of different kinds");
            }
        }

        var type = content.Type;
        var consuming = type != BTreePage.TableLeaf;
        var all = new List<byte[]>();
        for (var j = 0; j < count; j++)
        {
            all.AddRange(contents[j].Cells);
            if (j < count - 1)
            {
                var divider = parent.Cells[first + j];
                if (type == BTreePage.IndexLeaf)
                {
                    all.Add(ToLeafCell(divider));
                }
                else if (!BTreePage.IsLeaf(type))
                {
                    all.Add(WithChild(divider, contents[j].RightChild));
                }
            }
        }

        var finalRight = contents[count - 1].RightChild;
        var cap = UsableSize - BTreePage.HeaderSize(type);
        Partition(all, consuming, cap, out var starts, out var ends);
        var k = starts.Count;

        var newPages = new uint[k];
        for (var g = 0; g < k; g++)
        {
            newPages[g] = g < count ? siblingPages[g] : Pager.Allocate().Number;
        }

        var dividers = new List<byte[]>(k - 1);
        for (var g = 0; g < k; g++)
        {
            var cells = all.GetRange(starts[g], ends[g] - starts[g]);
            uint right = 0;
            if (!BTreePage.IsLeaf(type))
            {
                right = g == k - 1 ? finalRight : BinaryPrimitives.ReadUInt32BigEndian(all[ends[g]]);
            }

            WriteNode(newPages[g], new NodeContent(type, cells, right));
            if (g < k - 1)
            {
                if (type == BTreePage.TableLeaf)
                {
                    dividers.Add(BuildCell(BTreePage.TableInterior, TableLeafRowid(all[ends[g] - 1]), default, newPages[g]));
                }
                else if (type == BTreePage.IndexLeaf)
                {
                    dividers.Add(ToInteriorCell(all[ends[g]], newPages[g]));
                }
                else
                {
                    dividers.Add(WithChild(all[ends[g]], newPages[g]));
                }
            }
        }

        for (var j = k; j < count; j++)
        {
            Pager.Free(siblingPages[j]);
        }

        // Parent: replace the count-1 old dividers with the k-1 new ones; point the slot after them at the last group.
        parent.Cells.RemoveRange(first, count - 1);
        parent.Cells.InsertRange(first, dividers);
        var lastSlot = first + k - 1;
        if (lastSlot == parent.Cells.Count)
        {
            parent.RightChild = newPages[k - 1];
        }
        else
        {
            parent.Cells[lastSlot] = WithChild(parent.Cells[lastSlot], newPages[k - 1]);
        }

        Place(pages, childIndex, level - 1, parent, table);
    }

    /// <summary>
    /// Splits <paramref name="cells"/> into the fewest groups that fit <paramref name="cap"/> bytes each
    /// (cells cost their size plus a 2-byte pointer), then evens the groups out from the right. When
    /// <paramref name="consuming"/>, the cell between two groups becomes the parent's divider and
    /// belongs to neither. Group g is cells[starts[g]..ends[g]).
    /// </summary>
    internal static void Partition(List<byte[]> cells, bool consuming, int cap, out List<int> starts, out List<int> ends)
    {
        starts = [];
        ends = [];
        var n = cells.Count;
        var i = 0;
        while (true)
        {
            var s = i;
            var used = 0;
            while (i < n && used + cells[i].Length + 2 <= cap)
            {
                used += cells[i].Length + 2;
                i++;
            }

            if (i == s && n > 0)
            {
                throw new InvalidOperationException("a b-tree cell larger than a page");
            }

            starts.Add(s);
            ends.Add(i);
            if (i >= n)
            {
                break;
            }

            if (consuming)
            {
                i++;
                if (i >= n)
                {
                    starts.Add(n);
                    ends.Add(n);
                    break;
                }
            }
        }

        var sizes = new int[starts.Count];
        for (var g = 0; g < sizes.Length; g++)
        {
            for (var j = starts[g]; j < ends[g]; j++)
            {
                sizes[g] += cells[j].Length + 2;
            }
        }

        for (var g = sizes.Length - 1; g >= 1; g--)
        {
            while (ends[g - 1] - starts[g - 1] >= 2)
            {
                var last = ends[g - 1] - 1;
                var incoming = consuming ? ends[g - 1] : last;
                var newRight = sizes[g] + cells[incoming].Length + 2;
                var newLeft = sizes[g - 1] - (cells[last].Length + 2);
                if (newRight > cap || (sizes[g] > 0 && newRight > newLeft))
                {
                    break;
                }

                sizes[g] = newRight;
                sizes[g - 1] = newLeft;
                ends[g - 1]--;
                starts[g]--;
            }
        }

        for (var g = 0; g < sizes.Length; g++)
        {
            if (ends[g] == starts[g] && n > 0)
            {
                throw new InvalidOperationException("b-tree balance left an empty page");
            }
        }
    }

    /// <summary>The unpadded length of a cell's bytes (header, local payload and overflow pointer).</summary>
    internal int RawCellSize(ReadOnlySpan<byte> cell, byte type)
    {
        var p = BTreePage.IsLeaf(type) ? 0 : 4;
        if (type == BTreePage.TableInterior)
        {
            return p + Varint.Read(cell[p..], out _);
        }

        p += Varint.Read(cell[p..], out var payload);
        if (type == BTreePage.TableLeaf)
        {
            p += Varint.Read(cell[p..], out _);
        }

        var local = BTreePage.LocalSize(payload, UsableSize, type == BTreePage.TableLeaf);
        return p + local + (local < payload ? 4 : 0);
    }

    private byte[] ToLeafCell(byte[] interior)
    {
        var raw = RawCellSize(interior, BTreePage.IndexInterior) - 4;
        var cell = new byte[Math.Max(BTreePage.MinCellSize, raw)];
        interior.AsSpan(4, raw).CopyTo(cell);
        return cell;
    }

    private byte[] ToInteriorCell(byte[] leaf, uint child)
    {
        var raw = RawCellSize(leaf, BTreePage.IndexLeaf);
        var cell = new byte[Math.Max(BTreePage.MinCellSize, raw + 4)];
        BinaryPrimitives.WriteUInt32BigEndian(cell, child);
        leaf.AsSpan(0, raw).CopyTo(cell.AsSpan(4));
        return cell;
    }

    private static byte[] WithChild(byte[] interior, uint child)
    {
        var copy = (byte[])interior.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy, child);
        return copy;
    }

    private static long TableLeafRowid(byte[] cell)
    {
        var n = Varint.Read(cell, out _);
        Varint.Read(cell.AsSpan(n), out var rowid);
        return rowid;
    }
}
