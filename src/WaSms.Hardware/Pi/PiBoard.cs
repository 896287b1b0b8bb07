using System.Device.Gpio;
using System.Device.Spi;
using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Pi;

/// <summary>
/// A Raspberry Pi: LEDs and the button on GPIO, the e-paper panel (<see cref="BoardOptions.PanelKind"/>)
/// on SPI. A panel that cannot be opened or does not answer becomes a <see cref="MissingDisplay"/>
/// whose description says why; frames then go to the PNG file only.
/// </summary>
public sealed class PiBoard : IBoard
{
    private readonly GpioController _gpio;
    private readonly GpioLeds _leds;
    private readonly GpioButtonSource? _buttonSource;
    private readonly Ssd1680? _panel;

    /// <param name="options">Pins, panel kind and SPI bus.</param>
    /// <param name="time">Clock for LEDs, button and the panel's BUSY timeout.</param>
    /// <param name="gpio">The GPIO controller; <see cref="OpenGpio"/> when null.</param>
    /// <param name="openSpi">Opens the panel's SPI device; <see cref="SpiDevice.Create"/> when null (tests pass a fake).</param>
    public PiBoard(BoardOptions options, TimeProvider time, GpioController? gpio = null, Func<SpiConnectionSettings, SpiDevice>? openSpi = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var real = gpio is null;
        _gpio = gpio ?? OpenGpio();
        Button = new ButtonInput(options.ToButtonOptions(), time) { Name = $"GPIO {options.ButtonPin}" };
        _leds = new GpioLeds(_gpio, options.GreenLedPin, options.AmberLedPin, options.RedLedPin, options.LedActiveLow, time, shouldDispose: false);
        if (options.ButtonPin >= 0)
        {
            // On the real chip the button line comes from libgpiod directly, so that its edge-event
            // request carries the pull-up (LibgpiodButtonLine); a given controller (tests) is used as is.
            IButtonLine line = real ? new LibgpiodButtonLine(0, options.ButtonPin) : new GpioControllerButtonLine(_gpio, options.ButtonPin);
            _buttonSource = new GpioButtonSource(line, Button, options.ButtonDebounce, time);
        }
        (Display, _panel) = OpenPanel(options, time, openSpi ?? SpiDevice.Create);
    }

    /// <summary>
    /// GPIO through the character device (<c>/dev/gpiochip0</c>, libgpiod 1.x as Debian bookworm ships
    /// it): the default controller picks the register driver on a Pi 3/4/Zero 2 W, which needs
    /// <c>/dev/gpiomem</c> — absent from Debian's kernel — or <c>/dev/mem</c>, which the hardened
    /// unit rightly denies (dotnet/iot tag v4.2.0 src/System.Device.Gpio/System/Device/Gpio/GpioController.cs,
    /// Drivers/RaspberryPi3LinuxDriver.cs). Line offsets on chip 0 are BCM numbers.
    /// </summary>
    public static GpioController OpenGpio() => new(new System.Device.Gpio.Drivers.LibGpiodDriver(0));

    /// <summary>
    /// Where the device-tree model is read, in order. <c>/sys/firmware/devicetree/base</c> first: the
    /// unit's <c>ProcSubset=pid</c> hides <c>/proc/device-tree</c> (a symlink to it) from the service,
    /// so reading /proc alone made every sandboxed Pi "headless" (issue #14).
    /// </summary>
    private static readonly string[] ModelFiles = ["sys/firmware/devicetree/base/model", "proc/device-tree/model"];

    /// <summary>True on a Raspberry Pi with a GPIO character device.</summary>
    /// <param name="root">File-system root ("/" in production, a fake tree in tests).</param>
    public static bool IsDetected(string root = "/") =>
        File.Exists(Path.Combine(root, "dev/gpiochip0")) &&
        ModelFiles.Select(relative => Path.Combine(root, relative)).Any(path =>
            File.Exists(path) && File.ReadAllText(path).Contains("Raspberry Pi", StringComparison.Ordinal));

    public string Kind => "pi";

    public IDisplay Display { get; }

    public ILedOutput Leds => _leds;

    public ButtonInput Button { get; }

    public void Dispose()
    {
        _panel?.Dispose();
        _buttonSource?.Dispose();
        _leds.Dispose();
        _gpio.Dispose();
    }

    /// <summary>
    /// Opens SPI (4 MHz, mode 0), resets and initialises the panel. Blocks start-up for at most
    /// the panel's init timeout when the panel does not answer.
    /// </summary>
    private (IDisplay Display, Ssd1680? Panel) OpenPanel(BoardOptions options, TimeProvider time, Func<SpiConnectionSettings, SpiDevice> openSpi)
    {
        var geometry = PanelGeometry.For(options.PanelKind);
        SpiDevice? spi = null;
        try
        {
            spi = openSpi(new SpiConnectionSettings(options.SpiBus, options.SpiChipSelect) { ClockFrequency = 4_000_000, Mode = SpiMode.Mode0 });
            var panel = new Ssd1680(spi, options.DcPin, options.ResetPin, options.BusyPin, geometry, _gpio, shouldDispose: false, time);
            spi = null; // the panel owns it now
            if (panel.TryInitializeAsync(CancellationToken.None).GetAwaiter().GetResult())
            {
                return (panel, panel);
            }
            var reason = panel.FailureReason;
            panel.Dispose();
            return (new MissingDisplay(geometry.Width, geometry.Height, $"{geometry.Name}: {reason}"), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException or ArgumentException)
        {
            spi?.Dispose();
            return (new MissingDisplay(geometry.Width, geometry.Height, $"{geometry.Name} on SPI {options.SpiBus}.{options.SpiChipSelect}: {ex.Message}"), null);
        }
    }
}
