using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Forge.Containers.Runtime;

namespace Forge.Containers.Tests;

/// <summary>
/// The hand-written config.json and state.json codecs: round trips, what the source-generated
/// serializer wrote before them (stores on disk), a bundle made by runc, and hostile input.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class JsonCodecTests
{
    private static RuntimeSpec FullSpec() => new()
    {
        Hostname = "box\"é",
        Process = new SpecProcess
        {
            Terminal = true,
            ConsoleSize = new SpecConsoleSize { Height = 24, Width = 80 },
            User = new SpecUser { Uid = 1000, Gid = 100, AdditionalGids = [10, 20], Username = "nobody" },
            Args = ["/bin/sh", "-c", "echo 'a b' <&>"],
            Env = ["PATH=/bin", "X=ü"],
            Cwd = "/srv",
            Capabilities = new SpecCapabilities { Bounding = ["CAP_CHOWN"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"], Inheritable = [], Ambient = [] },
            Rlimits = [new SpecRlimit { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Soft = 1024 }],
            NoNewPrivileges = true,
        },
        Root = new SpecRoot { Path = "/x/rootfs", Readonly = true },
        Mounts = [new SpecMount { Destination = "/proc", Type = "proc", Source = "proc" }, new SpecMount { Destination = "/data", Source = "/host", Options = ["rbind", "ro"] }],
        Linux = new SpecLinux
        {
            Namespaces = [new SpecNamespace { Type = "pid" }, new SpecNamespace { Type = "network", Path = "/proc/1/ns/net" }],
            Resources = new SpecResources
            {
                Memory = new SpecMemory { Limit = 256L << 20, Swap = 256L << 20 },
                Cpu = new SpecCpu { Quota = 50000, Period = 100000 },
                Pids = new SpecPids { Limit = 10 },
            },
            CgroupsPath = "/forge/abc",
            MaskedPaths = ["/proc/kcore"],
            ReadonlyPaths = ["/proc/sys"],
        },
        Annotations = new() { ["org.forge.rootfs.overlay"] = "lowerdir=/a:/b", ["k"] = "v" },
    };

    [Fact]
    public void RuntimeSpec_RoundTrips_EveryMember()
    {
        var spec = FullSpec();
        var back = RuntimeSpecJson.Deserialize(RuntimeSpecJson.Serialize(spec));
        Assert.Equal(Encoding.UTF8.GetString(RuntimeSpecJson.Serialize(spec)), Encoding.UTF8.GetString(RuntimeSpecJson.Serialize(back)));
        Assert.Equal("box\"é", back.Hostname);
        Assert.Equal(["/bin/sh", "-c", "echo 'a b' <&>"], back.Process.Args);
        Assert.Equal(ulong.MaxValue, back.Process.Rlimits![0].Hard);
        Assert.Equal([10, 20], back.Process.User.AdditionalGids!);
        Assert.Equal(50000, back.Linux.Resources!.Cpu!.Quota);
        Assert.Equal("/proc/1/ns/net", back.Linux.Namespaces[1].Path);
        Assert.Equal("lowerdir=/a:/b", back.Annotations["org.forge.rootfs.overlay"]);
        Assert.Equal(["rbind", "ro"], back.Mounts[1].Options!);
        Assert.Null(back.Mounts[0].Options);
    }

    [Fact]
    public void RuntimeSpec_OmitsNulls_AndKeepsDefaultsForMissingMembers()
    {
        var json = Encoding.UTF8.GetString(RuntimeSpecJson.Serialize(new RuntimeSpec()));
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("hostname", json, StringComparison.Ordinal);
        var spec = RuntimeSpecJson.Deserialize("{\"process\":{\"args\":[\"true\"],\"cwd\":null}}"u8.ToArray());
        Assert.Equal("/", spec.Process.Cwd);
        Assert.Equal("rootfs", spec.Root.Path);
        Assert.Empty(spec.Mounts);
        Assert.Null(spec.Linux.Resources);
    }

    /// <summary>The bundle runc itself writes (`runc spec`): forge must read a peer's config.json, skipping what it does not know.</summary>
    [Fact]
    public void RuntimeSpec_ReadsRuncsOwnSpec()
    {
        var dir = Directory.CreateTempSubdirectory("forge-runc-spec-");
        try
        {
            var runc = Process.Start(new ProcessStartInfo("runc", "spec") { WorkingDirectory = dir.FullName, RedirectStandardError = true })
                ?? throw new InvalidOperationException("runc did not start");
            runc.WaitForExit();
            Assert.True(runc.ExitCode == 0, "runc spec failed (is runc installed? test.sh installs it): " + runc.StandardError.ReadToEnd());
            var spec = RuntimeSpecJson.Deserialize(File.ReadAllBytes(Path.Combine(dir.FullName, "config.json")));
            Assert.Equal(["sh"], spec.Process.Args);
            Assert.Equal("rootfs", spec.Root.Path);
            Assert.True(spec.Root.Readonly);
            Assert.Contains(spec.Mounts, m => m.Destination == "/proc" && m.Type == "proc");
            Assert.Contains(spec.Linux.Namespaces, n => n.Type == "pid");
            Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths);
            Assert.Contains("CAP_KILL", spec.Process.Capabilities!.Bounding);
            Assert.Contains(spec.Process.Rlimits!, r => r.Type == "RLIMIT_NOFILE");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ContainerRecord_RoundTrips_AndReadsWhatTheSerializerWroteBefore()
    {
        var record = new ContainerRecord
        {
            Id = new string('a', 64),
            Name = "eager_turing",
            Image = "bb:1",
            ImageId = "sha256:" + new string('b', 64),
            Created = new DateTimeOffset(2026, 11, 26, 15, 44, 0, 123, TimeSpan.Zero).AddTicks(4567),
            Path = "sh",
            Args = ["-c", "exit 3"],
            Status = ContainerStatus.Exited,
            Pid = 42,
            PidStartTime = 1234567,
            MonitorPid = 41,
            MonitorStartTime = 1234500,
            ExitCode = 137,
            OomKilled = true,
            Error = "oom",
            StartedAt = new DateTimeOffset(2026, 11, 26, 15, 44, 1, TimeSpan.FromHours(1)),
            AutoRemove = true,
            Tty = true,
            CgroupDirs = ["/sys/fs/cgroup/memory/forge/x"],
            NetworkMode = "host",
            Memory = 1 << 20,
            NanoCpus = 500_000_000,
            PidsLimit = 5,
            ReadonlyRootfs = true,
            Init = true,
        };
        var back = ContainerRecordJson.Deserialize(ContainerRecordJson.Serialize(record));
        Assert.Equal(ContainerRecordJson.Serialize(record), ContainerRecordJson.Serialize(back));
        Assert.Equal(record.Created, back.Created);
        Assert.Equal(record.StartedAt, back.StartedAt);
        Assert.Null(back.FinishedAt);
        Assert.True(back.OomKilled);
        Assert.Equal(137, back.ExitCode);

        // state.json as System.Text.Json's source-generated serializer wrote it ('+' escaped, nulls omitted).
        var old = """{"Id":"abc","Name":"n","Image":"i","ImageId":"sha256:1","Created":"2026-11-26T15:44:00.1234567\u002B00:00","Path":"true","Args":[],"Status":"running","Pid":7,"PidStartTime":8,"MonitorPid":9,"MonitorStartTime":10,"ExitCode":0,"OOMKilled":false,"Error":"","StartedAt":"2026-11-26T15:44:00.2\u002B00:00","AutoRemove":false,"Detached":true,"Tty":false,"CgroupDirs":["/sys/fs/cgroup/pids/forge/abc"],"NetworkMode":"none","Memory":0,"NanoCpus":0,"PidsLimit":0,"ReadonlyRootfs":false,"Init":false}""";
        var r = ContainerRecordJson.Deserialize(Encoding.UTF8.GetBytes(old));
        Assert.Equal(ContainerStatus.Running, r.Status);
        Assert.Equal(7, r.Pid);
        Assert.True(r.Detached);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 15, 44, 0, TimeSpan.Zero).AddTicks(1234567), r.Created);
        Assert.Equal(["/sys/fs/cgroup/pids/forge/abc"], r.CgroupDirs);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"process\":[]}", "$.process: expected an object")]
    [InlineData("{\"process\":{\"args\":\"sh\"}}", "$.process.args: expected an array")]
    [InlineData("{\"process\":{\"args\":[1]}}", "$.process.args[0]: expected a string")]
    [InlineData("{\"process\":{\"user\":{\"uid\":1e99}}}", "$.process.user.uid: 1e99 is out of range")]
    [InlineData("{\"process\":{\"user\":{\"uid\":-1.5}}}", "out of range")]
    [InlineData("{\"process\":{\"terminal\":\"yes\"}}", "$.process.terminal: expected true or false")]
    [InlineData("{\"annotations\":{\"k\":1}}", "$.annotations.k: expected a string")]
    [InlineData("{\"linux\":{\"resources\":{\"pids\":{\"limit\":\"10\"}}}}", "$.linux.resources.pids.limit: expected a number")]
    [InlineData("{\"process\":{", "")]
    public void RuntimeSpec_MalformedInput_IsAJsonExceptionNamingTheMember(string json, string message)
    {
        var e = Assert.ThrowsAny<JsonException>(() => RuntimeSpecJson.Deserialize(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerRecord_BadTime_IsAJsonException()
    {
        var e = Assert.ThrowsAny<JsonException>(() => ContainerRecordJson.Deserialize("{\"Created\":\"yesterday\"}"u8.ToArray()));
        Assert.Contains("$.Created", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Random mutations of valid documents for a bounded time: a JsonException or a value, never anything else.</summary>
    [Fact]
    public void Mutated_Documents_OnlyEverThrowJsonException()
    {
        var seeds = new[] { RuntimeSpecJson.Serialize(FullSpec()), ContainerRecordJson.Serialize(new ContainerRecord { Id = "x", Args = ["a"], CgroupDirs = ["b"] }) };
        var random = new Random(7);
        var deadline = Stopwatch.StartNew();
        var runs = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(2))
        {
            var which = random.Next(2);
            var bytes = (byte[])seeds[which].Clone();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                var at = random.Next(bytes.Length);
                bytes[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)"{}[]\":,0-e.9tfn\\"[random.Next(16)],
                    _ => bytes[random.Next(bytes.Length)],
                };
            }

            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            try
            {
                _ = which == 0 ? RuntimeSpecJson.Deserialize(bytes) : (object)ContainerRecordJson.Deserialize(bytes);
            }
            catch (JsonException)
            {
            }

            runs++;
        }

        Assert.True(runs > 1000, $"only {runs} documents in 2 s");
    }
}
