using System.Buffers.Binary;
using Forge.Cache.Protocol;
using Forge.Cache.Storage;

namespace Forge.Cache.Persistence;

/// <summary>
/// One value in RDB's serialization (rdb.c), as DUMP and RESTORE carry it: a type byte, the value,
/// the RDB version (2 bytes, little-endian) and a CRC-64 of everything before it (8 bytes,
/// little-endian). Written with the plain encodings every Redis loads (string 0, list 1, set 2,
/// hash 4, zset 5 with binary doubles); read with those plus integer-encoded and LZF-compressed
/// strings. Listpack/intset/quicklist encodings (what Redis 7 itself writes for small values) are
/// refused as "Bad data format" until the RDB issue brings them.
/// </summary>
internal static class RdbValue
{
    public const ushort RdbVersion = 10; // Redis 7.0

    private const byte TypeString = 0;
    private const byte TypeList = 1;
    private const byte TypeSet = 2;
    private const byte TypeHash = 4;
    private const byte TypeZset2 = 5;

    public static byte[] Dump(object value)
    {
        var w = new List<byte>();
        switch (value)
        {
            case byte[] s:
                w.Add(TypeString);
                WriteString(w, s);
                break;
            case RedisList list:
                w.Add(TypeList);
                var items = list.ToArray();
                WriteLength(w, (ulong)items.Length);
                foreach (var e in items)
                {
                    WriteString(w, e);
                }

                break;
            case RedisSet set:
                w.Add(TypeSet);
                WriteLength(w, (ulong)set.Count);
                for (var slot = set.NextLive(0); slot >= 0; slot = set.NextLive(slot + 1))
                {
                    WriteString(w, set.MemberBytesAt(slot));
                }

                break;
            case RedisHash hash:
                w.Add(TypeHash);
                WriteLength(w, (ulong)hash.Count);
                for (var slot = hash.NextLive(0); slot >= 0; slot = hash.NextLive(slot + 1))
                {
                    WriteString(w, hash.FieldAt(slot));
                    WriteString(w, hash.ValueAt(slot));
                }

                break;
            case RedisSortedSet zset:
                w.Add(TypeZset2);
                WriteLength(w, (ulong)zset.Count);
                Span<byte> d = stackalloc byte[8];
                foreach (var (member, score) in zset.Items())
                {
                    WriteString(w, member);
                    BinaryPrimitives.WriteDoubleLittleEndian(d, score);
                    w.AddRange(d);
                }

                break;
            default:
                throw new NotSupportedException("DUMP of this type");
        }

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

    /// <summary>Decodes a verified payload into a value; null when it is malformed or of an unsupported encoding.</summary>
    public static object? Load(ReadOnlySpan<byte> payload, CommandLimits limits)
    {
        var r = new Reader(payload[..^10]);
        try
        {
            var type = r.Byte();
            object value;
            switch (type)
            {
                case TypeString:
                    value = r.String();
                    break;
                case TypeList:
                    {
                        var list = new RedisList();
                        var n = r.Length();
                        for (ulong i = 0; i < n; i++)
                        {
                            list.PushTail(r.String());
                        }

                        value = list;
                        break;
                    }

                case TypeSet:
                    {
                        var set = new RedisSet();
                        var n = r.Length();
                        for (ulong i = 0; i < n; i++)
                        {
                            set.AddOwned(r.String(), limits.SetMaxIntsetEntries);
                        }

                        value = set;
                        break;
                    }

                case TypeHash:
                    {
                        var hash = new RedisHash();
                        var n = r.Length();
                        for (ulong i = 0; i < n; i++)
                        {
                            var f = r.String();
                            hash.Set(f, r.String(), limits.HashMaxListpackEntries, limits.HashMaxListpackValue);
                        }

                        value = hash;
                        break;
                    }

                case TypeZset2:
                    {
                        var n = r.Length();
                        RedisSortedSet? zset = null;
                        for (ulong i = 0; i < n; i++)
                        {
                            var member = r.String();
                            var score = BinaryPrimitives.ReadDoubleLittleEndian(r.Bytes(8));
                            if (double.IsNaN(score))
                            {
                                return null;
                            }

                            zset ??= RedisSortedSet.CreateFor(member.Length, limits.ZsetMaxListpackEntries, limits.ZsetMaxListpackValue);
                            zset.Set(member, score, limits.ZsetMaxListpackEntries, limits.ZsetMaxListpackValue);
                        }

                        if (zset is null)
                        {
                            return null;
                        }

                        value = zset;
                        break;
                    }

                default:
                    return null;
            }

            if (!r.AtEnd)
            {
                return null;
            }

            // Empty containers are never stored (Redis refuses them as bad data too).
            return value switch
            {
                RedisList { Count: 0 } or RedisSet { Count: 0 } or RedisHash { Count: 0 } => null,
                _ => value,
            };
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void WriteLength(List<byte> w, ulong len)
    {
        if (len < 1 << 6)
        {
            w.Add((byte)len);
        }
        else if (len < 1 << 14)
        {
            w.Add((byte)(0x40 | (len >> 8)));
            w.Add((byte)len);
        }
        else if (len <= uint.MaxValue)
        {
            w.Add(0x80);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)len);
            w.AddRange(b);
        }
        else
        {
            w.Add(0x81);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, len);
            w.AddRange(b);
        }
    }

    private static void WriteString(List<byte> w, byte[] s)
    {
        WriteLength(w, (ulong)s.Length);
        w.AddRange(s);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool AtEnd => _pos == _data.Length;

        public byte Byte()
        {
            if (_pos >= _data.Length)
            {
                throw new FormatException();
            }

            return _data[_pos++];
        }

        public ReadOnlySpan<byte> Bytes(ulong n)
        {
            if (n > (ulong)(_data.Length - _pos))
            {
                throw new FormatException();
            }

            var s = _data.Slice(_pos, (int)n);
            _pos += (int)n;
            return s;
        }

        /// <summary>A length; <paramref name="special"/> set (with the low 6 bits as value) for the 11xxxxxx encodings.</summary>
        private ulong LengthOrSpecial(out bool special)
        {
            special = false;
            var b = Byte();
            switch (b >> 6)
            {
                case 0:
                    return (ulong)(b & 0x3F);
                case 1:
                    return ((ulong)(b & 0x3F) << 8) | Byte();
                case 2:
                    if (b == 0x80)
                    {
                        return BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));
                    }

                    if (b == 0x81)
                    {
                        return BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));
                    }

                    throw new FormatException();
                default:
                    special = true;
                    return (ulong)(b & 0x3F);
            }
        }

        public ulong Length()
        {
            var n = LengthOrSpecial(out var special);
            if (special || n > (ulong)_data.Length)
            {
                throw new FormatException(); // more elements than bytes: malformed
            }

            return n;
        }

        public byte[] String()
        {
            var n = LengthOrSpecial(out var special);
            if (!special)
            {
                return Bytes(n).ToArray();
            }

            switch (n)
            {
                case 0:
                    return NumberFormat.LongToBytes((sbyte)Byte());
                case 1:
                    return NumberFormat.LongToBytes(BinaryPrimitives.ReadInt16LittleEndian(Bytes(2)));
                case 2:
                    return NumberFormat.LongToBytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)));
                case 3:
                    var compressed = Length();
                    var length = Length();
                    return Lzf.Decompress(Bytes(compressed), (int)Math.Min(length, int.MaxValue));
                default:
                    throw new FormatException();
            }
        }
    }
}

/// <summary>The thresholds that decide a restored value's encoding.</summary>
internal readonly record struct CommandLimits(long SetMaxIntsetEntries, long HashMaxListpackEntries, long HashMaxListpackValue, long ZsetMaxListpackEntries, long ZsetMaxListpackValue);

/// <summary>LZF decompression (liblzf's lzf_d.c format), for compressed strings in RDB payloads.</summary>
internal static class Lzf
{
    public static byte[] Decompress(ReadOnlySpan<byte> input, int length)
    {
        var output = new byte[length];
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                ctrl++;
                if (op + ctrl > length || ip + ctrl > input.Length)
                {
                    throw new FormatException();
                }

                input.Slice(ip, ctrl).CopyTo(output.AsSpan(op));
                ip += ctrl;
                op += ctrl;
            }
            else
            {
                var len = ctrl >> 5;
                var back = op - ((ctrl & 0x1f) << 8) - 1;
                if (len == 7)
                {
                    if (ip >= input.Length)
                    {
                        throw new FormatException();
                    }

                    len += input[ip++];
                }

                if (ip >= input.Length)
                {
                    throw new FormatException();
                }

                back -= input[ip++];
                len += 2;
                if (op + len > length || back < 0)
                {
                    throw new FormatException();
                }

                for (var i = 0; i < len; i++)
                {
                    output[op++] = output[back++];
                }
            }
        }

        if (op != length)
        {
            throw new FormatException();
        }

        return output;
    }
}
