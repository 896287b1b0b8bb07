using System.Device.Gpio;

namespace WaSms.Hardware.Tests.Fakes;

/// <summary>
/// An in-memory GPIO driver under the real <see cref="GpioController"/>: records every write and
/// lets a test drive input levels, raising the edge callbacks as the kernel would.
/// </summary>
public sealed class FakeGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _callbacks = [];

    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    protected override int PinCount => 54;

    public PinMode ModeOf(int pin) => _modes[pin];

    public PinValue LevelOf(int pin) => _levels.GetValueOrDefault(pin, PinValue.Low);

    /// <summary>Sets an input level and raises the matching edge callbacks.</summary>
    public void SetInput(int pin, PinValue value)
    {
        var old = LevelOf(pin);
        _levels[pin] = value;
        if (old == value)
        {
            return;
        }
        var edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        foreach (var (types, handler) in _callbacks.GetValueOrDefault(pin) ?? [])
        {
            if ((types & edge) != 0)
            {
                handler(this, new PinValueChangedEventArgs(edge, pin));
            }
        }
    }

    protected override void OpenPin(int pinNumber)
    {
    }

    protected override void ClosePin(int pinNumber) => _callbacks.Remove(pinNumber);

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        _modes[pinNumber] = mode;
        if (mode == PinMode.InputPullUp && !_levels.ContainsKey(pinNumber))
        {
            _levels[pinNumber] = PinValue.High;
        }
    }

    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => LevelOf(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        _levels[pinNumber] = value;
        Writes.Add((pinNumber, value));
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("tests use callbacks");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        if (!_callbacks.TryGetValue(pinNumber, out var list))
        {
            _callbacks[pinNumber] = list = [];
        }
        list.Add((eventTypes, callback));
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        _callbacks.GetValueOrDefault(pinNumber)?.RemoveAll(c => c.Handler == callback);
}
