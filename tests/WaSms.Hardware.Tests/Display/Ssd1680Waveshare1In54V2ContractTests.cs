using WaSms.Hardware.Display.Ssd1680;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The Waveshare 1.54" V2 (portrait, SSD1681) on the same driver keeps the display contract.</summary>
public sealed class Ssd1680Waveshare1In54V2ContractTests() : Ssd1680DisplayContract(PanelKind.Waveshare1In54V2);
