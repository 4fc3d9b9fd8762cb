namespace Forge.Containers.Runtime;

/// <summary>
/// The subset of the OCI runtime specification's config.json (runtime-spec v1.1) that forge
/// reads and writes (as <see cref="RuntimeSpecJson"/> spells it, with the spec's own member names): `run` writes a bundle with this file,
/// the init stage reads it, and `forge ctr oci` will read bundles that other tools made. Forge's
/// own additions are annotations (the overlay rootfs, the log files).
/// </summary>
internal sealed class RuntimeSpec
{
    public string OciVersion { get; set; } = "1.1.0";

    public SpecProcess Process { get; set; } = new();

    public SpecRoot Root { get; set; } = new();

    public string? Hostname { get; set; }

    public List<SpecMount> Mounts { get; set; } = [];

    public SpecLinux Linux { get; set; } = new();

    public Dictionary<string, string> Annotations { get; set; } = [];
}

internal sealed class SpecProcess
{
    public bool Terminal { get; set; }

    public SpecConsoleSize? ConsoleSize { get; set; }

    public SpecUser User { get; set; } = new();

    public List<string> Args { get; set; } = [];

    public List<string> Env { get; set; } = [];

    public string Cwd { get; set; } = "/";

    public SpecCapabilities? Capabilities { get; set; }

    public List<SpecRlimit>? Rlimits { get; set; }

    public bool NoNewPrivileges { get; set; }
}

internal sealed class SpecConsoleSize
{
    public uint Height { get; set; }

    public uint Width { get; set; }
}

internal sealed class SpecUser
{
    public int Uid { get; set; }

    public int Gid { get; set; }

    public List<int>? AdditionalGids { get; set; }

    /// <summary>Forge's addition (not in the spec): a user name to resolve in the container's /etc/passwd.</summary>
    public string? Username { get; set; }
}

internal sealed class SpecCapabilities
{
    public List<string> Bounding { get; set; } = [];

    public List<string> Effective { get; set; } = [];

    public List<string> Permitted { get; set; } = [];

    public List<string> Inheritable { get; set; } = [];

    public List<string> Ambient { get; set; } = [];
}

internal sealed class SpecRlimit
{
    public string Type { get; set; } = "";

    public ulong Hard { get; set; }

    public ulong Soft { get; set; }
}

internal sealed class SpecRoot
{
    public string Path { get; set; } = "rootfs";

    public bool Readonly { get; set; }
}

internal sealed class SpecMount
{
    public string Destination { get; set; } = "";

    public string? Type { get; set; }

    public string? Source { get; set; }

    public List<string>? Options { get; set; }
}

internal sealed class SpecLinux
{
    public List<SpecNamespace> Namespaces { get; set; } = [];

    public SpecResources? Resources { get; set; }

    public string? CgroupsPath { get; set; }

    public List<string> MaskedPaths { get; set; } = [];

    public List<string> ReadonlyPaths { get; set; } = [];
}

internal sealed class SpecNamespace
{
    public string Type { get; set; } = "";

    public string? Path { get; set; }
}

internal sealed class SpecResources
{
    public SpecMemory? Memory { get; set; }

    public SpecCpu? Cpu { get; set; }

    public SpecPids? Pids { get; set; }
}

internal sealed class SpecMemory
{
    public long? Limit { get; set; }

    public long? Swap { get; set; }
}

internal sealed class SpecCpu
{
    public long? Quota { get; set; }

    public ulong? Period { get; set; }
}

internal sealed class SpecPids
{
    public long Limit { get; set; }
}
