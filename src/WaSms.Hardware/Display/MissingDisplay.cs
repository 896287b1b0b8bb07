using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>Stands in for a panel that is absent or not answering: frames still go to the PNG file, nowhere else.</summary>
public sealed class MissingDisplay(int width, int height, string why) : IDisplay
{
    public string Description => $"missing ({why})";

    public int Width => width;

    public int Height => height;

    public bool IsPresent => false;

    public Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken) => Task.CompletedTask;
}
