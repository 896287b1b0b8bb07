using System.Device.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Button;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Display;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Leds;

public sealed class LedTests
{
    private readonly FakeTimeProvider _time = new(ScreenSamples.Now);
    private readonly FakeGpioDriver _driver = new();

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Theory]
    [InlineData(LedMode.FastBlink, new[] { 0, 199 }, new[] { 200, 399 }, 400)]
    [InlineData(LedMode.SlowBlink, new[] { 0, 999 }, new[] { 1000, 1999 }, 2000)]
    [InlineData(LedMode.BlinkCode2, new[] { 0, 199, 500, 699 }, new[] { 200, 499, 700, 2199 }, 2200)]
    [InlineData(LedMode.BlinkCode3, new[] { 0, 199, 500, 699, 1000, 1199 }, new[] { 200, 499, 700, 999, 1200, 2699 }, 2700)]
    public void Timeline_LitAndDarkAtTheDocumentedTimes(LedMode mode, int[] lit, int[] dark, int period)
    {
        foreach (var ms in lit)
        {
            Assert.True(LedTimeline.IsLit(mode, Ms(ms)), $"{mode} at {ms} ms");
            Assert.True(LedTimeline.IsLit(mode, Ms(ms + period)), $"{mode} at {ms} ms, second period");
        }
        foreach (var ms in dark)
        {
            Assert.False(LedTimeline.IsLit(mode, Ms(ms)), $"{mode} at {ms} ms");
        }
    }

    [Fact]
    public void Timeline_SteadyModesNeverChange()
    {
        Assert.True(LedTimeline.IsLit(LedMode.On, TimeSpan.FromDays(3)));
        Assert.False(LedTimeline.IsLit(LedMode.Off, TimeSpan.Zero));
        Assert.Null(LedTimeline.UntilNextChange(LedMode.On, TimeSpan.Zero));
        Assert.Equal(Ms(150), LedTimeline.UntilNextChange(LedMode.FastBlink, Ms(50)));
    }

    [Theory]
    [InlineData(LedMode.SlowBlink)]
    [InlineData(LedMode.FastBlink)]
    [InlineData(LedMode.BlinkCode2)]
    [InlineData(LedMode.BlinkCode3)]
    public void GpioLeds_PinFollowsTheTimeline_OnTheFakeClock(LedMode mode)
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, 6, 13, activeLow: false, _time, shouldDispose: false);

        leds.Show(new LedPattern(LedMode.On, LedMode.Off, mode));

        for (var elapsed = 0; elapsed <= 6000; elapsed += 10)
        {
            Assert.Equal(LedTimeline.IsLit(mode, Ms(elapsed)) ? PinValue.High : PinValue.Low, _driver.LevelOf(13));
            Assert.Equal(PinValue.High, _driver.LevelOf(5));
            Assert.Equal(PinValue.Low, _driver.LevelOf(6));
            _time.Advance(Ms(10));
        }
    }

    [Fact]
    public void GpioLeds_DisposedTwice_ClosesThePinsOnce()
    {
        // The host's container disposes the board's parts, then the board disposes them again.
        using var gpio = new GpioController(_driver);
        var leds = new GpioLeds(gpio, 5, -1, -1, activeLow: false, _time, shouldDispose: false);
        leds.Show(new LedPattern(LedMode.On, LedMode.Off, LedMode.Off));

        leds.Dispose();
        leds.Dispose();

        Assert.Equal(PinValue.Low, _driver.LevelOf(5));
        Assert.False(gpio.IsPinOpen(5));
    }

    [Fact]
    public void GpioLeds_ActiveLow_BlinksInverted()
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, -1, -1, activeLow: true, _time, shouldDispose: false);

        leds.Show(new LedPattern(LedMode.FastBlink, LedMode.Off, LedMode.Off));
        Assert.Equal(PinValue.Low, _driver.LevelOf(5));
        _time.Advance(Ms(200));
        Assert.Equal(PinValue.High, _driver.LevelOf(5));
    }

    [Fact]
    public void GpioLeds_OneLedFitted_ShowsTheMostSeriousColour()
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, -1, -1, activeLow: false, _time, shouldDispose: false);
        Assert.Equal(1, leds.Count);

        leds.Show(LedPattern.For(GatewayState.Fatal)); // red steady, green off
        Assert.Equal(PinValue.High, _driver.LevelOf(5));

        leds.Show(LedPattern.For(GatewayState.Unpaired)); // amber slow blink
        _time.Advance(Ms(1000));
        Assert.Equal(PinValue.Low, _driver.LevelOf(5));
    }

    [Fact]
    public void GpioLeds_SamePatternAgain_KeepsTheBlinkPhase()
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, 6, 13, activeLow: false, _time, shouldDispose: false);
        leds.Show(LedPattern.For(GatewayState.Unpaired));
        _time.Advance(Ms(1500));
        Assert.Equal(PinValue.Low, _driver.LevelOf(6));

        leds.Show(LedPattern.For(GatewayState.Unpaired));

        Assert.Equal(PinValue.Low, _driver.LevelOf(6));
        _time.Advance(Ms(500));
        Assert.Equal(PinValue.High, _driver.LevelOf(6));
    }

    [Fact]
    public void EveryState_HasADistinctPattern()
    {
        var patterns = Enum.GetValues<GatewayState>().Select(LedPattern.For).ToList();

        Assert.Equal(patterns.Count, patterns.Distinct().Count());
    }

    [Fact]
    public async Task HoldingTheButton_CountsDownOnTheLeds_ReleaseRestoresTheStatePattern()
    {
        var (board, _, controller) = await StartControllerAsync();
        using var running = controller;
        Assert.Equal(LedPattern.For(GatewayState.Booting), board.Leds.Current);
        var options = new ButtonOptions();

        board.Button.Press();
        Assert.Equal(new LedPattern(LedMode.Off, LedMode.FastBlink, LedMode.Off), board.Leds.Current);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(LedPattern.ForHold(TimeSpan.Zero, options), board.Leds.Current);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(new LedPattern(LedMode.Off, LedMode.On, LedMode.FastBlink), board.Leds.Current);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(new LedPattern(LedMode.Off, LedMode.Off, LedMode.On), board.Leds.Current);

        board.Button.Release();
        Assert.Equal(LedPattern.For(GatewayState.Booting), board.Leds.Current);
        await controller.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StuckButton_StopsTheCountdown_TheStatePatternComesBack()
    {
        var (board, _, controller) = await StartControllerAsync();
        using var running = controller;

        board.Button.Press();
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new LedPattern(LedMode.Off, LedMode.Off, LedMode.On), board.Leds.Current); // "release now factory-resets"
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(board.Button.StuckSince);
        Assert.Equal(LedPattern.For(GatewayState.Booting), board.Leds.Current);
        await controller.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WrongClock_BlinksAmberTwice_UntilTheNextChange()
    {
        var (board, machine, controller) = await StartControllerAsync();
        using var running = controller;
        var clockPattern = new LedPattern(LedMode.Off, LedMode.BlinkCode2, LedMode.Off);
        Assert.DoesNotContain(clockPattern, Enum.GetValues<GatewayState>().Select(LedPattern.For)); // not mistaken for a state

        machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Clock is 200 days behind", new PairingInfo(null), Problem: GatewayProblem.ClockNotSet));
        await EventuallyAsync(() => board.Leds.Current == clockPattern);

        machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Scan the QR code with WhatsApp", new PairingInfo("2@ref")));
        await EventuallyAsync(() => board.Leds.Current == LedPattern.For(GatewayState.Unpaired));
        await controller.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task PlatformNeedingAPerson_BlinksRedSlowlyBesideOnlineGreen_RetryableProblemsDoNot()
    {
        var (board, machine, controller) = await StartControllerAsync();
        using var running = controller;
        machine.TryFire(new StateChange(GatewayTrigger.Connect, "Logging in"));
        machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online"));
        machine.SetPlatform(PlatformLinkState.Connected, "");
        await EventuallyAsync(() => board.Leds.Current == LedPattern.For(GatewayState.Online));

        var attention = new LedPattern(LedMode.On, LedMode.Off, LedMode.SlowBlink);
        Assert.DoesNotContain(attention, Enum.GetValues<GatewayState>().Select(LedPattern.For)); // not mistaken for a state
        machine.SetPlatform(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard");
        await EventuallyAsync(() => board.Leds.Current == attention);

        machine.SetPlatform(PlatformLinkState.Unreachable, "sys.wasms.net:443: Connection refused"); // retried by itself: nothing to do
        await EventuallyAsync(() => board.Leds.Current == LedPattern.For(GatewayState.Online));

        machine.SetPlatform(PlatformLinkState.Refused, "the platform's certificate is for platform.example, not sys.wasms.net");
        await EventuallyAsync(() => board.Leds.Current == attention);

        machine.TryFire(new StateChange(GatewayTrigger.LinkDown, "WhatsApp has not answered pings"));
        await EventuallyAsync(() => board.Leds.Current == new LedPattern(LedMode.On, LedMode.SlowBlink, LedMode.SlowBlink));

        machine.TryFire(new StateChange(GatewayTrigger.LoggedOut, "WhatsApp logged this gateway out")); // WhatsApp's own problem comes first
        await EventuallyAsync(() => board.Leds.Current == LedPattern.For(GatewayState.RelinkNeeded));
        await controller.StopAsync(CancellationToken.None);
    }

    private static Task EventuallyAsync(Func<bool> condition) =>
        Eventually.UntilAsync(condition, Eventually.DefaultTimeout, "the LED controller caught up");

    /// <summary>A running LED controller on a recording board, showing the booting pattern.</summary>
    private async Task<(RecordingBoard Board, GatewayStateMachine Machine, LedController Controller)> StartControllerAsync()
    {
        var board = new RecordingBoard(250, 122, _time);
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var controller = new LedController(machine, board.Leds, board.Button, new LivenessMonitor(_time), _time);
        await controller.StartAsync(CancellationToken.None);
        await EventuallyAsync(() => board.Leds.Current == LedPattern.For(GatewayState.Booting));
        return (board, machine, controller);
    }
}
