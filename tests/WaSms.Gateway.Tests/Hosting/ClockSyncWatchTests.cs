using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Links;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// The time-sync half of the no-RTC recovery (issue 9 item 24): systemd-timesyncd's flag file is
/// created on the first synchronisation since boot and touched on each later one.
/// </summary>
public sealed class ClockSyncWatchTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private string Flag => _dir.File("synchronized");

    [Fact]
    public async Task FlagCreatedWhileWaiting_IsSynchronised()
    {
        var watch = new ClockSyncWatch(_time, Flag);
        var wait = watch.WaitForSyncAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.False(wait.IsCompleted, "no flag yet: still waiting");

        await File.WriteAllTextAsync(Flag, "");

        Assert.Equal("synchronised", await PollUntilDoneAsync(wait));
    }

    [Fact]
    public async Task FlagTouchedAgain_IsSynchronised_AnUnchangedFlagIsNot()
    {
        await File.WriteAllTextAsync(Flag, "");
        File.SetLastWriteTimeUtc(Flag, new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        var watch = new ClockSyncWatch(_time, Flag);
        var wait = watch.WaitForSyncAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        await PollAsync(wait, polls: 3);
        Assert.False(wait.IsCompleted, "a flag from an earlier sync is not a new one");

        File.SetLastWriteTimeUtc(Flag, new DateTime(2026, 5, 1, 0, 5, 0, DateTimeKind.Utc));

        Assert.Equal("synchronised", await PollUntilDoneAsync(wait));
    }

    [Fact]
    public async Task SyncBetweenMarkAndWait_StillCounts()
    {
        var watch = new ClockSyncWatch(_time, Flag);
        watch.Mark(); // the wrong clock is noticed
        await File.WriteAllTextAsync(Flag, ""); // NTP answers before the wait begins

        Assert.Equal("synchronised", await watch.WaitForSyncAsync(TimeSpan.FromMinutes(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task NoSync_EndsAtTheLimit()
    {
        var watch = new ClockSyncWatch(_time, Flag);
        var wait = watch.WaitForSyncAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Null(await PollUntilDoneAsync(wait));
        Assert.True(_time.GetUtcNow() >= new DateTimeOffset(2026, 5, 1, 0, 0, 10, TimeSpan.Zero), "not before the limit");
    }

    /// <summary>Lets the watch poll <paramref name="polls"/> times (each poll's delay is registered asynchronously).</summary>
    private async Task PollAsync(Task wait, int polls)
    {
        for (var i = 0; i < polls && !wait.IsCompleted; i++)
        {
            await Task.Delay(20);
            _time.Advance(ClockSyncWatch.PollInterval);
        }
        await Task.Delay(20);
    }

    private async Task<string?> PollUntilDoneAsync(Task<string?> wait)
    {
        await PollAsync(wait, polls: 100);
        return await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
