using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Simulated;

/// <summary>A panel that keeps the last frame in memory (the frame file and the simulator page show it).</summary>
public sealed class SimulatedDisplay(int width, int height) : IDisplay
{
    private MonoFrame? _last;
    private int _fullRefreshes;
    private int _partialRefreshes;

    public string Description => $"simulated {width}x{height}";

    public int Width => width;

    public int Height => height;

    public bool IsPresent => true;

    public MonoFrame? LastFrame => Volatile.Read(ref _last);

    public int FullRefreshes => Volatile.Read(ref _fullRefreshes);

    public int PartialRefreshes => Volatile.Read(ref _partialRefreshes);

    public Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != width || frame.Height != height)
        {
            throw new ArgumentException($"Frame is {frame.Width}x{frame.Height}, panel is {width}x{height}", nameof(frame));
        }
        Volatile.Write(ref _last, frame);
        Interlocked.Increment(ref full ? ref _fullRefreshes : ref _partialRefreshes);
        return Task.CompletedTask;
    }
}
