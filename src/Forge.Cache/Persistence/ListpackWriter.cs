using System.Buffers.Binary;
using Forge.Cache.Protocol;

namespace Forge.Cache.Persistence;

/// <summary>Builds a listpack (listpack.c): header, elements with back-lengths, end byte.</summary>
internal sealed class ListpackWriter
{
    private readonly List<byte> _body = [];
    private int _count;

    public void AddInteger(long v)
    {
        Span<byte> e = stackalloc byte[9];
        int n;
        if (v is >= 0 and <= 127)
        {
            e[0] = (byte)v;
            n = 1;
        }
        else if (v is >= -4096 and <= 4095)
        {
            var u = v < 0 ? (1 << 13) + v : v;
            e[0] = (byte)(0xC0 | (u >> 8));
            e[1] = (byte)u;
            n = 2;
        }
        else if (v is >= short.MinValue and <= short.MaxValue)
        {
            e[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(e[1..], (short)v);
            n = 3;
        }
        else if (v is >= -8388608 and <= 8388607)
        {
            e[0] = 0xF2;
            var u = (uint)(int)v;
            e[1] = (byte)u;
            e[2] = (byte)(u >> 8);
            e[3] = (byte)(u >> 16);
            n = 4;
        }
        else if (v is >= int.MinValue and <= int.MaxValue)
        {
            e[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(e[1..], (int)v);
            n = 5;
        }
        else
        {
            e[0] = 0xF4;
            BinaryPrimitives.WriteInt64LittleEndian(e[1..], v);
            n = 9;
        }

        Append(e[..n], []);
    }

    public void AddString(byte[] s)
    {
        if (s.Length <= 20 && NumberFormat.TryParseLong(s, out var v))
        {
            AddInteger(v);
            return;
        }

        Span<byte> h = stackalloc byte[5];
        int n;
        if (s.Length < 64)
        {
            h[0] = (byte)(0x80 | s.Length);
            n = 1;
        }
        else if (s.Length < 4096)
        {
            h[0] = (byte)(0xE0 | (s.Length >> 8));
            h[1] = (byte)s.Length;
            n = 2;
        }
        else
        {
            h[0] = 0xF0;
            BinaryPrimitives.WriteInt32LittleEndian(h[1..], s.Length);
            n = 5;
        }

        Append(h[..n], s);
    }

    private void Append(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data)
    {
        _body.AddRange(header);
        _body.AddRange(data);
        var l = (ulong)(header.Length + data.Length);
        Span<byte> back = stackalloc byte[5];
        int n;
        if (l <= 127)
        {
            back[0] = (byte)l;
            n = 1;
        }
        else if (l < 16383)
        {
            back[0] = (byte)(l >> 7);
            back[1] = (byte)((l & 127) | 128);
            n = 2;
        }
        else if (l < 2097151)
        {
            back[0] = (byte)(l >> 14);
            back[1] = (byte)(((l >> 7) & 127) | 128);
            back[2] = (byte)((l & 127) | 128);
            n = 3;
        }
        else if (l < 268435455)
        {
            back[0] = (byte)(l >> 21);
            back[1] = (byte)(((l >> 14) & 127) | 128);
            back[2] = (byte)(((l >> 7) & 127) | 128);
            back[3] = (byte)((l & 127) | 128);
            n = 4;
        }
        else
        {
            back[0] = (byte)(l >> 28);
            back[1] = (byte)(((l >> 21) & 127) | 128);
            back[2] = (byte)(((l >> 14) & 127) | 128);
            back[3] = (byte)(((l >> 7) & 127) | 128);
            back[4] = (byte)((l & 127) | 128);
            n = 5;
        }

        _body.AddRange(back[..n]);
        _count++;
    }

    public byte[] ToArray()
    {
        var result = new byte[6 + _body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)result.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(4), (ushort)Math.Min(_count, 65535));
        _body.CopyTo(result, 6);
        result[^1] = 0xFF;
        return result;
    }
}
