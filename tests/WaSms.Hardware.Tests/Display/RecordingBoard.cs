using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Simulated;

namespace WaSms.Hardware.Tests.Display;

/// <summary>A board whose panel records every refresh with the fake clock's time.</summary>
public sealed class RecordingBoard(int width, int height, TimeProvider time) : IBoard, IDisplay
{
    public List<(MonoFrame Frame, bool Full, DateTimeOffset At)> Refreshes { get; } = [];

    public string Kind => "recording";

    public IDisplay Display => this;

    public ILedOutput Leds { get; } = new SimulatedLeds();

    public ButtonInput Button { get; } = new(new ButtonOptions(), time);

    public string Description => $"recording {width}x{height}";

    public int Width => width;

    public int Height => height;

    public bool IsPresent => true;

    public Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken)
    {
        Refreshes.Add((frame, full, time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }
}
