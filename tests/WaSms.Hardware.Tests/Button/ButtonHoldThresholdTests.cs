using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using WaSms.Hardware.Button;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Button;

/// <summary>
/// Issue 9 item 5: a hold of exactly the threshold gives that gesture, every time, on the simulated
/// path (<c>wasms-gateway press --hold</c>) and on the GPIO path.
/// </summary>
public sealed class ButtonHoldThresholdTests
{
    private const int Repeats = 50;
    private const int Pin = 26;

    [Theory]
    [InlineData(5.0, ButtonGesture.Relink)]
    [InlineData(15.0, ButtonGesture.FactoryReset)]
    public async Task PressAndRelease_ExactThreshold_SameGestureEveryTime(double seconds, ButtonGesture expected)
    {
        var time = new FakeTimeProvider();
        var button = new ButtonInput(new ButtonOptions(), time);
        var hold = TimeSpan.FromSeconds(seconds);
        for (var i = 0; i < Repeats; i++)
        {
            var press = button.PressAndReleaseAsync(hold, CancellationToken.None);
            time.Advance(hold);
            Assert.Equal(expected, await press);
            Assert.True(button.Gestures.TryRead(out var published));
            Assert.Equal(expected, published);
            time.Advance(TimeSpan.FromMilliseconds(i)); // not always on the same tick
        }
    }

    /// <summary>Timers that fire up to 4 ms before their time on the clock the hold is measured with, as Linux's coarse timer clock does.</summary>
    [Theory]
    [InlineData(5.0, ButtonGesture.Relink)]
    [InlineData(15.0, ButtonGesture.FactoryReset)]
    public async Task PressAndRelease_TimersFiringEarly_StillHoldsAtLeastTheAskedTime(double seconds, ButtonGesture expected)
    {
        var time = new EarlyTimers();
        var button = new ButtonInput(new ButtonOptions(), time);
        var hold = TimeSpan.FromSeconds(seconds);
        for (var i = 0; i < Repeats; i++)
        {
            var start = time.GetTimestamp();
            var press = button.PressAndReleaseAsync(hold, CancellationToken.None);
            while (!press.IsCompleted)
            {
                time.Inner.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Yield();
            }
            Assert.Equal(expected, await press);
            Assert.True(time.GetElapsedTime(start) >= hold);
            button.Gestures.TryRead(out _);
        }
    }

    /// <summary>The real clock and real timers: exact-threshold holds, short thresholds so 100 presses take seconds.</summary>
    [Fact]
    public async Task PressAndRelease_SystemClock_ExactThresholdsNeverComeOutShort()
    {
        // Short thresholds keep the test quick; each is checked with the next one far away, because a
        // loaded machine may oversleep a hold (never undersleep it), and overshoot is not the bug.
        var relinkFirst = new ButtonOptions { RelinkHold = TimeSpan.FromMilliseconds(30), FactoryResetHold = TimeSpan.FromMinutes(10) };
        var factoryFirst = new ButtonOptions { RelinkHold = TimeSpan.FromMilliseconds(1), FactoryResetHold = TimeSpan.FromMilliseconds(30) };
        var relink = new ButtonInput(relinkFirst, TimeProvider.System);
        var factory = new ButtonInput(factoryFirst, TimeProvider.System);
        var gestures = new List<ButtonGesture?>();
        for (var i = 0; i < Repeats; i++)
        {
            gestures.Add(await relink.PressAndReleaseAsync(relinkFirst.RelinkHold, CancellationToken.None));
            gestures.Add(await factory.PressAndReleaseAsync(factoryFirst.FactoryResetHold, CancellationToken.None));
        }
        Assert.Equal(Enumerable.Range(0, Repeats).SelectMany(_ => new ButtonGesture?[] { ButtonGesture.Relink, ButtonGesture.FactoryReset }), gestures);
    }

    [Theory]
    [InlineData(5.0, ButtonGesture.Relink)]
    [InlineData(4.999, ButtonGesture.ShortPress)]
    [InlineData(15.0, ButtonGesture.FactoryReset)]
    [InlineData(14.999, ButtonGesture.Relink)]
    public void Classify_ThresholdsAreInclusive(double seconds, ButtonGesture expected)
    {
        var button = new ButtonInput(new ButtonOptions(), new FakeTimeProvider());
        Assert.Equal(expected, button.Classify(TimeSpan.FromSeconds(seconds)));
    }

    /// <summary>
    /// A press that bounces for 40 ms and a clean release exactly 5 s after the first press edge: the
    /// hold runs edge to edge, so it relinks (timed from the settled levels it came out 40 ms short).
    /// </summary>
    [Theory]
    [InlineData(5.0, ButtonGesture.Relink)]
    [InlineData(15.0, ButtonGesture.FactoryReset)]
    public void Gpio_BouncyPressExactThreshold_GivesTheGestureEveryTime(double seconds, ButtonGesture expected)
    {
        var time = new FakeTimeProvider();
        var driver = new FakeGpioDriver();
        using var gpio = new GpioController(driver);
        var input = new ButtonInput(new ButtonOptions(), time);
        using var source = new GpioButtonSource(gpio, Pin, input, TimeSpan.FromMilliseconds(50), time);
        for (var i = 0; i < Repeats; i++)
        {
            // 40 ms of chatter: edges every 5 ms ending low.
            for (var edge = 0; edge < 8; edge++)
            {
                driver.SetInput(Pin, edge % 2 == 0 ? PinValue.Low : PinValue.High);
                time.Advance(TimeSpan.FromMilliseconds(5));
            }
            driver.SetInput(Pin, PinValue.Low);
            time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(40));
            driver.SetInput(Pin, PinValue.High);
            time.Advance(TimeSpan.FromMilliseconds(50));
            Assert.True(input.Gestures.TryRead(out var gesture));
            Assert.Equal(expected, gesture);
            Assert.False(input.Gestures.TryRead(out _));
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A <see cref="FakeTimeProvider"/> whose timers fire up to 4 ms early.</summary>
    private sealed class EarlyTimers : TimeProvider
    {
        public FakeTimeProvider Inner { get; } = new();

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override long GetTimestamp() => Inner.GetTimestamp();

        public override long TimestampFrequency => Inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var early = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(4).Ticks, dueTime.Ticks / 2));
            return Inner.CreateTimer(callback, state, dueTime - early, period);
        }
    }
}
