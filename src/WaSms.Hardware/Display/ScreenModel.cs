using WaSms.Core.State;

namespace WaSms.Hardware.Display;

/// <summary>
/// Everything one screen shows: the state snapshot plus the facts around it that the
/// <see cref="DisplayController"/> gathers. Rendering it is a pure function (<see cref="ScreenRenderer"/>).
/// </summary>
/// <param name="Snapshot">The state machine's snapshot (the renderer reads the platform link and an <see cref="UpdateNotice"/> from it).</param>
/// <param name="Now">The clock reading the screen is drawn for (QR time left, countdowns).</param>
/// <param name="TimeZone">Zone for wall-clock times such as "last sync 14:02"; UTC when null.</param>
/// <param name="Stats">Message counters and queue depth, when the host provides them.</param>
/// <param name="Hold">The button is being held: a countdown replaces the screen.</param>
/// <param name="Notice">A question for the customer (a reset stopped to protect undelivered items), from the snapshot.</param>
/// <param name="Setup">The setup file on the boot partition was refused (shown for a while after start), from the snapshot.</param>
/// <param name="ButtonStuck">The button reads pressed for too long (a hardware fault): a hint line at the bottom.</param>
public sealed record ScreenModel(
    GatewaySnapshot Snapshot,
    DateTimeOffset Now,
    TimeZoneInfo? TimeZone = null,
    ScreenStats? Stats = null,
    HoldProgress? Hold = null,
    ResetNotice? Notice = null,
    SetupNotice? Setup = null,
    bool ButtonStuck = false);

/// <summary>Counters for the online screen; each is null when nothing provides it yet.</summary>
/// <param name="MessagesIn">Messages received (today when the host counts per day, else since start).</param>
/// <param name="MessagesOut">Messages sent, counted the same way.</param>
/// <param name="QueueDepth">Undelivered items over all queues.</param>
/// <param name="LastSync">When the gateway last exchanged data with the platform.</param>
public sealed record ScreenStats(long? MessagesIn = null, long? MessagesOut = null, long? QueueDepth = null, DateTimeOffset? LastSync = null);

/// <summary>How long the button has been held, against the relink and factory-reset thresholds.</summary>
public sealed record HoldProgress(TimeSpan Held, TimeSpan RelinkHold, TimeSpan FactoryResetHold);

/// <summary>Supplies <see cref="ScreenStats"/> to the display; the gateway host implements it (the hardware layer knows no store or counters).</summary>
public interface IScreenStatsSource
{
    Task<ScreenStats> GetAsync(CancellationToken cancellationToken);
}
