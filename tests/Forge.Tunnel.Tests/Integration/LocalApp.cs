using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Forge.Tunnel.Tests.Integration;

/// <summary>The app behind the tunnel: a real Kestrel server on 127.0.0.1 with a port the OS assigns.</summary>
internal sealed class LocalApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Name { get; private set; } = "app";

    public static async Task<LocalApp> StartAsync(string name = "app")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/hello", () => $"hello from {name}");
        app.MapGet("/headers", (HttpContext c) =>
            string.Join('\n', c.Request.Headers.Select(h => $"{h.Key}: {h.Value}")));
        app.MapGet("/slow", async (int ms) =>
        {
            await Task.Delay(ms);
            return "slow done";
        });
        app.MapGet("/download", async (HttpContext c, long size) =>
        {
            c.Response.ContentLength = size;
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var left = size; left > 0; left -= chunk.Length)
            {
                await c.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            }
        });
        app.MapGet("/chunked", async (HttpContext c) =>
        {
            // No Content-Length on HTTP/1.1: Kestrel sends Transfer-Encoding: chunked.
            for (var i = 0; i < 5; i++)
            {
                await c.Response.WriteAsync($"part{i};");
                await c.Response.Body.FlushAsync();
            }
        });
        app.MapPost("/upload", async (HttpContext c) =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            return total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                c.Response.StatusCode = 400;
                return;
            }

            using var ws = await c.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await ws.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new LocalApp(app, port) { Name = name };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class ServiceProviderExtensions
{
    public static T GetRequiredService<T>(this IServiceProvider provider)
        where T : notnull =>
        (T)(provider.GetService(typeof(T)) ?? throw new InvalidOperationException(typeof(T).Name));
}
