using System.Diagnostics;
using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Tests.Imaging;

/// <summary>The frame file is what tests and people see of the screen: zbarimg must read the QR back from it.</summary>
public sealed class FramePngTests
{
    // The shape of a WhatsApp QR string: ref, noise public key, identity public key, adv secret, platform.
    private const string QrString = "2@Q7oNqk2FSmZ3QF2y4hWq3cWcXr0GzT5c1xK9bM8sY6vL2nD4pR7tU0wE3aZ5fH1jK8gB6,"
        + "u1rIh7Jf1rLa0Ym4qJz2f8sDl3kP9xW5vB6nC0mQ2tE=,hX3kL9pQ2rT5vY8bN1mC4xZ7wA0sD3fG6jK9lP2qR5t=,"
        + "vB8nM1kJ4hG7fD0sA3zX6cV9bN2mQ5wE8rT1yU4iO7p=,CHROME";

    internal static string Zbar(string pngPath)
    {
        var psi = new ProcessStartInfo("zbarimg", ["-q", "--raw", pngPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("zbarimg did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"zbarimg found no code in {pngPath} (exit {process.ExitCode}): {process.StandardError.ReadToEnd()}");
        return output.TrimEnd('\n');
    }

    [Theory]
    [InlineData(250, 122)]
    [InlineData(296, 128)]
    [InlineData(200, 200)]
    public async Task UnpairedScreen_PngFile_ZbarReadsTheQrString(int width, int height)
    {
        var dir = Path.Combine(Path.GetTempPath(), "wasms-png-" + Guid.NewGuid().ToString("N")[..8]);
        var snapshot = new GatewaySnapshot(GatewayState.Unpaired, "Scan the code", DateTimeOffset.UnixEpoch, 1,
            new PairingInfo(QrString, DateTimeOffset.UnixEpoch.AddSeconds(60), RefNumber: 1, RefCount: 6));
        var frame = ScreenRenderer.Render(snapshot, width, height, DateTimeOffset.UnixEpoch);
        var file = new FrameFile(dir);

        await file.WriteAsync(frame, CancellationToken.None);

        Assert.Equal(QrString, Zbar(file.Path));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Encode_IsAOneBitGrayscalePngOfThePanelSize()
    {
        var frame = new MonoFrame(250, 122);
        var png = PngEncoder.Encode(frame);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(250, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(122, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(1, png[24]); // bit depth
        Assert.Equal(0, png[25]); // grayscale
    }

    [Fact]
    public void TerminalQr_DecodesBackToTheSameModules()
    {
        var matrix = QrMatrix.Encode(QrString);
        var lines = matrix.ToTerminalText(quietModules: 2).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        for (var my = 0; my < matrix.Size; my++)
        {
            for (var mx = 0; mx < matrix.Size; mx++)
            {
                var row = my + 2;
                var cell = lines[row / 2][mx + 2];
                var light = row % 2 == 0 ? cell is '█' or '▀' : cell is '█' or '▄';
                Assert.Equal(matrix[mx, my], !light);
            }
        }
    }

    [Fact]
    public void Render_EveryStateOnEveryPanel_DrawsTheTitle()
    {
        foreach (var state in Enum.GetValues<GatewayState>())
        {
            foreach (var (w, h) in new[] { (250, 122), (296, 128), (200, 200) })
            {
                var frame = ScreenRenderer.Render(new GatewaySnapshot(state, "A reason that is long enough to need wrapping on the smallest panel we support", DateTimeOffset.UnixEpoch, 1), w, h, DateTimeOffset.UnixEpoch);
                var dark = Enumerable.Range(0, w).Count(x => frame[x, 1]);
                Assert.True(dark > w / 2, $"{state} on {w}x{h}: title bar missing");
            }
        }
    }
}
