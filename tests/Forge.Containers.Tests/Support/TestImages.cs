using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Forge.Containers.Tests.Support;

/// <summary>
/// Images made by the tests from Debian's busybox-static: a root filesystem tarball (busybox, a
/// link per applet, /etc/passwd and /etc/group), and docker-save archives built around it.
/// </summary>
internal static class TestImages
{
    private static readonly Lazy<string[]> s_applets = new(() =>
    {
        var psi = new ProcessStartInfo(Requirements.Busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var list = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        return list;
    });

    private const UnixFileMode Dir755 = (UnixFileMode)0x1ed;
    private const UnixFileMode File644 = (UnixFileMode)0x1a4;

    public static void WriteRootfsTar(string path, Action<TarWriter>? extra = null)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        WriteRootfs(writer);
        extra?.Invoke(writer);
    }

    public static void WriteRootfs(TarWriter writer)
    {
        foreach (var dir in new[] { "bin", "etc", "root", "proc", "sys", "dev", "home", "var", "srv" })
        {
            Directory(writer, dir, dir == "root" ? (UnixFileMode)0x1c0 : Dir755);
        }

        Directory(writer, "tmp", (UnixFileMode)0x3ff); // 1777
        using (var busybox = File.OpenRead(Requirements.Busybox))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { DataStream = busybox, Mode = (UnixFileMode)0x1ed });
        }

        foreach (var applet in s_applets.Value)
        {
            if (applet != "busybox")
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = (UnixFileMode)0x1ff });
            }
        }

        TextFile(writer, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        TextFile(writer, "etc/group", "root:x:0:\nnogroup:x:65534:\n");
    }

    public static void Directory(TarWriter writer, string name, UnixFileMode mode = Dir755) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = mode });

    public static void TextFile(TarWriter writer, string name, string text, UnixFileMode mode = File644) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = mode });

    public static byte[] Tar(Action<TarWriter> write)
    {
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        return memory.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return memory.ToArray();
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// A docker-save archive of one image with two layers: the busybox root plus /etc/gone and
    /// /opq/a, then (gzip'd) a whiteout of /etc/gone, an opaque /opq holding only b, and /etc/added.
    /// The config sets Env, WorkingDir and Cmd.
    /// </summary>
    public static byte[] TwoLayerDockerSave(string tag, JsonObject? runConfig = null)
    {
        var layer1 = Tar(w =>
        {
            WriteRootfs(w);
            TextFile(w, "etc/gone", "gone\n");
            Directory(w, "opq");
            TextFile(w, "opq/a", "a\n");
        });
        var layer2 = Tar(w =>
        {
            Directory(w, "etc");
            TextFile(w, "etc/.wh.gone", "");
            Directory(w, "opq");
            TextFile(w, "opq/.wh..wh..opq", "");
            TextFile(w, "opq/b", "b\n");
            TextFile(w, "etc/added", "added\n");
        });
        return DockerSave(tag, [layer1, Gzip(layer2)], [Sha256(layer1), Sha256(layer2)], runConfig ?? new JsonObject
        {
            ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=from-image"),
            ["WorkingDir"] = "/srv",
            ["Cmd"] = new JsonArray("sh", "-c", "echo cmd $FOO $(pwd)"),
        });
    }

    /// <summary>A classic docker-save archive: manifest.json, &lt;id&gt;.json, &lt;n&gt;/layer.tar.</summary>
    public static byte[] DockerSave(string? tag, IReadOnlyList<byte[]> layerBlobs, IReadOnlyList<string> diffIds, JsonObject runConfig)
    {
        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2026-11-26T00:00:00Z",
            ["config"] = runConfig,
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. diffIds.Select(d => (JsonNode)d)]) },
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configName = Convert.ToHexStringLower(SHA256.HashData(configBytes)) + ".json";
        var manifest = new JsonArray((JsonNode)new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = tag is null ? new JsonArray() : new JsonArray(tag),
            ["Layers"] = new JsonArray([.. layerBlobs.Select((_, i) => (JsonNode)$"layer{i}/layer.tar")]),
        });
        return Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, configName) { DataStream = new MemoryStream(configBytes) });
            for (var i = 0; i < layerBlobs.Count; i++)
            {
                Directory(w, $"layer{i}");
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"layer{i}/layer.tar") { DataStream = new MemoryStream(layerBlobs[i]) });
            }

            TextFile(w, "manifest.json", manifest.ToJsonString());
        });
    }
}
