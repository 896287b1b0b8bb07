using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Simulated;

/// <summary>A panel that keeps the last frame in memory (the frame file and the simulator page show it).</summary>
public sealed class SimulatedDisplay(int width, int height) : IDisplay
{
    private MonoFrame? _last;
    private long _frameVersion;
    private int _fullRefreshes;
    private int _partialRefreshes;

    public string Description => $"simulated {width}x{height}";

    public int Width => width;

    public int Height => height;

    public bool IsPresent => true;

    public MonoFrame? LastFrame => Volatile.Read(ref _last);

    /// <summary>Increases with every refresh (0 = nothing shown yet); the simulator page reloads the frame when it moves.</summary>
    public long FrameVersion => Interlocked.Read(ref _frameVersion);

    public int FullRefreshes => Volatile.Read(ref _fullRefreshes);

    public int PartialRefreshes => Volatile.Read(ref _partialRefreshes);

    /// <summary>Raised after every refresh, on the refreshing thread; handlers must be quick.</summary>
    public event EventHandler? Refreshed;

    public Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != width || frame.Height != height)
        {
            throw new ArgumentException($"Frame is {frame.Width}x{frame.Height}, panel is {width}x{height}", nameof(frame));
        }
        Volatile.Write(ref _last, frame);
        Interlocked.Increment(ref full ? ref _fullRefreshes : ref _partialRefreshes);
        Interlocked.Increment(ref _frameVersion);
        Refreshed?.Invoke(this, EventArgs.Empty);
        return Task.CompletedTask;
    }
}
