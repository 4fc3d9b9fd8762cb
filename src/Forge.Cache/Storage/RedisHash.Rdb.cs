using System.Buffers.Binary;
using Forge.Cache.Protocol;

namespace Forge.Cache.Storage;

/// <summary>RDB payloads of hashes, for DUMP/RESTORE (and a future RDB file).</summary>
internal sealed partial class RedisHash
{
    /// <summary>RDB_TYPE_HASH: a length, then field and value strings.</summary>
    public const byte RdbTypeHash = 4;

    /// <summary>RDB_TYPE_HASH_ZIPLIST (Redis &lt; 7) and RDB_TYPE_HASH_LISTPACK (7.0): one blob of alternating fields and values.</summary>
    public const byte RdbTypeHashZiplist = 13;

    public const byte RdbTypeHashListpack = 16;

    /// <summary>
    /// Appends the object as Redis's rdbSaveObjectType + rdbSaveObject write it (type byte and
    /// payload, without DUMP's version and CRC trailer). Always the plain RDB_TYPE_HASH form, which
    /// every Redis loads (re-encoding small hashes as listpacks as it does so).
    /// </summary>
    public void WriteRdb(List<byte> output)
    {
        output.Add(RdbTypeHash);
        RdbPayload.WriteLength(output, Count);
        for (var slot = NextLive(0); slot >= 0; slot = NextLive(slot + 1))
        {
            RdbPayload.WriteString(output, FieldAt(slot));
            RdbPayload.WriteString(output, ValueAt(slot));
        }
    }

    /// <summary>
    /// Reads a hash object (type byte at <paramref name="pos"/>) in any form Redis 7.0 writes or
    /// loads: plain, ziplist or listpack. Null when the type is not a hash or the data is malformed
    /// (including a duplicate or an empty hash, which Redis refuses too). The encoding follows the
    /// limits given, as Redis converts on load.
    /// </summary>
    public static RedisHash? ReadRdb(ReadOnlySpan<byte> data, ref int pos, long maxListpackEntries, long maxListpackValue)
    {
        if (pos >= data.Length)
        {
            return null;
        }

        var type = data[pos++];
        var items = new List<byte[]>();
        switch (type)
        {
            case RdbTypeHash:
                if (!RdbPayload.TryReadLength(data, ref pos, out var pairs) || pairs <= 0 || pairs > data.Length)
                {
                    return null;
                }

                for (var i = 0L; i < pairs * 2; i++)
                {
                    var s = RdbPayload.ReadString(data, ref pos);
                    if (s is null)
                    {
                        return null;
                    }

                    items.Add(s);
                }

                break;
            case RdbTypeHashZiplist:
            case RdbTypeHashListpack:
                var blob = RdbPayload.ReadString(data, ref pos);
                if (blob is null || !(type == RdbTypeHashListpack ? RdbPayload.TryReadListpack(blob, items) : RdbPayload.TryReadZiplist(blob, items)))
                {
                    return null;
                }

                break;
            default:
                return null;
        }

        if (items.Count == 0 || items.Count % 2 != 0)
        {
            return null;
        }

        var hash = new RedisHash();
        for (var i = 0; i < items.Count; i += 2)
        {
            if (!hash.Set(items[i], items[i + 1], maxListpackEntries, maxListpackValue))
            {
                return null;
            }
        }

        return hash;
    }
}

/// <summary>
/// The pieces of Redis's RDB encoding that values are made of: lengths, strings (raw, integer
/// encoded or LZF compressed), and the ziplist, listpack and intset blobs small containers are
/// saved as. Written forms are the simplest Redis accepts (raw strings, plain containers).
/// </summary>
internal static class RdbPayload
{
    public static void WriteLength(List<byte> output, long length)
    {
        if (length < 1 << 6)
        {
            output.Add((byte)length);
        }
        else if (length < 1 << 14)
        {
            output.Add((byte)(0x40 | (length >> 8)));
            output.Add((byte)length);
        }
        else if (length <= uint.MaxValue)
        {
            output.Add(0x80);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)length);
            output.AddRange(b);
        }
        else
        {
            output.Add(0x81);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)length);
            output.AddRange(b);
        }
    }

    public static void WriteString(List<byte> output, ReadOnlySpan<byte> s)
    {
        WriteLength(output, s.Length);
        output.AddRange(s);
    }

    /// <summary>A plain length (not a string's special encoding).</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> data, ref int pos, out long length) =>
        TryReadLength(data, ref pos, out length, out var special) && !special;

    private static bool TryReadLength(ReadOnlySpan<byte> data, ref int pos, out long length, out bool special)
    {
        length = 0;
        special = false;
        if (pos >= data.Length)
        {
            return false;
        }

        var b = data[pos++];
        switch (b >> 6)
        {
            case 0:
                length = b & 0x3F;
                return true;
            case 1:
                if (pos >= data.Length)
                {
                    return false;
                }

                length = ((b & 0x3F) << 8) | data[pos++];
                return true;
            case 2:
                var n = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
                if (n == 0 || pos + n > data.Length)
                {
                    return false;
                }

                var v = n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(data.Slice(pos, 4)) : BinaryPrimitives.ReadUInt64BigEndian(data.Slice(pos, 8));
                pos += n;
                if (v > int.MaxValue)
                {
                    return false;
                }

                length = (long)v;
                return true;
            default:
                special = true;
                length = b & 0x3F;
                return true;
        }
    }

    /// <summary>A string in any of its encodings, or null when malformed.</summary>
    public static byte[]? ReadString(ReadOnlySpan<byte> data, ref int pos)
    {
        if (!TryReadLength(data, ref pos, out var length, out var special))
        {
            return null;
        }

        if (!special)
        {
            if (pos + length > data.Length)
            {
                return null;
            }

            var s = data.Slice(pos, (int)length).ToArray();
            pos += (int)length;
            return s;
        }

        switch (length)
        {
            case 0:
                return pos + 1 <= data.Length ? NumberFormat.LongToBytes((sbyte)data[pos++]) : null;
            case 1:
                if (pos + 2 > data.Length)
                {
                    return null;
                }

                var v16 = BinaryPrimitives.ReadInt16LittleEndian(data.Slice(pos, 2));
                pos += 2;
                return NumberFormat.LongToBytes(v16);
            case 2:
                if (pos + 4 > data.Length)
                {
                    return null;
                }

                var v32 = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(pos, 4));
                pos += 4;
                return NumberFormat.LongToBytes(v32);
            case 3:
                if (!TryReadLength(data, ref pos, out var compressed) || !TryReadLength(data, ref pos, out var plain) || pos + compressed > data.Length)
                {
                    return null;
                }

                var result = LzfDecompress(data.Slice(pos, (int)compressed), (int)plain);
                pos += (int)compressed;
                return result;
            default:
                return null;
        }
    }

    /// <summary>LZF (liblzf's format, as Redis compresses strings): literal runs and back references.</summary>
    public static byte[]? LzfDecompress(ReadOnlySpan<byte> input, int outputLength)
    {
        var output = new byte[outputLength];
        var ip = 0;
        var op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                var run = ctrl + 1;
                if (op + run > output.Length || ip + run > input.Length)
                {
                    return null;
                }

                input.Slice(ip, run).CopyTo(output.AsSpan(op));
                ip += run;
                op += run;
                continue;
            }

            var len = ctrl >> 5;
            if (len == 7)
            {
                if (ip >= input.Length)
                {
                    return null;
                }

                len += input[ip++];
            }

            if (ip >= input.Length)
            {
                return null;
            }

            var back = op - ((ctrl & 0x1F) << 8) - 1 - input[ip++];
            len += 2;
            if (back < 0 || op + len > output.Length)
            {
                return null;
            }

            for (var i = 0; i < len; i++)
            {
                output[op++] = output[back++];
            }
        }

        return op == output.Length ? output : null;
    }

    /// <summary>The elements of a listpack blob (integers as their decimal text).</summary>
    public static bool TryReadListpack(ReadOnlySpan<byte> blob, List<byte[]> items)
    {
        if (blob.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(blob) != blob.Length)
        {
            return false;
        }

        var p = 6;
        while (p < blob.Length)
        {
            var b = blob[p];
            if (b == 0xFF)
            {
                return p == blob.Length - 1;
            }

            int header;
            long dataLength = 0;
            long? number = null;
            if ((b & 0x80) == 0)
            {
                header = 1;
                number = b & 0x7F;
            }
            else if ((b & 0xC0) == 0x80)
            {
                header = 1;
                dataLength = b & 0x3F;
            }
            else if ((b & 0xE0) == 0xC0)
            {
                header = 2;
                if (p + 2 > blob.Length)
                {
                    return false;
                }

                var v = ((b & 0x1F) << 8) | blob[p + 1];
                number = v >= 1 << 12 ? v - (1 << 13) : v;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                header = 2;
                if (p + 2 > blob.Length)
                {
                    return false;
                }

                dataLength = ((b & 0x0F) << 8) | blob[p + 1];
            }
            else
            {
                var size = b switch
                {
                    0xF0 => 4,
                    0xF1 => 2,
                    0xF2 => 3,
                    0xF3 => 4,
                    0xF4 => 8,
                    _ => -1,
                };
                if (size < 0 || p + 1 + size > blob.Length)
                {
                    return false;
                }

                header = 1 + size;
                var bytes = blob.Slice(p + 1, size);
                if (b == 0xF0)
                {
                    header = 5;
                    dataLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
                }
                else
                {
                    long v = 0;
                    for (var i = size - 1; i >= 0; i--)
                    {
                        v = (v << 8) | bytes[i];
                    }

                    var bits = size * 8;
                    number = bits < 64 && v >= 1L << (bits - 1) ? v - (1L << bits) : v;
                }
            }

            var entry = header + dataLength;
            if (p + entry > blob.Length)
            {
                return false;
            }

            items.Add(number is { } n ? NumberFormat.LongToBytes(n) : blob.Slice(p + header, (int)dataLength).ToArray());
            p += (int)entry;
            p += entry < 128 ? 1 : entry < 16384 ? 2 : entry < 2097152 ? 3 : entry < 268435456 ? 4 : 5;
        }

        return false;
    }

    /// <summary>The elements of a ziplist blob (the pre-7.0 small encoding).</summary>
    public static bool TryReadZiplist(ReadOnlySpan<byte> blob, List<byte[]> items)
    {
        if (blob.Length < 11 || BinaryPrimitives.ReadUInt32LittleEndian(blob) != blob.Length)
        {
            return false;
        }

        var p = 10;
        while (p < blob.Length)
        {
            if (blob[p] == 0xFF)
            {
                return p == blob.Length - 1;
            }

            p += blob[p] == 0xFE ? 5 : 1;
            if (p >= blob.Length)
            {
                return false;
            }

            var b = blob[p];
            long length = -1;
            long number = 0;
            var header = 1;
            switch (b >> 6)
            {
                case 0:
                    length = b & 0x3F;
                    break;
                case 1:
                    header = 2;
                    length = p + 2 <= blob.Length ? ((b & 0x3F) << 8) | blob[p + 1] : -2;
                    break;
                case 2:
                    header = 5;
                    length = p + 5 <= blob.Length ? BinaryPrimitives.ReadUInt32BigEndian(blob.Slice(p + 1, 4)) : -2;
                    break;
                default:
                    var size = b switch
                    {
                        0xC0 => 2,
                        0xD0 => 4,
                        0xE0 => 8,
                        0xF0 => 3,
                        0xFE => 1,
                        _ => 0,
                    };
                    if (size == 0)
                    {
                        if (b < 0xF1 || b > 0xFD)
                        {
                            return false;
                        }

                        number = (b & 0x0F) - 1;
                    }
                    else
                    {
                        if (p + 1 + size > blob.Length)
                        {
                            return false;
                        }

                        long v = 0;
                        for (var i = size - 1; i >= 0; i--)
                        {
                            v = (v << 8) | blob[p + 1 + i];
                        }

                        var bits = size * 8;
                        number = bits < 64 && v >= 1L << (bits - 1) ? v - (1L << bits) : v;
                        header += size;
                    }

                    break;
            }

            if (length == -2 || p + header + Math.Max(length, 0) > blob.Length)
            {
                return false;
            }

            items.Add(length >= 0 ? blob.Slice(p + header, (int)length).ToArray() : NumberFormat.LongToBytes(number));
            p += header + (int)Math.Max(length, 0);
        }

        return false;
    }

    /// <summary>The integers of an intset blob (encoding 2, 4 or 8 bytes, little endian).</summary>
    public static bool TryReadIntset(ReadOnlySpan<byte> blob, List<long> values)
    {
        if (blob.Length < 8)
        {
            return false;
        }

        var width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8) || 8 + ((long)count * width) != blob.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var at = blob.Slice(8 + (i * (int)width), (int)width);
            values.Add(width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(at),
                4 => BinaryPrimitives.ReadInt32LittleEndian(at),
                _ => BinaryPrimitives.ReadInt64LittleEndian(at),
            });
        }

        return true;
    }
}
