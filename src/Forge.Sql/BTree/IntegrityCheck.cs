using System.Buffers.Binary;
using Forge.Sql.Records;

namespace Forge.Sql.BTree;

/// <summary>
/// A structural check in the spirit of PRAGMA integrity_check: every tree's keys are in order,
/// interior keys bound their subtrees, all leaves are at one depth, no non-root page is empty, cells
/// do not overlap, and every page of the file is used exactly once (by a tree, an overflow chain or
/// the freelist). Returns the problems found, empty when none.
/// </summary>
internal static class IntegrityCheck
{
    public static List<string> Run(BTreeStore store, IEnumerable<(uint Root, bool Table, KeyInfo KeyInfo)> trees)
    {
        var errors = new List<string>();
        var pager = store.Pager;
        var owner = new Dictionary<uint, string>();

        bool Claim(uint page, string what)
        {
            if (page < 1 || page > pager.PageCount)
            {
                errors.Add($"{what}: page {page} out of range");
                return false;
            }

            if (!owner.TryAdd(page, what))
            {
                errors.Add($"page {page} used by {owner[page]} and {what}");
                return false;
            }

            return true;
        }

        try
        {
            foreach (var f in pager.ReadFreelist())
            {
                _ = Claim(f, "freelist");
            }

            foreach (var (root, table, keyInfo) in trees)
            {
                var leafDepth = -1;
                CheckPage(store, root, table, keyInfo, root, 0, ref leafDepth, errors, Claim);
            }
        }
        catch (SqliteCorruptException e)
        {
            errors.Add(e.Detail);
        }

        var lockPage = (uint)(0x40000000L / pager.PageSize) + 1;
        for (uint p = 1; p <= pager.PageCount; p++)
        {
            if (!owner.ContainsKey(p) && p != lockPage)
            {
                errors.Add($"page {p} is never used");
            }
        }

        return errors;
    }

    private static void CheckPage(BTreeStore store, uint number, bool table, KeyInfo keyInfo, uint root, int depth, ref int leafDepth, List<string> errors, Func<uint, string, bool> claim)
    {
        if (!claim(number, $"tree {root}"))
        {
            return;
        }

        if (depth > BTreeStore.MaxDepth)
        {
            errors.Add($"tree {root}: too deep");
            return;
        }

        var page = store.Pager.GetPage(number);
        var node = Node.Read(page, store.UsableSize, table);
        if (node.CellCount == 0 && number != root)
        {
            errors.Add($"page {number}: empty non-root page");
        }

        // Cells must not overlap each other or the pointer array.
        var spans = new List<(int Start, int End)>();
        for (var i = 0; i < node.CellCount; i++)
        {
            var c = node.Cell(i);
            spans.Add((c.Offset, c.Offset + c.Size));
            if (c.HasOverflow)
            {
                var count = BTreePage.OverflowPageCount(c.PayloadSize, c.LocalSize, store.UsableSize);
                var o = c.FirstOverflow;
                for (var k = 0; k < count; k++)
                {
                    if (!claim(o, $"overflow of page {number}"))
                    {
                        break;
                    }

                    o = BinaryPrimitives.ReadUInt32BigEndian(store.Pager.GetPage(o).Data);
                }
            }
        }

        spans.Sort();
        for (var i = 1; i < spans.Count; i++)
        {
            if (spans[i].Start < spans[i - 1].End)
            {
                errors.Add($"page {number}: overlapping cells");
            }
        }

        if (node.IsLeaf)
        {
            if (leafDepth < 0)
            {
                leafDepth = depth;
            }
            else if (leafDepth != depth)
            {
                errors.Add($"tree {root}: leaves at depths {leafDepth} and {depth}");
            }
        }
        else
        {
            for (var i = 0; i <= node.CellCount; i++)
            {
                CheckPage(store, node.Child(i), table, keyInfo, root, depth + 1, ref leafDepth, errors, claim);
            }
        }

        if (number == root && errors.Count == 0)
        {
            CheckOrder(store, root, table, keyInfo, errors);
        }
    }

    private static void CheckOrder(BTreeStore store, uint root, bool table, KeyInfo keyInfo, List<string> errors)
    {
        using var cursor = table ? store.OpenTable(root) : store.OpenIndex(root, keyInfo);
        long previousRowid = 0;
        byte[]? previousKey = null;
        var first = true;
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            if (table)
            {
                var rowid = cursor.Rowid;
                if (!first && rowid <= previousRowid)
                {
                    errors.Add($"tree {root}: rowid {rowid} after {previousRowid}");
                }

                previousRowid = rowid;
            }
            else
            {
                var key = cursor.Payload.ToArray();
                if (previousKey is not null && SqlComparer.CompareRecords(previousKey, key, keyInfo) > 0)
                {
                    errors.Add($"tree {root}: index keys out of order");
                }

                previousKey = key;
            }

            first = false;
        }

        // Interior table keys must bound their subtrees: every rowid left of a divider is <= it.
        if (table)
        {
            CheckTableBounds(store, root, long.MinValue, long.MaxValue, errors, 0);
        }
    }

    private static void CheckTableBounds(BTreeStore store, uint number, long low, long high, List<string> errors, int depth)
    {
        if (depth > BTreeStore.MaxDepth)
        {
            return;
        }

        var node = Node.Read(store.Pager.GetPage(number), store.UsableSize, true);
        var lower = low;
        for (var i = 0; i < node.CellCount; i++)
        {
            var key = node.RowidAt(i);
            if (key < low || key > high)
            {
                errors.Add($"page {number}: rowid {key} outside ({low}, {high}]");
            }

            if (!node.IsLeaf)
            {
                CheckTableBounds(store, node.Child(i), lower, key, errors, depth + 1);
                lower = key;
            }
        }

        if (!node.IsLeaf)
        {
            CheckTableBounds(store, node.RightChild, lower, high, errors, depth + 1);
        }
    }

    /// <summary>The average fraction of the usable space in use on the tree's non-root pages (1 when it has none).</summary>
    public static double AverageFill(BTreeStore store, uint root, bool table)
    {
        double used = 0;
        var pages = 0;
        var stack = new Stack<uint>();
        stack.Push(root);
        while (stack.Count > 0 && pages <= store.Pager.PageCount)
        {
            var number = stack.Pop();
            var node = Node.Read(store.Pager.GetPage(number), store.UsableSize, table);
            if (number != root)
            {
                used += 1.0 - ((double)node.FreeSpace() / (store.UsableSize - node.HeaderSize));
                pages++;
            }

            if (!node.IsLeaf)
            {
                for (var i = 0; i <= node.CellCount; i++)
                {
                    stack.Push(node.Child(i));
                }
            }
        }

        return pages == 0 ? 1 : used / pages;
    }
}
