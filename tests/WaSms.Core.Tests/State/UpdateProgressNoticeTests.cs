using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;

namespace WaSms.Core.Tests.State;

/// <summary>Update progress lives only in <c>updating</c>; the outcome of the last update outlives state changes.</summary>
public sealed class UpdateProgressNoticeTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewayStateMachine _machine;

    public UpdateProgressNoticeTests()
    {
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online")));
    }

    [Fact]
    public void Progress_TravelsWhileUpdating_AndIsDroppedWhenAFailedUpdateResumesTheOldState()
    {
        var offer = new UpdateNotice("1.6.0");
        _machine.Post(offer);
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.UpdateStarted, "Installing update 1.6.0")));
        _machine.Post(new UpdateProgress("1.6.0", "installing", 40, "Copying image to rootfs.1"));
        Assert.Equal(40, _machine.Current.OpenNotice<UpdateProgress>(_time.GetUtcNow())?.Percent);

        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.UpdateFailed, "Update 1.6.0 failed: disk full")));

        Assert.Equal(GatewayState.Online, _machine.Current.State);
        Assert.Null(_machine.Current.OpenNotice<UpdateProgress>(_time.GetUtcNow()));
        Assert.Equal(offer, _machine.Current.OpenNotice<UpdateNotice>(_time.GetUtcNow())); // other notices stay
    }

    [Fact]
    public void ARolledBackOutcome_OutlivesTransitionsAndTime_UntilASuccessReplacesIt()
    {
        var rolledBack = new UpdateOutcome("1.6.0", true, "B: not marked good within its boot attempts", _time.GetUtcNow());
        _machine.Post(rolledBack);
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.LinkDown, "WhatsApp stopped answering")));
        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(rolledBack, _machine.Current.OpenNotice<UpdateOutcome>(_time.GetUtcNow()));
        Assert.Equal("Update 1.6.0 failed and was rolled back: B: not marked good within its boot attempts", rolledBack.Describe());

        _machine.Post(new UpdateOutcome("1.6.1", false, null, _time.GetUtcNow()));
        Assert.False(Assert.Single(_machine.Current.Notices!.OfType<UpdateOutcome>()).RolledBack);
    }
}
