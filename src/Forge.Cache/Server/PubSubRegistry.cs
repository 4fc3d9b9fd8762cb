using Forge.Cache.Storage;

namespace Forge.Cache.Server;

/// <summary>Channel and pattern subscriptions, and message delivery (PUBLISH).</summary>
internal sealed class PubSubRegistry
{
    private readonly Dictionary<byte[], List<Client>> _channels = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<Client>> _patterns = new(ByteArrayComparer.Instance);

    private readonly CacheServer _server;

    public PubSubRegistry(CacheServer server)
    {
        _server = server;
    }

    public int ChannelCount => _channels.Count;

    public int PatternCount => _patterns.Count;

    public IEnumerable<byte[]> Channels => _channels.Keys;

    public int Subscribers(byte[] channel) => _channels.TryGetValue(channel, out var l) ? l.Count : 0;

    /// <summary>Subscribes; false when the client was already subscribed to that channel.</summary>
    public bool Subscribe(Client client, byte[] channel)
    {
        if (!client.Channels.Add(channel))
        {
            return false;
        }

        if (!_channels.TryGetValue(channel, out var list))
        {
            _channels[channel] = list = [];
        }

        list.Add(client);
        return true;
    }

    public bool Unsubscribe(Client client, byte[] channel)
    {
        if (!client.Channels.Remove(channel))
        {
            return false;
        }

        if (_channels.TryGetValue(channel, out var list))
        {
            list.Remove(client);
            if (list.Count == 0)
            {
                _channels.Remove(channel);
            }
        }

        return true;
    }

    public bool PSubscribe(Client client, byte[] pattern)
    {
        if (!client.Patterns.Add(pattern))
        {
            return false;
        }

        if (!_patterns.TryGetValue(pattern, out var list))
        {
            _patterns[pattern] = list = [];
        }

        list.Add(client);
        return true;
    }

    public bool PUnsubscribe(Client client, byte[] pattern)
    {
        if (!client.Patterns.Remove(pattern))
        {
            return false;
        }

        if (_patterns.TryGetValue(pattern, out var list))
        {
            list.Remove(client);
            if (list.Count == 0)
            {
                _patterns.Remove(pattern);
            }
        }

        return true;
    }

    public void RemoveClient(Client client)
    {
        foreach (var ch in client.Channels.ToArray())
        {
            Unsubscribe(client, ch);
        }

        foreach (var p in client.Patterns.ToArray())
        {
            PUnsubscribe(client, p);
        }
    }

    /// <summary>Delivers a message; returns how many clients received it (channel and pattern matches).</summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        var receivers = 0;
        if (_channels.Count > 0 && _channels.TryGetValue(channel.ToArray(), out var list))
        {
            foreach (var c in list)
            {
                if (c.PeerClosed)
                {
                    continue;
                }

                var w = c.Writer;
                w.PushHeader(3);
                w.Bulk("message"u8);
                w.Bulk(channel);
                w.Bulk(message);
                c.RequestFlush();
                _server.CheckOutputLimits(c);
                receivers++;
            }
        }

        foreach (var (pattern, clients) in _patterns)
        {
            if (!Glob.Match(pattern, channel))
            {
                continue;
            }

            foreach (var c in clients)
            {
                if (c.PeerClosed)
                {
                    continue;
                }

                var w = c.Writer;
                w.PushHeader(4);
                w.Bulk("pmessage"u8);
                w.Bulk(pattern);
                w.Bulk(channel);
                w.Bulk(message);
                c.RequestFlush();
                _server.CheckOutputLimits(c);
                receivers++;
            }
        }

        return receivers;
    }
}
