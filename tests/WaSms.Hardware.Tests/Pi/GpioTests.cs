using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using WaSms.Hardware.Button;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Pi;

public sealed class GpioTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeGpioDriver _driver = new();

    [Fact]
    public void Leds_SolidAndSlowBlink_FollowTheClock()
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, 6, 13, activeLow: false, _time, shouldDispose: false);
        Assert.Equal(PinMode.Output, _driver.ModeOf(5));

        leds.Show(new LedPattern(LedMode.On, LedMode.SlowBlink, LedMode.Off));
        var amber = new List<PinValue>();
        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Equal(PinValue.High, _driver.LevelOf(5));
            Assert.Equal(PinValue.Low, _driver.LevelOf(13));
            amber.Add(_driver.LevelOf(6));
        }
        // 1 s on, 1 s off: over ticks 1..40 the level flips at 10, 20, 30 and 40.
        var changes = amber.Zip(amber.Skip(1)).Count(p => p.First != p.Second);
        Assert.Equal(4, changes);
    }

    [Fact]
    public void Leds_ActiveLow_InvertsTheLevels()
    {
        using var gpio = new GpioController(_driver);
        using var leds = new GpioLeds(gpio, 5, -1, -1, activeLow: true, _time, shouldDispose: false);

        leds.Show(new LedPattern(LedMode.On, LedMode.Off, LedMode.Off));

        Assert.Equal(PinValue.Low, _driver.LevelOf(5));
    }

    [Fact]
    public void Button_BouncyPress_CountsOnceAfterTheLevelSettles()
    {
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);
        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(26));

        // Contact bounce on the press edge: low/high/low within a few ms.
        _driver.SetInput(26, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.SetInput(26, PinValue.Low);
        Assert.Null(input.PressedAt);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.NotNull(input.PressedAt);

        _time.Advance(TimeSpan.FromSeconds(6));
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(input.Gestures.TryRead(out var gesture));
        Assert.Equal(ButtonGesture.Relink, gesture);
        Assert.False(input.Gestures.TryRead(out _));
    }

    [Fact]
    public void Button_HeldAtPowerOn_StartsCounting()
    {
        _driver.SetInput(26, PinValue.Low);
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);

        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);

        Assert.NotNull(input.PressedAt);
    }

    /// <summary>QEMU's Pi GPIO inputs read 0 and a shorted button does too: that is a fault, never a factory reset (issue #14).</summary>
    [Fact]
    public void Button_PressedAtPowerOnAndNeverReleased_IsStuckAt60s_AndItsLaterReleaseIsNoGesture()
    {
        _driver.SetInput(26, PinValue.Low);
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);
        var pressedChanges = 0;
        var stuckChanges = 0;
        input.PressedChanged += (_, _) => pressedChanges++;
        input.StuckChanged += (_, _) => stuckChanges++;
        var start = _time.GetUtcNow();
        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);
        Assert.Equal(1, pressedChanges);

        _time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        Assert.Null(input.StuckSince);
        Assert.Equal(start, input.PressedAt); // still a deliberate power-on hold

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(start, input.StuckSince);
        Assert.Null(input.PressedAt); // the countdown on screen and LEDs stops
        Assert.Equal(2, pressedChanges);
        Assert.Equal(1, stuckChanges);
        Assert.False(input.Gestures.TryRead(out _));

        _time.Advance(TimeSpan.FromSeconds(60));
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Null(input.StuckSince);
        Assert.Equal(2, stuckChanges);
        Assert.False(input.Gestures.TryRead(out _)); // no factory reset, no gesture at all
    }

    [Fact]
    public void Button_HeldAtPowerOnAndReleasedAt20s_StillFactoryResets()
    {
        _driver.SetInput(26, PinValue.Low);
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);
        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);

        _time.Advance(TimeSpan.FromSeconds(20));
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(input.Gestures.TryRead(out var gesture));
        Assert.Equal(ButtonGesture.FactoryReset, gesture);
        Assert.Null(input.StuckSince);
        _time.Advance(TimeSpan.FromMinutes(2)); // the stuck timer of that press does nothing later
        Assert.Null(input.StuckSince);
        Assert.False(input.Gestures.TryRead(out _));
    }

    [Fact]
    public void Button_StuckThenReleased_TheNextHoldWorksAgain()
    {
        _driver.SetInput(26, PinValue.Low);
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);
        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.NotNull(input.StuckSince);
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(input.StuckSince);

        _driver.SetInput(26, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(5));
        _driver.SetInput(26, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.True(input.Gestures.TryRead(out var gesture));
        Assert.Equal(ButtonGesture.Relink, gesture);
        Assert.False(input.Gestures.TryRead(out _));
    }

    [Fact]
    public async Task PressCommand_HeldForTheLongestAllowed60s_IsAFactoryReset_NotStuck()
    {
        var input = new ButtonInput(new ButtonOptions(), _time);
        var hold = input.PressAndReleaseAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(ButtonGesture.FactoryReset, await hold);
        Assert.Null(input.StuckSince);
    }

    [Fact]
    public async Task Button_PressedWhileRunning_AlsoBecomesStuck_AndPressCommandCannotReleaseIt()
    {
        using var gpio = new GpioController(_driver);
        var input = new ButtonInput(new ButtonOptions(), _time);
        using var source = new GpioButtonSource(gpio, 26, input, TimeSpan.FromMilliseconds(50), _time);
        _time.Advance(TimeSpan.FromSeconds(5));
        _driver.SetInput(26, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.NotNull(input.StuckSince);

        // `wasms-gateway press` while the line reads pressed: nothing, the fault stays until the line is released.
        Assert.Null(await input.PressAndReleaseAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.NotNull(input.StuckSince);
        Assert.False(input.Gestures.TryRead(out _));
    }
}
