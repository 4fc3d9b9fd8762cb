using System.Text.Json;

namespace Forge.Containers.Runtime;

/// <summary>
/// config.json ⇄ <see cref="RuntimeSpec"/>, written by hand for start-up time (see
/// <see cref="JsonFields"/> for why and for the reading rules). Member names are the OCI runtime
/// spec's; nulls are omitted on writing.
/// </summary>
internal static class RuntimeSpecJson
{
    public static byte[] Serialize(RuntimeSpec spec) => JsonWrites.ToUtf8(w => Write(w, spec));

    /// <summary>Parses config.json; throws <see cref="JsonException"/> for malformed JSON or a member of the wrong kind.</summary>
    public static RuntimeSpec Deserialize(ReadOnlyMemory<byte> json) => JsonFields.Read(json, "config.json", Read);

    private static void Write(Utf8JsonWriter w, RuntimeSpec spec)
    {
        w.WriteStartObject();
        w.OptionalString("ociVersion", spec.OciVersion);

        var p = spec.Process;
        w.WriteStartObject("process");
        w.WriteBoolean("terminal", p.Terminal);
        if (p.ConsoleSize is { } size)
        {
            w.WriteStartObject("consoleSize");
            w.WriteNumber("height", size.Height);
            w.WriteNumber("width", size.Width);
            w.WriteEndObject();
        }

        w.WriteStartObject("user");
        w.WriteNumber("uid", p.User.Uid);
        w.WriteNumber("gid", p.User.Gid);
        if (p.User.AdditionalGids is { } gids)
        {
            w.WriteStartArray("additionalGids");
            foreach (var gid in gids)
            {
                w.WriteNumberValue(gid);
            }

            w.WriteEndArray();
        }

        w.OptionalString("username", p.User.Username);
        w.WriteEndObject();
        w.StringArray("args", p.Args);
        w.StringArray("env", p.Env);
        w.OptionalString("cwd", p.Cwd);
        if (p.Capabilities is { } caps)
        {
            w.WriteStartObject("capabilities");
            w.StringArray("bounding", caps.Bounding);
            w.StringArray("effective", caps.Effective);
            w.StringArray("permitted", caps.Permitted);
            w.StringArray("inheritable", caps.Inheritable);
            w.StringArray("ambient", caps.Ambient);
            w.WriteEndObject();
        }

        if (p.Rlimits is { } rlimits)
        {
            w.WriteStartArray("rlimits");
            foreach (var r in rlimits)
            {
                w.WriteStartObject();
                w.WriteString("type", r.Type);
                w.WriteNumber("hard", r.Hard);
                w.WriteNumber("soft", r.Soft);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteBoolean("noNewPrivileges", p.NoNewPrivileges);
        w.WriteEndObject();

        w.WriteStartObject("root");
        w.OptionalString("path", spec.Root.Path);
        w.WriteBoolean("readonly", spec.Root.Readonly);
        w.WriteEndObject();
        w.OptionalString("hostname", spec.Hostname);

        w.WriteStartArray("mounts");
        foreach (var m in spec.Mounts)
        {
            w.WriteStartObject();
            w.OptionalString("destination", m.Destination);
            w.OptionalString("type", m.Type);
            w.OptionalString("source", m.Source);
            w.StringArray("options", m.Options);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        var linux = spec.Linux;
        w.WriteStartObject("linux");
        w.WriteStartArray("namespaces");
        foreach (var ns in linux.Namespaces)
        {
            w.WriteStartObject();
            w.WriteString("type", ns.Type);
            w.OptionalString("path", ns.Path);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (linux.Resources is { } r2)
        {
            w.WriteStartObject("resources");
            if (r2.Memory is { } memory)
            {
                w.WriteStartObject("memory");
                w.OptionalNumber("limit", memory.Limit);
                w.OptionalNumber("swap", memory.Swap);
                w.WriteEndObject();
            }

            if (r2.Cpu is { } cpu)
            {
                w.WriteStartObject("cpu");
                w.OptionalNumber("quota", cpu.Quota);
                w.OptionalNumber("period", cpu.Period);
                w.WriteEndObject();
            }

            if (r2.Pids is { } pids)
            {
                w.WriteStartObject("pids");
                w.WriteNumber("limit", pids.Limit);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.OptionalString("cgroupsPath", linux.CgroupsPath);
        w.StringArray("maskedPaths", linux.MaskedPaths);
        w.StringArray("readonlyPaths", linux.ReadonlyPaths);
        w.WriteEndObject();

        w.WriteStartObject("annotations");
        foreach (var (key, value) in spec.Annotations)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static RuntimeSpec Read(JsonFields o)
    {
        var spec = new RuntimeSpec
        {
            OciVersion = o.String("ociVersion") ?? "1.1.0",
            Hostname = o.String("hostname"),
            Mounts = o.Objects("mounts", m => new SpecMount
            {
                Destination = m.String("destination") ?? "",
                Type = m.String("type"),
                Source = m.String("source"),
                Options = m.Strings("options"),
            }) ?? [],
            Annotations = o.StringMap("annotations") ?? [],
        };

        if (o.Object("process") is { } p)
        {
            var process = spec.Process;
            process.Terminal = p.Bool("terminal") ?? false;
            if (p.Object("consoleSize") is { } size)
            {
                process.ConsoleSize = new SpecConsoleSize { Height = size.UInt32("height") ?? 0, Width = size.UInt32("width") ?? 0 };
            }

            if (p.Object("user") is { } user)
            {
                process.User = new SpecUser
                {
                    Uid = user.Int32("uid") ?? 0,
                    Gid = user.Int32("gid") ?? 0,
                    AdditionalGids = user.Int32s("additionalGids"),
                    Username = user.String("username"),
                };
            }

            process.Args = p.Strings("args") ?? [];
            process.Env = p.Strings("env") ?? [];
            process.Cwd = p.String("cwd") ?? "/";
            if (p.Object("capabilities") is { } caps)
            {
                process.Capabilities = new SpecCapabilities
                {
                    Bounding = caps.Strings("bounding") ?? [],
                    Effective = caps.Strings("effective") ?? [],
                    Permitted = caps.Strings("permitted") ?? [],
                    Inheritable = caps.Strings("inheritable") ?? [],
                    Ambient = caps.Strings("ambient") ?? [],
                };
            }

            process.Rlimits = p.Objects("rlimits", r => new SpecRlimit
            {
                Type = r.String("type") ?? "",
                Hard = r.UInt64("hard") ?? 0,
                Soft = r.UInt64("soft") ?? 0,
            });
            process.NoNewPrivileges = p.Bool("noNewPrivileges") ?? false;
        }

        if (o.Object("root") is { } root)
        {
            spec.Root = new SpecRoot { Path = root.String("path") ?? "rootfs", Readonly = root.Bool("readonly") ?? false };
        }

        if (o.Object("linux") is { } linux)
        {
            var l = spec.Linux;
            l.Namespaces = linux.Objects("namespaces", n => new SpecNamespace { Type = n.String("type") ?? "", Path = n.String("path") }) ?? [];
            if (linux.Object("resources") is { } r)
            {
                l.Resources = new SpecResources
                {
                    Memory = r.Object("memory") is { } m ? new SpecMemory { Limit = m.Int64("limit"), Swap = m.Int64("swap") } : null,
                    Cpu = r.Object("cpu") is { } c ? new SpecCpu { Quota = c.Int64("quota"), Period = c.UInt64("period") } : null,
                    Pids = r.Object("pids") is { } pids ? new SpecPids { Limit = pids.Int64("limit") ?? 0 } : null,
                };
            }

            l.CgroupsPath = linux.String("cgroupsPath");
            l.MaskedPaths = linux.Strings("maskedPaths") ?? [];
            l.ReadonlyPaths = linux.Strings("readonlyPaths") ?? [];
        }

        return spec;
    }
}
