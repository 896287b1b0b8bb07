using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using WaSms.Hardware.Button;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Button;

/// <summary>Bouncing contacts on a fake GPIO: a level counts only after it has been stable for the debounce time.</summary>
public sealed class GpioButtonBounceTests : IDisposable
{
    private const int Pin = 26;
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeGpioDriver _driver = new();
    private readonly GpioController _gpio;
    private readonly ButtonInput _input;
    private readonly GpioButtonSource _source;

    public GpioButtonBounceTests()
    {
        _gpio = new GpioController(_driver);
        _input = new ButtonInput(new ButtonOptions(), _time);
        _source = new GpioButtonSource(_gpio, Pin, _input, Debounce, _time);
    }

    public void Dispose()
    {
        _source.Dispose();
        _gpio.Dispose();
    }

    /// <summary>Toggles the pin every <paramref name="stepMs"/> ms, ending on <paramref name="final"/>.</summary>
    private void Bounce(PinValue final, int edges, int stepMs = 3)
    {
        for (var i = 0; i < edges; i++)
        {
            _driver.SetInput(Pin, (edges - i) % 2 == 1 ? final : (final == PinValue.High ? PinValue.Low : PinValue.High));
            _time.Advance(TimeSpan.FromMilliseconds(stepMs));
        }
    }

    private List<ButtonGesture> Gestures()
    {
        var gestures = new List<ButtonGesture>();
        while (_input.Gestures.TryRead(out var gesture))
        {
            gestures.Add(gesture);
        }
        return gestures;
    }

    [Fact]
    public void GlitchShorterThanTheDebounce_IsNoPress()
    {
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(_input.PressedAt);
        Assert.Empty(Gestures());
    }

    [Fact]
    public void BouncyPressAndBouncyRelease_AfterSixteenSeconds_IsOneFactoryReset()
    {
        Bounce(PinValue.Low, edges: 7);
        _time.Advance(Debounce);
        Assert.NotNull(_input.PressedAt);

        _time.Advance(TimeSpan.FromSeconds(16));
        Bounce(PinValue.High, edges: 9);
        _time.Advance(Debounce);

        Assert.Equal([ButtonGesture.FactoryReset], Gestures());
        Assert.Null(_input.PressedAt);
    }

    [Fact]
    public void ContactChatterWhileHeld_DoesNotSplitTheHold()
    {
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(Debounce);
        var pressedAt = _input.PressedAt;

        _time.Advance(TimeSpan.FromSeconds(3));
        Bounce(PinValue.Low, edges: 4); // a wobble of the finger: up/down within a few ms
        _time.Advance(TimeSpan.FromSeconds(3));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(Debounce);

        Assert.Equal([ButtonGesture.Relink], Gestures());
        Assert.NotNull(pressedAt);
    }

    [Fact]
    public void ReleasedEarly_IsAShortPress_AndRaisesPressedChangedBothWays()
    {
        var changes = new List<bool>();
        _input.PressedChanged += (_, _) => changes.Add(_input.PressedAt is not null);

        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(Debounce);
        _time.Advance(TimeSpan.FromSeconds(4));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(Debounce);

        Assert.Equal([ButtonGesture.ShortPress], Gestures());
        Assert.Equal([true, false], changes);
    }
}
