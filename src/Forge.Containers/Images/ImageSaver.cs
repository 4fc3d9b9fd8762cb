using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.Containers.Images;

/// <summary>
/// <c>save</c>: the archive docker 25+ writes, which is both an OCI image layout (oci-layout,
/// index.json, blobs/sha256/…) and a classic docker-save archive (manifest.json and repositories
/// pointing into the same blobs), so docker, podman and forge's own <c>load</c> read it. Layers
/// are stored uncompressed, so each layer blob's digest is its diff ID.
/// </summary>
internal static class ImageSaver
{
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";

    public static void Save(ImageStore store, IReadOnlyList<(Image Image, List<string> Tags)> images, Stream output)
    {
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var index = new JsonArray();
        var manifestJson = new JsonArray();
        var repositories = new JsonObject();
        AddDirectory(writer, "blobs/");
        AddDirectory(writer, "blobs/sha256/");
        foreach (var (image, tags) in images)
        {
            var layers = new JsonArray();
            var layerPaths = new JsonArray();
            foreach (var diffId in image.DiffIds)
            {
                var path = "blobs/sha256/" + Digest.Hex(diffId);
                var size = new FileInfo(store.LayerTar(diffId)).Length;
                if (written.Add(path))
                {
                    using var blob = File.OpenRead(store.LayerTar(diffId));
                    AddFile(writer, path, blob);
                }

                layers.Add((JsonNode)new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = diffId, ["size"] = size });
                layerPaths.Add((JsonNode)path);
            }

            var configPath = "blobs/sha256/" + Digest.Hex(image.Id);
            if (written.Add(configPath))
            {
                AddFile(writer, configPath, new MemoryStream(image.ConfigBytes));
            }

            var manifest = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = OciManifestType,
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = image.Id, ["size"] = image.ConfigBytes.Length },
                ["layers"] = layers,
            };
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, JsonContext.Default.JsonObject);
            var manifestDigest = Digest.Of(manifestBytes);
            var manifestPath = "blobs/sha256/" + Digest.Hex(manifestDigest);
            if (written.Add(manifestPath))
            {
                AddFile(writer, manifestPath, new MemoryStream(manifestBytes));
            }

            var descriptor = new JsonObject { ["mediaType"] = OciManifestType, ["digest"] = manifestDigest, ["size"] = manifestBytes.Length };
            if (tags.Count == 0)
            {
                index.Add((JsonNode)descriptor);
            }

            foreach (var tag in tags)
            {
                var reference = ImageReference.Parse(tag);
                var d = descriptor.DeepClone().AsObject();
                d["annotations"] = new JsonObject
                {
                    ["io.containerd.image.name"] = reference.ToString(),
                    ["org.opencontainers.image.ref.name"] = reference.Tag,
                };
                index.Add((JsonNode)d);
                if (repositories[reference.Repository] is not JsonObject repo)
                {
                    repositories[reference.Repository] = repo = [];
                }

                repo[reference.Tag] = Digest.Hex(image.Id);
            }

            manifestJson.Add((JsonNode)new JsonObject
            {
                ["Config"] = configPath,
                ["RepoTags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]),
                ["Layers"] = layerPaths,
            });
        }

        AddJson(writer, "index.json", new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciIndexType, ["manifests"] = index });
        AddJson(writer, "manifest.json", manifestJson);
        AddJson(writer, "oci-layout", new JsonObject { ["imageLayoutVersion"] = "1.0.0" });
        if (repositories.Count > 0)
        {
            AddJson(writer, "repositories", repositories);
        }
    }

    private static void AddDirectory(TarWriter writer, string name) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ed, ModificationTime = DateTimeOffset.UnixEpoch });

    private static void AddFile(TarWriter writer, string name, Stream data) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = (UnixFileMode)0x1a4, ModificationTime = DateTimeOffset.UnixEpoch });

    private static void AddJson(TarWriter writer, string name, JsonNode node)
    {
        var bytes = node is JsonObject o
            ? JsonSerializer.SerializeToUtf8Bytes(o, JsonContext.Default.JsonObject)
            : JsonSerializer.SerializeToUtf8Bytes((JsonArray)node, JsonContext.Default.JsonArray);
        AddFile(writer, name, new MemoryStream(bytes));
    }
}
