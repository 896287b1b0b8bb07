using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Board;

/// <summary>The physical (or simulated) appliance: one panel, the status LEDs, one button.</summary>
public interface IBoard : IDisposable
{
    /// <summary>"pi", "simulated" or "headless".</summary>
    string Kind { get; }

    IDisplay Display { get; }

    ILedOutput Leds { get; }

    ButtonInput Button { get; }
}
