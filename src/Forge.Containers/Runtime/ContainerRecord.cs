using System.Text.Json;

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
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Image { get; set; } = "";

    public string ImageId { get; set; } = "";

    public DateTimeOffset Created { get; set; }

    public string Path { get; set; } = "";

    public List<string> Args { get; set; } = [];

    public string Status { get; set; } = ContainerStatus.Created;

    public int Pid { get; set; }

    public long PidStartTime { get; set; }

    public int MonitorPid { get; set; }

    public long MonitorStartTime { get; set; }

    public int ExitCode { get; set; }

    public bool OomKilled { get; set; }

    public string Error { get; set; } = "";

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool AutoRemove { get; set; }

    public bool Detached { get; set; }

    public bool Tty { get; set; }

    public List<string> CgroupDirs { get; set; } = [];

    public string NetworkMode { get; set; } = "none";

    public long Memory { get; set; }

    public long NanoCpus { get; set; }

    public long PidsLimit { get; set; }

    public bool ReadonlyRootfs { get; set; }

    public bool Init { get; set; }

    public string ShortId => Id[..12];
}

/// <summary>
/// state.json ⇄ <see cref="ContainerRecord"/>, written by hand for start-up time (see
/// <see cref="JsonFields"/>); member names are docker inspect's, as the record's properties say.
/// </summary>
internal static class ContainerRecordJson
{
    public static byte[] Serialize(ContainerRecord r) => JsonWrites.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("Id", r.Id);
        w.WriteString("Name", r.Name);
        w.WriteString("Image", r.Image);
        w.WriteString("ImageId", r.ImageId);
        w.WriteString("Created", r.Created);
        w.WriteString("Path", r.Path);
        w.StringArray("Args", r.Args);
        w.WriteString("Status", r.Status);
        w.WriteNumber("Pid", r.Pid);
        w.WriteNumber("PidStartTime", r.PidStartTime);
        w.WriteNumber("MonitorPid", r.MonitorPid);
        w.WriteNumber("MonitorStartTime", r.MonitorStartTime);
        w.WriteNumber("ExitCode", r.ExitCode);
        w.WriteBoolean("OOMKilled", r.OomKilled);
        w.WriteString("Error", r.Error);
        w.OptionalTime("StartedAt", r.StartedAt);
        w.OptionalTime("FinishedAt", r.FinishedAt);
        w.WriteBoolean("AutoRemove", r.AutoRemove);
        w.WriteBoolean("Detached", r.Detached);
        w.WriteBoolean("Tty", r.Tty);
        w.StringArray("CgroupDirs", r.CgroupDirs);
        w.WriteString("NetworkMode", r.NetworkMode);
        w.WriteNumber("Memory", r.Memory);
        w.WriteNumber("NanoCpus", r.NanoCpus);
        w.WriteNumber("PidsLimit", r.PidsLimit);
        w.WriteBoolean("ReadonlyRootfs", r.ReadonlyRootfs);
        w.WriteBoolean("Init", r.Init);
        w.WriteEndObject();
    });

    /// <summary>Parses state.json; throws <see cref="JsonException"/> for malformed JSON or a member of the wrong kind.</summary>
    public static ContainerRecord Deserialize(ReadOnlyMemory<byte> json) => JsonFields.Read(json, "state.json", static o => new ContainerRecord
    {
        Id = o.String("Id") ?? "",
        Name = o.String("Name") ?? "",
        Image = o.String("Image") ?? "",
        ImageId = o.String("ImageId") ?? "",
        Created = o.Time("Created") ?? default,
        Path = o.String("Path") ?? "",
        Args = o.Strings("Args") ?? [],
        Status = o.String("Status") ?? ContainerStatus.Created,
        Pid = o.Int32("Pid") ?? 0,
        PidStartTime = o.Int64("PidStartTime") ?? 0,
        MonitorPid = o.Int32("MonitorPid") ?? 0,
        MonitorStartTime = o.Int64("MonitorStartTime") ?? 0,
        ExitCode = o.Int32("ExitCode") ?? 0,
        OomKilled = o.Bool("OOMKilled") ?? false,
        Error = o.String("Error") ?? "",
        StartedAt = o.Time("StartedAt"),
        FinishedAt = o.Time("FinishedAt"),
        AutoRemove = o.Bool("AutoRemove") ?? false,
        Detached = o.Bool("Detached") ?? false,
        Tty = o.Bool("Tty") ?? false,
        CgroupDirs = o.Strings("CgroupDirs") ?? [],
        NetworkMode = o.String("NetworkMode") ?? "none",
        Memory = o.Int64("Memory") ?? 0,
        NanoCpus = o.Int64("NanoCpus") ?? 0,
        PidsLimit = o.Int64("PidsLimit") ?? 0,
        ReadonlyRootfs = o.Bool("ReadonlyRootfs") ?? false,
        Init = o.Bool("Init") ?? false,
    });
}
