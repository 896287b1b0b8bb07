using System.Device.Gpio;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Pi;

/// <summary>
/// Status LEDs on GPIO pins, driven from <see cref="LedTimeline"/>: each pin is set from the time
/// since the pattern was shown, and one <see cref="TimeProvider"/> timer fires at the next edge of
/// any LED, so a fake clock in tests sees every edge exactly when the timeline has it.
/// </summary>
public sealed class GpioLeds : ILedOutput, IDisposable
{
    private readonly GpioController _gpio;
    private readonly bool _shouldDispose;
    private readonly bool _activeLow;
    private readonly TimeProvider _time;
    private readonly (LedColor Color, int Pin)[] _pins;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private LedPattern _current = LedPattern.Dark;
    private DateTimeOffset _shownAt;
    private bool _disposed;

    /// <param name="gpio">The controller the pins are on.</param>
    /// <param name="greenPin">BCM number of the green LED, or -1 when not fitted (likewise amber and red).</param>
    /// <param name="amberPin">BCM number of the amber LED, or -1.</param>
    /// <param name="redPin">BCM number of the red LED, or -1.</param>
    /// <param name="activeLow">True when a low pin lights the LED (LED wired from 3.3 V to the pin).</param>
    /// <param name="time">The clock blinking runs on.</param>
    /// <param name="shouldDispose">Dispose <paramref name="gpio"/> too.</param>
    public GpioLeds(GpioController gpio, int greenPin, int amberPin, int redPin, bool activeLow, TimeProvider time, bool shouldDispose = true)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        ArgumentNullException.ThrowIfNull(time);
        _gpio = gpio;
        _shouldDispose = shouldDispose;
        _activeLow = activeLow;
        _time = time;
        _pins = new[] { (LedColor.Green, greenPin), (LedColor.Amber, amberPin), (LedColor.Red, redPin) }
            .Where(p => p.Item2 >= 0).ToArray();
        foreach (var (_, pin) in _pins)
        {
            _gpio.OpenPin(pin, PinMode.Output, Level(false));
        }
        _shownAt = time.GetUtcNow();
        _timer = time.CreateTimer(_ => Apply(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many LEDs are fitted; with one, it shows <see cref="LedPattern.Strongest"/>.</summary>
    public int Count => _pins.Length;

    public LedPattern Current => Volatile.Read(ref _current);

    public void Show(LedPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        lock (_gate)
        {
            if (pattern == _current)
            {
                return; // same pattern: keep the blink phase
            }
            Volatile.Write(ref _current, pattern);
            _shownAt = _time.GetUtcNow();
        }
        Apply();
    }

    private void Apply()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            var elapsed = _time.GetUtcNow() - _shownAt;
            TimeSpan? next = null;
            foreach (var (color, pin) in _pins)
            {
                var mode = _pins.Length == 1 ? _current.Strongest : _current[color];
                _gpio.Write(pin, Level(LedTimeline.IsLit(mode, elapsed)));
                if (LedTimeline.UntilNextChange(mode, elapsed) is { } change && (next is null || change < next))
                {
                    next = change;
                }
            }
            _timer.Change(next ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private PinValue Level(bool lit) => lit != _activeLow ? PinValue.High : PinValue.Low;

    /// <summary>Darkens and closes the pins once; the host's container and the board both dispose it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            foreach (var (_, pin) in _pins)
            {
                _gpio.Write(pin, Level(false));
                _gpio.ClosePin(pin);
            }
        }
        if (_shouldDispose)
        {
            _gpio.Dispose();
        }
    }
}
