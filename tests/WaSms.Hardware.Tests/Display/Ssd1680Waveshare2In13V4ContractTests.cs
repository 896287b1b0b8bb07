using WaSms.Hardware.Display.Ssd1680;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The Waveshare 2.13" V4 (landscape) on the SSD1680 driver keeps the display contract.</summary>
public sealed class Ssd1680Waveshare2In13V4ContractTests() : Ssd1680DisplayContract(PanelKind.Waveshare2In13V4);
