using System.Globalization;
using System.Text.Json.Nodes;
using Forge.Containers.Images;

namespace Forge.Containers.Cli;

internal sealed partial class Verbs
{
    private static readonly string[] s_imagesHeader = ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"];

    private int ImagesVerb(List<string> args)
    {
        var parsed = new DockerArgs().Bool("quiet", "q").Bool("all", "a").Bool("no-trunc").Parse(args, stopAtPositional: false);
        var images = _images.List();
        if (parsed.IsTrue("quiet"))
        {
            foreach (var image in images)
            {
                Console.Out.WriteLine(parsed.IsTrue("no-trunc") ? image.Id : image.ShortId);
            }

            return 0;
        }

        var rows = new List<string[]> { s_imagesHeader };
        foreach (var image in images)
        {
            var size = Format.Size(image.DiffIds.Sum(d => File.Exists(_images.LayerTar(d)) ? new FileInfo(_images.LayerTar(d)).Length : 0));
            var id = parsed.IsTrue("no-trunc") ? image.Id : image.ShortId;
            var tags = image.RepoTags.Count > 0 ? image.RepoTags.Select(ImageReference.Parse).ToList() : [new ImageReference("<none>", "<none>")];
            foreach (var tag in tags)
            {
                rows.Add([tag.Repository, tag.Tag, id, Format.Ago(image.Created), size]);
            }
        }

        Console.Out.Write(Format.Table(rows));
        return 0;
    }

    private int Import(List<string> args)
    {
        var parsed = new DockerArgs().Value("message", "m").Value("change", "c").Value("platform").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "file|URL|- [REPOSITORY[:TAG]]");
        if (parsed.Has("change"))
        {
            throw new CtrException("import --change is not supported yet");
        }

        ImageReference? tag = parsed.Positionals.Count > 1 ? ImageReference.Parse(parsed.Positionals[1]) : null;
        var source = parsed.Positionals[0];
        if (source.Contains("://", StringComparison.Ordinal))
        {
            throw new CtrException("importing from a URL is not supported");
        }

        using var input = source == "-" ? Console.OpenStandardInput() : OpenFile(source);
        Console.Out.WriteLine(ImageLoader.Import(_images, input, tag, parsed.Get("message")));
        return 0;
    }

    private static FileStream OpenFile(string path) =>
        File.Exists(path) ? File.OpenRead(path) : throw new CtrException($"open {path}: no such file or directory");

    private int Load(List<string> args)
    {
        var parsed = new DockerArgs().Value("input", "i").Bool("quiet", "q").Parse(args, stopAtPositional: false);
        var file = parsed.Get("input");
        if (file is null && !Console.IsInputRedirected)
        {
            throw new CtrException("requested load from stdin, but stdin is empty", 1);
        }

        using var input = file is null ? Console.OpenStandardInput() : OpenFile(file);
        foreach (var line in ImageLoader.Load(_images, input))
        {
            Console.Out.WriteLine(line);
        }

        return 0;
    }

    private int Save(List<string> args)
    {
        var parsed = new DockerArgs().Value("output", "o").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "IMAGE...");
        var images = new List<(Image, List<string>)>();
        foreach (var name in parsed.Positionals)
        {
            var image = _images.Resolve(name);
            var tags = ImageReference.TryParse(name, out var r) && image.RepoTags.Contains(r.ToString()) ? [r.ToString()] : image.RepoTags.ToList();
            if (name.StartsWith(Digest.Prefix, StringComparison.Ordinal) || !ImageReference.TryParse(name, out _) || !image.RepoTags.Contains(ImageReference.Parse(name).ToString()))
            {
                tags = name.StartsWith(Digest.Prefix, StringComparison.Ordinal) ? [] : tags;
            }

            images.Add((image, tags));
        }

        var output = parsed.Get("output");
        if (output is null)
        {
            if (!Console.IsOutputRedirected)
            {
                throw new CtrException("cowardly refusing to save to a terminal. Use the -o flag or redirect", 1);
            }

            using var stdout = Console.OpenStandardOutput();
            ImageSaver.Save(_images, images, stdout);
            return 0;
        }

        var temp = output + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var file = File.Create(temp))
            {
                ImageSaver.Save(_images, images, file);
            }

            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return 0;
    }

    private int Tag(List<string> args)
    {
        var parsed = new DockerArgs().Parse(args, stopAtPositional: false);
        if (parsed.Positionals.Count != 2)
        {
            throw new UsageException("requires exactly 2 arguments: SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]");
        }

        var target = ImageReference.Parse(parsed.Positionals[1]);
        using (StoreLock.Acquire(_root))
        {
            _images.Tag(_images.Resolve(parsed.Positionals[0]), target);
        }

        return 0;
    }

    private int Rmi(List<string> args)
    {
        var parsed = new DockerArgs().Bool("force", "f").Bool("no-prune").Parse(args, stopAtPositional: false);
        RequireArgs(parsed, 1, "IMAGE...");
        var failed = false;
        using (StoreLock.Acquire(_root))
        {
            foreach (var name in parsed.Positionals)
            {
                try
                {
                    var image = _images.Resolve(name);
                    var users = _containers.List().Where(c => c.ImageId == image.Id).ToList();
                    var byTag = ImageReference.TryParse(name, out var r) && image.RepoTags.Contains(r.ToString());
                    if (byTag && image.RepoTags.Count > 1)
                    {
                        _images.Untag(r.ToString());
                        Console.Out.WriteLine("Untagged: " + r);
                        continue;
                    }

                    if (users.Count > 0 && !parsed.IsTrue("force"))
                    {
                        throw new CtrException($"Error response from daemon: conflict: unable to delete {image.ShortId} (must be forced) - image is being used by container {users[0].ShortId}", 1);
                    }

                    foreach (var tag in image.RepoTags)
                    {
                        _images.Untag(tag);
                        Console.Out.WriteLine("Untagged: " + tag);
                    }

                    if (users.Count == 0)
                    {
                        _images.Delete(image);
                        Console.Out.WriteLine("Deleted: " + image.Id);
                    }
                }
                catch (CtrException e)
                {
                    Console.Error.WriteLine(e.ExitCode == 1 ? e.Message : "Error response from daemon: " + e.Message);
                    failed = true;
                }
            }
        }

        return failed ? 1 : 0;
    }

    private JsonObject ImageJson(Image image)
    {
        var config = JsonNode.Parse(image.ConfigBytes)!.AsObject();
        return new JsonObject
        {
            ["Id"] = image.Id,
            ["RepoTags"] = new JsonArray([.. image.RepoTags.Select(t => (JsonNode)t)]),
            ["Created"] = config["created"]?.DeepClone(),
            ["Architecture"] = config["architecture"]?.DeepClone(),
            ["Os"] = config["os"]?.DeepClone(),
            ["Size"] = image.DiffIds.Sum(d => File.Exists(_images.LayerTar(d)) ? new FileInfo(_images.LayerTar(d)).Length : 0),
            ["Config"] = config["config"]?.DeepClone(),
            ["RootFS"] = new JsonObject { ["Type"] = "layers", ["Layers"] = config["rootfs"]?["diff_ids"]?.DeepClone() },
        };
    }

}
