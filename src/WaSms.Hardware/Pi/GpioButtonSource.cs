using System.Device.Gpio;
using WaSms.Hardware.Button;

namespace WaSms.Hardware.Pi;

/// <summary>
/// Feeds a GPIO push button (to ground, internal pull-up) into <see cref="ButtonInput"/>. An edge
/// counts only when the level is still the same <c>debounce</c> later: GpioButton's debounce lets
/// contact bounce on the press edge through (see ../shared research, dotnet-iot §3.2).
/// </summary>
public sealed class GpioButtonSource : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly ButtonInput _input;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly bool _shouldDispose;
    private ITimer? _settle;

    public GpioButtonSource(GpioController gpio, int pin, ButtonInput input, TimeSpan debounce, TimeProvider time, bool shouldDispose = false)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        _gpio = gpio;
        _pin = pin;
        _input = input;
        _debounce = debounce;
        _time = time;
        _shouldDispose = shouldDispose;
        _gpio.OpenPin(pin, PinMode.InputPullUp);
        _gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling | PinEventTypes.Rising, OnEdge);
        if (_gpio.Read(pin) == PinValue.Low)
        {
            _input.Press(); // held at power-on: the recovery path starts counting now
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        // Restart the settle timer on every edge; act only on the level that outlasts the bounce.
        var timer = _time.CreateTimer(_ => Settle(), null, _debounce, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _settle, timer)?.Dispose();
    }

    private void Settle()
    {
        if (_gpio.Read(_pin) == PinValue.Low)
        {
            _input.Press();
        }
        else
        {
            _input.Release();
        }
    }

    public void Dispose()
    {
        _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        _settle?.Dispose();
        _gpio.ClosePin(_pin);
        if (_shouldDispose)
        {
            _gpio.Dispose();
        }
    }
}
