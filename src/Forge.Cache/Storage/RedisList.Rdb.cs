using Forge.Cache.Persistence;

namespace Forge.Cache.Storage;

/// <summary>RDB payloads of lists, for DUMP/RESTORE (and a future RDB file).</summary>
internal sealed partial class RedisList
{
    /// <summary>RDB_TYPE_LIST: a length, then the element strings.</summary>
    public const byte RdbTypeList = 1;

    /// <summary>RDB_TYPE_LIST_ZIPLIST (Redis &lt; 3.2): one ziplist blob.</summary>
    public const byte RdbTypeListZiplist = 10;

    /// <summary>RDB_TYPE_LIST_QUICKLIST (3.2 to 6.2): a node count, then one ziplist blob per node.</summary>
    public const byte RdbTypeListQuicklist = 14;

    /// <summary>RDB_TYPE_LIST_QUICKLIST_2 (7.0): a node count, then per node its container (1 plain, 2 packed) and a string.</summary>
    public const byte RdbTypeListQuicklist2 = 18;

    private const long ContainerPlain = 1;
    private const long ContainerPacked = 2;

    /// <summary>
    /// Appends the object as Redis's rdbSaveObjectType + rdbSaveObject write it (type byte and
    /// payload, without DUMP's version and CRC trailer). Always the plain RDB_TYPE_LIST form,
    /// which every Redis loads (into a quicklist).
    /// </summary>
    public void WriteRdb(List<byte> output)
    {
        output.Add(RdbTypeList);
        RdbPayload.WriteLength(output, _count);
        var mask = _items.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            RdbPayload.WriteString(output, _items[(_head + i) & mask]);
        }
    }

    /// <summary>
    /// Reads a list object (type byte at <paramref name="pos"/>) in any form Redis 7.0 writes or
    /// loads: plain, ziplist, quicklist of ziplists, quicklist of listpacks and plain nodes. Null
    /// when the type is not a list or the data is malformed, and for an empty list (Redis refuses
    /// to load empty keys too). Empty quicklist nodes are skipped, as Redis skips them.
    /// </summary>
    public static RedisList? ReadRdb(ReadOnlySpan<byte> data, ref int pos)
    {
        if (pos >= data.Length)
        {
            return null;
        }

        var type = data[pos++];
        return ReadRdb(type, data, ref pos);
    }

    /// <summary>Reads the payload of a value of RDB type <paramref name="type"/> (an RDB file stores the key between type and payload).</summary>
    public static RedisList? ReadRdb(byte type, ReadOnlySpan<byte> data, ref int pos)
    {
        var items = new List<byte[]>();
        switch (type)
        {
            case RdbTypeList:
                {
                    if (!RdbPayload.TryReadLength(data, ref pos, out var length) || length > data.Length)
                    {
                        return null;
                    }

                    for (var i = 0L; i < length; i++)
                    {
                        var s = RdbPayload.ReadString(data, ref pos);
                        if (s is null)
                        {
                            return null;
                        }

                        items.Add(s);
                    }

                    break;
                }

            case RdbTypeListZiplist:
                {
                    var blob = RdbPayload.ReadString(data, ref pos);
                    if (blob is null || !RdbPayload.TryReadZiplist(blob, items))
                    {
                        return null;
                    }

                    break;
                }

            case RdbTypeListQuicklist:
            case RdbTypeListQuicklist2:
                {
                    if (!RdbPayload.TryReadLength(data, ref pos, out var nodes) || nodes > data.Length)
                    {
                        return null;
                    }

                    for (var n = 0L; n < nodes; n++)
                    {
                        var container = ContainerPacked;
                        if (type == RdbTypeListQuicklist2
                            && (!RdbPayload.TryReadLength(data, ref pos, out container) || container is not (ContainerPlain or ContainerPacked)))
                        {
                            return null;
                        }

                        var blob = RdbPayload.ReadString(data, ref pos);
                        if (blob is null)
                        {
                            return null;
                        }

                        if (container == ContainerPlain)
                        {
                            items.Add(blob);
                            continue;
                        }

                        var ok = type == RdbTypeListQuicklist2 ? RdbPayload.TryReadListpack(blob, items) : RdbPayload.TryReadZiplist(blob, items);
                        if (!ok)
                        {
                            return null;
                        }
                    }

                    break;
                }

            default:
                return null;
        }

        if (items.Count == 0)
        {
            return null;
        }

        var list = new RedisList(items.Count);
        foreach (var item in items)
        {
            list.PushTail(item);
        }

        return list;
    }
}
