using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Tests.Display;

public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset T0 = ScreenSamples.Now;
    private readonly RefreshPolicy _policy = new(new RefreshOptions());

    private static ScreenRequest Screen(GatewayState state, int variant = 0, string? qr = null, ScreenOverlay overlay = ScreenOverlay.None, string? prompt = null)
    {
        var frame = new MonoFrame(16, 16);
        frame[variant % 16, variant / 16] = true;
        return new ScreenRequest(frame, state, overlay, qr, prompt);
    }

    private void Show(ScreenRequest request, DateTimeOffset at)
    {
        var decision = _policy.Decide(request, at, at, forced: false);
        Assert.NotEqual(RefreshKind.None, decision.Kind);
        _policy.Refreshed(request, decision.Kind, at);
    }

    [Fact]
    public void FirstScreen_IsFull_AfterTheCoalescingWindow()
    {
        var decision = _policy.Decide(Screen(GatewayState.Booting), T0, T0, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Full, T0 + TimeSpan.FromMilliseconds(250)), decision);
    }

    [Fact]
    public void NewQr_RightAfterARefresh_IsFullWithinOneSecond()
    {
        Show(Screen(GatewayState.Unpaired, 1, "qr-1"), T0);
        var arrived = T0 + TimeSpan.FromMilliseconds(300);

        var decision = _policy.Decide(Screen(GatewayState.Unpaired, 2, "qr-2"), arrived, arrived, forced: false);

        Assert.Equal(RefreshKind.Full, decision.Kind);
        Assert.True(decision.At - arrived <= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void SameFrame_NeedsNoRefresh()
    {
        Show(Screen(GatewayState.Online, 1), T0);

        Assert.Equal(RefreshKind.None, _policy.Decide(Screen(GatewayState.Online, 1), T0 + TimeSpan.FromMinutes(5), T0, forced: false).Kind);
    }

    [Fact]
    public void CounterChange_IsPartial_NoSoonerThanTheMinimumInterval()
    {
        Show(Screen(GatewayState.Online, 1), T0);
        var changed = T0 + TimeSpan.FromSeconds(5);

        var decision = _policy.Decide(Screen(GatewayState.Online, 2), changed, changed, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Partial, T0 + TimeSpan.FromSeconds(60)), decision);
    }

    [Fact]
    public void QrTimeLeft_IsPartial_EveryCountdownInterval()
    {
        Show(Screen(GatewayState.Unpaired, 1, "qr"), T0);
        var changed = T0 + TimeSpan.FromSeconds(2);

        var decision = _policy.Decide(Screen(GatewayState.Unpaired, 2, "qr"), changed, changed, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Partial, T0 + TimeSpan.FromSeconds(10)), decision);
    }

    [Fact]
    public void NewState_IsFullAndUrgent()
    {
        Show(Screen(GatewayState.Connecting, 1), T0);
        var changed = T0 + TimeSpan.FromSeconds(1);

        var decision = _policy.Decide(Screen(GatewayState.Online, 2), changed, changed, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Full, changed + TimeSpan.FromMilliseconds(250)), decision);
    }

    [Fact]
    public void Redraw_IsFull_EvenForTheSameFrame()
    {
        Show(Screen(GatewayState.Online, 1), T0);

        Assert.Equal(RefreshKind.Full, _policy.Decide(Screen(GatewayState.Online, 1), T0 + TimeSpan.FromSeconds(1), T0 + TimeSpan.FromSeconds(1), forced: true).Kind);
    }

    [Fact]
    public void AfterTwentyPartials_TheNextRefreshIsFull()
    {
        var at = T0;
        Show(Screen(GatewayState.Online, 0), at);
        for (var i = 1; i <= 20; i++)
        {
            at += TimeSpan.FromMinutes(1);
            var decision = _policy.Decide(Screen(GatewayState.Online, i), at, at, forced: false);
            Assert.Equal(RefreshKind.Partial, decision.Kind);
            _policy.Refreshed(Screen(GatewayState.Online, i), decision.Kind, at);
        }
        at += TimeSpan.FromMinutes(1);

        Assert.Equal(RefreshKind.Full, _policy.Decide(Screen(GatewayState.Online, 21), at, at, forced: false).Kind);
    }

    [Fact]
    public void PartialsLeftStanding_GetAFullRefreshAfterAnHour_WithNoNewChange()
    {
        Show(Screen(GatewayState.Online, 0), T0);
        Show(Screen(GatewayState.Online, 1), T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(1, _policy.PartialsSinceFull);

        Assert.Equal(RefreshKind.None, _policy.Decide(Screen(GatewayState.Online, 1), T0 + TimeSpan.FromMinutes(59), T0, forced: false).Kind);
        Assert.Equal(RefreshKind.Full, _policy.Decide(Screen(GatewayState.Online, 1), T0 + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1), T0, forced: false).Kind);
    }

    [Fact]
    public void HoldCountdown_TicksArePartialAndUrgent()
    {
        Show(Screen(GatewayState.Online, 0), T0);
        var changed = T0 + TimeSpan.FromSeconds(1);
        Show(Screen(GatewayState.Online, 1, overlay: ScreenOverlay.Hold), changed);

        var tick = changed + TimeSpan.FromSeconds(1);
        var decision = _policy.Decide(Screen(GatewayState.Online, 2, overlay: ScreenOverlay.Hold), tick, tick, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Partial, tick + TimeSpan.FromMilliseconds(250)), decision);
    }

    [Fact]
    public void BoardOptions_SetThePolicy_AndRejectNonsense()
    {
        var options = new WaSms.Hardware.Board.BoardOptions
        {
            DisplayMinimumInterval = TimeSpan.FromMinutes(3),
            DisplayFullRefreshEvery = 5,
            DisplayFullRefreshAfter = TimeSpan.FromMinutes(30),
        };
        var refresh = options.ToRefreshOptions();
        Assert.Equal((TimeSpan.FromMinutes(3), 5, TimeSpan.FromMinutes(30)), (refresh.MinimumInterval, refresh.FullEvery, refresh.FullAfter));
        Assert.Empty(options.Validate());

        options.DisplayFullRefreshEvery = 0;
        options.DisplayMinimumInterval = TimeSpan.FromHours(2);
        Assert.Equal(["Board:DisplayMinimumInterval", "Board:DisplayFullRefreshEvery"], options.Validate().Select(p => p.Key));
    }
    [Fact]
    public void NewPrompt_RightAfterAQrRefresh_IsFullWithinOneSecond()
    {
        Show(Screen(GatewayState.Unpaired, 1, "qr-1"), T0);
        var arrived = T0 + TimeSpan.FromSeconds(10);

        var decision = _policy.Decide(Screen(GatewayState.Unpaired, 2, prompt: "pairing-code:ABCD-EFGH"), arrived, arrived, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Full, arrived + TimeSpan.FromMilliseconds(250)), decision);
    }

    [Fact]
    public void SamePrompt_OtherText_WaitsForTheMinimumInterval()
    {
        Show(Screen(GatewayState.Unpaired, 1, prompt: "pairing-code:ABCD-EFGH"), T0);
        var changed = T0 + TimeSpan.FromSeconds(5);

        var decision = _policy.Decide(Screen(GatewayState.Unpaired, 2, prompt: "pairing-code:ABCD-EFGH"), changed, changed, forced: false);

        Assert.Equal(new RefreshDecision(RefreshKind.Partial, T0 + TimeSpan.FromSeconds(60)), decision);
    }
}
