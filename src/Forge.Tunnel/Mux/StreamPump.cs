using System.Net.Sockets;

namespace Forge.Tunnel.Mux;

/// <summary>Copies bytes both ways between a socket and a tunnel stream, passing half-closes through.</summary>
internal static class StreamPump
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Runs until both directions ended. A FIN on one side becomes a FIN (socket shutdown) on the
    /// other; an error on either side aborts both: the tunnel stream is reset and
    /// <paramref name="socketStream"/> disposed, which ends a read still waiting on the socket
    /// (closing the bare socket would not: a socket registered with an event loop must leave it
    /// through its stream).
    /// </summary>
    public static async Task RunAsync(Socket socket, Stream socketStream, MuxStream tunnel, Action<long, long>? done = null)
    {
        var up = CopyAsync(socketStream, tunnel, tunnel.CompleteWrites);
        var down = CopyAsync(tunnel, socketStream, () =>
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        try
        {
            var first = await Task.WhenAny(up, down);
            if (first.IsFaulted)
            {
                tunnel.Abort();
                await socketStream.DisposeAsync();
            }

            await Task.WhenAll(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            tunnel.Abort();
            await socketStream.DisposeAsync();
        }
        finally
        {
            done?.Invoke(tunnel.BytesRead, tunnel.BytesWritten);
            await tunnel.DisposeAsync();
        }
    }

    /// <summary>Copies until <paramref name="from"/> ends, then runs <paramref name="onEnd"/>.</summary>
    public static async Task CopyAsync(Stream from, Stream to, Action onEnd)
    {
        await from.CopyToAsync(to, BufferSize);
        onEnd();
    }
}
