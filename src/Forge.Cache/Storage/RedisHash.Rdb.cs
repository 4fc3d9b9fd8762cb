using System.Buffers.Binary;
using Forge.Cache.Persistence;
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
        return ReadRdb(type, data, ref pos, maxListpackEntries, maxListpackValue);
    }

    /// <summary>Reads the payload of a value of RDB type <paramref name="type"/> (an RDB file stores the key between type and payload).</summary>
    public static RedisHash? ReadRdb(byte type, ReadOnlySpan<byte> data, ref int pos, long maxListpackEntries, long maxListpackValue)
    {
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
