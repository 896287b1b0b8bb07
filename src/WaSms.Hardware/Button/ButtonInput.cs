using System.Threading.Channels;

namespace WaSms.Hardware.Button;

/// <summary>
/// Turns press/release edges into gestures by how long the button was held. The GPIO button and
/// <c>wasms-gateway press</c> both feed this one class, so they share one code path.
/// </summary>
/// <remarks>
/// The hold is measured on one clock, the <see cref="TimeProvider"/>'s monotonic timestamp, from the
/// press edge to the release edge; the thresholds are inclusive (held ≥ <see cref="ButtonOptions.RelinkHold"/>
/// relinks). The wall clock can jump (NTP) and timers may fire a few milliseconds early against it,
/// which once turned an exact 5 s hold into a short press.
/// </remarks>
public sealed class ButtonInput(ButtonOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Channel<ButtonGesture> _gestures = Channel.CreateBounded<ButtonGesture>(
        new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
    private DateTimeOffset? _pressedAt;
    private long _pressedTimestamp;
    private DateTimeOffset? _stuckSince;
    private int _press; // counts presses, so a stuck timer left from an earlier press does nothing
    private ITimer? _stuckTimer;

    public ChannelReader<ButtonGesture> Gestures => _gestures.Reader;

    /// <summary>The hold thresholds, for countdowns on the screen and LEDs.</summary>
    public ButtonOptions Options => options;

    /// <summary>Raised after the button went down or up (on the thread that saw the edge); the screen and LEDs start or stop their countdown.</summary>
    public event EventHandler? PressedChanged;

    /// <summary>Raised when the button became stuck or was released after being stuck.</summary>
    public event EventHandler? StuckChanged;

    /// <summary>Where the button is, for the log ("GPIO 26").</summary>
    public string Name { get; init; } = "not on GPIO";

    /// <summary>When the button went down, or null while it is up (or stuck: a stuck press is no hold).</summary>
    public DateTimeOffset? PressedAt
    {
        get { lock (_gate) { return _pressedAt; } }
    }

    /// <summary>
    /// When a press that lasted <see cref="ButtonOptions.StuckAfter"/> went down, or null: the button
    /// reads pressed and is treated as stuck (shorted, wired wrong, or an emulator's input reading 0)
    /// until it is released; that release gives no gesture.
    /// </summary>
    public DateTimeOffset? StuckSince
    {
        get { lock (_gate) { return _stuckSince; } }
    }

    /// <summary>The gesture a hold of <paramref name="held"/> gives; both thresholds are inclusive.</summary>
    public ButtonGesture Classify(TimeSpan held) =>
        held >= options.FactoryResetHold ? ButtonGesture.FactoryReset
        : held >= options.RelinkHold ? ButtonGesture.Relink
        : ButtonGesture.ShortPress;

    public void Press() => Press(time.GetTimestamp());

    /// <summary>The button went down at <paramref name="timestamp"/> (<see cref="TimeProvider.GetTimestamp"/>), e.g. a debounced edge seen earlier.</summary>
    public void Press(long timestamp) => Press(timestamp, watchStuck: true);

    /// <param name="watchStuck">False for a software hold (<see cref="PressAndReleaseAsync"/>): it ends by itself and cannot be stuck.</param>
    private void Press(long timestamp, bool watchStuck)
    {
        int press;
        lock (_gate)
        {
            if (_pressedAt is not null || _stuckSince is not null)
            {
                return;
            }
            _pressedTimestamp = timestamp;
            _pressedAt = time.GetUtcNow() - time.GetElapsedTime(timestamp);
            press = ++_press;
        }
        if (!watchStuck)
        {
            PressedChanged?.Invoke(this, EventArgs.Empty);
            return;
        }
        var due = options.StuckAfter - time.GetElapsedTime(timestamp);
        var timer = time.CreateTimer(_ => BecomeStuck(press), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _stuckTimer, timer)?.Dispose();
        PressedChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>
    /// The press is still down at <see cref="ButtonOptions.StuckAfter"/>: no person holds a button that
    /// long on purpose, so the hold is abandoned (no countdown, no gesture now or on the release).
    /// </summary>
    private void BecomeStuck(int press)
    {
        lock (_gate)
        {
            if (press != _press || _pressedAt is null)
            {
                return;
            }
            _stuckSince = _pressedAt;
            _pressedAt = null;
        }
        PressedChanged?.Invoke(this, EventArgs.Empty);
        StuckChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <returns>The gesture the release completed, or null when the button was not down.</returns>
    public ButtonGesture? Release() => Release(time.GetTimestamp());

    /// <summary>The button went up at <paramref name="timestamp"/> (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    /// <returns>The gesture the release completed, or null when the button was not down or was stuck.</returns>
    public ButtonGesture? Release(long timestamp)
    {
        TimeSpan held;
        bool wasStuck;
        lock (_gate)
        {
            wasStuck = _stuckSince is not null;
            if (_pressedAt is null && !wasStuck)
            {
                return null;
            }
            held = time.GetElapsedTime(_pressedTimestamp, timestamp);
            _pressedAt = null;
            _stuckSince = null;
            _press++;
        }
        Interlocked.Exchange(ref _stuckTimer, null)?.Dispose();
        if (wasStuck)
        {
            StuckChanged?.Invoke(this, EventArgs.Empty);
            if (held >= options.StuckAfter)
            {
                return null; // the fault ends; the release is no gesture
            }
            // The release edge came before the limit and was only delivered after it (debounce): a real hold.
        }
        var gesture = Classify(held);
        _gestures.Writer.TryWrite(gesture);
        PressedChanged?.Invoke(this, EventArgs.Empty);
        return gesture;
    }

    /// <summary>Presses, holds for at least <paramref name="hold"/> on the injected clock, releases.</summary>
    public async Task<ButtonGesture?> PressAndReleaseAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pressedAt is not null || _stuckSince is not null)
            {
                return null; // someone else holds it (or it is stuck); their release decides the gesture
            }
        }
        var start = time.GetTimestamp();
        Press(start, watchStuck: false); // `press --hold 60` is a deliberate hold, not a stuck line
        try
        {
            // A timer may fire a little before the clock it is measured against says the time is up
            // (Linux timers tick on a coarse clock): sleep again until the hold really lasted.
            for (var left = hold; left > TimeSpan.Zero; left = hold - time.GetElapsedTime(start))
            {
                await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, time, cancellationToken);
            }
        }
        finally
        {
            // Even when the caller gives up, the button must not stay "down" forever.
            if (cancellationToken.IsCancellationRequested)
            {
                lock (_gate) { _pressedAt = null; _press++; }
                Interlocked.Exchange(ref _stuckTimer, null)?.Dispose();
                PressedChanged?.Invoke(this, EventArgs.Empty);
            }
        }
        return Release();
    }
}
