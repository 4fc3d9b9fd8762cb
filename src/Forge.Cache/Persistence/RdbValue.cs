using System.Buffers.Binary;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Persistence;

/// <summary>
/// One value in RDB's serialization (rdb.c), as DUMP and RESTORE carry it: the object (type byte
/// and payload), the RDB version (2 bytes, little-endian) and a CRC-64 of everything before it
/// (8 bytes, little-endian). Written in the plain encodings every Redis loads (string 0, list 1,
/// set 2, hash 4, zset 5 with binary doubles); read in every encoding Redis 7.0 writes as well:
/// integer and LZF strings, quicklist/ziplist/listpack lists, intset/listpack sets, ziplist/listpack
/// hashes and zsets (the list, hash and set readers live with their types, the blob readers in
/// <see cref="RdbPayload"/>).
/// </summary>
internal static class RdbValue
{
    public const ushort RdbVersion = 10; // Redis 7.0

    private const byte TypeString = 0;
    private const byte TypeZset = 3;
    private const byte TypeZset2 = 5;
    private const byte TypeZsetZiplist = 12;
    private const byte TypeZsetListpack = 17;

    /// <summary>Appends the type byte and payload of <paramref name="value"/> (rdbSaveObjectType + rdbSaveObject).</summary>
    public static void WriteObject(List<byte> w, object value)
    {
        switch (value)
        {
            case byte[] s:
                w.Add(TypeString);
                RdbPayload.WriteString(w, s);
                break;
            case RedisList list:
                list.WriteRdb(w);
                break;
            case RedisSet set:
                set.WriteRdb(w);
                break;
            case RedisHash hash:
                hash.WriteRdb(w);
                break;
            case RedisStream stream:
                stream.WriteRdb(w);
                break;
            case RedisSortedSet zset:
                w.Add(TypeZset2);
                RdbPayload.WriteLength(w, zset.Count);
                Span<byte> d = stackalloc byte[8];
                foreach (var (member, score) in zset.Items())
                {
                    RdbPayload.WriteString(w, member);
                    BinaryPrimitives.WriteDoubleLittleEndian(d, score);
                    w.AddRange(d);
                }

                break;
            default:
                throw new NotSupportedException("DUMP of this type");
        }
    }

    public static byte[] Dump(object value)
    {
        var w = new List<byte>();
        WriteObject(w, value);
        w.Add((byte)(RdbVersion & 0xFF));
        w.Add((byte)(RdbVersion >> 8));
        var body = w.ToArray();
        var crc = Crc64.Compute(body);
        var result = new byte[body.Length + 8];
        body.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(body.Length), crc);
        return result;
    }

    /// <summary>verifyDumpPayload: a known RDB version and a matching CRC (0 means "not computed").</summary>
    public static bool VerifyPayload(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 10)
        {
            return false;
        }

        var footer = payload[^10..];
        var version = BinaryPrimitives.ReadUInt16LittleEndian(footer);
        if (version > RdbVersion)
        {
            return false;
        }

        var crc = BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]);
        return crc == 0 || crc == Crc64.Compute(payload[..^8]);
    }

    /// <summary>Decodes a verified payload into a value; null when malformed (Redis's "Bad data format").</summary>
    public static object? Load(ReadOnlySpan<byte> payload, CommandLimits limits)
    {
        var data = payload[..^10];
        var pos = 0;
        var value = ReadObject(data, ref pos, limits);
        return value is not null && pos == data.Length ? value : null;
    }

    /// <summary>Reads one object (type byte and payload) at <paramref name="pos"/>; null when malformed or of an unknown type.</summary>
    public static object? ReadObject(ReadOnlySpan<byte> data, ref int pos, CommandLimits limits)
    {
        if (pos >= data.Length)
        {
            return null;
        }

        var type = data[pos++];
        return ReadObject(type, data, ref pos, limits);
    }

    /// <summary>Reads the payload of an object of RDB type <paramref name="type"/>; null when malformed or of an unknown type.</summary>
    public static object? ReadObject(byte type, ReadOnlySpan<byte> data, ref int pos, CommandLimits limits) =>
        type switch
        {
            RedisSet.RdbTypeSet or RedisSet.RdbTypeSetIntset or RedisSet.RdbTypeSetListpack => RedisSet.ReadRdb(type, data, ref pos, limits.SetMaxIntsetEntries),
            RedisList.RdbTypeList or RedisList.RdbTypeListZiplist or RedisList.RdbTypeListQuicklist or RedisList.RdbTypeListQuicklist2 => RedisList.ReadRdb(type, data, ref pos),
            RedisHash.RdbTypeHash or RedisHash.RdbTypeHashZiplist or RedisHash.RdbTypeHashListpack => RedisHash.ReadRdb(type, data, ref pos, limits.HashMaxListpackEntries, limits.HashMaxListpackValue),
            RedisStream.RdbTypeStreamListpacks or RedisStream.RdbTypeStreamListpacks2 => RedisStream.ReadRdb(type, data, ref pos),
            _ => LoadOther(type, data, ref pos, limits),
        };

    private static object? LoadOther(byte type, ReadOnlySpan<byte> data, ref int pos, CommandLimits limits)
    {
        switch (type)
        {
            case TypeString:
                return RdbPayload.ReadString(data, ref pos);
            case TypeZset or TypeZset2:
                {
                    if (!RdbPayload.TryReadLength(data, ref pos, out var n) || n <= 0 || n > data.Length)
                    {
                        return null;
                    }

                    RedisSortedSet? zset = null;
                    for (var i = 0L; i < n; i++)
                    {
                        if (RdbPayload.ReadString(data, ref pos) is not { } member || !TryReadScore(data, ref pos, type == TypeZset2, out var score))
                        {
                            return null;
                        }

                        zset = AddMember(zset, member, score, limits);
                        if (zset is null)
                        {
                            return null;
                        }
                    }

                    return zset;
                }

            case TypeZsetZiplist or TypeZsetListpack:
                {
                    if (RdbPayload.ReadString(data, ref pos) is not { } blob)
                    {
                        return null;
                    }

                    var items = new List<byte[]>();
                    if (!(type == TypeZsetListpack ? RdbPayload.TryReadListpack(blob, items) : RdbPayload.TryReadZiplist(blob, items)) || items.Count == 0 || items.Count % 2 != 0)
                    {
                        return null;
                    }

                    RedisSortedSet? zset = null;
                    for (var i = 0; i < items.Count; i += 2)
                    {
                        if (!NumberFormat.TryParseDouble(items[i + 1], out var score))
                        {
                            return null;
                        }

                        zset = AddMember(zset, items[i], score, limits);
                        if (zset is null)
                        {
                            return null;
                        }
                    }

                    return zset;
                }

            default:
                return null;
        }
    }

    private static RedisSortedSet? AddMember(RedisSortedSet? zset, byte[] member, double score, CommandLimits limits)
    {
        if (double.IsNaN(score))
        {
            return null;
        }

        zset ??= RedisSortedSet.CreateFor(member.Length, limits.ZsetMaxListpackEntries, limits.ZsetMaxListpackValue);
        if (zset.Contains(member))
        {
            return null; // duplicate member: corrupt
        }

        zset.Set(member, score, limits.ZsetMaxListpackEntries, limits.ZsetMaxListpackValue);
        return zset;
    }

    /// <summary>A zset score: 8-byte little-endian double (ZSET_2) or the old length-prefixed text form.</summary>
    private static bool TryReadScore(ReadOnlySpan<byte> data, ref int pos, bool binary, out double score)
    {
        score = 0;
        if (binary)
        {
            if (pos + 8 > data.Length)
            {
                return false;
            }

            score = BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(pos, 8));
            pos += 8;
            return true;
        }

        if (pos >= data.Length)
        {
            return false;
        }

        var len = data[pos++];
        switch (len)
        {
            case 253:
                return false; // NaN
            case 254:
                score = double.PositiveInfinity;
                return true;
            case 255:
                score = double.NegativeInfinity;
                return true;
        }

        if (pos + len > data.Length)
        {
            return false;
        }

        var ok = NumberFormat.TryParseDouble(data.Slice(pos, len), out score);
        pos += len;
        return ok;
    }
}

/// <summary>The thresholds that decide a restored value's encoding.</summary>
internal readonly record struct CommandLimits(long SetMaxIntsetEntries, long HashMaxListpackEntries, long HashMaxListpackValue, long ZsetMaxListpackEntries, long ZsetMaxListpackValue)
{
    public static CommandLimits From(Config.CacheConfig config)
    {
        var l = config.Limits;
        return new(l.SetMaxIntsetEntries, l.HashMaxListpackEntries, l.HashMaxListpackValue, l.ZsetMaxListpackEntries, l.ZsetMaxListpackValue);
    }
}
