using System.Device.Gpio;
using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Tests.Imaging;

namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// The driver against a fake SPI bus and fake GPIO: the recorded command stream, replayed by a
/// RAM emulator, must show a QR that zbarimg reads back — on every panel, full and partial.
/// </summary>
public sealed class Ssd1680Tests
{
    private const string QrString = "2@Q7oNqk2FSmZ3QF2y4hWq3cWcXr0GzT5c1xK9bM8sY6vL2nD4pR7tU0wE3aZ5fH1jK8gB6,"
        + "u1rIh7Jf1rLa0Ym4qJz2f8sDl3kP9xW5vB6nC0mQ2tE=,hX3kL9pQ2rT5vY8bN1mC4xZ7wA0sD3fG6jK9lP2qR5t=,"
        + "vB8nM1kJ4hG7fD0sA3zX6cV9bN2mQ5wE8rT1yU4iO7p=,CHROME";

    private const string NextQrString = "2@Zx9pL4kQ8mN2vB7cX1zA6sD3fG5hJ0kL9qW8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8v,"
        + "u1rIh7Jf1rLa0Ym4qJz2f8sDl3kP9xW5vB6nC0mQ2tE=,hX3kL9pQ2rT5vY8bN1mC4xZ7wA0sD3fG6jK9lP2qR5t=,"
        + "vB8nM1kJ4hG7fD0sA3zX6cV9bN2mQ5wE8rT1yU4iO7p=,CHROME";

    public static TheoryData<PanelKind> Panels => [.. Enum.GetValues<PanelKind>()];

    [Theory]
    [MemberData(nameof(Panels))]
    public async Task FullThenPartialRefresh_RebuiltRam_ZbarReadsTheQrString(PanelKind kind)
    {
        using var rig = new Ssd1680Rig(PanelGeometry.For(kind));
        Assert.True(await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None)));
        var first = Render(rig.Geometry, QrString, refNumber: 1);

        await rig.Drive(rig.Panel.RefreshAsync(first, full: true, CancellationToken.None));

        var emulator = rig.Replay();
        var glass = emulator.Panel(rig.Geometry.SourcePixels);
        AssertGlassShows(rig.Geometry, glass, first);
        Assert.Equal(QrString, ZbarAndDelete(Save(glass, $"{kind}-full")));
        AssertSame(glass, emulator.PanelRed(rig.Geometry.SourcePixels));

        var second = Render(rig.Geometry, NextQrString, refNumber: 2);
        await rig.Drive(rig.Panel.RefreshAsync(second, full: false, CancellationToken.None));

        emulator = rig.Replay();
        glass = emulator.Panel(rig.Geometry.SourcePixels);
        AssertGlassShows(rig.Geometry, glass, second);
        Assert.Equal(NextQrString, ZbarAndDelete(Save(glass, $"{kind}-partial")));
        // RAM 0x26 holds the shown image again, the base for the next partial refresh.
        AssertSame(glass, emulator.PanelRed(rig.Geometry.SourcePixels));
        var updates = emulator.Activations.Where(a => a is 0xF7 or 0xFF).ToArray();
        Assert.Equal([(byte)0xF7, (byte)0xFF], updates);
    }

    [Fact]
    public async Task Init_Waveshare213V4_SendsTheCommandsInOrder()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare2In13V4);

        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));

        Assert.Equal(
            [(byte)0x12, 0x01, 0x11, 0x44, 0x45, 0x4E, 0x4F, 0x3C, 0x21, 0x18],
            rig.Spi.Commands.ToArray());
        Assert.Equal([(byte)0xF9, 0x00, 0x00], DataOf(rig.Spi, 0x01));
        Assert.Equal([(byte)0x03], DataOf(rig.Spi, 0x11));
        Assert.Equal([(byte)0x00, 0x0F], DataOf(rig.Spi, 0x44));
        Assert.Equal([(byte)0x00, 0x00, 0xF9, 0x00], DataOf(rig.Spi, 0x45));
        Assert.Equal([(byte)0x05], DataOf(rig.Spi, 0x3C));
        Assert.Equal([(byte)0x00, 0x80], DataOf(rig.Spi, 0x21));
        Assert.Equal([(byte)0x80], DataOf(rig.Spi, 0x18));
        // The hardware reset pulse comes before the first command: high, low, high.
        Assert.Equal([PinValue.High, PinValue.High, PinValue.Low, PinValue.High],
            rig.Gpio.Writes.Where(w => w.Pin == Ssd1680Rig.ResetPin).Select(w => w.Value).ToArray());
    }

    [Fact]
    public async Task Init_Waveshare154V2_LoadsTheWaveformLast()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare1In54V2);

        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));

        Assert.Equal(
            [(byte)0x12, 0x01, 0x11, 0x44, 0x45, 0x4E, 0x4F, 0x3C, 0x18, 0x22, 0x20],
            rig.Spi.Commands.ToArray());
        Assert.Equal([(byte)0xC7, 0x00, 0x01], DataOf(rig.Spi, 0x01));
        Assert.Equal([(byte)0x01], DataOf(rig.Spi, 0x11));
        Assert.Equal([(byte)0x00, 0x18], DataOf(rig.Spi, 0x44));
        Assert.Equal([(byte)0xC7, 0x00, 0x00, 0x00], DataOf(rig.Spi, 0x45));
        Assert.Equal([(byte)0xB1], DataOf(rig.Spi, 0x22));
        Assert.True(rig.Panel.IsPresent);
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public async Task DeadPanel_BusyNeverLow_IsNotPresent(PanelKind kind)
    {
        using var rig = new Ssd1680Rig(PanelGeometry.For(kind), dead: true);

        var present = await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));

        Assert.False(present);
        Assert.False(rig.Panel.IsPresent);
        Assert.Contains("hardware reset", rig.Panel.FailureReason, StringComparison.Ordinal);
        Assert.Contains("not answering", rig.Panel.Description, StringComparison.Ordinal);
        Assert.Empty(rig.Spi.Commands); // nothing is sent to a panel that never became idle
    }

    [Fact]
    public async Task BusyStuckDuringRefresh_ThrowsDisplayTimeout_AndPanelTurnsMissing()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare2In13V4);
        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));
        rig.Spi.Dead = true;

        var frame = new MonoFrame(250, 122);
        var ex = await Assert.ThrowsAsync<DisplayTimeoutException>(() => rig.Drive(rig.Panel.RefreshAsync(frame, full: true, CancellationToken.None)));

        Assert.Equal("full refresh", ex.Step);
        Assert.Equal(rig.Panel.RefreshTimeout, ex.Timeout);
        Assert.False(rig.Panel.IsPresent);
    }

    [Fact]
    public async Task BusyTimeout_IsMeasuredOnTheTimeProvider()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare2In13V4, dead: true);
        var started = rig.Time.GetUtcNow();

        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));

        var waited = rig.Time.GetUtcNow() - started;
        Assert.InRange(waited, rig.Panel.InitTimeout, rig.Panel.InitTimeout + TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task FullAndPartialRefresh_SendTheirSequencesInOrder()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare2In13V4);
        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));
        var frame = new MonoFrame(250, 122);

        rig.Spi.Bytes.Clear();
        await rig.Drive(rig.Panel.RefreshAsync(frame, full: true, CancellationToken.None));
        Assert.Equal([(byte)0x3C, 0x4E, 0x4F, 0x24, 0x4E, 0x4F, 0x26, 0x22, 0x20], rig.Spi.Commands.ToArray());
        Assert.Equal([(byte)0xF7], DataOf(rig.Spi, 0x22));
        Assert.Equal(16 * 250, DataOf(rig.Spi, 0x24).Length);

        rig.Spi.Bytes.Clear();
        var resetWrites = rig.Gpio.Writes.Count(w => w.Pin == Ssd1680Rig.ResetPin);
        frame.FillRectangle(0, 0, 10, 10);
        await rig.Drive(rig.Panel.RefreshAsync(frame, full: false, CancellationToken.None));
        Assert.Equal([(byte)0x3C, 0x01, 0x11, 0x44, 0x45, 0x4E, 0x4F, 0x24, 0x22, 0x20, 0x4E, 0x4F, 0x26], rig.Spi.Commands.ToArray());
        Assert.Equal([(byte)0x80], DataOf(rig.Spi, 0x3C));
        Assert.Equal([(byte)0xFF], DataOf(rig.Spi, 0x22));
        // A short reset pulse (low, high) starts the partial sequence.
        Assert.Equal([PinValue.Low, PinValue.High], rig.Gpio.Writes.Where(w => w.Pin == Ssd1680Rig.ResetPin).Skip(resetWrites).Select(w => w.Value).ToArray());
    }

    [Fact]
    public async Task PanelThatTimedOut_IsInitialisedAgain_OnTheNextRefresh()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare1In54V2);
        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));
        var frame = new MonoFrame(200, 200);
        rig.Spi.Dead = true;
        await Assert.ThrowsAsync<DisplayTimeoutException>(() => rig.Drive(rig.Panel.RefreshAsync(frame, full: true, CancellationToken.None)));

        rig.Spi.Dead = false;
        rig.Spi.PowerOn();
        rig.Spi.Bytes.Clear();
        await rig.Drive(rig.Panel.RefreshAsync(frame, full: true, CancellationToken.None));

        Assert.True(rig.Panel.IsPresent);
        Assert.Null(rig.Panel.FailureReason);
        Assert.Equal((byte)0x12, rig.Spi.Commands.First());
    }

    [Fact]
    public async Task Refresh_WrongFrameSize_Throws()
    {
        using var rig = new Ssd1680Rig(PanelGeometry.Waveshare1In54V2);
        await rig.Drive(rig.Panel.TryInitializeAsync(CancellationToken.None));

        await Assert.ThrowsAsync<ArgumentException>(() => rig.Panel.RefreshAsync(new MonoFrame(250, 122), full: true, CancellationToken.None));
    }

    private static byte[] DataOf(RecordingSpiDevice spi, byte command)
    {
        var index = spi.Bytes.FindIndex(b => !b.IsData && b.Value == command);
        Assert.True(index >= 0, $"command 0x{command:X2} not sent");
        return spi.Bytes.Skip(index + 1).TakeWhile(b => b.IsData).Select(b => b.Value).ToArray();
    }

    private static MonoFrame Render(PanelGeometry geometry, string qr, int refNumber)
    {
        var snapshot = new GatewaySnapshot(GatewayState.Unpaired, "Scan the code", DateTimeOffset.UnixEpoch, 1,
            new PairingInfo(qr, DateTimeOffset.UnixEpoch.AddSeconds(60), RefNumber: refNumber, RefCount: 6));
        return ScreenRenderer.Render(snapshot, geometry.Width, geometry.Height, DateTimeOffset.UnixEpoch);
    }

    /// <summary>
    /// The glass equals the frame under the panel's documented mapping: as is for portrait
    /// panels; landscape panels show frame column x on gate line (lines - 1 - x).
    /// </summary>
    private static void AssertGlassShows(PanelGeometry geometry, bool[,] glass, MonoFrame frame)
    {
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                var shown = geometry.Landscape ? glass[y, geometry.GateLines - 1 - x] : glass[x, y];
                if (shown != frame[x, y])
                {
                    Assert.Fail($"{geometry.Name}: frame pixel ({x},{y}) is {(frame[x, y] ? "dark" : "white")} but the glass shows the opposite");
                }
            }
        }
    }

    private static void AssertSame(bool[,] expected, bool[,] actual) =>
        Assert.True(expected.Cast<bool>().SequenceEqual(actual.Cast<bool>()), "RAM 0x26 differs from RAM 0x24");

    private static string ZbarAndDelete(string png)
    {
        var text = FramePngTests.Zbar(png);
        Directory.Delete(Path.GetDirectoryName(png)!, recursive: true);
        return text;
    }

    private static string Save(bool[,] glass, string name)
    {
        var frame = new MonoFrame(glass.GetLength(0), glass.GetLength(1));
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                frame[x, y] = glass[x, y];
            }
        }
        var dir = Path.Combine(Path.GetTempPath(), "wasms-ssd1680-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        File.WriteAllBytes(path, PngEncoder.Encode(frame));
        return path;
    }
}
