using System.Formats.Tar;
using Forge.Containers.Tests.Support;

namespace Forge.Containers.Tests;

/// <summary>import, load (docker save and OCI layouts, whiteouts, bad archives), images, tag, save, rmi.</summary>
public class ImageTests
{
    [Fact]
    public void Import_MakesOneLayerImage_ListedByImages()
    {
        using var ctr = new CtrRoot();
        var tar = ctr.File("rootfs.tar");
        TestImages.WriteRootfsTar(tar);
        var id = ctr.Ok("import", tar, "bb:1").Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        var images = ctr.Ok("images");
        Assert.Matches(@"REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE", images);
        Assert.Matches(@"\nbb\s+1\s+" + id[7..19] + @"\s", images);
        Assert.Equal("hello\n", ctr.Ok("run", "--rm", "bb:1", "echo", "hello"));
    }

    [Fact]
    public void Load_DockerSave_TwoLayers_AppliesWhiteoutAndOpaqueDirectory()
    {
        using var ctr = new CtrRoot();
        var archive = ctr.File("two.tar");
        File.WriteAllBytes(archive, TestImages.TwoLayerDockerSave("two:layers"));
        Assert.Equal("Loaded image: two:layers\n", ctr.Ok("load", "-i", archive));
        var output = ctr.Ok("run", "--rm", "two:layers", "sh", "-c", "ls /opq; cat /etc/added; test -e /etc/gone && echo still-there || echo gone");
        Assert.Equal("b\nadded\ngone\n", output);

        // The image's config: Cmd, Env and WorkingDir.
        Assert.Equal("cmd from-image /srv\n", ctr.Ok("run", "--rm", "two:layers"));
        Assert.Equal("cmd flag /tmp\n", ctr.Ok("run", "--rm", "-e", "FOO=flag", "-w", "/tmp", "two:layers"));
    }

    [Fact]
    public void Save_ThenLoadIntoAnotherStore_RoundTrips()
    {
        using var ctr = new CtrRoot();
        File.WriteAllBytes(ctr.File("two.tar"), TestImages.TwoLayerDockerSave("two:layers"));
        ctr.Ok("load", "-i", ctr.File("two.tar"));
        ctr.Ok("tag", "two:layers", "copy:v2");
        var saved = ctr.File("saved.tar");
        ctr.Ok("save", "-o", saved, "copy:v2");

        // The archive is an OCI layout as well as a docker-save archive.
        var names = new List<string>();
        using (var reader = new TarReader(File.OpenRead(saved)))
        {
            while (reader.GetNextEntry() is { } e)
            {
                names.Add(e.Name);
            }
        }

        Assert.Contains("oci-layout", names);
        Assert.Contains("index.json", names);
        Assert.Contains("manifest.json", names);

        using var other = new CtrRoot();
        Assert.Equal("Loaded image: copy:v2\n", other.Ok("load", "-i", saved));
        Assert.Equal("b\n", other.Ok("run", "--rm", "copy:v2", "ls", "/opq"));
        Assert.Equal(ctr.Ok("images", "-q"), other.Ok("images", "-q"));

        // The same archive without docker's files is a plain OCI image layout, read through index.json.
        var ociOnly = ctr.File("oci.tar");
        using (var reader = new TarReader(File.OpenRead(saved)))
        using (var writer = new TarWriter(File.Create(ociOnly), TarEntryFormat.Pax))
        {
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                if (e.Name is not ("manifest.json" or "repositories"))
                {
                    writer.WriteEntry(e);
                }
            }
        }

        using var third = new CtrRoot();
        Assert.Equal("Loaded image: copy:v2\n", third.Ok("load", "-i", ociOnly));
        Assert.Equal("cmd from-image /srv\n", third.Ok("run", "--rm", "copy:v2"));
    }

    /// <summary>
    /// The real peer: podman loads the archive `save` writes (with the same image ID), and forge
    /// loads what podman saves, as docker-archive (whose legacy &lt;id&gt;/layer.tar entries are
    /// symbolic links to ../&lt;digest&gt;.tar) and as oci-archive, and runs it.
    /// </summary>
    [Fact]
    public void Podman_LoadsWhatSaveWrites_AndForgeLoadsPodmansArchives()
    {
        Assert.True(File.Exists("/usr/bin/podman"), "/usr/bin/podman is missing: the test checks save against the real podman (./test.sh installs Debian's podman)");
        using var ctr = new CtrRoot();
        var tar = ctr.File("rootfs.tar");
        TestImages.WriteRootfsTar(tar);
        var id = ctr.Ok("import", tar, "bb:1").Trim();
        var saved = ctr.File("saved.tar");
        ctr.Ok("save", "-o", saved, "bb:1");

        Assert.Contains("bb:1", Podman(ctr, "load", "-i", saved), StringComparison.Ordinal);
        Assert.Equal(id["sha256:".Length..], Podman(ctr, "image", "inspect", "--format", "{{.Id}}", "localhost/bb:1").Trim());

        foreach (var format in new[] { "docker-archive", "oci-archive" })
        {
            var archive = ctr.File($"podman-{format}.tar");
            Podman(ctr, "save", "--format", format, "-o", archive, "localhost/bb:1");
            using var other = new CtrRoot();
            Assert.Equal("Loaded image: localhost/bb:1\n", other.Ok("load", "-i", archive));
            Assert.Equal(other.Ok("images", "-q", "--no-trunc").Trim(), id);
            Assert.Equal("from-podman\n", other.Ok("run", "--rm", "localhost/bb:1", "echo", "from-podman"));
        }
    }

    /// <summary>podman with its storage, run state and temp files in this test's directory (vfs: no mounts).</summary>
    private static string Podman(CtrRoot ctr, params string[] args)
    {
        var dir = Path.Combine(ctr.TempPath, "podman");
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/podman") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--root", dir + "/root", "--runroot", dir + "/run", "--tmpdir", dir + "/tmp", "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none", .. args])
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "podman " + string.Join(' ', args) + " did not finish in 120 s");
        Assert.True(p.ExitCode == 0, $"podman {string.Join(' ', args)}: exit {p.ExitCode}\n{stderr.Result}");
        return stdout.Result;
    }

    [Fact]
    public void Load_ArchiveLinkLeavingTheArchive_Exit125_NothingCreated()
    {
        using var ctr = new CtrRoot();
        var layer = TestImages.Tar(w => TestImages.Directory(w, "etc"));
        var archive = TestImages.DockerSave("evil:1", [layer], [TestImages.Sha256(layer)], new System.Text.Json.Nodes.JsonObject());
        using (var input = new MemoryStream(archive))
        using (var reader = new TarReader(input))
        using (var output = File.Create(ctr.File("evil.tar")))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax))
        {
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                writer.WriteEntry(e);
            }

            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "x/layer.tar") { LinkName = "../../outside.tar" });
        }

        var r = ctr.Run("load", "-i", ctr.File("evil.tar"));
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("leaves the archive (path traversal)", r.Stderr, StringComparison.Ordinal);
        AssertStoreEmpty(ctr);
    }

    [Fact]
    public void Load_PathTraversal_Exit125_NothingCreated()
    {
        using var ctr = new CtrRoot();
        var outside = Path.Combine(ctr.TempPath, "escaped");
        var layer = TestImages.Tar(w =>
        {
            TestImages.Directory(w, "etc");
            TestImages.TextFile(w, "../../../../escaped", "pwned\n");
        });
        File.WriteAllBytes(ctr.File("evil.tar"), TestImages.DockerSave("evil:1", [layer], [TestImages.Sha256(layer)], new System.Text.Json.Nodes.JsonObject()));
        var r = ctr.Run("load", "-i", ctr.File("evil.tar"));
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("path traversal", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
        AssertStoreEmpty(ctr);
    }

    [Fact]
    public void Import_WriteThroughSymlink_Exit125_NothingCreated()
    {
        using var ctr = new CtrRoot();
        var target = Directory.CreateDirectory(Path.Combine(ctr.TempPath, "target")).FullName;
        File.WriteAllBytes(ctr.File("evil.tar"), TestImages.Tar(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = target });
            TestImages.TextFile(w, "link/pwned", "pwned\n");
        }));
        var r = ctr.Run("import", ctr.File("evil.tar"), "evil:1");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("symbolic link", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        AssertStoreEmpty(ctr);
    }

    [Fact]
    public void Load_HardLinkOutsideLayer_Exit125()
    {
        using var ctr = new CtrRoot();
        File.WriteAllBytes(ctr.File("evil.tar"), TestImages.Tar(w =>
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "passwd") { LinkName = "../../../../etc/passwd" })));
        var r = ctr.Run("import", ctr.File("evil.tar"), "evil:1");
        Assert.Equal(125, r.ExitCode);
        AssertStoreEmpty(ctr);
    }

    [Fact]
    public void Load_MalformedArchives_Exit125()
    {
        using var ctr = new CtrRoot();
        File.WriteAllBytes(ctr.File("junk.tar"), "this is not a tar archive at all, not even close......"u8.ToArray());
        Assert.Equal(125, ctr.Run("load", "-i", ctr.File("junk.tar")).ExitCode);

        File.WriteAllBytes(ctr.File("nomanifest.tar"), TestImages.Tar(w => TestImages.TextFile(w, "hello", "x")));
        var r = ctr.Run("load", "-i", ctr.File("nomanifest.tar"));
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("manifest.json", r.Stderr, StringComparison.Ordinal);

        // A layer whose content does not match the config's diff ID.
        var layer = TestImages.Tar(w => TestImages.TextFile(w, "a", "a"));
        File.WriteAllBytes(ctr.File("baddiff.tar"), TestImages.DockerSave("bad:1", [layer], ["sha256:" + new string('0', 64)], new System.Text.Json.Nodes.JsonObject()));
        r = ctr.Run("load", "-i", ctr.File("baddiff.tar"));
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("diff ID", r.Stderr, StringComparison.Ordinal);
        AssertStoreEmpty(ctr);
    }

    [Fact]
    public void BadReferenceAndUnknownImage_Exit125WithDockersWording()
    {
        using var ctr = new CtrRoot();
        ctr.ImportBusybox();
        var r = ctr.Run("run", "--rm", "Bad_Name:x", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("No such image", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("tag", "busybox:test", "UPPER:case");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("invalid reference format", r.Stderr, StringComparison.Ordinal);
        r = ctr.Run("run", "--rm", "nosuch:image", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("No such image: nosuch:image", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Rmi_UntagsThenDeletesImageAndLayers()
    {
        using var ctr = new CtrRoot();
        ctr.ImportBusybox("bb:1");
        ctr.Ok("tag", "bb:1", "bb:2");
        Assert.Equal("Untagged: bb:2\n", ctr.Ok("rmi", "bb:2"));
        var output = ctr.Ok("rmi", "bb:1");
        Assert.Contains("Untagged: bb:1", output, StringComparison.Ordinal);
        Assert.Contains("Deleted: sha256:", output, StringComparison.Ordinal);
        AssertStoreEmpty(ctr);
    }

    private static void AssertStoreEmpty(CtrRoot ctr)
    {
        Assert.Equal("", ctr.Ok("images", "-q"));
        foreach (var dir in new[] { "images/layers", "images/blobs/sha256", "images/imagedb", "tmp" })
        {
            var path = Path.Combine(ctr.Root, dir);
            Assert.True(!Directory.Exists(path) || Directory.GetFileSystemEntries(path).Length == 0, $"{dir} is not empty");
        }
    }

}
