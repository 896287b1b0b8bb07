using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Simulated;

/// <summary>The board used by dev mode and tests: same controllers, no GPIO or SPI.</summary>
public sealed class SimulatedBoard(BoardOptions options, TimeProvider time) : IBoard
{
    public string Kind => "simulated";

    public SimulatedDisplay Panel { get; } = new(options.PanelWidth, options.PanelHeight);

    public IDisplay Display => Panel;

    /// <summary>The LEDs as their concrete type (the simulator page listens for changes).</summary>
    public SimulatedLeds Lights { get; } = new();

    public ILedOutput Leds => Lights;

    public ButtonInput Button { get; } = new(options.ToButtonOptions(), time) { Name = "simulated" };

    public void Dispose()
    {
    }
}
