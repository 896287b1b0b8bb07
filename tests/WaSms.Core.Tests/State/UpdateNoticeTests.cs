using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;

namespace WaSms.Core.Tests.State;

/// <summary>The platform's update offer travels in every snapshot, across transitions, until replaced or withdrawn.</summary>
public sealed class UpdateNoticeTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewayStateMachine _machine;

    public UpdateNoticeTests() => _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);

    [Fact]
    public void APostedOffer_ReachesSubscribers_AndSurvivesTransitionsAndTime()
    {
        using var subscription = _machine.Subscribe();
        _machine.Post(new UpdateNotice("1.6.0"));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online")));
        _time.Advance(TimeSpan.FromDays(400)); // it never lapses by itself
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.LinkDown, "WhatsApp stopped answering")));

        var seen = new List<GatewaySnapshot>();
        while (subscription.Reader.TryRead(out var snapshot)) // published under the lock, so all are there already
        {
            seen.Add(snapshot);
        }
        Assert.Equal(5, seen.Count);
        Assert.Null(seen[0].OpenNotice<UpdateNotice>(_time.GetUtcNow())); // booting, before the offer
        Assert.All(seen.Skip(1), s => Assert.Equal(new UpdateNotice("1.6.0"), s.OpenNotice<UpdateNotice>(_time.GetUtcNow())));
        Assert.Equal(GatewayState.Degraded, seen[^1].State);
    }

    [Fact]
    public void ANewerOffer_ReplacesTheOld_AndLeavesOtherNoticesAlone()
    {
        var setup = new SetupNotice("timezone", 3, "unknown zone", _time.GetUtcNow().AddMinutes(2));
        _machine.Post(setup);
        _machine.Post(new UpdateNotice("1.6.0"));
        _machine.Post(new UpdateNotice("1.7.0"));

        var notices = _machine.Current.Notices!;
        Assert.Equal(new UpdateNotice("1.7.0"), Assert.Single(notices.OfType<UpdateNotice>()));
        Assert.Equal(setup, Assert.Single(notices.OfType<SetupNotice>()));
    }

    [Fact]
    public void Withdraw_RemovesOnlyThatKind_AndPublishesOnlyWhenThereWasOne()
    {
        var setup = new SetupNotice("timezone", 3, "unknown zone", _time.GetUtcNow().AddMinutes(2));
        _machine.Post(setup);
        _machine.Post(new UpdateNotice("1.6.0"));
        var before = _machine.Current.Sequence;

        Assert.True(_machine.Withdraw<UpdateNotice>());
        Assert.Equal(before + 1, _machine.Current.Sequence);
        Assert.Null(_machine.Current.OpenNotice<UpdateNotice>(_time.GetUtcNow()));
        Assert.Equal(setup, _machine.Current.OpenNotice<SetupNotice>(_time.GetUtcNow()));

        Assert.False(_machine.Withdraw<UpdateNotice>());
        Assert.Equal(before + 1, _machine.Current.Sequence);

        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(_machine.Withdraw<SetupNotice>());
        Assert.Null(_machine.Current.Notices);
    }
}
