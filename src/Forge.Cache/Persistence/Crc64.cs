namespace Forge.Cache.Persistence;

/// <summary>
/// CRC-64 as Redis computes it for RDB files and DUMP payloads (crc64.c): the Jones polynomial
/// 0xad93d23594c935a9, reflected, initial value 0, no final XOR. crc64("123456789") = 0xe9c6d914c4b8d9ca.
/// </summary>
internal static class Crc64
{
    private const ulong Polynomial = 0x95AC9329AC4BC9B5; // 0xad93d23594c935a9 bit-reversed
    private static readonly ulong[] s_table = BuildTable();

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var crc = i;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }

    public static ulong Compute(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        foreach (var b in data)
        {
            crc = s_table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }
}
