namespace Forge.Testing;

/// <summary>Finds the repository root and the `forge` binary built for the same configuration as the tests.</summary>
public static class ForgeBinary
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string RepositoryRoot => s_root.Value;

    /// <summary>Path of the forge apphost, e.g. artifacts/bin/Forge/release/forge.</summary>
    public static string Path
    {
        get
        {
            // Test assemblies live in artifacts/bin/<Project>/<config>/; the CLI in artifacts/bin/Forge/<config>/.
            var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;
            var path = System.IO.Path.Combine(RepositoryRoot, "artifacts", "bin", "Forge", config, "forge");
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"forge binary not found at {path}: build the solution first (./test.sh does).");
            }

            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Forge.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Forge.slnx not found above " + AppContext.BaseDirectory);
    }
}
