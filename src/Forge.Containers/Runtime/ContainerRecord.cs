using System.Text.Json.Serialization;

namespace Forge.Containers.Runtime;

/// <summary>The lifecycle states of a container, as docker names them.</summary>
internal static class ContainerStatus
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Exited = "exited";

    /// <summary>Checked transitions: created → running → exited; created → exited (start failed).</summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Created, Running) => true,
        (Created, Exited) => true,
        (Running, Exited) => true,
        _ => false,
    };
}

/// <summary>
/// A container's record, ROOT/containers/&lt;id&gt;/state.json. Names follow docker inspect's
/// where they exist. The monitor (the `forge` process that started the container and waits
/// for it) writes the transitions; a record left "running" by a monitor that died is settled by
/// the next command (<see cref="ContainerStore.Reconcile"/>).
/// </summary>
internal sealed class ContainerRecord
{
    [JsonPropertyName("Id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("Name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("Image")]
    public string Image { get; set; } = "";

    [JsonPropertyName("ImageId")]
    public string ImageId { get; set; } = "";

    [JsonPropertyName("Created")]
    public DateTimeOffset Created { get; set; }

    [JsonPropertyName("Path")]
    public string Path { get; set; } = "";

    [JsonPropertyName("Args")]
    public List<string> Args { get; set; } = [];

    [JsonPropertyName("Status")]
    public string Status { get; set; } = ContainerStatus.Created;

    [JsonPropertyName("Pid")]
    public int Pid { get; set; }

    [JsonPropertyName("PidStartTime")]
    public long PidStartTime { get; set; }

    [JsonPropertyName("MonitorPid")]
    public int MonitorPid { get; set; }

    [JsonPropertyName("MonitorStartTime")]
    public long MonitorStartTime { get; set; }

    [JsonPropertyName("ExitCode")]
    public int ExitCode { get; set; }

    [JsonPropertyName("OOMKilled")]
    public bool OomKilled { get; set; }

    [JsonPropertyName("Error")]
    public string Error { get; set; } = "";

    [JsonPropertyName("StartedAt")]
    public DateTimeOffset? StartedAt { get; set; }

    [JsonPropertyName("FinishedAt")]
    public DateTimeOffset? FinishedAt { get; set; }

    [JsonPropertyName("AutoRemove")]
    public bool AutoRemove { get; set; }

    [JsonPropertyName("Detached")]
    public bool Detached { get; set; }

    [JsonPropertyName("Tty")]
    public bool Tty { get; set; }

    [JsonPropertyName("CgroupDirs")]
    public List<string> CgroupDirs { get; set; } = [];

    [JsonPropertyName("NetworkMode")]
    public string NetworkMode { get; set; } = "none";

    [JsonPropertyName("Memory")]
    public long Memory { get; set; }

    [JsonPropertyName("NanoCpus")]
    public long NanoCpus { get; set; }

    [JsonPropertyName("PidsLimit")]
    public long PidsLimit { get; set; }

    [JsonPropertyName("ReadonlyRootfs")]
    public bool ReadonlyRootfs { get; set; }

    [JsonPropertyName("Init")]
    public bool Init { get; set; }

    public string ShortId => Id[..12];
}
