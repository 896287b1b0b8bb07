using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Liveness;

namespace WaSms.Core.Tests.Liveness;

public sealed class LivenessMonitorTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void FindStalledLoops_BeatingLoops_NoneStalled()
    {
        var monitor = new LivenessMonitor(_time);
        using var a = monitor.Register("a", TimeSpan.FromSeconds(10));
        using var b = monitor.Register("b", TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(9));
        a.Beat();

        Assert.Empty(monitor.FindStalledLoops());
    }

    [Fact]
    public void FindStalledLoops_SilentLoop_IsNamed()
    {
        var monitor = new LivenessMonitor(_time);
        using var fast = monitor.Register("display", TimeSpan.FromSeconds(10));
        using var slow = monitor.Register("button", TimeSpan.FromSeconds(60));

        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(["display"], monitor.FindStalledLoops());
        fast.Beat();
        Assert.Empty(monitor.FindStalledLoops());
    }

    [Fact]
    public void DisposedHeartbeat_IsNoLongerWatched()
    {
        var monitor = new LivenessMonitor(_time);
        var heartbeat = monitor.Register("done", TimeSpan.FromSeconds(1));
        heartbeat.Dispose();

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(monitor.FindStalledLoops());
        Assert.Empty(monitor.LoopNames);
    }

    [Fact]
    public async Task WaitToReadAsync_TimesOutOnTheInjectedClock()
    {
        var channel = Channel.CreateUnbounded<int>();
        var wait = channel.Reader.WaitToReadAsync(TimeSpan.FromSeconds(10), _time, CancellationToken.None);
        Assert.False(wait.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(await wait);
    }

    [Fact]
    public async Task WaitToReadAsync_DataArrives_ReturnsTrue()
    {
        var channel = Channel.CreateUnbounded<int>();
        var wait = channel.Reader.WaitToReadAsync(TimeSpan.FromSeconds(10), _time, CancellationToken.None);

        await channel.Writer.WriteAsync(1);

        Assert.True(await wait);
    }
}
