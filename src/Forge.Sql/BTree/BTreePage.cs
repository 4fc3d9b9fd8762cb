using System.Buffers.Binary;
using Forge.Sql.Records;

namespace Forge.Sql.BTree;

/// <summary>
/// B-tree page layout (fileformat2 §1.6). Page 1's b-tree header starts after the 100-byte database
/// header; every other page's at offset 0. Offsets in the cell pointer array and in the header are
/// from the start of the page.
/// <code>
/// header (offset from the b-tree header start)
///   0  1  page type: 0x02 index interior, 0x05 table interior, 0x0a index leaf, 0x0d table leaf
///   1  2  first freeblock (0 = none); a freeblock is [2 next][2 size], sorted by offset
///   3  2  number of cells
///   5  2  start of the cell content area (0 means 65536)
///   7  1  fragmented free bytes (holes under 4 bytes)
///   8  4  right-most child page (interior pages only)
/// then the cell pointer array: 2 bytes per cell, in key order
/// cells (fileformat2 §1.6 "B-tree Cell Format")
///   table leaf     varint payload size, varint rowid, local payload, [4 first overflow page]
///   table interior 4 left child, varint rowid (the largest rowid in the left subtree)
///   index leaf     varint payload size, local payload, [4 first overflow page]
///   index interior 4 left child, varint payload size, local payload, [4 first overflow page]
/// overflow page: 4 next overflow page (0 = last), then usable-4 bytes of payload
/// </code>
/// </summary>
internal static class BTreePage
{
    public const byte IndexInterior = 0x02;
    public const byte TableInterior = 0x05;
    public const byte IndexLeaf = 0x0A;
    public const byte TableLeaf = 0x0D;

    public const int PageTypeOffset = 0;
    public const int FirstFreeblockOffset = 1;
    public const int CellCountOffset = 3;
    public const int CellContentOffset = 5;
    public const int FragmentedBytesOffset = 7;
    public const int RightChildOffset = 8;

    public const int LeafHeaderSize = 8;
    public const int InteriorHeaderSize = 12;

    /// <summary>SQLite accounts every cell as at least 4 bytes (a freed cell must hold a freeblock header).</summary>
    public const int MinCellSize = 4;

    public const int OverflowNextOffset = 0;
    public const int OverflowDataOffset = 4;

    public static int HeaderOffset(uint pageNumber) => pageNumber == 1 ? Forge.Sql.Pager.DatabaseHeader.Size : 0;

    public static bool IsLeaf(byte type) => type is TableLeaf or IndexLeaf;

    public static bool IsTable(byte type) => type is TableLeaf or TableInterior;

    public static bool IsValidType(byte type) => type is IndexInterior or TableInterior or IndexLeaf or TableLeaf;

    public static int HeaderSize(byte type) => IsLeaf(type) ? LeafHeaderSize : InteriorHeaderSize;

    public static byte LeafTypeOf(bool table) => table ? TableLeaf : IndexLeaf;

    public static byte InteriorTypeOf(bool table) => table ? TableInterior : IndexInterior;

    public static void InitializeEmpty(Span<byte> page, int headerOffset, byte type, int usableSize)
    {
        var h = page[headerOffset..];
        h[..HeaderSize(type)].Clear();
        h[PageTypeOffset] = type;
        WriteContentStart(h, usableSize);
    }

    public static void WriteContentStart(Span<byte> header, int start) =>
        BinaryPrimitives.WriteUInt16BigEndian(header[CellContentOffset..], (ushort)(start == 65536 ? 0 : start));

    /// <summary>Largest payload stored entirely on a page (X in §1.6).</summary>
    public static int MaxLocal(int usable, bool tableLeaf) => tableLeaf ? usable - 35 : ((usable - 12) * 64 / 255) - 23;

    /// <summary>Smallest local part of a payload that spills (M in §1.6).</summary>
    public static int MinLocal(int usable) => ((usable - 12) * 32 / 255) - 23;

    /// <summary>How many payload bytes a cell keeps on its b-tree page; the rest goes to overflow pages.</summary>
    public static int LocalSize(long payloadSize, int usable, bool tableLeaf)
    {
        var x = MaxLocal(usable, tableLeaf);
        if (payloadSize <= x)
        {
            return (int)payloadSize;
        }

        var m = MinLocal(usable);
        var k = m + ((payloadSize - m) % (usable - 4));
        return k <= x ? (int)k : m;
    }

    public static int OverflowPageCount(long payloadSize, int localSize, int usable) =>
        localSize >= payloadSize ? 0 : (int)((payloadSize - localSize + usable - 5) / (usable - 4));
}

/// <summary>One parsed cell; every offset is checked to lie inside the page's usable area.</summary>
internal struct CellInfo
{
    public int Offset;
    public int Size;
    public uint LeftChild;
    public long Key;
    public long PayloadSize;
    public int PayloadOffset;
    public int LocalSize;
    public uint FirstOverflow;

    public readonly bool HasOverflow => LocalSize < PayloadSize;

    /// <summary>Parses the cell at <paramref name="offset"/> of a page of <paramref name="type"/>.</summary>
    public static CellInfo Parse(ReadOnlySpan<byte> page, int offset, byte type, int usable)
    {
        var c = new CellInfo { Offset = offset };
        if (offset < 0 || offset + 4 > usable)
        {
            SqliteCorruptException.Throw("cell offset out of range");
        }

        var p = offset;
        var limit = page[..usable];
        if (!BTreePage.IsLeaf(type))
        {
            c.LeftChild = BinaryPrimitives.ReadUInt32BigEndian(limit[p..]);
            p += 4;
        }

        int n;
        if (type == BTreePage.TableInterior)
        {
            n = Varint.Read(limit[p..], out c.Key);
            if (n == 0)
            {
                SqliteCorruptException.Throw("bad rowid varint");
            }

            c.Size = 4 + n;
            c.PayloadOffset = p + n;
            return c;
        }

        n = Varint.Read(limit[p..], out c.PayloadSize);
        if (n == 0 || c.PayloadSize < 0 || c.PayloadSize > int.MaxValue)
        {
            SqliteCorruptException.Throw("bad payload size");
        }

        p += n;
        if (type == BTreePage.TableLeaf)
        {
            n = Varint.Read(limit[p..], out c.Key);
            if (n == 0)
            {
                SqliteCorruptException.Throw("bad rowid varint");
            }

            p += n;
        }

        c.PayloadOffset = p;
        c.LocalSize = BTreePage.LocalSize(c.PayloadSize, usable, type == BTreePage.TableLeaf);
        var end = (long)p + c.LocalSize;
        if (c.HasOverflow)
        {
            if (end + 4 > usable)
            {
                SqliteCorruptException.Throw("cell extends past the page");
            }

            c.FirstOverflow = BinaryPrimitives.ReadUInt32BigEndian(limit[(int)end..]);
            end += 4;
        }
        else if (end > usable)
        {
            SqliteCorruptException.Throw("cell extends past the page");
        }

        c.Size = Math.Max(BTreePage.MinCellSize, (int)(end - offset));
        return c;
    }
}

/// <summary>A validated view of one b-tree page's header and cell pointer array.</summary>
internal readonly struct Node
{
    public readonly byte[] Data;
    public readonly uint PageNumber;
    public readonly int Hdr;
    public readonly byte Type;
    public readonly int CellCount;
    public readonly int Usable;

    private Node(byte[] data, uint pageNumber, int hdr, byte type, int cellCount, int usable)
    {
        Data = data;
        PageNumber = pageNumber;
        Hdr = hdr;
        Type = type;
        CellCount = cellCount;
        Usable = usable;
    }

    public bool IsLeaf => BTreePage.IsLeaf(Type);

    public int HeaderSize => BTreePage.HeaderSize(Type);

    public int PointerArrayEnd => Hdr + HeaderSize + (2 * CellCount);

    public static Node Read(Forge.Sql.Pager.Page page, int usable, bool table)
    {
        var data = page.Data;
        var hdr = BTreePage.HeaderOffset(page.Number);
        var type = data[hdr];
        if (!BTreePage.IsValidType(type) || BTreePage.IsTable(type) != table)
        {
            SqliteCorruptException.Throw($"page {page.Number}: bad b-tree page type {type}");
        }

        int count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(hdr + BTreePage.CellCountOffset));
        if (hdr + BTreePage.HeaderSize(type) + (2 * count) > usable)
        {
            SqliteCorruptException.Throw($"page {page.Number}: too many cells");
        }

        return new Node(data, page.Number, hdr, type, count, usable);
    }

    public int ContentStart
    {
        get
        {
            int v = BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(Hdr + BTreePage.CellContentOffset));
            return v == 0 ? 65536 : v;
        }
    }

    public uint RightChild => BinaryPrimitives.ReadUInt32BigEndian(Data.AsSpan(Hdr + BTreePage.RightChildOffset));

    public int CellOffset(int index)
    {
        int off = BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(Hdr + HeaderSize + (2 * index)));
        if (off < PointerArrayEnd || off > Usable - 4)
        {
            SqliteCorruptException.Throw($"page {PageNumber}: cell pointer out of range");
        }

        return off;
    }

    public CellInfo Cell(int index) => CellInfo.Parse(Data, CellOffset(index), Type, Usable);

    /// <summary>The child left of cell <paramref name="index"/>, or the right-most child for index == CellCount.</summary>
    public uint Child(int index)
    {
        if (index == CellCount)
        {
            return RightChild;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(Data.AsSpan(CellOffset(index)));
    }

    /// <summary>The rowid of a table cell (leaf or interior) without parsing the payload.</summary>
    public long RowidAt(int index)
    {
        var off = CellOffset(index);
        var span = Data.AsSpan(0, Usable);
        if (Type == BTreePage.TableInterior)
        {
            if (Varint.Read(span[(off + 4)..], out var key) == 0)
            {
                SqliteCorruptException.Throw("bad rowid varint");
            }

            return key;
        }

        var n = Varint.Read(span[off..], out _);
        long rowid = 0;
        if (n == 0 || Varint.Read(span[(off + n)..], out rowid) == 0)
        {
            SqliteCorruptException.Throw("bad rowid varint");
        }

        return rowid;
    }

    /// <summary>Free bytes: the gap between the pointer array and the content area, freeblocks and fragments.</summary>
    public int FreeSpace()
    {
        var gap = ContentStart - PointerArrayEnd;
        if (gap < 0 || ContentStart > Usable)
        {
            SqliteCorruptException.Throw($"page {PageNumber}: cell content area out of range");
        }

        var total = gap + Data[Hdr + BTreePage.FragmentedBytesOffset];
        int fb = BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(Hdr + BTreePage.FirstFreeblockOffset));
        var last = 0;
        while (fb != 0)
        {
            if (fb <= last || fb < ContentStart || fb > Usable - 4)
            {
                SqliteCorruptException.Throw($"page {PageNumber}: bad freeblock list");
            }

            int size = BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(fb + 2));
            if (fb + size > Usable)
            {
                SqliteCorruptException.Throw($"page {PageNumber}: freeblock past the page end");
            }

            total += size;
            last = fb;
            fb = BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(fb));
        }

        return total;
    }
}
