namespace WaSms.Hardware.Display.Ssd1680;

/// <summary>
/// One panel: how the frame the screens are drawn on (<see cref="Width"/> × <see cref="Height"/>)
/// maps onto the controller RAM (<see cref="SourcePixels"/> wide, <see cref="GateLines"/> lines),
/// plus the few init values that differ between panels. Values and their sources: README.md.
/// </summary>
public sealed record PanelGeometry
{
    /// <summary>Waveshare 2.13" V4 (SSD1680): 122 sources × 250 gates, drawn as 250 × 122 landscape.</summary>
    public static PanelGeometry Waveshare2In13V4 { get; } = new()
    {
        Kind = PanelKind.Waveshare2In13V4,
        Name = "SSD1680 Waveshare 2.13in V4",
        SourcePixels = 122,
        GateLines = 250,
        Landscape = true,
        GateScan = 0x00,
        DataEntryMode = 0x03,
        BorderWaveform = 0x05,
        UpdateControl1 = [0x00, 0x80],
        LoadWaveformAtInit = false,
    };

    /// <summary>Waveshare 1.54" V2 (SSD1681): 200 × 200, drawn as is.</summary>
    public static PanelGeometry Waveshare1In54V2 { get; } = new()
    {
        Kind = PanelKind.Waveshare1In54V2,
        Name = "SSD1681 Waveshare 1.54in V2",
        SourcePixels = 200,
        GateLines = 200,
        Landscape = false,
        GateScan = 0x01,
        DataEntryMode = 0x01,
        BorderWaveform = 0x01,
        UpdateControl1 = [],
        LoadWaveformAtInit = true,
    };

    /// <summary>Every panel the driver supports.</summary>
    public static IReadOnlyList<PanelGeometry> All { get; } = [Waveshare2In13V4, Waveshare1In54V2];

    public required PanelKind Kind { get; init; }

    public required string Name { get; init; }

    /// <summary>Source (column) pixels the panel has; RAM lines are padded to whole bytes.</summary>
    public required int SourcePixels { get; init; }

    /// <summary>Gate lines (rows of RAM); the driver output MUX is this minus one.</summary>
    public required int GateLines { get; init; }

    /// <summary>True when the frame is drawn rotated: frame x runs along the gate lines, frame y along the sources.</summary>
    public required bool Landscape { get; init; }

    /// <summary>Third byte of driver output control (bit 0 = TB, gate scan from the last gate).</summary>
    public required byte GateScan { get; init; }

    /// <summary>Data entry mode: 0x03 = X and Y increment; 0x01 = X increments, Y decrements.</summary>
    public required byte DataEntryMode { get; init; }

    public required byte BorderWaveform { get; init; }

    /// <summary>Data of display update control 1 (0x21) at init, or empty to leave the default.</summary>
    public required IReadOnlyList<byte> UpdateControl1 { get; init; }

    /// <summary>True to load temperature and waveform (0x22 0xB1, 0x20) at the end of init.</summary>
    public required bool LoadWaveformAtInit { get; init; }

    /// <summary>Display update control 2 for a full refresh.</summary>
    public byte FullUpdate { get; init; } = 0xF7;

    /// <summary>Display update control 2 for a partial refresh (display mode 2).</summary>
    public byte PartialUpdate { get; init; } = 0xFF;

    /// <summary>Border waveform during partial refreshes (0x80: border follows VCOM, no flashing).</summary>
    public byte PartialBorderWaveform { get; init; } = 0x80;

    /// <summary>Width of the frame the screens are drawn on.</summary>
    public int Width => Landscape ? GateLines : SourcePixels;

    /// <summary>Height of the frame the screens are drawn on.</summary>
    public int Height => Landscape ? SourcePixels : GateLines;

    /// <summary>Bytes per RAM line (8 pixels each).</summary>
    public int BytesPerLine => (SourcePixels + 7) / 8;

    /// <summary>The geometry of <paramref name="kind"/>.</summary>
    public static PanelGeometry For(PanelKind kind) =>
        All.FirstOrDefault(g => g.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown panel");

    /// <summary>
    /// The frame pixel shown at RAM line <paramref name="streamLine"/> (in write order),
    /// source pixel <paramref name="source"/>. Landscape panels turn the frame so that frame
    /// column 0 is the last line written (the rotation of Waveshare's own landscape buffers).
    /// </summary>
    public (int X, int Y) FramePixelAt(int streamLine, int source) =>
        Landscape ? (GateLines - 1 - streamLine, source) : (source, streamLine);
}
