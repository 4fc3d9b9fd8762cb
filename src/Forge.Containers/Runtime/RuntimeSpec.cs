using System.Text.Json.Serialization;

namespace Forge.Containers.Runtime;

/// <summary>
/// The subset of the OCI runtime specification's config.json (runtime-spec v1.1) that forge
/// reads and writes, with the spec's own property names: `run` writes a bundle with this file,
/// the init stage reads it, and `forge ctr oci` will read bundles that other tools made. Forge's
/// own additions are annotations (the overlay rootfs, the log files).
/// </summary>
internal sealed class RuntimeSpec
{
    [JsonPropertyName("ociVersion")]
    public string OciVersion { get; set; } = "1.1.0";

    [JsonPropertyName("process")]
    public SpecProcess Process { get; set; } = new();

    [JsonPropertyName("root")]
    public SpecRoot Root { get; set; } = new();

    [JsonPropertyName("hostname")]
    public string? Hostname { get; set; }

    [JsonPropertyName("mounts")]
    public List<SpecMount> Mounts { get; set; } = [];

    [JsonPropertyName("linux")]
    public SpecLinux Linux { get; set; } = new();

    [JsonPropertyName("annotations")]
    public Dictionary<string, string> Annotations { get; set; } = [];
}

internal sealed class SpecProcess
{
    [JsonPropertyName("terminal")]
    public bool Terminal { get; set; }

    [JsonPropertyName("consoleSize")]
    public SpecConsoleSize? ConsoleSize { get; set; }

    [JsonPropertyName("user")]
    public SpecUser User { get; set; } = new();

    [JsonPropertyName("args")]
    public List<string> Args { get; set; } = [];

    [JsonPropertyName("env")]
    public List<string> Env { get; set; } = [];

    [JsonPropertyName("cwd")]
    public string Cwd { get; set; } = "/";

    [JsonPropertyName("capabilities")]
    public SpecCapabilities? Capabilities { get; set; }

    [JsonPropertyName("rlimits")]
    public List<SpecRlimit>? Rlimits { get; set; }

    [JsonPropertyName("noNewPrivileges")]
    public bool NoNewPrivileges { get; set; }
}

internal sealed class SpecConsoleSize
{
    [JsonPropertyName("height")]
    public uint Height { get; set; }

    [JsonPropertyName("width")]
    public uint Width { get; set; }
}

internal sealed class SpecUser
{
    [JsonPropertyName("uid")]
    public int Uid { get; set; }

    [JsonPropertyName("gid")]
    public int Gid { get; set; }

    [JsonPropertyName("additionalGids")]
    public List<int>? AdditionalGids { get; set; }

    /// <summary>Forge's addition (not in the spec): a user name to resolve in the container's /etc/passwd.</summary>
    [JsonPropertyName("username")]
    public string? Username { get; set; }
}

internal sealed class SpecCapabilities
{
    [JsonPropertyName("bounding")]
    public List<string> Bounding { get; set; } = [];

    [JsonPropertyName("effective")]
    public List<string> Effective { get; set; } = [];

    [JsonPropertyName("permitted")]
    public List<string> Permitted { get; set; } = [];

    [JsonPropertyName("inheritable")]
    public List<string> Inheritable { get; set; } = [];

    [JsonPropertyName("ambient")]
    public List<string> Ambient { get; set; } = [];
}

internal sealed class SpecRlimit
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("hard")]
    public ulong Hard { get; set; }

    [JsonPropertyName("soft")]
    public ulong Soft { get; set; }
}

internal sealed class SpecRoot
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "rootfs";

    [JsonPropertyName("readonly")]
    public bool Readonly { get; set; }
}

internal sealed class SpecMount
{
    [JsonPropertyName("destination")]
    public string Destination { get; set; } = "";

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("options")]
    public List<string>? Options { get; set; }
}

internal sealed class SpecLinux
{
    [JsonPropertyName("namespaces")]
    public List<SpecNamespace> Namespaces { get; set; } = [];

    [JsonPropertyName("resources")]
    public SpecResources? Resources { get; set; }

    [JsonPropertyName("cgroupsPath")]
    public string? CgroupsPath { get; set; }

    [JsonPropertyName("maskedPaths")]
    public List<string> MaskedPaths { get; set; } = [];

    [JsonPropertyName("readonlyPaths")]
    public List<string> ReadonlyPaths { get; set; } = [];
}

internal sealed class SpecNamespace
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("path")]
    public string? Path { get; set; }
}

internal sealed class SpecResources
{
    [JsonPropertyName("memory")]
    public SpecMemory? Memory { get; set; }

    [JsonPropertyName("cpu")]
    public SpecCpu? Cpu { get; set; }

    [JsonPropertyName("pids")]
    public SpecPids? Pids { get; set; }
}

internal sealed class SpecMemory
{
    [JsonPropertyName("limit")]
    public long? Limit { get; set; }

    [JsonPropertyName("swap")]
    public long? Swap { get; set; }
}

internal sealed class SpecCpu
{
    [JsonPropertyName("quota")]
    public long? Quota { get; set; }

    [JsonPropertyName("period")]
    public ulong? Period { get; set; }
}

internal sealed class SpecPids
{
    [JsonPropertyName("limit")]
    public long Limit { get; set; }
}
