using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;

namespace WaSms.Core.Tests.State;

public sealed class GatewayStateMachineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewayStateMachine _machine;

    public GatewayStateMachineTests() => _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);

    [Fact]
    public void New_IsBootingWithSequenceZero()
    {
        Assert.Equal(GatewayState.Booting, _machine.Current.State);
        Assert.Equal(0, _machine.Current.Sequence);
        Assert.Equal(_time.GetUtcNow(), _machine.Current.Since);
    }

    [Fact]
    public void TryFire_AllowedTrigger_MovesWithReasonSinceAndSequence()
    {
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked")));

        var current = _machine.Current;
        Assert.Equal(GatewayState.Unpaired, current.State);
        Assert.Equal("Not linked", current.Reason);
        Assert.Equal(_time.GetUtcNow(), current.Since);
        Assert.Equal(1, current.Sequence);
    }

    [Fact]
    public void TryFire_RejectedTrigger_LeavesStateAlone()
    {
        Assert.False(_machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "too early")));
        Assert.Equal(GatewayState.Booting, _machine.Current.State);
        Assert.Equal(0, _machine.Current.Sequence);
    }

    [Fact]
    public void TryFire_SameState_KeepsSinceButUpdatesReasonAndPairing()
    {
        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "first", new PairingInfo("qr-1")));
        var since = _machine.Current.Since;
        _time.Advance(TimeSpan.FromSeconds(20));

        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "second", new PairingInfo("qr-2")));

        Assert.Equal(since, _machine.Current.Since);
        Assert.Equal("second", _machine.Current.Reason);
        Assert.Equal("qr-2", _machine.Current.Pairing?.QrCode);
    }

    [Fact]
    public void LeavingUnpaired_ForgetsThePairingInfo()
    {
        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "scan", new PairingInfo("qr")));
        _machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, "phone scanned"));

        Assert.Null(_machine.Current.Pairing);
    }

    [Fact]
    public void LoggedOut_ForgetsTheAccount()
    {
        var account = new LinkedAccount("15551234567:3@s.whatsapp.net", "123456789:3@lid", "Shop");
        _machine.TryFire(new StateChange(GatewayTrigger.Connect, "connecting", Account: account));
        _machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "online"));
        Assert.Equal(account, _machine.Current.Account);

        _machine.TryFire(new StateChange(GatewayTrigger.LoggedOut, "Logged out from the phone"));

        Assert.Equal(GatewayState.RelinkNeeded, _machine.Current.State);
        Assert.Null(_machine.Current.Account);
    }

    [Fact]
    public void ResetCancelled_ResumesThePreviousStateWithItsDetails()
    {
        var account = new LinkedAccount("15551234567:3@s.whatsapp.net");
        _machine.TryFire(new StateChange(GatewayTrigger.Connect, "connecting", Account: account));
        _machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "online"));
        _machine.TryFire(new StateChange(GatewayTrigger.ResetRequested, "button"));
        Assert.Equal(GatewayState.Resetting, _machine.Current.State);

        _machine.TryFire(new StateChange(GatewayTrigger.ResetCancelled, "2 undelivered"));

        Assert.Equal(GatewayState.Online, _machine.Current.State);
        Assert.Equal("2 undelivered", _machine.Current.Reason);
        Assert.Equal(account, _machine.Current.Account);
    }

    [Fact]
    public async Task SetPlatform_PublishesASnapshotOfTheSameState_AndTransitionsCarryTheLinkAlong()
    {
        _machine.TryFire(new StateChange(GatewayTrigger.Connect, "Logging in"));
        _machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online"));
        var online = _machine.Current;
        using var subscription = _machine.Subscribe();
        Assert.Equal(online, await subscription.NextAsync(CancellationToken.None));

        Assert.True(_machine.SetPlatform(PlatformLinkState.Connecting, "sys.wasms.net"));
        var connectedAt = _time.GetUtcNow();
        Assert.True(_machine.SetPlatform(PlatformLinkState.Connected, ""));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(_machine.SetPlatform(PlatformLinkState.Connected, "")); // nothing new: no snapshot

        var snapshot = await subscription.NextAsync(CancellationToken.None);
        Assert.Equal(GatewayState.Online, snapshot.State);
        Assert.Equal(online.Since, snapshot.Since); // the WhatsApp state did not change
        Assert.Equal(online.Sequence + 2, snapshot.Sequence);
        Assert.Equal(new PlatformLink(PlatformLinkState.Connected, "", connectedAt), snapshot.Platform);

        _machine.TryFire(new StateChange(GatewayTrigger.LinkDown, "WhatsApp has not answered pings"));
        Assert.Equal(GatewayState.Degraded, _machine.Current.State);
        Assert.Equal(PlatformLinkState.Connected, _machine.Current.Platform?.State); // carried across the transition

        _machine.SetPlatform(PlatformLinkState.Unreachable, "no answer");
        var since = _machine.Current.Platform!.Since;
        _time.Advance(TimeSpan.FromSeconds(5));
        _machine.SetPlatform(PlatformLinkState.Unreachable, "still no answer");
        Assert.Equal(since, _machine.Current.Platform!.Since); // a new reason in the same state keeps since
        Assert.Equal("platform: unreachable (still no answer)", _machine.Current.Platform.Line);
    }

    [Theory]
    [InlineData(PlatformLinkState.Connected, "", "Platform: connected", false)]
    [InlineData(PlatformLinkState.Unreachable, "sys.wasms.net:443: Connection refused", "Platform: unreachable", false)]
    [InlineData(PlatformLinkState.NotEnrolled, "waiting for an enrollment code", "Platform: not enrolled", false)]
    [InlineData(PlatformLinkState.WaitingForClock, "waiting for time sync (NTP has not answered yet)", "Platform: waiting for time sync", false)]
    [InlineData(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard", "Platform: enrollment revoked", true)]
    [InlineData(PlatformLinkState.Stopped, "firmware update needed", "Platform: firmware update needed", true)]
    [InlineData(PlatformLinkState.Refused, "clock skew: the platform's certificate is valid from 2026-11-01", "Platform: clock skew", true)]
    public void PlatformLink_ScreenLineSaysTheStateOrTheCauseThatNeedsAPerson(PlatformLinkState state, string reason, string line, bool attention)
    {
        var link = new PlatformLink(state, reason, _time.GetUtcNow());
        Assert.Equal(line, link.ScreenLine);
        Assert.Equal(attention, link.NeedsAttention);
    }

    [Fact]
    public async Task Subscribe_StartsWithCurrentAndSeesEveryLaterChange()
    {
        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "scan"));
        using var subscription = _machine.Subscribe();

        Assert.Equal(GatewayState.Unpaired, (await subscription.Reader.ReadAsync()).State);
        _machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, "scanned"));
        Assert.Equal(GatewayState.Pairing, (await subscription.Reader.ReadAsync()).State);
    }

    [Fact]
    public async Task Subscription_SlowReader_GetsTheLatestSnapshot()
    {
        using var subscription = _machine.Subscribe();
        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "scan"));
        for (var i = 0; i < 50; i++)
        {
            _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, $"qr {i}"));
        }

        var latest = await subscription.NextAsync(CancellationToken.None);

        Assert.Equal("qr 49", latest.Reason);
    }

    [Fact]
    public void DisposedSubscription_ReceivesNothingMore()
    {
        var subscription = _machine.Subscribe();
        subscription.Dispose();

        _machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "scan"));

        Assert.True(subscription.Reader.TryRead(out var initial));
        Assert.Equal(GatewayState.Booting, initial.State);
        Assert.False(subscription.Reader.TryRead(out _));
        Assert.True(subscription.Reader.Completion.IsCompleted);
    }

    [Theory]
    [InlineData("15551234567:3@s.whatsapp.net", "+•••••••4567")]
    [InlineData("4915112345678@s.whatsapp.net", "+•••••••••5678")]
    [InlineData("123@s.whatsapp.net", "+123")]
    public void MaskedNumber_HidesAllButTheLastFourDigits(string jid, string expected)
    {
        Assert.Equal(expected, new LinkedAccount(jid).MaskedNumber);
    }
}
