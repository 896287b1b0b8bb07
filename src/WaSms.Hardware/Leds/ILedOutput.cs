namespace WaSms.Hardware.Leds;

/// <summary>Status LEDs: GPIO pins on the Pi, a dictionary on the simulated board.</summary>
public interface ILedOutput
{
    /// <summary>Shows <paramref name="pattern"/>; blinking is the implementation's job.</summary>
    void Show(LedPattern pattern);

    LedPattern Current { get; }
}
