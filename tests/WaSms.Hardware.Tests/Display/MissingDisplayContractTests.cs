using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;
using WaSms.Testing.Contracts;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The stand-in for an absent panel keeps the display contract: it shows nothing and never fails.</summary>
public sealed class MissingDisplayContractTests : DisplayContract
{
    protected override IDisplay Create() => new MissingDisplay(250, 122, "no SPI device");

    protected override MonoFrame? Shown() => null;
}
