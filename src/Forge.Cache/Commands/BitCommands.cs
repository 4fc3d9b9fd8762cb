using Forge.Cache.Storage;

namespace Forge.Cache.Commands;

/// <summary>
/// Bit commands on string values (Redis's bitops.c behaviour): SETBIT GETBIT BITCOUNT BITPOS BITOP
/// BITFIELD BITFIELD_RO. Strings are plain <c>byte[]</c>; when a write reaches past the end the
/// array is replaced by a longer zero-padded copy (Database.Overwrite keeps the TTL).
/// </summary>
internal static class BitCommands
{
    private const string BitValueError = "ERR bit is not an integer or out of range";
    private const string BitArgError = "ERR The bit argument must be 1 or 0.";
    private const string BitopNotError = "ERR BITOP NOT must be called with a single source key.";
    private const string BitfieldTypeError = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    private const string OverflowTypeError = "ERR Invalid OVERFLOW type specified";
    private const string BitfieldRoError = "ERR BITFIELD_RO only supports the GET subcommand";

    public static void Register(CommandTable t)
    {
        t.Add("setbit", 4, "write denyoom", 1, 1, 1, SetBit, "bitmap");
        t.Add("getbit", 3, "readonly fast", 1, 1, 1, GetBit, "bitmap");
        t.Add("bitcount", -2, "readonly", 1, 1, 1, BitCount, "bitmap");
        t.Add("bitpos", -3, "readonly", 1, 1, 1, BitPos, "bitmap");
        t.Add("bitop", -4, "write denyoom", 2, -1, 1, BitOp, "bitmap");
        t.Add("bitfield", -2, "write denyoom", 1, 1, 1, BitField, "bitmap");
        t.Add("bitfield_ro", -2, "readonly fast", 1, 1, 1, BitFieldRo, "bitmap");
    }

    /// <summary>
    /// Redis's getBitOffsetFromArgument: a non-negative bit offset whose byte lies below
    /// proto-max-bulk-len; with <paramref name="hash"/> the "#N" form means N * bits.
    /// </summary>
    private static bool TryGetBitOffset(CommandContext c, int index, bool hash, int bits, out long offset)
    {
        var arg = c.Arg(index);
        var useHash = hash && bits > 0 && arg.Length > 0 && arg[0] == (byte)'#';
        if (!Protocol.NumberFormat.TryParseLong(useHash ? arg[1..] : arg, out offset))
        {
            c.Reply.Error(Errors.BitOffset);
            return false;
        }

        if (useHash)
        {
            offset = unchecked(offset * bits);
        }

        if (offset < 0 || (offset >> 3) >= c.Server.Config.Limits.ProtoMaxBulkLen)
        {
            c.Reply.Error(Errors.BitOffset);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Redis's lookupStringForBitCommand: the string at the key, created or zero-extended so that
    /// bit <paramref name="maxBit"/> exists. <paramref name="grown"/> tells whether the key was created
    /// or lengthened. Null after replying an error (wrong type, too long).
    /// </summary>
    private static byte[]? LookupForWrite(CommandContext c, long maxBit, out bool grown)
    {
        grown = false;
        var key = c.Arg(1);
        if (!c.TryGet<byte[]>(key, out var s))
        {
            return null;
        }

        var needed = (maxBit >> 3) + 1;
        if (s is not null && s.Length >= needed)
        {
            return s;
        }

        if (needed > Array.MaxLength)
        {
            c.Reply.Error(Errors.StringTooLong);
            return null;
        }

        var bigger = new byte[needed];
        if (s is null)
        {
            c.Db.Add(key, bigger);
        }
        else
        {
            s.CopyTo(bigger, 0);
            c.Db.Overwrite(key, bigger);
        }

        grown = true;
        return bigger;
    }

    private static void SetBit(CommandContext c)
    {
        if (!TryGetBitOffset(c, 2, false, 0, out var offset) || !c.TryGetLong(3, out var on, BitValueError))
        {
            return;
        }

        if ((on & ~1L) != 0)
        {
            c.Reply.Error(BitValueError);
            return;
        }

        var s = LookupForWrite(c, offset, out var grown);
        if (s is null)
        {
            return;
        }

        var index = (int)(offset >> 3);
        var bit = 7 - (int)(offset & 7);
        var old = (s[index] >> bit) & 1;
        c.Dirty = grown || old != on ? 1 : 0;
        if (grown || old != on)
        {
            s[index] = (byte)((s[index] & ~(1 << bit)) | ((int)on << bit));
            c.Notify(Notify.String, "setbit", c.Arg(1));
        }

        c.Reply.Integer(old);
    }

    private static void GetBit(CommandContext c)
    {
        if (!TryGetBitOffset(c, 2, false, 0, out var offset) || !c.TryGet<byte[]>(c.Arg(1), out var s))
        {
            return;
        }

        var index = offset >> 3;
        var bit = 7 - (int)(offset & 7);
        c.Reply.Integer(s is not null && index < s.Length ? (s[(int)index] >> bit) & 1 : 0);
    }

    /// <summary>
    /// Parses BITCOUNT/BITPOS's BYTE|BIT unit argument: false after replying a syntax error.
    /// </summary>
    private static bool TryGetUnit(CommandContext c, int index, out bool isBit)
    {
        isBit = false;
        if (c.ArgIs(index, "bit"u8))
        {
            isBit = true;
            return true;
        }

        if (c.ArgIs(index, "byte"u8))
        {
            return true;
        }

        c.Reply.Error(Errors.Syntax);
        return false;
    }

    /// <summary>
    /// Turns a start/end pair (negative = from the end) into an inclusive range clamped to
    /// [0, total-1], as BITCOUNT and BITPOS do; the range is empty when start &gt; end.
    /// </summary>
    private static void Normalize(long total, ref long start, ref long end)
    {
        if (start < 0)
        {
            start = total + start;
        }

        if (end < 0)
        {
            end = total + end;
        }

        if (start < 0)
        {
            start = 0;
        }

        if (end < 0)
        {
            end = 0;
        }

        if (end >= total)
        {
            end = total - 1;
        }
    }

    private static void BitCount(CommandContext c)
    {
        if (!c.TryGet<byte[]>(c.Arg(1), out var s))
        {
            return;
        }

        if (s is null)
        {
            c.Reply.Integer(0);
            return;
        }

        long start;
        long end;
        var isBit = false;
        if (c.ArgCount is 4 or 5)
        {
            if (!c.TryGetLong(2, out start) || !c.TryGetLong(3, out end))
            {
                return;
            }

            if (start < 0 && end < 0 && start > end)
            {
                c.Reply.Integer(0);
                return;
            }

            if (c.ArgCount == 5 && !TryGetUnit(c, 4, out isBit))
            {
                return;
            }

            Normalize(isBit ? (long)s.Length * 8 : s.Length, ref start, ref end);
        }
        else if (c.ArgCount == 2)
        {
            start = 0;
            end = s.Length - 1;
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (start > end)
        {
            c.Reply.Integer(0);
            return;
        }

        if (!isBit)
        {
            c.Reply.Integer(BitOps.PopCount(s.AsSpan((int)start, (int)(end - start + 1))));
            return;
        }

        // Bit range: count the whole bytes, then take off the bits of the edge bytes outside it.
        var firstByte = (int)(start >> 3);
        var lastByte = (int)(end >> 3);
        var count = BitOps.PopCount(s.AsSpan(firstByte, lastByte - firstByte + 1));
        var firstMask = ~((1 << (8 - (int)(start & 7))) - 1) & 0xFF;
        var lastMask = (1 << (7 - (int)(end & 7))) - 1;
        count -= System.Numerics.BitOperations.PopCount((uint)(s[firstByte] & firstMask));
        count -= System.Numerics.BitOperations.PopCount((uint)(s[lastByte] & lastMask));
        c.Reply.Integer(count);
    }

    private static void BitPos(CommandContext c)
    {
        if (!c.TryGetLong(2, out var bit))
        {
            return;
        }

        if (bit is not 0 and not 1)
        {
            c.Reply.Error(BitArgError);
            return;
        }

        var o = c.Db.Get(c.Arg(1));
        if (o is null)
        {
            c.Reply.Integer(bit == 1 ? -1 : 0);
            return;
        }

        if (o is not byte[] s)
        {
            c.Reply.Error(Errors.WrongType);
            return;
        }

        long start;
        long end;
        var isBit = false;
        var endGiven = false;
        if (c.ArgCount is 4 or 5 or 6)
        {
            if (!c.TryGetLong(3, out start))
            {
                return;
            }

            if (c.ArgCount == 6 && !TryGetUnit(c, 5, out isBit))
            {
                return;
            }

            var total = isBit ? (long)s.Length * 8 : s.Length;
            if (c.ArgCount >= 5)
            {
                if (!c.TryGetLong(4, out end))
                {
                    return;
                }

                endGiven = true;
            }
            else
            {
                end = total - 1;
            }

            Normalize(total, ref start, ref end);
        }
        else if (c.ArgCount == 3)
        {
            start = 0;
            end = s.Length - 1;
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (start > end)
        {
            c.Reply.Integer(-1);
            return;
        }

        // Work in bits from here on.
        var startBit = isBit ? start : start * 8;
        var endBit = isBit ? end : (end * 8) + 7;
        var pos = FindBit(s, (int)bit, startBit, endBit);
        if (pos < 0)
        {
            // Looking for a 0 with no explicit end: the string is seen as zero-padded on the right.
            pos = bit == 0 && !endGiven ? (long)s.Length * 8 : -1;
        }

        c.Reply.Integer(pos);
    }

    /// <summary>The first bit equal to <paramref name="bit"/> in [startBit, endBit], or -1.</summary>
    private static long FindBit(byte[] s, int bit, long startBit, long endBit)
    {
        var firstByte = (int)(startBit >> 3);
        var lastByte = (int)(endBit >> 3);

        // Edge bytes: mask the bits outside the range so they cannot match.
        var outsideFirst = ~((1 << (8 - (int)(startBit & 7))) - 1) & 0xFF;
        var outsideLast = (1 << (7 - (int)(endBit & 7))) - 1;
        for (var i = firstByte; i <= lastByte; i++)
        {
            if (i > firstByte && i < lastByte)
            {
                // The whole bytes between the edges.
                var p = BitOps.FirstBit(s.AsSpan(i, lastByte - i), bit);
                if (p >= 0 && p < (long)(lastByte - i) * 8)
                {
                    return ((long)i * 8) + p;
                }

                i = lastByte - 1;
                continue;
            }

            var outside = (i == firstByte ? outsideFirst : 0) | (i == lastByte ? outsideLast : 0);
            var b = bit == 1 ? s[i] & ~outside : ~(s[i] | outside) & 0xFF;
            if (b != 0)
            {
                return ((long)i * 8) + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
            }
        }

        return -1;
    }

    private static void BitOp(CommandContext c)
    {
        byte op;
        if (c.ArgIs(1, "and"u8))
        {
            op = (byte)'&';
        }
        else if (c.ArgIs(1, "or"u8))
        {
            op = (byte)'|';
        }
        else if (c.ArgIs(1, "xor"u8))
        {
            op = (byte)'^';
        }
        else if (c.ArgIs(1, "not"u8))
        {
            op = (byte)'~';
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (op == (byte)'~' && c.ArgCount != 4)
        {
            c.Reply.Error(BitopNotError);
            return;
        }

        var numKeys = c.ArgCount - 3;
        var sources = new byte[]?[numKeys];
        var maxLen = 0;
        for (var j = 0; j < numKeys; j++)
        {
            if (!c.TryGet<byte[]>(c.Arg(j + 3), out var s))
            {
                return;
            }

            sources[j] = s;
            if (s is not null && s.Length > maxLen)
            {
                maxLen = s.Length;
            }
        }

        var dest = c.Arg(2);
        if (maxLen == 0)
        {
            c.Dirty = 0;
            if (c.Db.Delete(dest))
            {
                c.Dirty = 1;
                c.Notify(Notify.Generic, "del", dest);
            }

            c.Reply.Integer(0);
            return;
        }

        var res = new byte[maxLen];
        sources[0]?.CopyTo(res, 0);
        if (op == (byte)'~')
        {
            for (var i = 0; i < res.Length; i++)
            {
                res[i] = (byte)~res[i];
            }
        }
        else
        {
            for (var j = 1; j < numKeys; j++)
            {
                var s = sources[j] ?? [];
                var span = res.AsSpan();
                switch (op)
                {
                    case (byte)'&':
                        for (var i = 0; i < span.Length; i++)
                        {
                            span[i] &= i < s.Length ? s[i] : (byte)0;
                        }

                        break;
                    case (byte)'|':
                        for (var i = 0; i < s.Length; i++)
                        {
                            span[i] |= s[i];
                        }

                        break;
                    default:
                        for (var i = 0; i < s.Length; i++)
                        {
                            span[i] ^= s[i];
                        }

                        break;
                }
            }
        }

        c.Db.Set(dest, res);
        c.Notify(Notify.String, "set", dest);
        c.Reply.Integer(maxLen);
    }

    private static void BitField(CommandContext c) => BitFieldGeneric(c, readOnlyCommand: false);

    private static void BitFieldRo(CommandContext c) => BitFieldGeneric(c, readOnlyCommand: true);

    private struct FieldOp
    {
        public byte Opcode; // 'g' get, 's' set, 'i' incrby
        public bool Signed;
        public int Bits;
        public long Offset;
        public long Value;
        public BitfieldOverflow Overflow;
    }

    private static bool TryGetFieldType(CommandContext c, int index, out bool signed, out int bits)
    {
        var arg = c.Arg(index);
        signed = false;
        bits = 0;
        if (arg.Length > 0 && (arg[0] | 0x20) == 'i')
        {
            signed = true;
        }
        else if (arg.Length == 0 || (arg[0] | 0x20) != 'u')
        {
            c.Reply.Error(BitfieldTypeError);
            return false;
        }

        if (!Protocol.NumberFormat.TryParseLong(arg[1..], out var n) || n < 1 || (signed && n > 64) || (!signed && n > 63))
        {
            c.Reply.Error(BitfieldTypeError);
            return false;
        }

        bits = (int)n;
        return true;
    }

    private static void BitFieldGeneric(CommandContext c, bool readOnlyCommand)
    {
        var ops = new List<FieldOp>();
        var overflow = BitfieldOverflow.Wrap;
        var readOnly = true;
        long highestWrite = 0;
        for (var j = 2; j < c.ArgCount; j++)
        {
            var remaining = c.ArgCount - j - 1;
            byte opcode;
            if (c.ArgIs(j, "get"u8) && remaining >= 2)
            {
                opcode = (byte)'g';
            }
            else if (c.ArgIs(j, "set"u8) && remaining >= 3)
            {
                opcode = (byte)'s';
            }
            else if (c.ArgIs(j, "incrby"u8) && remaining >= 3)
            {
                opcode = (byte)'i';
            }
            else if (c.ArgIs(j, "overflow"u8) && remaining >= 1)
            {
                j++;
                if (c.ArgIs(j, "wrap"u8))
                {
                    overflow = BitfieldOverflow.Wrap;
                }
                else if (c.ArgIs(j, "sat"u8))
                {
                    overflow = BitfieldOverflow.Sat;
                }
                else if (c.ArgIs(j, "fail"u8))
                {
                    overflow = BitfieldOverflow.Fail;
                }
                else
                {
                    c.Reply.Error(OverflowTypeError);
                    return;
                }

                continue;
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }

            if (!TryGetFieldType(c, j + 1, out var signed, out var bits) || !TryGetBitOffset(c, j + 2, true, bits, out var offset))
            {
                return;
            }

            long value = 0;
            if (opcode != (byte)'g')
            {
                readOnly = false;
                if (highestWrite < offset + bits - 1)
                {
                    highestWrite = offset + bits - 1;
                }

                if (!c.TryGetLong(j + 3, out value))
                {
                    return;
                }
            }

            ops.Add(new FieldOp { Opcode = opcode, Signed = signed, Bits = bits, Offset = offset, Value = value, Overflow = overflow });
            j += opcode == (byte)'g' ? 2 : 3;
        }

        byte[]? s;
        var grown = false;
        if (readOnly)
        {
            if (!c.TryGet(c.Arg(1), out s))
            {
                return;
            }
        }
        else
        {
            if (readOnlyCommand)
            {
                c.Reply.Error(BitfieldRoError);
                return;
            }

            s = LookupForWrite(c, highestWrite, out grown);
            if (s is null)
            {
                return;
            }
        }

        var changes = 0;
        c.Reply.ArrayHeader(ops.Count);
        foreach (var op in ops)
        {
            if (op.Opcode == (byte)'g')
            {
                if (op.Signed)
                {
                    c.Reply.Integer(BitOps.GetSigned(s, op.Offset, op.Bits));
                }
                else
                {
                    c.Reply.Integer((long)BitOps.GetUnsigned(s, op.Offset, op.Bits));
                }

                continue;
            }

            int overflowed;
            long reply;
            ulong newBits;
            ulong oldBits;
            if (op.Signed)
            {
                var old = BitOps.GetSigned(s, op.Offset, op.Bits);
                oldBits = unchecked((ulong)old);
                long wrapped;
                long newValue;
                if (op.Opcode == (byte)'i')
                {
                    overflowed = BitOps.CheckSignedOverflow(old, op.Value, op.Bits, op.Overflow, out wrapped);
                    newValue = overflowed != 0 ? wrapped : unchecked(old + op.Value);
                    reply = newValue;
                }
                else
                {
                    overflowed = BitOps.CheckSignedOverflow(op.Value, 0, op.Bits, op.Overflow, out wrapped);
                    newValue = overflowed != 0 ? wrapped : op.Value;
                    reply = old;
                }

                newBits = unchecked((ulong)newValue);
            }
            else
            {
                var old = BitOps.GetUnsigned(s, op.Offset, op.Bits);
                oldBits = old;
                ulong wrapped;
                ulong newValue;
                if (op.Opcode == (byte)'i')
                {
                    overflowed = BitOps.CheckUnsignedOverflow(old, op.Value, op.Bits, op.Overflow, out wrapped);
                    newValue = overflowed != 0 ? wrapped : unchecked(old + (ulong)op.Value);
                    reply = unchecked((long)newValue);
                }
                else
                {
                    overflowed = BitOps.CheckUnsignedOverflow(unchecked((ulong)op.Value), 0, op.Bits, op.Overflow, out wrapped);
                    newValue = overflowed != 0 ? wrapped : unchecked((ulong)op.Value);
                    reply = unchecked((long)old);
                }

                newBits = newValue;
            }

            if (overflowed != 0 && op.Overflow == BitfieldOverflow.Fail)
            {
                c.Reply.Null();
                continue;
            }

            c.Reply.Integer(reply);
            BitOps.SetUnsigned(s, op.Offset, op.Bits, newBits);
            if (grown || oldBits != newBits)
            {
                changes++;
            }
        }

        c.Dirty = changes;
        if (changes > 0)
        {
            c.Notify(Notify.String, "setbit", c.Arg(1));
        }
    }
}
