using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Forge.Cache.Server;

/// <summary>The INFO text, section by section, with Redis 7.0's field names.</summary>
internal static class ServerInfo
{
    /// <summary>The Redis version forge cache reports (clients gate features on it).</summary>
    public const string RedisVersion = "7.0.15";

    private static readonly string[] s_defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];
    private static readonly string[] s_allSections = [.. s_defaultSections, "commandstats"];

    public static string Build(CacheServer server, IReadOnlyList<string> requested)
    {
        var sections = new List<string>();
        if (requested.Count == 0)
        {
            sections.AddRange(s_defaultSections);
        }
        else
        {
            foreach (var r in requested)
            {
                var s = r.ToLowerInvariant();
                switch (s)
                {
                    case "default":
                        sections.AddRange(s_defaultSections);
                        break;
                    case "all":
                    case "everything":
                        sections.AddRange(s_allSections);
                        break;
                    default:
                        sections.Add(s);
                        break;
                }
            }
        }

        var sb = new StringBuilder();
        foreach (var section in sections.Distinct())
        {
            var start = sb.Length;
            if (sb.Length > 0)
            {
                sb.Append("\r\n");
            }

            var before = sb.Length;
            if (!AppendSection(server, section, sb))
            {
                sb.Length = start;
            }
            else if (sb.Length == before)
            {
                sb.Length = start;
            }
        }

        return sb.ToString();
    }

    private static bool AppendSection(CacheServer server, string section, StringBuilder sb)
    {
        var process = Process.GetCurrentProcess();
        var inv = CultureInfo.InvariantCulture;
        void F(string name, object value) => sb.Append(name).Append(':').Append(Convert.ToString(value, inv)).Append("\r\n");
        switch (section)
        {
            case "server":
                sb.Append("# Server\r\n");
                F("redis_version", RedisVersion);
                F("redis_git_sha1", "00000000");
                F("redis_git_dirty", 0);
                F("redis_build_id", "0");
                F("redis_mode", "standalone");
                F("os", $"{Environment.OSVersion.Platform} {Environment.OSVersion.Version} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}".Replace("Unix", "Linux", StringComparison.Ordinal));
                F("arch_bits", Environment.Is64BitProcess ? 64 : 32);
                F("monotonic_clock", "POSIX clock_gettime");
                F("multiplexing_api", "epoll");
                F("atomicvar_api", "c11-builtin");
                F("gcc_version", "0.0.0");
                F("process_id", Environment.ProcessId);
                F("process_supervised", "no");
                F("run_id", RunId);
                F("tcp_port", server.EndPoints.Count > 0 ? server.EndPoints[0].Port : server.Config.Port);
                F("server_time_usec", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
                var uptime = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - server.StartTimeMs) / 1000;
                F("uptime_in_seconds", uptime);
                F("uptime_in_days", uptime / 86400);
                F("hz", server.Config.GetLong("hz"));
                F("configured_hz", server.Config.GetLong("hz"));
                F("lru_clock", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() & ((1 << 24) - 1)));
                F("executable", Environment.ProcessPath ?? "");
                F("config_file", "");
                F("io_threads_active", 0);
                F("forge_version", typeof(ServerInfo).Assembly.GetName().Version?.ToString() ?? "0");
                return true;
            case "clients":
                sb.Append("# Clients\r\n");
                F("connected_clients", server.ClientCount);
                F("cluster_connections", 0);
                F("maxclients", server.Config.GetLong("maxclients"));
                F("client_recent_max_input_buffer", server.Clients.Select(c => c.QueryBufferSize).DefaultIfEmpty(0).Max());
                F("client_recent_max_output_buffer", server.Clients.Select(c => c.PendingOutputBytes).DefaultIfEmpty(0).Max());
                F("blocked_clients", server.Blocking.BlockedClients);
                F("tracking_clients", 0);
                F("clients_in_timeout_table", server.Blocking.BlockedClients);
                return true;
            case "memory":
                sb.Append("# Memory\r\n");
                var used = GC.GetTotalMemory(false);
                var rss = process.WorkingSet64;
                F("used_memory", used);
                F("used_memory_human", Human(used));
                F("used_memory_rss", rss);
                F("used_memory_rss_human", Human(rss));
                F("used_memory_peak", process.PeakWorkingSet64);
                F("used_memory_peak_human", Human(process.PeakWorkingSet64));
                F("used_memory_startup", 0);
                F("used_memory_dataset", used);
                F("total_system_memory", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
                F("maxmemory", server.Config.GetLong("maxmemory"));
                F("maxmemory_human", Human(server.Config.GetLong("maxmemory")));
                F("maxmemory_policy", server.Config["maxmemory-policy"]);
                F("mem_fragmentation_ratio", used == 0 ? "0" : ((double)rss / used).ToString("F2", inv));
                F("mem_allocator", "dotnet-gc");
                F("lazyfree_pending_objects", 0);
                return true;
            case "persistence":
                sb.Append("# Persistence\r\n");
                F("loading", 0);
                F("async_loading", 0);
                F("current_cow_peak", 0);
                F("rdb_changes_since_last_save", server.Dirty);
                F("rdb_bgsave_in_progress", 0);
                F("rdb_last_save_time", server.LastSaveUnix);
                F("rdb_last_bgsave_status", server.LastSaveOk ? "ok" : "err");
                F("aof_enabled", 0);
                F("aof_rewrite_in_progress", 0);
                F("aof_rewrite_scheduled", 0);
                F("aof_last_bgrewrite_status", "ok");
                F("aof_last_write_status", "ok");
                return true;
            case "stats":
                sb.Append("# Stats\r\n");
                var st = server.Stats;
                F("total_connections_received", st.ConnectionsReceived);
                F("total_commands_processed", st.Commands);
                F("instantaneous_ops_per_sec", 0);
                F("rejected_connections", st.RejectedConnections);
                F("expired_keys", server.Keyspace.ExpiredKeys);
                F("evicted_keys", 0);
                F("evicted_clients", 0);
                F("total_eviction_exceeded_time", 0);
                F("keyspace_hits", st.KeyspaceHits);
                F("keyspace_misses", st.KeyspaceMisses);
                F("pubsub_channels", server.PubSub.ChannelCount);
                F("pubsub_patterns", server.PubSub.PatternCount);
                F("pubsubshard_channels", 0);
                F("client_query_buffer_limit_disconnections", 0);
                F("client_output_buffer_limit_disconnections", st.OutputLimitDisconnections);
                F("total_error_replies", st.TotalErrorReplies);
                F("unexpected_error_replies", 0);
                F("total_reads_processed", st.Commands);
                F("total_writes_processed", st.Commands);
                return true;
            case "replication":
                sb.Append("# Replication\r\n");
                F("role", "master");
                F("connected_slaves", 0);
                F("master_failover_state", "no-failover");
                F("master_replid", RunId);
                F("master_repl_offset", 0);
                F("repl_backlog_active", 0);
                return true;
            case "cpu":
                sb.Append("# CPU\r\n");
                F("used_cpu_sys", process.PrivilegedProcessorTime.TotalSeconds.ToString("F6", inv));
                F("used_cpu_user", process.UserProcessorTime.TotalSeconds.ToString("F6", inv));
                return true;
            case "modules":
                sb.Append("# Modules\r\n");
                return true;
            case "errorstats":
                sb.Append("# Errorstats\r\n");
                foreach (var (prefix, count) in server.Stats.ErrorCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    F("errorstat_" + prefix, $"count={count}");
                }

                return true;
            case "cluster":
                sb.Append("# Cluster\r\n");
                F("cluster_enabled", 0);
                return true;
            case "keyspace":
                sb.Append("# Keyspace\r\n");
                for (var i = 0; i < server.Keyspace.Count; i++)
                {
                    var db = server.Keyspace[i];
                    if (db.Count > 0)
                    {
                        F("db" + i, $"keys={db.Count},expires={db.Expires.Count},avg_ttl=0");
                    }
                }

                return true;
            case "commandstats":
                sb.Append("# Commandstats\r\n");
                foreach (var cmd in server.Commands.All.SelectMany(c => c.Subcommands is null ? [c] : c.Subcommands.Values.Prepend(c)).OrderBy(c => c.FullName, StringComparer.Ordinal))
                {
                    if (cmd.Calls == 0 && cmd.RejectedCalls == 0 && cmd.FailedCalls == 0)
                    {
                        continue;
                    }

                    var per = cmd.Calls == 0 ? 0 : (double)cmd.Microseconds / cmd.Calls;
                    F("cmdstat_" + cmd.FullName, $"calls={cmd.Calls},usec={cmd.Microseconds},usec_per_call={per.ToString("F2", inv)},rejected_calls={cmd.RejectedCalls},failed_calls={cmd.FailedCalls}");
                }

                return true;
            default:
                return false;
        }
    }

    private static readonly string s_runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    public static string RunId => s_runId;

    private static string Human(long bytes)
    {
        var inv = CultureInfo.InvariantCulture;
        return bytes switch
        {
            < 1024 => bytes.ToString(inv) + "B",
            < 1024 * 1024 => (bytes / 1024.0).ToString("F2", inv) + "K",
            < 1024L * 1024 * 1024 => (bytes / 1024.0 / 1024).ToString("F2", inv) + "M",
            _ => (bytes / 1024.0 / 1024 / 1024).ToString("F2", inv) + "G",
        };
    }
}
