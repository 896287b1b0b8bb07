using System.Device.Gpio;
using System.Device.Spi;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The Pi board opens SPI with the configured pins and falls back to a missing display.</summary>
public sealed class PiBoardPanelTests
{
    [Theory]
    [InlineData(PanelKind.Waveshare2In13V4, 250, 122)]
    [InlineData(PanelKind.Waveshare1In54V2, 200, 200)]
    public void AnsweringPanel_IsTheDisplay_AtThePanelSize(PanelKind kind, int width, int height)
    {
        var driver = new FakeGpioDriver();
        var options = Options(kind);
        RecordingSpiDevice? spi = null;
        SpiConnectionSettings? opened = null;

        using var board = new PiBoard(options, TimeProvider.System, new GpioController(driver), settings =>
        {
            opened = settings;
            spi = new RecordingSpiDevice(driver, options.DcPin, options.BusyPin, TimeProvider.System) { BusyFor = TimeSpan.FromMilliseconds(5) };
            spi.PowerOn();
            return spi;
        });

        Assert.IsType<Ssd1680>(board.Display);
        Assert.True(board.Display.IsPresent);
        Assert.Equal((width, height), (board.Display.Width, board.Display.Height));
        Assert.Equal((width, height), (options.PanelWidth, options.PanelHeight));
        Assert.Equal((1, 1, 4_000_000, SpiMode.Mode0), (opened!.BusId, opened.ChipSelectLine, opened.ClockFrequency, opened.Mode));
        Assert.Equal(PinMode.Output, driver.ModeOf(options.DcPin));
        Assert.Equal(PinMode.Output, driver.ModeOf(options.ResetPin));
        Assert.Equal(PinMode.InputPullUp, driver.ModeOf(options.BusyPin));
        Assert.Contains((byte)0x12, spi!.Commands);
    }

    [Fact]
    public void DeadPanel_FallsBackToMissingDisplay_WithTheReason()
    {
        var driver = new FakeGpioDriver();
        var options = Options(PanelKind.Waveshare2In13V4);

        using var board = new PiBoard(options, TimeProvider.System, new GpioController(driver),
            _ => new RecordingSpiDevice(driver, options.DcPin, options.BusyPin, TimeProvider.System) { Dead = true });

        Assert.IsType<MissingDisplay>(board.Display);
        Assert.False(board.Display.IsPresent);
        Assert.Contains("BUSY stayed high", board.Display.Description, StringComparison.Ordinal);
        Assert.Equal((250, 122), (board.Display.Width, board.Display.Height));
    }

    [Fact]
    public void SpiThatCannotOpen_FallsBackToMissingDisplay()
    {
        var options = Options(PanelKind.Waveshare1In54V2);

        using var board = new PiBoard(options, TimeProvider.System, new GpioController(new FakeGpioDriver()),
            _ => throw new IOException("/dev/spidev1.1 not found"));

        Assert.False(board.Display.IsPresent);
        Assert.Contains("spidev1.1", board.Display.Description, StringComparison.Ordinal);
        Assert.Equal((200, 200), (board.Display.Width, board.Display.Height));
    }

    [Fact]
    public void Validate_PanelPinsAndBus()
    {
        var options = new BoardOptions { DcPin = 60, BusyPin = 5, SpiChipSelect = 3, PanelKind = (PanelKind)42 };

        var keys = options.Validate().Select(p => p.Key).ToArray();

        Assert.Contains("Board:DcPin", keys);
        Assert.Contains("Board:BusyPin", keys); // GPIO 5 is the green LED
        Assert.Contains("Board:SpiChipSelect", keys);
        Assert.Contains("Board:PanelKind", keys);
        Assert.Empty(new BoardOptions().Validate());
    }

    [Fact]
    public void PanelSize_FollowsThePanelKind_UnlessSet()
    {
        Assert.Equal((250, 122), (new BoardOptions().PanelWidth, new BoardOptions().PanelHeight));
        var square = new BoardOptions { PanelKind = PanelKind.Waveshare1In54V2 };
        Assert.Equal((200, 200), (square.PanelWidth, square.PanelHeight));
        var set = new BoardOptions { PanelKind = PanelKind.Waveshare1In54V2, PanelWidth = 296, PanelHeight = 128 };
        Assert.Equal((296, 128), (set.PanelWidth, set.PanelHeight));
    }

    private static BoardOptions Options(PanelKind kind) => new()
    {
        PanelKind = kind,
        SpiBus = 1,
        SpiChipSelect = 1,
        GreenLedPin = -1,
        AmberLedPin = -1,
        RedLedPin = -1,
        ButtonPin = -1,
    };
}
