using Microsoft.Extensions.Time.Testing;
using WaSms.Hardware.Button;

namespace WaSms.Hardware.Tests.Button;

public sealed class ButtonInputTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ButtonInput _button;

    public ButtonInputTests() => _button = new ButtonInput(new ButtonOptions(), _time);

    [Theory]
    [InlineData(0.1, ButtonGesture.ShortPress)]
    [InlineData(4.9, ButtonGesture.ShortPress)]
    [InlineData(5.0, ButtonGesture.Relink)]
    [InlineData(14.9, ButtonGesture.Relink)]
    [InlineData(15.0, ButtonGesture.FactoryReset)]
    [InlineData(40, ButtonGesture.FactoryReset)]
    public void Release_AfterHolding_GivesGestureByDuration(double seconds, ButtonGesture expected)
    {
        _button.Press();
        _time.Advance(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, _button.Release());
        Assert.True(_button.Gestures.TryRead(out var published));
        Assert.Equal(expected, published);
    }

    [Fact]
    public void Release_WithoutPress_IsNothing()
    {
        Assert.Null(_button.Release());
        Assert.False(_button.Gestures.TryRead(out _));
    }

    [Fact]
    public async Task PressAndRelease_HoldsOnTheInjectedClock()
    {
        var press = _button.PressAndReleaseAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.NotNull(_button.PressedAt);
        Assert.False(press.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(ButtonGesture.Relink, await press);
        Assert.Null(_button.PressedAt);
    }
}
