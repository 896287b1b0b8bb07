namespace WaSms.Hardware.Button;

/// <summary>
/// The hold thresholds, defined here once: bound from <c>Board:RelinkHold</c>, <c>Board:FactoryResetHold</c>
/// and <c>Board:ButtonStuckAfter</c> (<see cref="Board.BoardOptions"/>), read by the button, the screen's and the LEDs' countdowns.
/// </summary>
public sealed class ButtonOptions
{
    /// <summary>A hold at least this long relinks (log out of WhatsApp, new QR).</summary>
    public TimeSpan RelinkHold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A hold at least this long is a factory reset.</summary>
    public TimeSpan FactoryResetHold { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A press still held this long is a stuck or shorted button, not a gesture (docs/hardware/led-patterns.md).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);
}
