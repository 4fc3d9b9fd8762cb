using Forge.Tunnel.Mux;

namespace Forge.Tunnel.Tests.Mux;

public class ReceiveWindowTests
{
    private const long Rtt = 1000;

    [Fact]
    public void No_update_until_half_the_window_is_consumed()
    {
        var window = new ReceiveWindow(1000, 8000, now: 0);
        Assert.True(window.OnReceived(1000));
        Assert.Equal(0, window.OnConsumed(499, now: 10_000, Rtt, _ => true));
        Assert.Equal(500, window.OnConsumed(1, now: 10_000, Rtt, _ => true));
        Assert.Equal(1000, window.Window); // consumed slowly (10 RTTs): no growth
        Assert.Equal(500, window.Credit);
    }

    [Fact]
    public void Receiving_more_than_the_credit_is_a_violation()
    {
        var window = new ReceiveWindow(1000, 8000, now: 0);
        Assert.True(window.OnReceived(1000));
        Assert.False(window.OnReceived(1));
    }

    [Fact]
    public void Window_doubles_when_half_a_window_is_consumed_within_two_round_trips()
    {
        var window = new ReceiveWindow(1000, 8000, now: 0);
        window.OnReceived(1000);
        var increment = window.OnConsumed(500, now: 1500, Rtt, _ => true);
        Assert.Equal(2000, window.Window);
        Assert.Equal(500 + 1000, increment);
        Assert.Equal(1000, window.Growth);
    }

    [Fact]
    public void Growth_stops_at_the_maximum()
    {
        var window = new ReceiveWindow(1000, 3000, now: 0);
        long now = 0;
        for (var i = 0; i < 20; i++)
        {
            window.OnReceived(window.Window / 2);
            window.OnConsumed(window.Window / 2, now += 10, Rtt, _ => true);
        }

        Assert.Equal(3000, window.Window);
        Assert.True(window.Credit <= window.Window);
    }

    [Fact]
    public void Growth_needs_the_session_budget()
    {
        var window = new ReceiveWindow(1000, 8000, now: 0);
        window.OnReceived(1000);
        window.OnConsumed(500, now: 10, Rtt, _ => false);
        Assert.Equal(1000, window.Window);
        Assert.Equal(0, window.Growth);
    }

    [Fact]
    public void Unknown_rtt_never_grows_the_window()
    {
        var window = new ReceiveWindow(1000, 8000, now: 0);
        window.OnReceived(1000);
        window.OnConsumed(500, now: 1, rttTicks: 0, _ => true);
        Assert.Equal(1000, window.Window);
    }
}
