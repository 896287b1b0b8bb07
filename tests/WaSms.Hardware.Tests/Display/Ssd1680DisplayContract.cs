using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Imaging;
using WaSms.Testing.Contracts;

namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// The SSD1680 driver on a fake SPI bus keeps the display contract; what the glass shows is the
/// recorded byte stream replayed by <see cref="Ssd1680RamEmulator"/>.
/// </summary>
public abstract class Ssd1680DisplayContract(PanelKind kind) : DisplayContract
{
    private Ssd1680Rig? _rig;

    private Ssd1680Rig Rig => _rig ?? throw new InvalidOperationException("not created");

    protected override IDisplay Create() => (_rig = new Ssd1680Rig(PanelGeometry.For(kind))).Panel;

    protected override async Task PrepareAsync() => Assert.True(await Rig.Drive(Rig.Panel.TryInitializeAsync(CancellationToken.None)));

    protected override MonoFrame? Shown() => Rig.Shown();

    protected override Task RunAsync(Task call) => Rig.Drive(call);

    protected override void Destroy() => _rig?.Dispose();
}
