using WaSms.Hardware.Button;

namespace WaSms.Hardware.Board;

/// <summary>The <c>Board</c> configuration section.</summary>
public sealed class BoardOptions
{
    public BoardKind Kind { get; set; } = BoardKind.Auto;

    /// <summary>Panel size used by the simulated and headless boards (the default is the 2.13" SSD1680 panel).</summary>
    public int PanelWidth { get; set; } = 250;

    public int PanelHeight { get; set; } = 122;

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

    public TimeSpan RelinkHold { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan FactoryResetHold { get; set; } = TimeSpan.FromSeconds(15);

    public ButtonOptions ToButtonOptions() => new() { RelinkHold = RelinkHold, FactoryResetHold = FactoryResetHold };

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
        foreach (var (key, pin) in new[] { ("Board:GreenLedPin", GreenLedPin), ("Board:AmberLedPin", AmberLedPin), ("Board:RedLedPin", RedLedPin), ("Board:ButtonPin", ButtonPin) })
        {
            if (pin is < -1 or > 53)
            {
                yield return (key, "must be a BCM GPIO number 0-53, or -1 for none");
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
    }
}
