using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.Containers.Images;

/// <summary>
/// The content-addressed image store under <c>ROOT/images</c>:
/// <code>
/// imagedb/&lt;hex&gt;          an image's OCI config, named by its digest (the image ID)
/// blobs/sha256/&lt;hex&gt;     a layer as an uncompressed tar, named by its diff ID (for save)
/// layers/&lt;hex&gt;/          the same layer unpacked: an overlayfs lower dir shared by containers
/// repositories.json      { "name:tag": "sha256:&lt;image id&gt;" }
/// init-layer/            empty mount points every container's root gets (<see cref="InitLayer"/>)
/// </code>
/// Writers stage everything under ROOT/tmp and commit with renames under the store lock
/// (<see cref="StoreLock"/>), so a failed load or import leaves nothing half-created.
/// </summary>
internal sealed class ImageStore
{
    private readonly string _dir;

    public ImageStore(string root)
    {
        Root = root;
        _dir = Path.Combine(root, "images");
    }

    public string Root { get; }

    public string TempRoot => Path.Combine(Root, "tmp");

    private string ImageDb => Path.Combine(_dir, "imagedb");

    private string Blobs => Path.Combine(_dir, "blobs", "sha256");

    private string Layers => Path.Combine(_dir, "layers");

    private string RepositoriesFile => Path.Combine(_dir, "repositories.json");

    public string LayerDir(string diffId) => Path.Combine(Layers, Digest.Hex(diffId));

    public string LayerTar(string diffId) => Path.Combine(Blobs, Digest.Hex(diffId));

    public bool HasLayer(string diffId) => Directory.Exists(LayerDir(diffId)) && File.Exists(LayerTar(diffId));

    public SortedDictionary<string, string> ReadRepositories()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(RepositoriesFile))
        {
            return result;
        }

        if (JsonNode.Parse(File.ReadAllBytes(RepositoriesFile)) is JsonObject o)
        {
            foreach (var (key, value) in o)
            {
                if (value?.GetValue<string>() is { } id)
                {
                    result[key] = id;
                }
            }
        }

        return result;
    }

    private void WriteRepositories(SortedDictionary<string, string> repositories)
    {
        var o = new JsonObject();
        foreach (var (key, value) in repositories)
        {
            o[key] = value;
        }

        Directory.CreateDirectory(_dir);
        AtomicFile.Write(RepositoriesFile, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>All stored images with their tags, newest first.</summary>
    public List<Image> List()
    {
        var images = new Dictionary<string, Image>(StringComparer.Ordinal);
        if (Directory.Exists(ImageDb))
        {
            foreach (var file in Directory.GetFiles(ImageDb))
            {
                var id = Digest.Prefix + Path.GetFileName(file);
                if (Digest.IsValid(id))
                {
                    images[id] = new Image(id, File.ReadAllBytes(file));
                }
            }
        }

        foreach (var (tag, id) in ReadRepositories())
        {
            if (images.TryGetValue(id, out var image))
            {
                image.RepoTags.Add(tag);
            }
        }

        var list = images.Values.ToList();
        list.Sort((a, b) => Nullable.Compare(b.Created, a.Created));
        return list;
    }

    public bool TryGet(string id, out Image image)
    {
        image = null!;
        if (!Digest.IsValid(id))
        {
            return false;
        }

        var file = Path.Combine(ImageDb, Digest.Hex(id));
        if (!File.Exists(file))
        {
            return false;
        }

        image = new Image(id, File.ReadAllBytes(file));
        foreach (var (tag, tagged) in ReadRepositories())
        {
            if (tagged == id)
            {
                image.RepoTags.Add(tag);
            }
        }

        return true;
    }

    /// <summary>
    /// Finds an image as docker does: a name[:tag], a full "sha256:…" ID, or a unique prefix of
    /// the ID's hex. Throws docker's "No such image" otherwise.
    /// </summary>
    public Image Resolve(string text)
    {
        if (TryResolve(text, out var image))
        {
            return image;
        }

        var shown = ImageReference.TryParse(text, out var r) ? r.ToString() : text;
        throw new CtrException($"No such image: {shown}");
    }

    public bool TryResolve(string text, out Image image)
    {
        image = null!;
        if (text.StartsWith(Digest.Prefix, StringComparison.Ordinal))
        {
            return TryGet(text, out image);
        }

        if (ImageReference.TryParse(text, out var reference) && ReadRepositories().TryGetValue(reference.ToString(), out var id))
        {
            return TryGet(id, out image);
        }

        if (text.Length is >= 4 and <= 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') && Directory.Exists(ImageDb))
        {
            var matches = Directory.GetFiles(ImageDb, text + "*");
            if (matches.Length == 1)
            {
                return TryGet(Digest.Prefix + Path.GetFileName(matches[0]), out image);
            }
        }

        return false;
    }

    /// <summary>Moves a staged layer (its tar and its unpacked directory) into the store unless it is there already.</summary>
    public void CommitLayer(string diffId, string stagedTar, string stagedDir)
    {
        Directory.CreateDirectory(Blobs);
        Directory.CreateDirectory(Layers);
        if (!File.Exists(LayerTar(diffId)))
        {
            File.Move(stagedTar, LayerTar(diffId));
        }

        if (!Directory.Exists(LayerDir(diffId)))
        {
            Directory.Move(stagedDir, LayerDir(diffId));
        }
    }

    /// <summary>Stores an image config (every layer must be committed first) and points the tags at it.</summary>
    public Image CommitImage(byte[] configBytes, IEnumerable<string> tags)
    {
        var id = Digest.Of(configBytes);
        var image = new Image(id, configBytes);
        foreach (var diffId in image.DiffIds)
        {
            if (!HasLayer(diffId))
            {
                throw new CtrException($"layer {diffId} of image {id} is missing");
            }
        }

        Directory.CreateDirectory(ImageDb);
        var file = Path.Combine(ImageDb, Digest.Hex(id));
        if (!File.Exists(file))
        {
            AtomicFile.Write(file, configBytes);
        }

        var repositories = ReadRepositories();
        foreach (var tag in tags)
        {
            repositories[tag] = id;
        }

        WriteRepositories(repositories);
        return image;
    }

    public void Tag(Image image, ImageReference target)
    {
        var repositories = ReadRepositories();
        repositories[target.ToString()] = image.Id;
        WriteRepositories(repositories);
    }

    /// <summary>Removes a tag; returns true when it existed.</summary>
    public bool Untag(string tag)
    {
        var repositories = ReadRepositories();
        if (!repositories.Remove(tag))
        {
            return false;
        }

        WriteRepositories(repositories);
        return true;
    }

    /// <summary>Deletes an untagged image's config, then every layer no remaining image uses; returns the deleted layer IDs.</summary>
    public List<string> Delete(Image image)
    {
        var tags = ReadRepositories();
        foreach (var (tag, id) in tags.ToList())
        {
            if (id == image.Id)
            {
                tags.Remove(tag);
            }
        }

        WriteRepositories(tags);
        File.Delete(Path.Combine(ImageDb, Digest.Hex(image.Id)));
        return CollectLayers();
    }

    /// <summary>Removes layers (and layer tars) that no stored image references.</summary>
    public List<string> CollectLayers()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in List())
        {
            foreach (var d in image.DiffIds)
            {
                used.Add(Digest.Hex(d));
            }
        }

        var deleted = new List<string>();
        if (Directory.Exists(Layers))
        {
            foreach (var dir in Directory.GetDirectories(Layers))
            {
                var hex = Path.GetFileName(dir);
                if (!used.Contains(hex))
                {
                    Directory.Delete(dir, recursive: true);
                    deleted.Add(Digest.Prefix + hex);
                }
            }
        }

        if (Directory.Exists(Blobs))
        {
            foreach (var file in Directory.GetFiles(Blobs))
            {
                if (!used.Contains(Path.GetFileName(file)))
                {
                    File.Delete(file);
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// The init layer, the top lower layer of every container's root: empty mount points for what
    /// the init mounts over (/proc, /sys, /dev and the bound /etc/hosts, /etc/hostname,
    /// /etc/resolv.conf), as docker's "-init" layer holds them. Without it each container whose
    /// image lacks them creates them in its writable layer: on this machine's ext4 about 0.2 ms
    /// per inode to create, and as much again to remove with --rm. Shared by all containers (its
    /// content does not depend on the image) and made on first use; the caller holds the store lock.
    /// </summary>
    public string InitLayer()
    {
        var dir = Path.Combine(_dir, "init-layer");
        if (Directory.Exists(dir))
        {
            return dir;
        }

        var staged = NewTempDir("initlayer");
        try
        {
            const UnixFileMode Dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            foreach (var d in s_initLayerDirectories)
            {
                Directory.CreateDirectory(Path.Combine(staged, d), Dir);
            }

            foreach (var f in s_initLayerFiles)
            {
                using var handle = File.OpenHandle(Path.Combine(staged, f), FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None);
                File.SetUnixFileMode(handle, File644);
            }

            File.SetUnixFileMode(staged, Dir);
            Directory.Move(staged, dir);
        }
        finally
        {
            if (Directory.Exists(staged))
            {
                Directory.Delete(staged, recursive: true);
            }
        }

        return dir;
    }

    private static readonly string[] s_initLayerDirectories = ["proc", "sys", "dev", "etc"];

    private static readonly string[] s_initLayerFiles = ["etc/hosts", "etc/hostname", "etc/resolv.conf"];

    /// <summary>Removes staging directories whose forge process is gone (killed mid-load).</summary>
    public void CleanTemp()
    {
        if (!Directory.Exists(TempRoot))
        {
            return;
        }

        foreach (var dir in Directory.GetDirectories(TempRoot))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var pid) && !Directory.Exists("/proc/" + pid))
            {
                ImageLoader.DeleteTree(dir);
            }
        }
    }

    /// <summary>A fresh staging directory under ROOT/tmp (named with the owner's PID), removed by its owner.</summary>
    public string NewTempDir(string prefix)
    {
        Span<byte> random = stackalloc byte[8];
        Interop.Linux.FillRandom(random);
        var dir = Path.Combine(TempRoot, prefix + "-" + Environment.ProcessId + "-" + Convert.ToHexStringLower(random));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
