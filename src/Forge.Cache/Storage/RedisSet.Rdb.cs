using Forge.Cache.Persistence;

namespace Forge.Cache.Storage;

/// <summary>RDB payloads of sets, for DUMP/RESTORE (and a future RDB file).</summary>
internal sealed partial class RedisSet
{
    /// <summary>RDB_TYPE_SET: a length, then member strings.</summary>
    public const byte RdbTypeSet = 2;

    /// <summary>RDB_TYPE_SET_INTSET: one intset blob.</summary>
    public const byte RdbTypeSetIntset = 11;

    /// <summary>RDB_TYPE_SET_LISTPACK (Redis 7.2): one listpack blob of members.</summary>
    public const byte RdbTypeSetListpack = 20;

    /// <summary>
    /// Appends the object as Redis's rdbSaveObjectType + rdbSaveObject write it (type byte and
    /// payload, without DUMP's trailer), in the plain RDB_TYPE_SET form every Redis loads.
    /// </summary>
    public void WriteRdb(List<byte> output)
    {
        output.Add(RdbTypeSet);
        RdbPayload.WriteLength(output, Count);
        Span<byte> scratch = stackalloc byte[24];
        for (var slot = NextLive(0); slot >= 0; slot = NextLive(slot + 1))
        {
            RdbPayload.WriteString(output, MemberAt(slot, scratch));
        }
    }

    /// <summary>
    /// Reads a set object (type byte at <paramref name="pos"/>): plain, intset or listpack form.
    /// Null when the type is not a set or the data is malformed (duplicates, empty). The encoding
    /// follows set-max-intset-entries, as Redis converts on load.
    /// </summary>
    public static RedisSet? ReadRdb(ReadOnlySpan<byte> data, ref int pos, long maxIntsetEntries)
    {
        if (pos >= data.Length)
        {
            return null;
        }

        var type = data[pos++];
        return ReadRdb(type, data, ref pos, maxIntsetEntries);
    }

    /// <summary>Reads the payload of a value of RDB type <paramref name="type"/> (an RDB file stores the key between type and payload).</summary>
    public static RedisSet? ReadRdb(byte type, ReadOnlySpan<byte> data, ref int pos, long maxIntsetEntries)
    {
        var set = new RedisSet();
        switch (type)
        {
            case RdbTypeSet:
                if (!RdbPayload.TryReadLength(data, ref pos, out var count) || count <= 0 || count > data.Length)
                {
                    return null;
                }

                for (var i = 0L; i < count; i++)
                {
                    var member = RdbPayload.ReadString(data, ref pos);
                    if (member is null || !set.AddOwned(member, maxIntsetEntries))
                    {
                        return null;
                    }
                }

                break;
            case RdbTypeSetIntset:
            case RdbTypeSetListpack:
                var blob = RdbPayload.ReadString(data, ref pos);
                if (blob is null)
                {
                    return null;
                }

                if (type == RdbTypeSetIntset)
                {
                    var values = new List<long>();
                    if (!RdbPayload.TryReadIntset(blob, values))
                    {
                        return null;
                    }

                    foreach (var v in values)
                    {
                        if (!set.Add(Protocol.NumberFormat.LongToBytes(v), maxIntsetEntries))
                        {
                            return null;
                        }
                    }
                }
                else
                {
                    var items = new List<byte[]>();
                    if (!RdbPayload.TryReadListpack(blob, items))
                    {
                        return null;
                    }

                    foreach (var item in items)
                    {
                        if (!set.AddOwned(item, maxIntsetEntries))
                        {
                            return null;
                        }
                    }
                }

                break;
            default:
                return null;
        }

        return set.Count > 0 ? set : null;
    }
}
