using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The coordinator's reports reach every observer as <see cref="UpdateProgress"/> notices, throttled: RAUC's line per
/// percent becomes a post per new step or 5 % (and not more often than every 2 s), so the panel and the broker are not flooded.
/// </summary>
public sealed class UpdateProgressFeedTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewayStateMachine _machine;
    private readonly UpdateProgressFeed _feed;

    public UpdateProgressFeedTests()
    {
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        _feed = new UpdateProgressFeed(_machine, _time);
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online")));
    }

    private UpdateReport Installing(int percent, string step) =>
        new("installing", "wasms-gateway-1.6.0.raucb", "1.6.0", percent, step, null, _time.GetUtcNow());

    private readonly List<UpdateProgress> _seen = [];

    /// <summary>Collects the progress notices posted so far (the subscription keeps only the newest 16 snapshots, so drain it often).</summary>
    private List<UpdateProgress> Posted(StateSubscription subscription)
    {
        while (subscription.Reader.TryRead(out var snapshot))
        {
            if (snapshot.OpenNotice<UpdateProgress>(_time.GetUtcNow()) is { } progress && (_seen.Count == 0 || !ReferenceEquals(progress, _seen[^1])))
            {
                _seen.Add(progress);
            }
        }
        return _seen;
    }

    [Fact]
    public void EveryPercentLine_BecomesAPostPerFivePercent_WhenTheLinesComeSlowly()
    {
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.UpdateStarted, "Installing update 1.6.0")));
        using var subscription = _machine.Subscribe();
        for (var percent = 0; percent <= 100; percent++)
        {
            _feed.Report(Installing(percent, "Copying image to rootfs.1"));
            _time.Advance(TimeSpan.FromSeconds(1));
            Posted(subscription);
        }

        var posted = Posted(subscription).Select(p => p.Percent).ToList();
        // 0 % first, then every 5 %: two seconds apart at one line a second, so none is held back.
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (int?)(i * 5)).ToList(), posted);
    }

    [Fact]
    public void AFastBurst_IsHeldToOnePostEveryTwoSeconds_ButANewStepShowsAtOnce()
    {
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.UpdateStarted, "Installing update 1.6.0")));
        using var subscription = _machine.Subscribe();
        _feed.Report(Installing(0, "Checking slot"));
        for (var percent = 1; percent <= 30; percent++)
        {
            _feed.Report(Installing(percent, "Checking slot")); // all within the same instant
        }
        _feed.Report(Installing(31, "Copying image to rootfs.1"));
        _time.Advance(TimeSpan.FromSeconds(2));
        _feed.Report(Installing(32, "Copying image to rootfs.1")); // same step and bucket as the last post: not posted
        _feed.Report(Installing(35, "Copying image to rootfs.1"));

        var posted = Posted(subscription).Select(p => $"{p.Percent}% {p.Step}").ToList();
        Assert.Equal(["0% Checking slot", "31% Copying image to rootfs.1", "35% Copying image to rootfs.1"], posted);
        Assert.Equal(new UpdateProgress("1.6.0", "installing", 35, "Copying image to rootfs.1"), _machine.Current.OpenNotice<UpdateProgress>(_time.GetUtcNow()));
    }

    [Fact]
    public void Installed_IsPostedAtOnce_AndAFailureTakesTheProgressAway()
    {
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.UpdateStarted, "Installing update 1.6.0")));
        _feed.Report(Installing(99, "Copying image to rootfs.1"));
        _feed.Report(new UpdateReport("installed", "b.raucb", "1.6.0", 100, "reboot to run it", null, _time.GetUtcNow()));
        Assert.Equal("installed", _machine.Current.OpenNotice<UpdateProgress>(_time.GetUtcNow())?.Phase);

        _feed.Report(new UpdateReport("failed", "b.raucb", "1.6.0", null, null, "rauc: no space left", _time.GetUtcNow()));
        Assert.Null(_machine.Current.OpenNotice<UpdateProgress>(_time.GetUtcNow()));
    }

    [Fact]
    public void Checking_PostsNothing_SoARefusedBundleLeavesNoTrace()
    {
        var before = _machine.Current.Sequence;
        _feed.Report(new UpdateReport("checking", "b.raucb", null, null, "checking signature and contents", null, _time.GetUtcNow()));
        _feed.Report(new UpdateReport("refused", "b.raucb", null, null, null, "signature verification failed", _time.GetUtcNow()));

        Assert.Equal(before, _machine.Current.Sequence);
        Assert.Null(_machine.Current.Notices);
    }
}
