namespace WaSms.Hardware.Display.Ssd1680;

/// <summary>The e-paper panels the <see cref="Ssd1680"/> driver knows (configuration key <c>Board:PanelKind</c>).</summary>
public enum PanelKind
{
    /// <summary>Waveshare 2.13" e-Paper HAT V4: SSD1680, 122 × 250, shown as 250 × 122 landscape.</summary>
    Waveshare2In13V4,

    /// <summary>Waveshare 1.54" e-Paper V2: SSD1681, 200 × 200.</summary>
    Waveshare1In54V2,
}
