namespace WaSms.Hardware.Display.Ssd1680;

/// <summary>
/// The SSD1680 / SSD1681 command bytes this driver sends (both controllers share them). Sources
/// are listed in this folder's README.md.
/// </summary>
public enum Ssd1680Command : byte
{
    /// <summary>Driver output control: MUX (gate lines - 1, low byte, high bit) and the gate scan byte (GD, SM, TB).</summary>
    DriverOutputControl = 0x01,

    /// <summary>Deep sleep mode (0x01 = mode 1, RAM kept); only a hardware reset wakes the controller.</summary>
    DeepSleepMode = 0x10,

    /// <summary>Data entry mode: bit 0 = X increments, bit 1 = Y increments, bit 2 = the counter moves along Y first.</summary>
    DataEntryModeSetting = 0x11,

    /// <summary>Software reset: every register back to its default (RAM is kept); BUSY is high while it runs.</summary>
    SwReset = 0x12,

    /// <summary>Temperature sensor selection (0x80 = the built-in sensor).</summary>
    TemperatureSensorControl = 0x18,

    /// <summary>Starts the sequence chosen by <see cref="DisplayUpdateControl2"/>; BUSY is high until it ends.</summary>
    MasterActivation = 0x20,

    /// <summary>Display update control 1: RAM content options (normal / bypass / inverse) and the source output range.</summary>
    DisplayUpdateControl1 = 0x21,

    /// <summary>Display update control 2: which steps the next <see cref="MasterActivation"/> runs (0xF7 full, 0xFF partial, 0xB1 load waveform).</summary>
    DisplayUpdateControl2 = 0x22,

    /// <summary>Write RAM (black/white): the image to show, 1 = white.</summary>
    WriteRamBlackWhite = 0x24,

    /// <summary>Write RAM (red / "old" image): the base a partial refresh compares against.</summary>
    WriteRamRed = 0x26,

    /// <summary>Border waveform control.</summary>
    BorderWaveformControl = 0x3C,

    /// <summary>RAM X window: start and end, in bytes (8 pixels each).</summary>
    SetRamXAddressStartEnd = 0x44,

    /// <summary>RAM Y window: start and end gate line, 2 bytes each (low, high).</summary>
    SetRamYAddressStartEnd = 0x45,

    /// <summary>RAM X address counter, in bytes.</summary>
    SetRamXAddressCounter = 0x4E,

    /// <summary>RAM Y address counter (low, high).</summary>
    SetRamYAddressCounter = 0x4F,
}
