using System.Buffers.Binary;
using Forge.Sql.Records;

namespace Forge.Sql.Pager;

/// <summary>The 100-byte database header at the start of page 1 (fileformat2 §1.3), as named offsets.</summary>
internal static class DatabaseHeader
{
    public const int Size = 100;

    public const int Magic = 0;              // 16 bytes "SQLite format 3\0"
    public const int PageSize = 16;          // 2 bytes, power of two 512..32768, or 1 meaning 65536
    public const int WriteVersion = 18;      // 1 legacy (rollback journal), 2 WAL
    public const int ReadVersion = 19;       // 1 legacy, 2 WAL
    public const int ReservedBytes = 20;     // unused bytes at the end of each page
    public const int MaxPayloadFraction = 21; // must be 64
    public const int MinPayloadFraction = 22; // must be 32
    public const int LeafPayloadFraction = 23; // must be 32
    public const int FileChangeCounter = 24; // 4 bytes
    public const int DatabaseSizePages = 28; // 4 bytes, valid when VersionValidFor == FileChangeCounter
    public const int FirstFreelistTrunk = 32; // 4 bytes, 0 when the freelist is empty
    public const int FreelistCount = 36;     // 4 bytes, total free pages (trunks and leaves)
    public const int SchemaCookie = 40;      // 4 bytes, bumped on every schema change
    public const int SchemaFormat = 44;      // 4 bytes, 1..4 (we write 4)
    public const int DefaultCacheSize = 48;  // 4 bytes
    public const int LargestRootPage = 52;   // 4 bytes, nonzero in auto-vacuum databases
    public const int TextEncoding = 56;      // 4 bytes, 1 UTF-8, 2 UTF-16le, 3 UTF-16be
    public const int UserVersion = 60;       // 4 bytes
    public const int IncrementalVacuum = 64; // 4 bytes
    public const int ApplicationId = 68;     // 4 bytes
    public const int ReservedZero = 72;      // 20 bytes, zero
    public const int VersionValidFor = 92;   // 4 bytes, change counter at the last write of SqliteVersionNumber
    public const int SqliteVersionNumber = 96; // 4 bytes, SQLITE_VERSION_NUMBER of the last writer

    /// <summary>The SQLITE_VERSION_NUMBER we write: the format of SQLite 3.40.1, the peer we test against.</summary>
    public const int WriterVersionNumber = 3040001;

    public static ReadOnlySpan<byte> MagicBytes => "SQLite format 3\0"u8;

    public static uint ReadUInt32(ReadOnlySpan<byte> page1, int offset) => BinaryPrimitives.ReadUInt32BigEndian(page1[offset..]);

    public static void WriteUInt32(Span<byte> page1, int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(page1[offset..], value);

    /// <summary>The page size encoded in a header, or 0 when it is not a valid one.</summary>
    public static int DecodePageSize(ReadOnlySpan<byte> header)
    {
        int raw = BinaryPrimitives.ReadUInt16BigEndian(header[PageSize..]);
        var size = raw == 1 ? 65536 : raw;
        return size >= 512 && size <= 65536 && (size & (size - 1)) == 0 ? size : 0;
    }

    /// <summary>Validates a header read from disk; throws for corrupt or unsupported files.</summary>
    public static void Validate(ReadOnlySpan<byte> header)
    {
        if (header.Length < Size || !header[..16].SequenceEqual(MagicBytes))
        {
            throw new SqliteNotADatabaseException();
        }

        var pageSize = DecodePageSize(header);
        if (pageSize == 0)
        {
            throw new SqliteNotADatabaseException();
        }

        if (header[MaxPayloadFraction] != 64 || header[MinPayloadFraction] != 32 || header[LeafPayloadFraction] != 32)
        {
            throw new SqliteNotADatabaseException();
        }

        if (pageSize - header[ReservedBytes] < 480)
        {
            throw new SqliteNotADatabaseException();
        }

        if (header[ReadVersion] > 2)
        {
            throw new SqliteNotADatabaseException();
        }

        var encoding = ReadUInt32(header, TextEncoding);
        if (encoding is 2 or 3)
        {
            throw new NotSupportedException($"unsupported text encoding: UTF-16{(encoding == 2 ? "le" : "be")} (forge sql reads and writes UTF-8 databases only)");
        }

        if (encoding > 3)
        {
            SqliteCorruptException.Throw("bad text encoding in header");
        }
    }

    /// <summary>Fills a fresh header for a new, empty database.</summary>
    public static void Initialize(Span<byte> page1, int pageSize)
    {
        page1[..Size].Clear();
        MagicBytes.CopyTo(page1);
        BinaryPrimitives.WriteUInt16BigEndian(page1[PageSize..], (ushort)(pageSize == 65536 ? 1 : pageSize));
        page1[WriteVersion] = 1;
        page1[ReadVersion] = 1;
        page1[MaxPayloadFraction] = 64;
        page1[MinPayloadFraction] = 32;
        page1[LeafPayloadFraction] = 32;
        WriteUInt32(page1, SchemaFormat, 4);
        WriteUInt32(page1, TextEncoding, 1);
        WriteUInt32(page1, SqliteVersionNumber, WriterVersionNumber);
    }
}

/// <summary>SQLITE_NOTADB: the file is not a database (bad magic, page size or payload fractions).</summary>
public sealed class SqliteNotADatabaseException : Exception
{
    public SqliteNotADatabaseException()
        : base("file is not a database")
    {
    }

    public SqliteNotADatabaseException(string message)
        : base(message)
    {
    }

    public SqliteNotADatabaseException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
