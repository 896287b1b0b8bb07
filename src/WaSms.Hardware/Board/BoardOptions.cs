using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;

namespace WaSms.Hardware.Board;

/// <summary>The <c>Board</c> configuration section.</summary>
public sealed class BoardOptions
{
    public BoardKind Kind { get; set; } = BoardKind.Auto;

    private int? _panelWidth;
    private int? _panelHeight;

    /// <summary>The e-paper panel on a Pi; its geometry also sets the default <see cref="PanelWidth"/>/<see cref="PanelHeight"/>.</summary>
    public PanelKind PanelKind { get; set; } = PanelKind.Waveshare2In13V4;

    /// <summary>
    /// Panel size the simulated and headless boards draw at; defaults to the size of
    /// <see cref="PanelKind"/>. A Pi always draws at the size of its <see cref="PanelKind"/>.
    /// </summary>
    public int PanelWidth
    {
        get => _panelWidth ?? ToPanelGeometry().Width;
        set => _panelWidth = value;
    }

    public int PanelHeight
    {
        get => _panelHeight ?? ToPanelGeometry().Height;
        set => _panelHeight = value;
    }

    /// <summary>
    /// The geometry of <see cref="PanelKind"/> (the default panel's while the kind is invalid).
    /// A method, not a property: the configuration binder would try to bind a property.
    /// </summary>
    public PanelGeometry ToPanelGeometry() => Enum.IsDefined(PanelKind) ? PanelGeometry.For(PanelKind) : PanelGeometry.Waveshare2In13V4;

    /// <summary>SPI bus of the panel (0 = /dev/spidev0.*).</summary>
    public int SpiBus { get; set; }

    /// <summary>SPI chip select of the panel (0 = CE0, BCM GPIO 8, as on the Waveshare HAT).</summary>
    public int SpiChipSelect { get; set; }

    /// <summary>BCM GPIO of the panel's data/command line (Waveshare HAT: 25).</summary>
    public int DcPin { get; set; } = 25;

    /// <summary>BCM GPIO of the panel's reset line (Waveshare HAT: 17).</summary>
    public int ResetPin { get; set; } = 17;

    /// <summary>BCM GPIO of the panel's BUSY line (Waveshare HAT: 24).</summary>
    public int BusyPin { get; set; } = 24;

    /// <summary>BCM GPIO numbers of the green, amber and red LEDs; -1 leaves that LED out.</summary>
    public int GreenLedPin { get; set; } = 5;

    public int AmberLedPin { get; set; } = 6;

    public int RedLedPin { get; set; } = 13;

    /// <summary>True when an LED lights with the pin low (wired to 3.3 V through the LED).</summary>
    public bool LedActiveLow { get; set; }

    /// <summary>BCM GPIO of the push button (to ground, internal pull-up).</summary>
    public int ButtonPin { get; set; } = 26;

    /// <summary>The button level must stay stable this long before an edge counts.</summary>
    public TimeSpan ButtonDebounce { get; set; } = TimeSpan.FromMilliseconds(50);

    // The hold thresholds live in ButtonOptions (defaults and meaning, once); these keys only bind them.
    private readonly ButtonOptions _button = new();

    /// <summary><see cref="ButtonOptions.RelinkHold"/>, bound as <c>Board:RelinkHold</c>.</summary>
    public TimeSpan RelinkHold
    {
        get => _button.RelinkHold;
        set => _button.RelinkHold = value;
    }

    /// <summary><see cref="ButtonOptions.FactoryResetHold"/>, bound as <c>Board:FactoryResetHold</c>.</summary>
    public TimeSpan FactoryResetHold
    {
        get => _button.FactoryResetHold;
        set => _button.FactoryResetHold = value;
    }

    /// <summary><see cref="ButtonOptions.StuckAfter"/>, bound as <c>Board:ButtonStuckAfter</c>.</summary>
    public TimeSpan ButtonStuckAfter
    {
        get => _button.StuckAfter;
        set => _button.StuckAfter = value;
    }

    /// <summary>Least time between two non-urgent panel refreshes (counters); a new QR, a new state or a redraw is never held back.</summary>
    public TimeSpan DisplayMinimumInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After this many partial refreshes the next one is full (partial refreshes leave ghosts).</summary>
    public int DisplayFullRefreshEvery { get; set; } = 20;

    /// <summary>Partial refreshes standing this long get a full refresh even when nothing changes.</summary>
    public TimeSpan DisplayFullRefreshAfter { get; set; } = TimeSpan.FromHours(1);

    public RefreshOptions ToRefreshOptions() => new()
    {
        MinimumInterval = DisplayMinimumInterval,
        FullEvery = DisplayFullRefreshEvery,
        FullAfter = DisplayFullRefreshAfter,
    };

    public ButtonOptions ToButtonOptions() => new() { RelinkHold = RelinkHold, FactoryResetHold = FactoryResetHold, StuckAfter = ButtonStuckAfter };

    /// <summary>Checks values that binding alone cannot; each problem names its key.</summary>
    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (PanelWidth is < 64 or > 2048)
        {
            yield return ("Board:PanelWidth", "must be between 64 and 2048 pixels");
        }
        if (PanelHeight is < 64 or > 2048)
        {
            yield return ("Board:PanelHeight", "must be between 64 and 2048 pixels");
        }
        if (!Enum.IsDefined(PanelKind))
        {
            yield return ("Board:PanelKind", "must be one of " + string.Join(", ", Enum.GetNames<PanelKind>()));
        }
        if (SpiBus is < 0 or > 6)
        {
            yield return ("Board:SpiBus", "must be an SPI bus number 0-6");
        }
        if (SpiChipSelect is < 0 or > 2)
        {
            yield return ("Board:SpiChipSelect", "must be a chip select 0-2");
        }
        var pins = new[]
        {
            ("Board:GreenLedPin", GreenLedPin), ("Board:AmberLedPin", AmberLedPin), ("Board:RedLedPin", RedLedPin), ("Board:ButtonPin", ButtonPin),
            ("Board:DcPin", DcPin), ("Board:ResetPin", ResetPin), ("Board:BusyPin", BusyPin),
        };
        foreach (var (key, pin) in pins[..4])
        {
            if (pin is < -1 or > 53)
            {
                yield return (key, "must be a BCM GPIO number 0-53, or -1 for none");
            }
        }
        foreach (var (key, pin) in pins[4..])
        {
            if (pin is < 0 or > 53)
            {
                yield return (key, "must be a BCM GPIO number 0-53");
            }
        }
        foreach (var (key, pin) in pins.Skip(1))
        {
            var earlier = pins.TakeWhile(p => p.Item1 != key).FirstOrDefault(p => p.Item2 == pin && pin >= 0);
            if (earlier.Item1 is not null)
            {
                yield return (key, $"uses GPIO {pin}, which {earlier.Item1} already uses");
            }
        }
        if (ButtonDebounce < TimeSpan.Zero || ButtonDebounce > TimeSpan.FromSeconds(1))
        {
            yield return ("Board:ButtonDebounce", "must be between 00:00:00 and 00:00:01");
        }
        if (RelinkHold <= TimeSpan.Zero)
        {
            yield return ("Board:RelinkHold", "must be positive");
        }
        if (FactoryResetHold <= RelinkHold)
        {
            yield return ("Board:FactoryResetHold", "must be longer than Board:RelinkHold");
        }
        if (ButtonStuckAfter <= FactoryResetHold)
        {
            yield return ("Board:ButtonStuckAfter", "must be longer than Board:FactoryResetHold");
        }
        if (DisplayMinimumInterval < TimeSpan.Zero || DisplayMinimumInterval > TimeSpan.FromHours(1))
        {
            yield return ("Board:DisplayMinimumInterval", "must be between 00:00:00 and 01:00:00");
        }
        if (DisplayFullRefreshEvery is < 1 or > 1000)
        {
            yield return ("Board:DisplayFullRefreshEvery", "must be between 1 and 1000 partial refreshes");
        }
        if (DisplayFullRefreshAfter < TimeSpan.FromMinutes(1) || DisplayFullRefreshAfter > TimeSpan.FromDays(1))
        {
            yield return ("Board:DisplayFullRefreshAfter", "must be between 00:01:00 and 1.00:00:00");
        }
    }
}
