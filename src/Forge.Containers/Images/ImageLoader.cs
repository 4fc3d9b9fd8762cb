using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.Containers.Images;

/// <summary>
/// <c>load</c> and <c>import</c>: reads image archives into a staging directory, checks every
/// layer against its config's diff IDs, and only then commits to the <see cref="ImageStore"/>.
/// Reads both archive formats <c>docker save</c> writes: the classic one (manifest.json,
/// &lt;id&gt;.json, &lt;layer&gt;/layer.tar, possibly symlinked) and the OCI image layout
/// (oci-layout, index.json, blobs/sha256/…), with gzip'd or plain layers.
/// </summary>
internal static class ImageLoader
{
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    private const string DockerManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";
    private const string DockerListType = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Loads every image of an archive; returns the tags loaded and the IDs of untagged images.</summary>
    public static List<string> Load(ImageStore store, Stream archive)
    {
        var stage = store.NewTempDir("load");
        try
        {
            var files = ExtractArchive(archive, Path.Combine(stage, "archive"));
            var pending = files.ContainsKey("manifest.json") ? ReadDockerManifest(files) : ReadOciLayout(files);
            if (pending.Count == 0)
            {
                throw new CtrException("invalid archive: no images found");
            }

            var staged = new List<(byte[] Config, List<(string DiffId, string Tar, string Dir)> Layers, List<string> Tags)>();
            var layerNumber = 0;
            foreach (var (configPath, layerPaths, tags) in pending)
            {
                var config = File.ReadAllBytes(files.Get(configPath));
                var image = new Image(Digest.Of(config), config);
                if (image.DiffIds.Count != layerPaths.Count)
                {
                    throw new CtrException($"invalid archive: {configPath} lists {image.DiffIds.Count} layers, the manifest {layerPaths.Count}");
                }

                var layers = new List<(string, string, string)>();
                for (var i = 0; i < layerPaths.Count; i++)
                {
                    if (store.HasLayer(image.DiffIds[i]))
                    {
                        layers.Add((image.DiffIds[i], "", ""));
                        continue;
                    }

                    using var raw = File.OpenRead(files.Get(layerPaths[i]));
                    var layer = StageLayer(raw, stage, layerNumber++);
                    if (layer.DiffId != image.DiffIds[i])
                    {
                        throw new CtrException($"invalid archive: layer {layerPaths[i]} has diff ID {layer.DiffId}, the config says {image.DiffIds[i]}");
                    }

                    layers.Add(layer);
                }

                staged.Add((config, layers, tags));
            }

            var loaded = new List<string>();
            using (StoreLock.Acquire(store.Root))
            {
                foreach (var (config, layers, tags) in staged)
                {
                    foreach (var (diffId, tar, dir) in layers)
                    {
                        if (tar.Length > 0)
                        {
                            store.CommitLayer(diffId, tar, dir);
                        }
                    }

                    var image = store.CommitImage(config, tags);
                    loaded.AddRange(tags.Count > 0 ? tags.Select(t => "Loaded image: " + t) : ["Loaded image ID: " + image.Id]);
                }
            }

            return loaded;
        }
        finally
        {
            DeleteTree(stage);
        }
    }

    /// <summary><c>import</c>: a root filesystem tarball (plain or gzip) as a one-layer image; returns its ID.</summary>
    public static string Import(ImageStore store, Stream tarball, ImageReference? tag, string? message)
    {
        var stage = store.NewTempDir("import");
        try
        {
            var (diffId, tar, dir) = StageLayer(tarball, stage, 0);
            var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var history = new JsonObject { ["created"] = now, ["created_by"] = "forge ctr import" };
            if (message is not null)
            {
                history["comment"] = message;
            }

            var config = new JsonObject
            {
                ["architecture"] = GoArchitecture(),
                ["os"] = "linux",
                ["created"] = now,
                ["config"] = new JsonObject(),
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
                ["history"] = new JsonArray(history),
            };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(config, JsonContext.Default.JsonObject);
            using (StoreLock.Acquire(store.Root))
            {
                if (!store.HasLayer(diffId))
                {
                    store.CommitLayer(diffId, tar, dir);
                }

                return store.CommitImage(bytes, tag is { } t ? [t.ToString()] : []).Id;
            }
        }
        finally
        {
            DeleteTree(stage);
        }
    }

    internal static string GoArchitecture() => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        _ => "amd64",
    };

    /// <summary>Decompresses (gzip or plain) one layer to a tar file in the stage, unpacks it, and returns its diff ID.</summary>
    private static (string DiffId, string Tar, string Dir) StageLayer(Stream raw, string stage, int number)
    {
        var tarPath = Path.Combine(stage, $"layer-{number}.tar");
        var dir = Path.Combine(stage, $"layer-{number}");
        using (var output = File.Create(tarPath))
        using (var input = Decompress(raw))
        {
            input.CopyTo(output);
        }

        using var tar = File.OpenRead(tarPath);
        var diffId = LayerExtractor.Extract(tar, dir);
        return (diffId, tarPath, dir);
    }

    /// <summary>A stream of the uncompressed bytes: gzip is recognised by its magic, zstd refused, anything else read as a tar.</summary>
    internal static Stream Decompress(Stream raw)
    {
        var buffered = raw.CanSeek ? raw : new BufferedStream(raw, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        var start = buffered.CanSeek ? buffered.Position : 0;
        var n = buffered.CanSeek ? buffered.ReadAtLeast(magic, 4, throwOnEndOfStream: false) : 0;
        if (!buffered.CanSeek)
        {
            // A pipe: read into memory (layers and archives are read once anyway).
            var memory = new MemoryStream();
            buffered.CopyTo(memory);
            memory.Position = 0;
            return Decompress(memory);
        }

        buffered.Position = start;
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return new GZipStream(buffered, CompressionMode.Decompress, leaveOpen: true);
        }

        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            throw new CtrException("unsupported layer compression: zstd");
        }

        return new NonClosingStream(buffered);
    }

    private static ArchiveFiles ExtractArchive(Stream archive, string dir)
    {
        var files = new ArchiveFiles(dir);
        Directory.CreateDirectory(dir);
        try
        {
            using var input = Decompress(archive);
            using var reader = new TarReader(input);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = LayerExtractor.CleanName(entry.Name);
                if (name is null)
                {
                    continue;
                }

                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        var path = Path.Combine(dir, "f" + files.Count);
                        using (var output = File.Create(path))
                        {
                            entry.DataStream?.CopyTo(output);
                        }

                        files.Add(name, path);
                        break;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        // docker and podman link a layer's legacy path to its file:
                        // <id>/layer.tar -> ../<digest>.tar (or ../<other id>/layer.tar).
                        var target = entry.EntryType == TarEntryType.HardLink
                            ? LayerExtractor.CleanName(entry.LinkName)
                            : ResolveArchiveLink(name, entry.LinkName);
                        if (target is not null)
                        {
                            files.AddLink(name, target);
                        }

                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new CtrException($"invalid archive: {e.Message}");
        }

        return files;
    }

    /// <summary>
    /// Where a symbolic link in an image archive points, as a name inside the archive: relative
    /// to the link's directory (absolute: to the archive's root), ".." resolved; a target above
    /// the archive's root is refused as path traversal. Null for the root itself.
    /// </summary>
    internal static string? ResolveArchiveLink(string linkName, string target)
    {
        var parts = new List<string>();
        if (!target.StartsWith('/') && Path.GetDirectoryName(linkName) is { Length: > 0 } dir)
        {
            parts.AddRange(dir.Split('/'));
        }

        foreach (var part in target.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    throw new CtrException($"invalid tar entry \"{linkName}\": link to \"{target}\" leaves the archive (path traversal)");
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new CtrException($"invalid tar entry \"{linkName}\": NUL in link target");
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private static List<(string Config, List<string> Layers, List<string> Tags)> ReadDockerManifest(ArchiveFiles files)
    {
        var result = new List<(string, List<string>, List<string>)>();
        if (ParseJson(files, "manifest.json") is not JsonArray manifests)
        {
            throw new CtrException("invalid archive: manifest.json is not a list");
        }

        foreach (var m in manifests)
        {
            var config = m?["Config"]?.GetValue<string>() ?? throw new CtrException("invalid archive: manifest without Config");
            var layers = Image.Strings(m?["Layers"]);
            var tags = new List<string>();
            foreach (var t in Image.Strings(m?["RepoTags"]))
            {
                tags.Add(ImageReference.Parse(t).ToString());
            }

            result.Add((config, layers, tags));
        }

        return result;
    }

    private static List<(string Config, List<string> Layers, List<string> Tags)> ReadOciLayout(ArchiveFiles files)
    {
        if (!files.ContainsKey("index.json") || !files.ContainsKey("oci-layout"))
        {
            throw new CtrException("invalid archive: neither manifest.json (docker save) nor index.json and oci-layout (OCI image layout) found");
        }

        var result = new List<(string, List<string>, List<string>)>();
        var index = ParseJson(files, "index.json");
        foreach (var descriptor in index["manifests"] as JsonArray ?? [])
        {
            AddOciManifest(files, descriptor, result, depth: 0);
        }

        return result;
    }

    private static void AddOciManifest(ArchiveFiles files, JsonNode? descriptor, List<(string, List<string>, List<string>)> result, int depth)
    {
        var digest = descriptor?["digest"]?.GetValue<string>();
        var mediaType = descriptor?["mediaType"]?.GetValue<string>();
        var blob = "blobs/sha256/" + Digest.Hex(digest ?? "");
        var manifest = ParseJson(files, blob);
        mediaType ??= manifest["mediaType"]?.GetValue<string>();
        if (mediaType is OciIndexType or DockerListType)
        {
            if (depth > 2)
            {
                throw new CtrException("invalid archive: nested indexes too deep");
            }

            foreach (var d in manifest["manifests"] as JsonArray ?? [])
            {
                AddOciManifest(files, d, result, depth + 1);
            }

            return;
        }

        if (mediaType is not (OciManifestType or DockerManifestType or null))
        {
            return;
        }

        var config = "blobs/sha256/" + Digest.Hex(manifest["config"]?["digest"]?.GetValue<string>() ?? "");
        var layers = new List<string>();
        foreach (var layer in manifest["layers"] as JsonArray ?? [])
        {
            layers.Add("blobs/sha256/" + Digest.Hex(layer?["digest"]?.GetValue<string>() ?? ""));
        }

        var tags = new List<string>();
        var annotations = descriptor?["annotations"];
        var name = annotations?["io.containerd.image.name"]?.GetValue<string>();
        var refName = annotations?["org.opencontainers.image.ref.name"]?.GetValue<string>();
        if (name is not null && ImageReference.TryParse(name, out var full))
        {
            tags.Add(full.ToString());
        }
        else if (refName is not null && ImageReference.TryParse(refName, out var r))
        {
            // A bare ref.name is a tag in the layout's own namespace; one with a slash or colon is a full name.
            tags.Add(refName.Contains(':', StringComparison.Ordinal) || refName.Contains('/', StringComparison.Ordinal) ? r.ToString() : "localhost/image:" + refName);
        }

        result.Add((config, layers, tags));
    }

    private static JsonNode ParseJson(ArchiveFiles files, string name)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(files.Get(name))) ?? throw new CtrException($"invalid archive: {name} is null");
        }
        catch (JsonException e)
        {
            throw new CtrException($"invalid archive: {name}: {e.Message}");
        }
    }

    internal static void DeleteTree(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The regular files of an archive by cleaned name, with its links resolved.</summary>
    private sealed class ArchiveFiles(string dir)
    {
        private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

        public string Dir => dir;

        public int Count => _files.Count;

        public void Add(string name, string path) => _files[name] = path;

        public void AddLink(string name, string target) => _links[name] = target;

        public bool ContainsKey(string name) => _files.ContainsKey(name) || _links.ContainsKey(name);

        public string Get(string name)
        {
            var clean = LayerExtractor.CleanName(name) ?? name;
            for (var hops = 0; hops < 16; hops++)
            {
                if (_files.TryGetValue(clean, out var path))
                {
                    return path;
                }

                if (!_links.TryGetValue(clean, out var next))
                {
                    break;
                }

                clean = next;
            }

            throw new CtrException($"invalid archive: {name} not found in the archive");
        }
    }

    /// <summary>Lets a reader dispose its stream without closing the caller's.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
