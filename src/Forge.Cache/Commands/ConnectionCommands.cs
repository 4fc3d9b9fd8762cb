using System.Security.Cryptography;
using System.Text;
using Forge.Cache.Server;

namespace Forge.Cache.Commands;

/// <summary>Connection commands: PING ECHO SELECT QUIT HELLO AUTH RESET, and CLIENT.</summary>
internal static class ConnectionCommands
{
    public static void Register(CommandTable t)
    {
        t.Add("ping", -1, "fast", 0, 0, 0, Ping, "connection");
        t.Add("echo", 2, "fast", 0, 0, 0, Echo, "connection");
        t.Add("select", 2, "loading stale fast", 0, 0, 0, Select, "connection");
        t.Add("quit", -1, "no_auth allow_busy fast", 0, 0, 0, Quit, "connection");
        t.Add("hello", -1, "no_auth fast", 0, 0, 0, Hello, "connection");
        t.Add("auth", -2, "no_auth fast", 0, 0, 0, Auth, "connection");
        t.Add("reset", 1, "no_auth fast", 0, 0, 0, Reset, "connection");

        var client = t.AddContainer("client", "connection");
        CommandTable.Sub(client, "id", 2, "loading stale", 0, 0, 0, c => c.Reply.Integer(c.Client.Id));
        CommandTable.Sub(client, "setname", 3, "loading stale", 0, 0, 0, ClientSetName);
        CommandTable.Sub(client, "getname", 2, "loading stale", 0, 0, 0, c =>
        {
            if (c.Client.Name.Length == 0)
            {
                c.Reply.Null();
            }
            else
            {
                c.Reply.Bulk(c.Client.Name);
            }
        });
        CommandTable.Sub(client, "list", -2, "admin loading stale", 0, 0, 0, ClientList);
        CommandTable.Sub(client, "info", 2, "loading stale", 0, 0, 0, c => c.Reply.Verbatim(Describe(c.Server, c.Client) + "\n"));
        CommandTable.Sub(client, "kill", -3, "admin loading stale", 0, 0, 0, ClientKill);
        CommandTable.Sub(client, "unblock", -3, "admin loading stale", 0, 0, 0, ClientUnblock);
        CommandTable.Sub(client, "no-evict", 3, "admin loading stale", 0, 0, 0, c =>
        {
            if (c.ArgIs(2, "on"u8) || c.ArgIs(2, "off"u8))
            {
                c.Client.NoEvict = c.ArgIs(2, "on"u8);
                c.Reply.Ok();
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
            }
        });
        CommandTable.Sub(client, "setinfo", 4, "loading stale", 0, 0, 0, c => c.Reply.Ok());
        CommandTable.Sub(client, "reply", 3, "loading stale", 0, 0, 0, ClientReply);
        CommandTable.Sub(client, "help", 2, "loading stale", 0, 0, 0, c => Help(c, "CLIENT",
            "ID", "    Return the ID of the current connection.",
            "GETNAME", "    Return the name of the current connection.",
            "KILL <ip:port>", "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME.",
            "LIST [options ...]", "    Return information about client connections. Options: TYPE, ID.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "INFO", "    Return information about the current client connection."));
    }

    /// <summary>The "CMD &lt;subcommand&gt; ..." help array every container command has.</summary>
    public static void Help(CommandContext c, string command, params string[] lines)
    {
        c.Reply.ArrayHeader(lines.Length + 3);
        c.Reply.Simple($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var l in lines)
        {
            c.Reply.Simple(l);
        }

        c.Reply.Simple("HELP");
        c.Reply.Simple("    Prints this help.");
    }

    private static void Ping(CommandContext c)
    {
        if (c.ArgCount > 2)
        {
            c.Reply.Error(Errors.WrongArgs("ping"));
            return;
        }

        if (c.Client.SubscriptionCount > 0 && c.Reply.Protocol == 2)
        {
            // In RESP2 pub/sub mode PING answers with a "pong" message array.
            c.Reply.ArrayHeader(2);
            c.Reply.Bulk("pong"u8);
            c.Reply.Bulk(c.ArgCount == 2 ? c.Arg(1) : []);
            return;
        }

        if (c.ArgCount == 2)
        {
            c.Reply.Bulk(c.Arg(1));
        }
        else
        {
            c.Reply.Pong();
        }
    }

    private static void Echo(CommandContext c) => c.Reply.Bulk(c.Arg(1));

    private static void Select(CommandContext c)
    {
        if (!c.TryGetLong(1, out var index))
        {
            return;
        }

        if (index < 0 || index >= c.Keyspace.Count)
        {
            c.Reply.Error(Errors.DbIndexOutOfRange);
            return;
        }

        c.Client.DbIndex = (int)index;
        c.Reply.Ok();
    }

    private static void Quit(CommandContext c)
    {
        c.Reply.Ok();
        c.Client.CloseAfterReply = true;
    }

    private static bool CheckPassword(CommandContext c, ReadOnlySpan<byte> given)
    {
        var expected = Encoding.UTF8.GetBytes(c.Server.Config.RequirePass);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(expected));
    }

    private static void Auth(CommandContext c)
    {
        if (c.ArgCount > 3)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        if (!c.Server.AuthRequired)
        {
            if (c.ArgCount == 2)
            {
                c.Reply.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            }
            else if (c.ArgIs(1, "default"u8))
            {
                c.Client.Authenticated = true;
                c.Reply.Ok();
            }
            else
            {
                c.Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
            }

            return;
        }

        var userOk = c.ArgCount == 2 || c.ArgIs(1, "default"u8);
        if (userOk && CheckPassword(c, c.Arg(c.ArgCount - 1)))
        {
            c.Client.Authenticated = true;
            c.Reply.Ok();
        }
        else
        {
            c.Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    /// <summary>HELLO [protover [AUTH username password] [SETNAME clientname]].</summary>
    private static void Hello(CommandContext c)
    {
        var version = c.Reply.Protocol;
        var i = 1;
        if (c.ArgCount >= 2)
        {
            if (!Protocol.NumberFormat.TryParseLong(c.Arg(1), out var v))
            {
                c.Reply.Error("ERR Protocol version is not an integer or out of range");
                return;
            }

            if (v is < 2 or > 3)
            {
                c.Reply.Error("NOPROTO unsupported protocol version");
                return;
            }

            version = (int)v;
            i = 2;
        }

        string? name = null;
        for (; i < c.ArgCount; i++)
        {
            var more = c.ArgCount - i - 1;
            if (c.ArgIs(i, "AUTH"u8) && more >= 2)
            {
                var user = c.Arg(i + 1);
                var pass = c.Arg(i + 2);
                var ok = CommandContext.EqualsIgnoreCase(user, "default"u8) && (!c.Server.AuthRequired || CheckPassword(c, pass));
                if (!ok)
                {
                    c.Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }

                c.Client.Authenticated = true;
                i += 2;
            }
            else if (c.ArgIs(i, "SETNAME"u8) && more >= 1)
            {
                name = c.ArgString(i + 1);
                if (!ValidName(name))
                {
                    c.Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }

                i++;
            }
            else
            {
                c.Reply.Error($"ERR Syntax error in HELLO option '{c.ArgString(i)}'");
                return;
            }
        }

        if (!c.Client.Authenticated)
        {
            c.Reply.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }

        if (name is not null)
        {
            c.Client.Name = name;
        }

        c.Reply.Protocol = version;
        var r = c.Reply;
        r.MapHeader(7);
        r.Bulk("server"u8);
        r.Bulk("redis"u8);
        r.Bulk("version"u8);
        r.Bulk(ServerInfo.RedisVersion);
        r.Bulk("proto"u8);
        r.Integer(version);
        r.Bulk("id"u8);
        r.Integer(c.Client.Id);
        r.Bulk("mode"u8);
        r.Bulk("standalone"u8);
        r.Bulk("role"u8);
        r.Bulk("master"u8);
        r.Bulk("modules"u8);
        r.EmptyArray();
    }

    private static void Reset(CommandContext c)
    {
        var client = c.Client;
        if (client.InMulti)
        {
            client.InMulti = false;
            client.MultiQueue.Clear();
            client.MultiFailed = false;
        }

        c.Server.Watches.UnwatchAll(client);
        c.Server.PubSub.RemoveClient(client);
        if (client.IsMonitor)
        {
            client.IsMonitor = false;
            c.Server.Monitors.Remove(client);
        }

        client.DbIndex = 0;
        client.Name = "";
        client.NoEvict = false;
        c.Reply.Protocol = 2;
        client.Authenticated = !c.Server.AuthRequired;
        c.Reply.Simple("RESET"u8);
    }

    internal static bool ValidName(string name)
    {
        foreach (var ch in name)
        {
            if (ch is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static void ClientReply(CommandContext c)
    {
        if (c.ArgIs(2, "ON"u8))
        {
            c.Client.ReplyOff = false;
            c.Reply.Ok();
        }
        else if (c.ArgIs(2, "OFF"u8))
        {
            c.Client.ReplyOff = true;
        }
        else if (c.ArgIs(2, "SKIP"u8))
        {
            if (!c.Client.ReplyOff)
            {
                // SKIP itself has no reply; ExecuteLocked drops the next command's.
                c.Client.SkipReplies();
            }
        }
        else
        {
            c.Reply.Error(Errors.Syntax);
        }
    }

    private static void ClientSetName(CommandContext c)
    {
        var name = c.ArgString(2);
        if (!ValidName(name))
        {
            c.Reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }

        c.Client.Name = name;
        c.Reply.Ok();
    }

    /// <summary>One CLIENT LIST line, fields as Redis 7.0 prints them.</summary>
    internal static string Describe(CacheServer server, Client cl)
    {
        var now = Environment.TickCount64;
        var age = (now - cl.CreatedMs) / 1000;
        var idle = (now - cl.LastInteractionMs) / 1000;
        var multi = cl.InMulti ? cl.MultiQueue.Count : -1;
        var sb = new StringBuilder();
        sb.Append("id=").Append(cl.Id)
          .Append(" addr=").Append(cl.Address)
          .Append(" laddr=").Append(cl.LocalAddress)
          .Append(" fd=8 name=").Append(cl.Name)
          .Append(" age=").Append(age)
          .Append(" idle=").Append(idle)
          .Append(" flags=").Append(cl.FlagLetters)
          .Append(" db=").Append(cl.DbIndex)
          .Append(" sub=").Append(cl.Channels.Count)
          .Append(" psub=").Append(cl.Patterns.Count)
          .Append(" ssub=0 multi=").Append(multi)
          .Append(" qbuf=").Append(cl.QueryBufferLength)
          .Append(" qbuf-free=").Append(cl.QueryBufferSize - cl.QueryBufferLength)
          .Append(" argv-mem=0 multi-mem=0 rbs=").Append(Protocol.OutputBuffer.ChunkSize)
          .Append(" rbp=0 obl=0 oll=0 omem=").Append(cl.PendingOutputBytes)
          .Append(" tot-mem=").Append(cl.QueryBufferSize + Protocol.OutputBuffer.ChunkSize + cl.PendingOutputBytes)
          .Append(" events=r cmd=").Append(cl.LastCommand)
          .Append(" user=default redir=-1 resp=").Append(cl.Writer.Protocol);
        _ = server;
        return sb.ToString();
    }

    private static void ClientList(CommandContext c)
    {
        IEnumerable<Client> clients = c.Server.Clients.OrderBy(x => x.Id);
        if (c.ArgCount >= 4 && c.ArgIs(2, "TYPE"u8))
        {
            var type = c.ArgString(3).ToLowerInvariant();
            if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
            {
                c.Reply.Error($"ERR Unknown client type '{c.ArgString(3)}'");
                return;
            }

            clients = type switch
            {
                "normal" => clients.Where(x => x.SubscriptionCount == 0),
                "pubsub" => clients.Where(x => x.SubscriptionCount > 0),
                _ => [],
            };
        }
        else if (c.ArgCount >= 4 && c.ArgIs(2, "ID"u8))
        {
            var ids = new HashSet<long>();
            for (var i = 3; i < c.ArgCount; i++)
            {
                if (!Protocol.NumberFormat.TryParseLong(c.Arg(i), out var id) || id <= 0)
                {
                    c.Reply.Error("ERR Invalid client ID");
                    return;
                }

                ids.Add(id);
            }

            clients = clients.Where(x => ids.Contains(x.Id));
        }
        else if (c.ArgCount != 2)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var sb = new StringBuilder();
        foreach (var cl in clients)
        {
            sb.Append(Describe(c.Server, cl)).Append('\n');
        }

        c.Reply.Verbatim(sb.ToString());
    }

    private static void ClientKill(CommandContext c)
    {
        var server = c.Server;
        if (c.ArgCount == 3)
        {
            // Old form: CLIENT KILL ip:port
            var addr = c.ArgString(2);
            var target = server.Clients.FirstOrDefault(x => x.Address == addr);
            if (target is null)
            {
                c.Reply.Error("ERR No such client");
                return;
            }

            KillClient(c, target);
            c.Reply.Ok();
            return;
        }

        long? id = null;
        string? addrFilter = null, laddrFilter = null, typeFilter = null;
        var skipMe = true;
        for (var i = 2; i < c.ArgCount; i += 2)
        {
            if (i + 1 >= c.ArgCount)
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }

            var value = c.ArgString(i + 1);
            if (c.ArgIs(i, "ID"u8))
            {
                if (!Protocol.NumberFormat.TryParseLong(c.Arg(i + 1), out var v) || v <= 0)
                {
                    c.Reply.Error("ERR client-id should be greater than 0");
                    return;
                }

                id = v;
            }
            else if (c.ArgIs(i, "ADDR"u8))
            {
                addrFilter = value;
            }
            else if (c.ArgIs(i, "LADDR"u8))
            {
                laddrFilter = value;
            }
            else if (c.ArgIs(i, "TYPE"u8))
            {
                typeFilter = value.ToLowerInvariant();
                if (typeFilter is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    c.Reply.Error($"ERR Unknown client type '{value}'");
                    return;
                }
            }
            else if (c.ArgIs(i, "USER"u8))
            {
                if (value != "default")
                {
                    c.Reply.Error($"ERR No such user '{value}'");
                    return;
                }
            }
            else if (c.ArgIs(i, "SKIPME"u8))
            {
                if (value.Equals("yes", StringComparison.OrdinalIgnoreCase))
                {
                    skipMe = true;
                }
                else if (value.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    skipMe = false;
                }
                else
                {
                    c.Reply.Error(Errors.Syntax);
                    return;
                }
            }
            else
            {
                c.Reply.Error(Errors.Syntax);
                return;
            }
        }

        var killed = 0;
        foreach (var cl in server.Clients.ToList())
        {
            if ((id is { } want && cl.Id != want) || (addrFilter is not null && cl.Address != addrFilter) ||
                (laddrFilter is not null && cl.LocalAddress != laddrFilter) ||
                (typeFilter is not null && (typeFilter == "pubsub") != (cl.SubscriptionCount > 0)) ||
                (typeFilter is "master" or "replica" or "slave") ||
                (skipMe && cl == c.Client))
            {
                continue;
            }

            KillClient(c, cl);
            killed++;
        }

        c.Reply.Integer(killed);
    }

    private static void KillClient(CommandContext c, Client target)
    {
        if (target == c.Client)
        {
            // Killing ourselves: reply first, then close (as Redis's CLIENT_CLOSE_AFTER_REPLY).
            c.Client.CloseAfterReply = true;
            return;
        }

        target.Kill();
    }

    private static void ClientUnblock(CommandContext c)
    {
        if (!Protocol.NumberFormat.TryParseLong(c.Arg(2), out var id))
        {
            c.Reply.Error(Errors.NotInteger);
            return;
        }

        var withError = false;
        if (c.ArgCount == 4)
        {
            if (c.ArgIs(3, "ERROR"u8))
            {
                withError = true;
            }
            else if (!c.ArgIs(3, "TIMEOUT"u8))
            {
                c.Reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        else if (c.ArgCount > 4)
        {
            c.Reply.Error(Errors.Syntax);
            return;
        }

        var target = c.Server.FindClient(id);
        c.Reply.Integer(target is not null && c.Server.Blocking.UnblockByRequest(target, withError) ? 1 : 0);
    }
}
