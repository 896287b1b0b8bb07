using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Keeps <c>&lt;state-dir&gt;/display/current.png</c> equal to what the panel shows, on real and
/// simulated boards alike (tests read the QR back from it with zbarimg). Written to a temporary
/// file and renamed, so a reader never sees half a PNG.
/// </summary>
public sealed class FrameFile(string stateDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "display", "current.png");

    public async Task WriteAsync(MonoFrame frame, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path + ".tmp";
        await File.WriteAllBytesAsync(temporary, PngEncoder.Encode(frame), cancellationToken);
        File.Move(temporary, Path, overwrite: true);
    }
}
