using System.Buffers.Binary;
using System.Text;
using Forge.Cache.Storage;

namespace Forge.Cache.Persistence;

/// <summary>
/// A whole-keyspace RDB file (rdb.c, format version 10 as Redis 7.0 writes it): the "REDIS0010"
/// magic, AUX fields, then per non-empty database SELECTDB + RESIZEDB and its keys (an optional
/// EXPIRETIME_MS, the type byte, the key, the payload), EOF and the CRC-64 of everything before.
/// Values use the same serialization as DUMP (<see cref="RdbValue"/>), so real redis-server loads
/// what we write; reading accepts RDB versions 1–10 with every encoding Redis 7.0 writes.
/// Saving is synchronous (SAVE, SHUTDOWN): a background save needs a point-in-time view of the
/// store, which is on the roadmap.
/// </summary>
internal static class RdbFile
{
    private const byte OpFunction2 = 0xF5;
    private const byte OpModuleAux = 0xF7;
    private const byte OpIdle = 0xF8;
    private const byte OpFreq = 0xF9;
    private const byte OpAux = 0xFA;
    private const byte OpResizeDb = 0xFB;
    private const byte OpExpireTimeMs = 0xFC;
    private const byte OpExpireTime = 0xFD;
    private const byte OpSelectDb = 0xFE;
    private const byte OpEof = 0xFF;

    /// <summary>
    /// Writes the keyspace to <paramref name="path"/> as Redis does: into temp-PID.rdb in the same
    /// directory, flushed to disk, then renamed over the target, so a crash never leaves a torn file.
    /// Keys already expired at <paramref name="nowMs"/> are left out.
    /// </summary>
    public static void Save(Keyspace keyspace, string path, long nowMs)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(dir, $"temp-{Environment.ProcessId}.rdb");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(keyspace, file, nowMs);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }

            throw;
        }
    }

    public static void Write(Keyspace keyspace, Stream output, long nowMs)
    {
        var w = new CrcWriter(output);
        var scratch = new List<byte>(256);
        w.Write("REDIS"u8);
        w.Write(Encoding.ASCII.GetBytes(RdbValue.RdbVersion.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)));
        Aux(w, scratch, "redis-ver", Server.ServerInfo.RedisVersion);
        Aux(w, scratch, "redis-bits", "64");
        Aux(w, scratch, "ctime", (nowMs / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, scratch, "used-mem", GC.GetTotalMemory(false).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, scratch, "aof-base", "0");
        Span<byte> expire = stackalloc byte[9];
        for (var i = 0; i < keyspace.Count; i++)
        {
            var db = keyspace[i];
            if (db.Count == 0)
            {
                continue;
            }

            scratch.Clear();
            scratch.Add(OpSelectDb);
            RdbPayload.WriteLength(scratch, i);
            scratch.Add(OpResizeDb);
            RdbPayload.WriteLength(scratch, db.Count);
            RdbPayload.WriteLength(scratch, db.Expires.Count);
            w.Write(scratch);
            var main = db.Main;
            foreach (var slot in main)
            {
                var key = main.KeyAt(slot);
                var when = db.GetExpire(key);
                if (when >= 0 && when <= nowMs)
                {
                    continue;
                }

                if (when >= 0)
                {
                    expire[0] = OpExpireTimeMs;
                    BinaryPrimitives.WriteInt64LittleEndian(expire[1..], when);
                    w.Write(expire);
                }

                // The key sits between the type byte and the payload.
                scratch.Clear();
                RdbValue.WriteObject(scratch, main.ValueAt(slot));
                var type = scratch[0];
                var payload = scratch.Count;
                RdbPayload.WriteString(scratch, key);
                w.WriteByte(type);
                w.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch)[payload..]);
                w.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch)[1..payload]);
            }
        }

        w.WriteByte(OpEof);
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, w.Crc);
        output.Write(crc);
    }

    private static void Aux(CrcWriter w, List<byte> scratch, string key, string value)
    {
        scratch.Clear();
        scratch.Add(OpAux);
        RdbPayload.WriteString(scratch, Encoding.ASCII.GetBytes(key));
        RdbPayload.WriteString(scratch, Encoding.ASCII.GetBytes(value));
        w.Write(scratch);
    }

    /// <summary>
    /// Loads an RDB file into <paramref name="keyspace"/> (which should be empty). Returns null on
    /// success, else the reason the file was refused (nothing is half-loaded into a database that
    /// the caller keeps: the caller exits, as Redis does on a bad RDB at start-up).
    /// Keys whose expire time is past are skipped, as a master does.
    /// </summary>
    public static string? Load(Keyspace keyspace, ReadOnlySpan<byte> data, CommandLimits limits, long nowMs, out long keysLoaded)
    {
        keysLoaded = 0;
        if (data.Length < 9 || !data[..5].SequenceEqual("REDIS"u8))
        {
            return "Wrong signature trying to load DB from file";
        }

        if (!int.TryParse(data[5..9], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version < 1 || version > RdbValue.RdbVersion)
        {
            return $"Can't handle RDB format version {Encoding.ASCII.GetString(data[5..9])}";
        }

        var pos = 9;
        var db = keyspace[0];
        var expireAt = -1L;
        const string Short = "Short read or OOM loading DB. Unrecoverable error, aborting now.";
        while (true)
        {
            if (pos >= data.Length)
            {
                return Short;
            }

            var type = data[pos++];
            switch (type)
            {
                case OpEof:
                    if (version >= 5)
                    {
                        if (data.Length - pos < 8)
                        {
                            return Short;
                        }

                        var expected = BinaryPrimitives.ReadUInt64LittleEndian(data[pos..]);
                        if (expected != 0 && expected != Crc64.Compute(data[..pos]))
                        {
                            return "Wrong RDB checksum. Aborting now.";
                        }
                    }

                    return null;

                case OpSelectDb:
                    if (!RdbPayload.TryReadLength(data, ref pos, out var id))
                    {
                        return Short;
                    }

                    if (id < 0 || id >= keyspace.Count)
                    {
                        return $"FATAL: Data file was created with a Redis server configured to handle more than {keyspace.Count} databases. Exiting";
                    }

                    db = keyspace[(int)id];
                    continue;

                case OpResizeDb:
                    if (!RdbPayload.TryReadLength(data, ref pos, out _) || !RdbPayload.TryReadLength(data, ref pos, out _))
                    {
                        return Short;
                    }

                    continue;

                case OpExpireTimeMs:
                    if (data.Length - pos < 8)
                    {
                        return Short;
                    }

                    expireAt = BinaryPrimitives.ReadInt64LittleEndian(data[pos..]);
                    pos += 8;
                    continue;

                case OpExpireTime:
                    if (data.Length - pos < 4)
                    {
                        return Short;
                    }

                    expireAt = BinaryPrimitives.ReadInt32LittleEndian(data[pos..]) * 1000L;
                    pos += 4;
                    continue;

                case OpFreq:
                    pos++;
                    continue;

                case OpIdle:
                    if (!RdbPayload.TryReadLength(data, ref pos, out _))
                    {
                        return Short;
                    }

                    continue;

                case OpAux:
                    if (RdbPayload.ReadString(data, ref pos) is null || RdbPayload.ReadString(data, ref pos) is null)
                    {
                        return Short;
                    }

                    continue;

                case OpModuleAux:
                    return "The RDB file contains AUX module data I can't load: no matching module";

                case OpFunction2:
                    return "The RDB file contains functions, which forge cache does not support";
            }

            if (RdbPayload.ReadString(data, ref pos) is not { } key)
            {
                return Short;
            }

            var value = RdbValue.ReadObject(type, data, ref pos, limits);
            if (value is null)
            {
                return $"Bad data format or unknown RDB type {type} for key '{Encoding.UTF8.GetString(key)}'";
            }

            if (expireAt >= 0 && expireAt <= nowMs)
            {
                expireAt = -1;
                continue;
            }

            if (db.GetRaw(key) is not null)
            {
                return $"RDB has duplicated key '{Encoding.UTF8.GetString(key)}' in DB {db.Id}";
            }

            db.Add(key, value);
            if (expireAt >= 0)
            {
                db.SetExpire(key, expireAt);
            }

            expireAt = -1;
            keysLoaded++;
        }
    }

    /// <summary>Writes through to a stream while keeping the running CRC-64.</summary>
    private sealed class CrcWriter(Stream output)
    {
        public ulong Crc { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Crc = Crc64.Compute(bytes, Crc);
            output.Write(bytes);
        }

        public void WriteByte(byte b)
        {
            ReadOnlySpan<byte> one = [b];
            Write(one);
        }

        public void Write(List<byte> bytes) => Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }
}
