namespace Forge.Containers.Runtime;

/// <summary>What `run` was asked for, before it is turned into a bundle.</summary>
internal sealed class RunOptions
{
    public string Image { get; set; } = "";

    public List<string> Command { get; set; } = [];

    public bool Detach { get; set; }

    public bool AutoRemove { get; set; }

    public bool Interactive { get; set; }

    public bool Tty { get; set; }

    public string? Name { get; set; }

    public List<string> Env { get; set; } = [];

    public string? Workdir { get; set; }

    public string? User { get; set; }

    public List<string> Volumes { get; set; } = [];

    public List<string> Tmpfs { get; set; } = [];

    public long? Memory { get; set; }

    public double? Cpus { get; set; }

    public long? PidsLimit { get; set; }

    public string? Hostname { get; set; }

    public string Network { get; set; } = "none";

    public bool Init { get; set; }

    public bool ReadOnly { get; set; }

    public string? Entrypoint { get; set; }

    public List<string> Ulimits { get; set; } = [];
}
