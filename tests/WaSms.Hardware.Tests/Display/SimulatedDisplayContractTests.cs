using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Simulated;
using WaSms.Testing.Contracts;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The simulated panel (dev mode, the simulator page, the frame file) keeps the display contract.</summary>
public sealed class SimulatedDisplayContractTests : DisplayContract
{
    private SimulatedDisplay? _display;

    protected override IDisplay Create() => _display = new SimulatedDisplay(250, 122);

    protected override MonoFrame? Shown() => _display!.LastFrame;
}
