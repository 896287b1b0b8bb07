using WaSms.Core.State;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>How often the e-paper panel may change, and how (<c>Board:Display*</c> keys, <see cref="Board.BoardOptions.ToRefreshOptions"/>).</summary>
public sealed class RefreshOptions
{
    /// <summary>An urgent change waits this long for followers, so a burst of state changes is drawn once, as its last state.</summary>
    public TimeSpan Coalesce { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Least time between two non-urgent refreshes (counters, "last sync"). Waveshare asks for at
    /// least 180 s between refreshes for panel life; counters are worth a refresh a minute.
    /// </summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Least time between non-urgent refreshes while a QR is shown: its "time left" moves in 10 s steps.</summary>
    public TimeSpan CountdownInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After this many partial refreshes the next refresh is a full one (partials leave ghosts).</summary>
    public int FullEvery { get; init; } = 20;

    /// <summary>A screen changed by partial refreshes gets a full one at least this often, even if nothing else changes.</summary>
    public TimeSpan FullAfter { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>What the panel should show: the frame plus what the policy needs to know about it.</summary>
/// <param name="Frame">The rendered frame.</param>
/// <param name="State">The state it shows.</param>
/// <param name="Overlay">Hold countdown or reset question over the state's screen, or none.</param>
/// <param name="Qr">The QR string on the frame, if any.</param>
/// <param name="Prompt">
/// What the screen asks the customer to do (a pairing code to enter, "hold the button to link again",
/// a reset question, a setup problem, an error to act on), as a key that changes when the request
/// does; null when the screen asks nothing. A new prompt is as urgent as a new QR.
/// </param>
public sealed record ScreenRequest(MonoFrame Frame, GatewayState State, ScreenOverlay Overlay, string? Qr, string? Prompt = null);

public enum ScreenOverlay
{
    None,
    /// <summary>The button-hold countdown: ticks every second, always urgent, always partial.</summary>
    Hold,
    /// <summary>The "hold again to discard N items" question.</summary>
    Notice,
}

public enum RefreshKind
{
    None,
    Partial,
    Full,
}

/// <summary>A refresh of <paramref name="Kind"/> at <paramref name="At"/> (now or later), or none.</summary>
public readonly record struct RefreshDecision(RefreshKind Kind, DateTimeOffset At);

/// <summary>
/// Decides when and how the panel refreshes (docs/hardware.md, "Refresh policy"):
/// a new QR, a new prompt for the customer, a new state or a redraw request are urgent and drawn after <see cref="RefreshOptions.Coalesce"/>;
/// other changes wait for <see cref="RefreshOptions.MinimumInterval"/> since the last refresh;
/// a new QR, a new prompt, a new state and a redraw are full refreshes, the rest partial, with a full one after
/// <see cref="RefreshOptions.FullEvery"/> partials or <see cref="RefreshOptions.FullAfter"/>.
/// Pure bookkeeping: the caller passes the time in.
/// </summary>
public sealed class RefreshPolicy(RefreshOptions options)
{
    private ScreenRequest? _shown;
    private DateTimeOffset _lastRefresh;
    private DateTimeOffset _lastFull;
    private int _partialsSinceFull;

    public RefreshOptions Options => options;

    /// <summary>What the panel shows now, or null before the first refresh.</summary>
    public ScreenRequest? Shown => _shown;

    public int PartialsSinceFull => _partialsSinceFull;

    /// <param name="next">What the panel should show.</param>
    /// <param name="now">The clock.</param>
    /// <param name="changedAt">When the first change not yet on the panel arrived (the coalescing window starts there).</param>
    /// <param name="forced">A redraw was asked for (short button press).</param>
    public RefreshDecision Decide(ScreenRequest next, DateTimeOffset now, DateTimeOffset changedAt, bool forced)
    {
        ArgumentNullException.ThrowIfNull(next);
        var coalesced = changedAt + options.Coalesce;
        if (_shown is not { } shown)
        {
            return new RefreshDecision(RefreshKind.Full, coalesced);
        }
        var ghosting = _partialsSinceFull > 0 && now - _lastFull >= options.FullAfter;
        if (!forced && !ghosting && next.Frame.SameAs(shown.Frame))
        {
            return new RefreshDecision(RefreshKind.None, now);
        }
        var newQr = next.Qr is not null && next.Qr != shown.Qr;
        var newState = next.State != shown.State;
        // A pairing code, a question or a problem the customer must act on cannot wait for the minimum interval.
        var newPrompt = next.Prompt is not null && next.Prompt != shown.Prompt;
        var urgent = forced || newQr || newPrompt || newState || next.Overlay != shown.Overlay || next.Overlay == ScreenOverlay.Hold;
        // The hold countdown stays partial: a full refresh flashes for seconds, the countdown ticks every second.
        var full = forced || newQr || ((newState || newPrompt) && next.Overlay != ScreenOverlay.Hold) ||
                   (next.Overlay != ScreenOverlay.Hold && (ghosting || _partialsSinceFull >= options.FullEvery));
        var kind = full ? RefreshKind.Full : RefreshKind.Partial;
        if (urgent)
        {
            return new RefreshDecision(kind, coalesced);
        }
        var interval = next.Qr is not null ? options.CountdownInterval : options.MinimumInterval;
        var at = _lastRefresh + interval;
        return new RefreshDecision(kind, at > coalesced ? at : coalesced);
    }

    /// <summary>Records that <paramref name="shown"/> went onto the panel.</summary>
    public void Refreshed(ScreenRequest shown, RefreshKind kind, DateTimeOffset now)
    {
        _shown = shown;
        _lastRefresh = now;
        if (kind == RefreshKind.Full)
        {
            _lastFull = now;
            _partialsSinceFull = 0;
        }
        else
        {
            _partialsSinceFull++;
        }
    }
}
