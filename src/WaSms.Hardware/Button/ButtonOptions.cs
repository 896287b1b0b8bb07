namespace WaSms.Hardware.Button;

public sealed class ButtonOptions
{
    public TimeSpan RelinkHold { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan FactoryResetHold { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A press still held this long is a stuck or shorted button, not a gesture (docs/hardware/led-patterns.md).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(1);
}
