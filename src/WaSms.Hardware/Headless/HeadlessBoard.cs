using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Simulated;

namespace WaSms.Hardware.Headless;

/// <summary>A PC or VPS: no panel and no LEDs; the button exists only as <c>wasms-gateway press</c>.</summary>
public sealed class HeadlessBoard(BoardOptions options, TimeProvider time) : IBoard
{
    public string Kind => "headless";

    public IDisplay Display { get; } = new MissingDisplay(options.PanelWidth, options.PanelHeight, "headless");

    public ILedOutput Leds { get; } = new SimulatedLeds();

    public ButtonInput Button { get; } = new(options.ToButtonOptions(), time);

    public void Dispose()
    {
    }
}
