using System.Diagnostics;
using Forge.Cache.Storage;

namespace Forge.Cache.Tests;

/// <summary>The per-command clock (Keyspace.Tick(timestamp)) never runs behind the wall clock.</summary>
public sealed class KeyspaceClockTests
{
    [Fact]
    public void CommandTimeIsNeverBehindTheWallClock()
    {
        var keyspace = new Keyspace(1);
        var deadline = Stopwatch.StartNew();
        var checks = 0;
        while (deadline.ElapsedMilliseconds < 300)
        {
            keyspace.Tick(); // what the cron does hz times a second
            for (var i = 0; i < 200; i++)
            {
                var wallBefore = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                keyspace.Tick(Stopwatch.GetTimestamp());
                Assert.True(keyspace.Now >= wallBefore, $"Now {keyspace.Now} is behind the wall clock {wallBefore}");
                Assert.True(keyspace.Now <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1);
                checks++;
                Thread.SpinWait(2000);
            }
        }

        Assert.True(checks > 200);
    }
}
