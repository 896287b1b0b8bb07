using System.Device.Gpio;

namespace WaSms.Hardware.Pi;

/// <summary>
/// A button line through a <see cref="GpioController"/>: what tests use with a fake driver, and any
/// board whose driver keeps the pull-up across the switch to edge events. (System.Device.Gpio's
/// libgpiod v1 driver does not: it re-requests the line for events without a bias, hence
/// <see cref="LibgpiodButtonLine"/> on the Pi.)
/// </summary>
public sealed class GpioControllerButtonLine : IButtonLine
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private Action? _onEdge;

    public GpioControllerButtonLine(GpioController gpio, int pin)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        _gpio = gpio;
        _pin = pin;
        _gpio.OpenPin(pin, PinMode.InputPullUp);
    }

    public bool IsLow => _gpio.Read(_pin) == PinValue.Low;

    public void Start(Action onEdge)
    {
        _onEdge = onEdge;
        _gpio.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Falling | PinEventTypes.Rising, OnEdge);
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e) => _onEdge?.Invoke();

    public void Dispose()
    {
        if (_onEdge is not null)
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        }
        _gpio.ClosePin(_pin);
    }
}
