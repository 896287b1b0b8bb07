using System.Device.Gpio;
using WaSms.Hardware.Button;

namespace WaSms.Hardware.Pi;

/// <summary>
/// Feeds a GPIO push button (to ground, internal pull-up) into <see cref="ButtonInput"/>. An edge
/// counts only when the level is still the same <c>debounce</c> later: GpioButton's debounce lets
/// contact bounce on the press edge through (dotnet/iot tag v4.2.0 src/devices/Button/ButtonBase.cs;
/// measured on our build machine with a fake GpioDriver).
/// The press and the release are timed at the first edge of their burst, not when the level
/// settled: a press that bounced longer than its release would otherwise lose that time from the
/// hold, and an exact 5 s hold would come out short.
/// </summary>
public sealed class GpioButtonSource : IDisposable
{
    private readonly IButtonLine _line;
    private readonly GpioController? _ownedGpio;
    private readonly ButtonInput _input;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _settle;
    private long _burstStart; // TimeProvider timestamp of the first edge since the level last settled; 0 = none

    /// <summary>The button on <paramref name="pin"/> of <paramref name="gpio"/> (tests pass a fake driver).</summary>
    public GpioButtonSource(GpioController gpio, int pin, ButtonInput input, TimeSpan debounce, TimeProvider time, bool shouldDispose = false)
        : this(new GpioControllerButtonLine(gpio, pin), input, debounce, time)
    {
        _ownedGpio = shouldDispose ? gpio : null;
    }

    /// <summary>The button on <paramref name="line"/>, which this source owns and disposes.</summary>
    public GpioButtonSource(IButtonLine line, ButtonInput input, TimeSpan debounce, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(line);
        _line = line;
        _input = input;
        _debounce = debounce;
        _time = time;
        _line.Start(OnEdge);
        if (_line.IsLow)
        {
            _input.Press(); // held at power-on: the recovery path starts counting now
        }
    }

    private void OnEdge()
    {
        // Restart the settle timer on every edge; act only on the level that outlasts the bounce.
        lock (_gate)
        {
            if (_burstStart == 0)
            {
                _burstStart = _time.GetTimestamp();
            }
        }
        var timer = _time.CreateTimer(_ => Settle(), null, _debounce, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _settle, timer)?.Dispose();
    }

    private void Settle()
    {
        long at;
        lock (_gate)
        {
            at = _burstStart != 0 ? _burstStart : _time.GetTimestamp();
            _burstStart = 0;
        }
        if (_line.IsLow)
        {
            _input.Press(at);
        }
        else
        {
            _input.Release(at);
        }
    }

    public void Dispose()
    {
        _line.Dispose();
        _settle?.Dispose();
        _ownedGpio?.Dispose();
    }
}
