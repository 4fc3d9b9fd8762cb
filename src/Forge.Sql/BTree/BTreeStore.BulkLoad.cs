namespace Forge.Sql.BTree;

internal sealed partial class BTreeStore
{
    /// <summary>
    /// Fills the empty index tree at <paramref name="root"/> with <paramref name="sortedKeys"/>
    /// (index records, already in the index's order, no duplicates), bottom-up: leaves are packed
    /// full in order, the key after each full leaf moves up as its divider, and the interior levels
    /// are packed the same way until one page is left, which becomes the root. This is how CREATE
    /// INDEX builds an index from a sorted run instead of one tree descent and insert per row
    /// (SQLite's sorter does the same); the result is the tree a sequence of inserts would give,
    /// with fuller pages.
    /// </summary>
    internal void BulkLoadIndex(uint root, IReadOnlyList<ReadOnlyMemory<byte>> sortedKeys)
    {
        var rootContent = ReadContent(root, table: false);
        if (rootContent.Cells.Count != 0 || !rootContent.IsLeaf)
        {
            throw new InvalidOperationException("bulk load needs an empty index tree");
        }

        if (sortedKeys.Count == 0)
        {
            return;
        }

        // Leaves. Cells are leaf cells; dividers[i] separates children[i] from children[i + 1].
        var children = new List<uint>();
        var dividers = new List<byte[]>();
        var leafCapacity = UsableSize - BTreePage.HeaderSize(BTreePage.IndexLeaf);
        var current = new List<byte[]>();
        var used = 0;
        for (var i = 0; i < sortedKeys.Count; i++)
        {
            var cell = BuildCell(BTreePage.IndexLeaf, 0, sortedKeys[i].Span, 0);
            if (used + cell.Length + 2 <= leafCapacity || current.Count == 0)
            {
                current.Add(cell);
                used += cell.Length + 2;
                continue;
            }

            if (i < sortedKeys.Count - 1)
            {
                // This key moves up; the next leaf starts with the key after it.
                children.Add(WriteNewNode(new NodeContent(BTreePage.IndexLeaf, current, 0)));
                dividers.Add(cell);
            }
            else
            {
                // The last key must not be a divider with nothing after it: the full leaf's own
                // last key moves up instead, and the last key is alone in the last leaf.
                var up = current[^1];
                current.RemoveAt(current.Count - 1);
                children.Add(WriteNewNode(new NodeContent(BTreePage.IndexLeaf, current, 0)));
                dividers.Add(up);
                current = [cell];
                break;
            }

            current = [];
            used = 0;
        }

        if (children.Count == 0)
        {
            WriteNode(root, new NodeContent(BTreePage.IndexLeaf, current, 0));
            return;
        }

        children.Add(WriteNewNode(new NodeContent(BTreePage.IndexLeaf, current, 0)));

        // Interior levels until one page holds the rest.
        var interiorCapacity = UsableSize - BTreePage.HeaderSize(BTreePage.IndexInterior);
        var rootCapacity = Capacity(root) - BTreePage.HeaderSize(BTreePage.IndexInterior);
        while (true)
        {
            var total = 0;
            foreach (var d in dividers)
            {
                total += d.Length + 4 + 2;
            }

            if (total <= rootCapacity)
            {
                var cells = new List<byte[]>(dividers.Count);
                for (var i = 0; i < dividers.Count; i++)
                {
                    cells.Add(ToInteriorCell(dividers[i], children[i]));
                }

                WriteNode(root, new NodeContent(BTreePage.IndexInterior, cells, children[^1]));
                return;
            }

            var parents = new List<uint>();
            var ups = new List<byte[]>();
            current = [];
            used = 0;
            for (var i = 0; i < dividers.Count; i++)
            {
                var cell = ToInteriorCell(dividers[i], children[i]);
                if (used + cell.Length + 2 <= interiorCapacity || current.Count == 0)
                {
                    current.Add(cell);
                    used += cell.Length + 2;
                    continue;
                }

                if (i < dividers.Count - 1)
                {
                    // dividers[i] moves up; the page ends with children[i] as its right child.
                    parents.Add(WriteNewNode(new NodeContent(BTreePage.IndexInterior, current, children[i])));
                    ups.Add(dividers[i]);
                    current = [];
                    used = 0;
                }
                else
                {
                    // As with the leaves: the page's own last cell moves up, its child becomes
                    // the page's right child, and the last divider starts the last page.
                    var last = current[^1];
                    current.RemoveAt(current.Count - 1);
                    parents.Add(WriteNewNode(new NodeContent(BTreePage.IndexInterior, current, ChildOf(last))));
                    ups.Add(ToLeafCell(last));
                    current = [cell];
                }
            }

            parents.Add(WriteNewNode(new NodeContent(BTreePage.IndexInterior, current, children[^1])));
            children = parents;
            dividers = ups;
        }
    }

    private uint WriteNewNode(NodeContent content)
    {
        var page = Pager.Allocate();
        WriteNode(page.Number, content);
        return page.Number;
    }

    private static uint ChildOf(byte[] interiorCell) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(interiorCell);
}
