using System.CommandLine;
using Forge.Cache.Config;
using Forge.Cache.Server;
using Microsoft.Extensions.Logging;

namespace Forge.Cache;

/// <summary>
/// `forge cache`: a Redis-compatible server. Takes a redis.conf-syntax file (--config FILE, or as
/// the first argument like redis-server) and any directive as "--name value" on the command line,
/// applied after the file, as redis-server does.
/// </summary>
public static class CacheCommand
{
    private const int ExitUsage = 2;
    private const int ExitRuntime = 1;

    public static Command Create(Func<ParseResult, ILoggerFactory> loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var port = new Option<string?>("--port") { Description = "TCP port (default 6379; 0 picks a free port and prints it)" };
        var bind = new Option<string?>("--bind") { Description = "Addresses to listen on, space-separated (default 127.0.0.1)" };
        var requirepass = new Option<string?>("--requirepass") { Description = "Password clients must give with AUTH" };
        var databases = new Option<string?>("--databases") { Description = "Number of databases (default 16)" };
        var config = new Option<string?>("--config") { Description = "Configuration file in redis.conf syntax" };
        var command = new Command("cache", "Run a Redis-compatible server (RESP2/RESP3). Any redis.conf directive can be given as --name value.")
        {
            port, bind, requirepass, databases, config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var directives = new List<(string Name, string Value, string Origin)>();
            void AddOpt(Option<string?> o, string name)
            {
                if (result.GetValue(o) is { } v)
                {
                    directives.Add((name, v, $"--{name} {v}"));
                }
            }

            var tokens = result.UnmatchedTokens.ToList();
            string? positionalFile = null;
            if (tokens.Count > 0 && !tokens[0].StartsWith("--", StringComparison.Ordinal))
            {
                // redis-server /path/to/redis.conf --port 7000: the file may come first.
                positionalFile = tokens[0];
                tokens.RemoveAt(0);
            }

            for (var i = 0; i < tokens.Count; i++)
            {
                var t = tokens[i];
                if (!t.StartsWith("--", StringComparison.Ordinal) || t.Length == 2)
                {
                    await Console.Error.WriteLineAsync($"forge cache: unexpected argument '{t}'").ConfigureAwait(false);
                    return ExitUsage;
                }

                var words = new List<string>();
                while (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    words.Add(tokens[++i]);
                }

                directives.Add((t[2..], string.Join(' ', words), $"{t[2..]} {string.Join(' ', words)}".TrimEnd()));
            }

            AddOpt(port, "port");
            AddOpt(bind, "bind");
            AddOpt(requirepass, "requirepass");
            AddOpt(databases, "databases");

            var cfg = new CacheConfig();
            var path = result.GetValue(config) ?? positionalFile;
            if (path is not null)
            {
                if (!File.Exists(path))
                {
                    await Console.Error.WriteLineAsync($"Fatal error, can't open config file '{Path.GetFullPath(path)}': No such file or directory").ConfigureAwait(false);
                    return ExitRuntime;
                }

                var error = ConfigFile.Load(cfg, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
                if (error is not null)
                {
                    await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                    return ExitRuntime;
                }
            }

            // Command-line directives come after the file's lines, as redis-server appends them.
            var line = 0;
            foreach (var (name, value, origin) in directives)
            {
                var cliError = ConfigFile.Apply(cfg, name, value, ++line, origin);
                if (cliError is not null)
                {
                    await Console.Error.WriteLineAsync(cliError).ConfigureAwait(false);
                    return ExitRuntime;
                }
            }

            using var factory = loggerFactory(result);
            var logger = factory.CreateLogger("forge.cache");
            var server = new CacheServer(cfg, logger);
            if (server.LoadRdb() is { } loadError)
            {
                logger.LogCritical("{Error}", loadError);
                await server.DisposeAsync().ConfigureAwait(false);
                return ExitRuntime;
            }

            try
            {
                server.Start();
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync($"forge cache: {ex.Message}").ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
                return ExitRuntime;
            }

            foreach (var ep in server.EndPoints)
            {
                logger.LogInformation("Ready to accept connections tcp {Address}:{Port}", ep.Address, ep.Port);
            }

            if (cfg.RequirePass.Length == 0 && server.EndPoints.Any(e => !System.Net.IPAddress.IsLoopback(e.Address)))
            {
                logger.LogWarning("Listening on a non-loopback address without requirepass: anyone who can reach it can read and change every key");
            }

            try
            {
                await server.ShutdownRequested.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Redis is now ready to exit, bye bye...");
            }
            catch (OperationCanceledException)
            {
                logger.LogInformation("Received SIGINT/SIGTERM scheduling shutdown...");
                if (server.SavePointsConfigured)
                {
                    logger.LogInformation("Saving the final RDB snapshot before exiting.");
                    lock (server.Gate)
                    {
                        server.SaveRdb();
                    }
                }
            }
            finally
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
