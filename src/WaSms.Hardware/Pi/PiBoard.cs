using System.Device.Gpio;
using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Pi;

/// <summary>
/// A Raspberry Pi: LEDs and the button on GPIO. The e-paper panel driver is not part of the
/// firmware yet, so the display reports itself missing and frames go to the PNG file only.
/// </summary>
public sealed class PiBoard : IBoard
{
    private readonly GpioController _gpio;
    private readonly GpioLeds _leds;
    private readonly GpioButtonSource? _buttonSource;

    public PiBoard(BoardOptions options, TimeProvider time, GpioController? gpio = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _gpio = gpio ?? new GpioController();
        Button = new ButtonInput(options.ToButtonOptions(), time);
        _leds = new GpioLeds(_gpio, options.GreenLedPin, options.AmberLedPin, options.RedLedPin, options.LedActiveLow, time, shouldDispose: false);
        if (options.ButtonPin >= 0)
        {
            _buttonSource = new GpioButtonSource(_gpio, options.ButtonPin, Button, options.ButtonDebounce, time);
        }
        Display = new MissingDisplay(options.PanelWidth, options.PanelHeight, "no e-paper driver in this firmware yet");
    }

    /// <summary>True on a Raspberry Pi with a GPIO character device.</summary>
    public static bool IsDetected() =>
        File.Exists("/dev/gpiochip0") && File.Exists("/proc/device-tree/model") &&
        File.ReadAllText("/proc/device-tree/model").Contains("Raspberry Pi", StringComparison.Ordinal);

    public string Kind => "pi";

    public IDisplay Display { get; }

    public ILedOutput Leds => _leds;

    public ButtonInput Button { get; }

    public void Dispose()
    {
        _buttonSource?.Dispose();
        _leds.Dispose();
        _gpio.Dispose();
    }
}
