using System.Text;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Tests.Imaging;

namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// Every screen on every panel equals its image in docs/screens, pixel for pixel.
/// <c>scripts/regen-screens</c> runs these with WASMS_REGEN_SCREENS=1 to write the images and the README instead.
/// </summary>
public sealed class GoldenScreenTests
{
    private static readonly bool Regenerate = Environment.GetEnvironmentVariable("WASMS_REGEN_SCREENS") == "1";

    public static TheoryData<PanelKind, string> Cases()
    {
        var data = new TheoryData<PanelKind, string>();
        foreach (var panel in PanelGeometry.All)
        {
            foreach (var sample in ScreenSamples.All)
            {
                data.Add(panel.Kind, sample.Name);
            }
        }
        return data;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WaSms.Appliance.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("WaSms.Appliance.sln not found above " + AppContext.BaseDirectory);
    }

    private static string GoldenPath(PanelKind kind, string name) =>
        Path.Combine(RepositoryRoot(), "docs", "screens", ScreenSamples.FolderOf(kind), name + ".png");

    private static MonoFrame Render(PanelKind kind, string name)
    {
        var geometry = PanelGeometry.For(kind);
        var model = ScreenSamples.All.Single(s => s.Name == name).Model;
        return ScreenRenderer.Render(model, geometry.Width, geometry.Height);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Screen_EqualsTheGoldenImage(PanelKind kind, string name)
    {
        var frame = Render(kind, name);
        var path = GoldenPath(kind, name);
        if (Regenerate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, PngEncoder.Encode(frame));
        }
        Assert.True(File.Exists(path), $"{path} is missing; run scripts/regen-screens");

        var golden = PngPixels.Decode(File.ReadAllBytes(path));

        Assert.Equal((frame.Width, frame.Height), (golden.Width, golden.Height));
        if (!frame.SameAs(golden))
        {
            var actual = Path.Combine(Path.GetTempPath(), $"wasms-screen-{ScreenSamples.FolderOf(kind)}-{name}.png");
            File.WriteAllBytes(actual, PngEncoder.Encode(frame));
            Assert.Fail($"{name} on {kind} differs from {path}; drawn now: {actual}. If the change is intended, run scripts/regen-screens.");
        }
        Assert.Equal(0, frame.ClippedPixels);
    }

    [Theory]
    [InlineData(PanelKind.Waveshare2In13V4)]
    [InlineData(PanelKind.Waveshare1In54V2)]
    public void QrGolden_ZbarReadsTheQrString(PanelKind kind)
    {
        Assert.Equal(ScreenSamples.Qr, FramePngTests.Zbar(GoldenPath(kind, "unpaired-qr")));
    }

    /// <summary>The stuck-button hint is drawn beside or below the QR, never over it or its quiet zone.</summary>
    [Theory]
    [InlineData(PanelKind.Waveshare2In13V4)]
    [InlineData(PanelKind.Waveshare1In54V2)]
    public void ButtonStuckGolden_QrStillReads(PanelKind kind)
    {
        Assert.Equal(ScreenSamples.Qr, FramePngTests.Zbar(GoldenPath(kind, "button-stuck")));
    }

    /// <summary>
    /// Issue 9 item 23: the golden QR screen as a phone camera sees it (grey on grey, 3×, rotated,
    /// blurred, unevenly lit, noisy) still reads, with a QR string as long as WhatsApp's.
    /// </summary>
    [Theory]
    [InlineData(PanelKind.Waveshare2In13V4, 4.0)]
    [InlineData(PanelKind.Waveshare2In13V4, -3.0)]
    [InlineData(PanelKind.Waveshare1In54V2, 4.0)]
    [InlineData(PanelKind.Waveshare1In54V2, -3.0)]
    public void QrGolden_PhotographedByAPhone_ZbarReadsTheQrString(PanelKind kind, double rotation)
    {
        Assert.Equal(266, ScreenSamples.Qr.Length);
        var golden = PngPixels.Decode(File.ReadAllBytes(GoldenPath(kind, "unpaired-qr")));
        var photo = Path.Combine(Path.GetTempPath(), $"wasms-photo-{ScreenSamples.FolderOf(kind)}-{rotation}-{Guid.NewGuid():N}.pgm");
        try
        {
            new PhoneCamera(RotationDegrees: rotation).Photograph(golden, photo);
            Assert.Equal(ScreenSamples.Qr, FramePngTests.Zbar(photo));
        }
        finally
        {
            File.Delete(photo);
        }
    }

    /// <summary>
    /// Light modules around the QR on every side, within the panel: at least 2 everywhere, the full 4
    /// where the panel has room at 2 px per module (the 122-px-high 2.13" has not: 57 modules × 2 px + 2 × 4 px).
    /// </summary>
    [Theory]
    [InlineData(PanelKind.Waveshare2In13V4, 2)]
    [InlineData(PanelKind.Waveshare1In54V2, 4)]
    public void QrScreen_KeepsAQuietZoneOnEverySide(PanelKind kind, int quietModules)
    {
        var frame = Render(kind, "unpaired-qr");
        var matrix = QrMatrix.Encode(ScreenSamples.Qr);
        Assert.Equal(57, matrix.Size); // version 10
        // The QR's dark bounding box: the finder patterns mark its top-left, top-right and bottom-left corners.
        var (left, top, module) = FindQr(frame);
        var size = matrix.Size * module;
        var quiet = quietModules * module;
        for (var y = top - quiet; y < top + size + quiet; y++)
        {
            for (var x = left - quiet; x < left + size + quiet; x++)
            {
                var inside = x >= left && x < left + size && y >= top && y < top + size;
                Assert.True(x >= 0 && y >= 0 && x < frame.Width && y < frame.Height, $"quiet zone runs off the {kind} panel at ({x},{y})");
                Assert.True(inside || !frame[x, y], $"dark pixel at ({x},{y}) within {quietModules} modules of the QR on {kind}");
            }
        }
    }

    /// <summary>The top-left corner of the QR (its top-left finder pattern) and the module size: the finder's first dark row is 7 modules wide.</summary>
    private static (int Left, int Top, int Module) FindQr(MonoFrame frame)
    {
        var matrix = QrMatrix.Encode(ScreenSamples.Qr);
        for (var module = 6; module >= 1; module--)
        {
            var size = matrix.Size * module;
            for (var top = 0; top + size <= frame.Height; top++)
            {
                for (var left = 0; left + size <= frame.Width; left++)
                {
                    if (Matches(frame, matrix, left, top, module))
                    {
                        return (left, top, module);
                    }
                }
            }
        }
        throw new Xunit.Sdk.XunitException("QR not found on the frame");
    }

    private static bool Matches(MonoFrame frame, QrMatrix matrix, int left, int top, int module)
    {
        for (var my = 0; my < matrix.Size; my++)
        {
            for (var mx = 0; mx < matrix.Size; mx++)
            {
                if (frame[left + mx * module, top + my * module] != matrix[mx, my])
                {
                    return false;
                }
            }
        }
        return true;
    }

    [Fact]
    public void Readme_ShowsEveryImage()
    {
        var readme = Path.Combine(RepositoryRoot(), "docs", "screens", "README.md");
        var expected = BuildReadme();
        if (Regenerate)
        {
            File.WriteAllText(readme, expected);
        }
        Assert.Equal(expected, File.ReadAllText(readme));
    }

    private static string BuildReadme()
    {
        var text = new StringBuilder();
        text.Append("# Screens\n\n");
        text.Append("Every screen on every supported panel, drawn by `src/WaSms.Hardware/Display/ScreenRenderer.cs` from the\n");
        text.Append("deterministic samples in `tests/WaSms.Hardware.Tests/Display/ScreenSamples.cs` (clock fixed at\n");
        text.Append(ScreenSamples.Now.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        text.Append(" UTC). `GoldenScreenTests` compares each screen with these files pixel for pixel and checks that no\n");
        text.Append("text runs off the panel; zbarimg must read the QR (266 characters, as long as WhatsApp's) back from both\n");
        text.Append("QR images, also from a simulated phone photo of them (`PhoneCamera`), and the QR keeps its quiet zone. After an intended change,\n");
        text.Append("run `scripts/regen-screens` and review the diff. This file is generated by the same script.\n\n");
        text.Append("Panels: ");
        text.Append(string.Join(", ", PanelGeometry.All.Select(g => $"{g.Name} ({g.Width}×{g.Height}, `{ScreenSamples.FolderOf(g.Kind)}/`)")));
        text.Append(".\n\n");
        text.Append("| screen | what it shows | ");
        text.Append(string.Join(" | ", PanelGeometry.All.Select(g => $"{g.Width}×{g.Height}")));
        text.Append(" |\n|---|---|");
        text.Append(string.Concat(PanelGeometry.All.Select(_ => "---|")));
        text.Append('\n');
        foreach (var (name, description, _) in ScreenSamples.All)
        {
            text.Append($"| `{name}` | {description} | ");
            text.Append(string.Join(" | ", PanelGeometry.All.Select(g => $"![{name} on {g.Name}]({ScreenSamples.FolderOf(g.Kind)}/{name}.png)")));
            text.Append(" |\n");
        }
        text.Append("\nThe *display missing* case has no screen: the service logs it once, reports it in `status` and MQTT,\n");
        text.Append("and keeps writing `display/current.png`.\n");
        return text.ToString();
    }
}
