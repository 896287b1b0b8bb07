using System.Threading.Channels;

namespace WaSms.Hardware.Button;

/// <summary>
/// Turns press/release edges into gestures by how long the button was held. The GPIO button and
/// <c>wasms-gateway press</c> both feed this one class, so they share one code path.
/// </summary>
public sealed class ButtonInput(ButtonOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Channel<ButtonGesture> _gestures = Channel.CreateBounded<ButtonGesture>(
        new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
    private DateTimeOffset? _pressedAt;

    public ChannelReader<ButtonGesture> Gestures => _gestures.Reader;

    /// <summary>The hold thresholds, for countdowns on the screen and LEDs.</summary>
    public ButtonOptions Options => options;

    /// <summary>Raised after the button went down or up (on the thread that saw the edge); the screen and LEDs start or stop their countdown.</summary>
    public event EventHandler? PressedChanged;

    /// <summary>When the button went down, or null while it is up.</summary>
    public DateTimeOffset? PressedAt
    {
        get { lock (_gate) { return _pressedAt; } }
    }

    public void Press()
    {
        lock (_gate)
        {
            if (_pressedAt is not null)
            {
                return;
            }
            _pressedAt = time.GetUtcNow();
        }
        PressedChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <returns>The gesture the release completed, or null when the button was not down.</returns>
    public ButtonGesture? Release()
    {
        TimeSpan held;
        lock (_gate)
        {
            if (_pressedAt is not { } since)
            {
                return null;
            }
            held = time.GetUtcNow() - since;
            _pressedAt = null;
        }
        var gesture = held >= options.FactoryResetHold ? ButtonGesture.FactoryReset
            : held >= options.RelinkHold ? ButtonGesture.Relink
            : ButtonGesture.ShortPress;
        _gestures.Writer.TryWrite(gesture);
        PressedChanged?.Invoke(this, EventArgs.Empty);
        return gesture;
    }

    /// <summary>Presses, holds for <paramref name="hold"/> on the injected clock, releases.</summary>
    public async Task<ButtonGesture?> PressAndReleaseAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        Press();
        try
        {
            if (hold > TimeSpan.Zero)
            {
                await Task.Delay(hold, time, cancellationToken);
            }
        }
        finally
        {
            // Even when the caller gives up, the button must not stay "down" forever.
            if (cancellationToken.IsCancellationRequested)
            {
                lock (_gate) { _pressedAt = null; }
                PressedChanged?.Invoke(this, EventArgs.Empty);
            }
        }
        return Release();
    }
}
