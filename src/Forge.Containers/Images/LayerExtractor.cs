using System.Formats.Tar;
using System.Security.Cryptography;
using Forge.Containers.Interop;

namespace Forge.Containers.Images;

/// <summary>
/// Unpacks one layer tarball into its own directory, in the form overlayfs reads as a lower dir:
/// a whiteout <c>.wh.NAME</c> becomes a 0/0 character device NAME, an opaque marker
/// <c>.wh..wh..opq</c> becomes the xattr <c>trusted.overlay.opaque=y</c> on its directory.
/// Owners, modes (with setuid/setgid/sticky), device nodes, hard links and modification times
/// are kept. Untrusted input: a name with a <c>..</c> component, a hard link whose target leaves
/// the layer, or an entry that would be written through a symbolic link is refused with
/// <see cref="CtrException"/> (the caller removes the half-made directory).
/// </summary>
internal static class LayerExtractor
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    /// <summary>Extracts <paramref name="tar"/> (uncompressed) into <paramref name="directory"/> and returns its diff ID.</summary>
    public static string Extract(Stream tar, string directory)
    {
        using var hashing = new HashingStream(tar);
        Directory.CreateDirectory(directory);
        var dirTimes = new List<(string Path, DateTimeOffset Time)>();
        var checkedDirs = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using (var reader = new TarReader(hashing, leaveOpen: true))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    ExtractEntry(entry, directory, checkedDirs, dirTimes);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new CtrException($"invalid tar header: {e.Message}");
        }

        // Directory times last: creating entries inside a directory updates its mtime.
        for (var i = dirTimes.Count - 1; i >= 0; i--)
        {
            SetTime(dirTimes[i].Path, dirTimes[i].Time);
        }

        hashing.Drain();
        return Digest.FromHash(hashing.Hash());
    }

    /// <summary>Cleans a tar entry name into path components below the root; null for the root itself.</summary>
    internal static string? CleanName(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw new CtrException($"invalid tar entry \"{name}\": path traversal (\"..\") is not allowed");
            }

            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new CtrException($"invalid tar entry \"{name}\": NUL in name");
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private static void ExtractEntry(TarEntry entry, string root, HashSet<string> checkedDirs, List<(string, DateTimeOffset)> dirTimes)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
        {
            return;
        }

        var name = CleanName(entry.Name);
        if (name is null)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                Chown(root, entry);
                Chmod(root, entry);
            }

            return;
        }

        var slash = name.LastIndexOf('/');
        var parentRel = slash < 0 ? "" : name[..slash];
        var baseName = slash < 0 ? name : name[(slash + 1)..];
        EnsureParent(root, parentRel, checkedDirs);
        var parent = parentRel.Length == 0 ? root : Path.Combine(root, parentRel);

        if (baseName == OpaqueMarker)
        {
            SetOpaque(parent);
            return;
        }

        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = Path.Combine(parent, baseName[WhiteoutPrefix.Length..]);
            RemoveExisting(hidden);
            if (Linux.mknod(hidden, Linux.SIfchr | 0, 0) != 0)
            {
                throw Io("mknod", hidden);
            }

            return;
        }

        var path = Path.Combine(parent, baseName);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (IsSymlink(path) || File.Exists(path))
                {
                    RemoveExisting(path);
                }

                Directory.CreateDirectory(path);
                checkedDirs.Add(name);
                Chown(path, entry);
                Chmod(path, entry);
                dirTimes.Add((path, entry.ModificationTime));
                return;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(path);
                using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    entry.DataStream?.CopyTo(output);
                }

                break;

            case TarEntryType.SymbolicLink:
                RemoveExisting(path);
                checkedDirs.Remove(name);
                File.CreateSymbolicLink(path, entry.LinkName);
                Chown(path, entry);
                SetTime(path, entry.ModificationTime);
                return;

            case TarEntryType.HardLink:
                {
                    var target = CleanName(entry.LinkName) ?? throw new CtrException($"invalid hard link \"{entry.Name}\" to the root");
                    var targetPath = Path.Combine(root, target);
                    var targetSlash = target.LastIndexOf('/');
                    EnsureParent(root, targetSlash < 0 ? "" : target[..targetSlash], checkedDirs);
                    RemoveExisting(path);
                    if (Linux.link(targetPath, path) != 0)
                    {
                        throw new CtrException($"invalid hard link \"{entry.Name}\" -> \"{entry.LinkName}\": {Linux.ErrorText(Linux.Errno)}");
                    }

                    return;
                }

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                {
                    RemoveExisting(path);
                    var type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => Linux.SIfchr,
                        TarEntryType.BlockDevice => Linux.SIfblk,
                        _ => Linux.SIfifo,
                    };
                    ulong device = 0;
                    if (entry is PosixTarEntry posix)
                    {
                        device = MakeDevice((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
                    }

                    if (Linux.mknod(path, type | ((uint)entry.Mode & 0xfff), device) != 0)
                    {
                        throw Io("mknod", path);
                    }

                    break;
                }

            default:
                throw new CtrException($"unsupported tar entry type {entry.EntryType} for \"{entry.Name}\"");
        }

        Chown(path, entry);
        Chmod(path, entry);
        SetTime(path, entry.ModificationTime);
    }

    /// <summary>Makes sure every directory above an entry exists and none of them is a symbolic link.</summary>
    private static void EnsureParent(string root, string parentRel, HashSet<string> checkedDirs)
    {
        if (parentRel.Length == 0 || checkedDirs.Contains(parentRel))
        {
            return;
        }

        var current = root;
        var rel = "";
        foreach (var part in parentRel.Split('/'))
        {
            rel = rel.Length == 0 ? part : rel + "/" + part;
            current = Path.Combine(current, part);
            if (checkedDirs.Contains(rel))
            {
                continue;
            }

            if (IsSymlink(current))
            {
                throw new CtrException($"invalid tar entry below \"{rel}\": writing through a symbolic link is not allowed (path traversal)");
            }

            if (File.Exists(current))
            {
                throw new CtrException($"invalid tar entry below \"{rel}\": not a directory");
            }

            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
            }

            checkedDirs.Add(rel);
        }
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void RemoveExisting(string path)
    {
        if (IsSymlink(path) || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (Path.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static unsafe void SetOpaque(string directory)
    {
        var value = (byte)'y';
        if (Linux.lsetxattr(directory, "trusted.overlay.opaque", &value, 1, 0) != 0)
        {
            throw Io("setxattr trusted.overlay.opaque", directory);
        }
    }

    private static void Chown(string path, TarEntry entry)
    {
        if (Linux.lchown(path, entry.Uid, entry.Gid) != 0)
        {
            throw Io("lchown", path);
        }
    }

    private static void Chmod(string path, TarEntry entry)
    {
        if (Linux.chmod(path, (uint)entry.Mode & 0xfff) != 0)
        {
            throw Io("chmod", path);
        }
    }

    private static unsafe void SetTime(string path, DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        var times = stackalloc Linux.Timespec[2];
        times[0] = new Linux.Timespec { Seconds = seconds };
        times[1] = new Linux.Timespec { Seconds = seconds };
        _ = Linux.utimensat(Linux.AtFdcwd, path, times, Linux.AtSymlinkNofollow);
    }

    internal static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfff) << 8) | (minor & 0xff) | ((ulong)(minor & ~0xffu) << 12) | ((ulong)(major & ~0xfffu) << 32);

    private static IOException Io(string what, string path) => new($"{what} {path}: {Linux.ErrorText(Linux.Errno)}");

    /// <summary>A read-only pass-through that hashes everything read (the layer's diff ID).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _hash.AppendData(buffer[..n]);
            return n;
        }

        public void Drain()
        {
            var buffer = new byte[81920];
            while (Read(buffer) > 0)
            {
            }
        }

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
