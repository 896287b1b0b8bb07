using System.Device.Gpio;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Pi;

/// <summary>
/// Status LEDs on GPIO pins. Blinking runs on a <see cref="TimeProvider"/> timer at 100 ms
/// resolution, so tests with a fake clock see every edge.
/// </summary>
public sealed class GpioLeds : ILedOutput, IDisposable
{
    private readonly GpioController _gpio;
    private readonly bool _shouldDispose;
    private readonly bool _activeLow;
    private readonly (LedColor Color, int Pin)[] _pins;
    private readonly ITimer _timer;
    private LedPattern _current = new(LedMode.Off, LedMode.Off, LedMode.Off);
    private long _ticks;

    public GpioLeds(GpioController gpio, int greenPin, int amberPin, int redPin, bool activeLow, TimeProvider time, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        _gpio = gpio;
        _shouldDispose = shouldDispose;
        _activeLow = activeLow;
        _pins = new[] { (LedColor.Green, greenPin), (LedColor.Amber, amberPin), (LedColor.Red, redPin) }
            .Where(p => p.Item2 >= 0).ToArray();
        foreach (var (_, pin) in _pins)
        {
            _gpio.OpenPin(pin, PinMode.Output, Level(false));
        }
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    public LedPattern Current => Volatile.Read(ref _current);

    public void Show(LedPattern pattern)
    {
        Volatile.Write(ref _current, pattern);
        Apply(Interlocked.Read(ref _ticks));
    }

    private void Tick() => Apply(Interlocked.Increment(ref _ticks));

    private void Apply(long tick)
    {
        var pattern = Current;
        foreach (var (color, pin) in _pins)
        {
            var lit = pattern[color] switch
            {
                LedMode.On => true,
                LedMode.SlowBlink => tick / 10 % 2 == 0,
                LedMode.FastBlink => tick / 2 % 2 == 0,
                _ => false,
            };
            _gpio.Write(pin, Level(lit));
        }
    }

    private PinValue Level(bool lit) => lit != _activeLow ? PinValue.High : PinValue.Low;

    public void Dispose()
    {
        _timer.Dispose();
        foreach (var (_, pin) in _pins)
        {
            _gpio.Write(pin, Level(false));
            _gpio.ClosePin(pin);
        }
        if (_shouldDispose)
        {
            _gpio.Dispose();
        }
    }
}
