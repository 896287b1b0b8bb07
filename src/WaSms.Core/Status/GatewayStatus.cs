using WaSms.Core.State;

namespace WaSms.Core.Status;

/// <summary>Everything an observer may report about the gateway: the state plus the facts around it.</summary>
/// <param name="Snapshot">The state machine's current snapshot.</param>
/// <param name="QueueDepths">Undelivered items per queue.</param>
/// <param name="BoardKind">"pi", "simulated" or "headless".</param>
/// <param name="DisplayDescription">The panel, for people.</param>
/// <param name="DisplayPresent">False when the panel is missing or not answering.</param>
/// <param name="FirmwareVersion">The service's version.</param>
/// <param name="Uptime">Time since the service started.</param>
/// <param name="StalledLoops">Critical loops that stopped making progress.</param>
/// <param name="ButtonStuckSince">When the button went down, while it is treated as stuck (a hardware fault); null when fine.</param>
public sealed record GatewayStatus(
    GatewaySnapshot Snapshot,
    IReadOnlyDictionary<string, long> QueueDepths,
    string BoardKind,
    string DisplayDescription,
    bool DisplayPresent,
    string FirmwareVersion,
    TimeSpan Uptime,
    IReadOnlyList<string> StalledLoops,
    DateTimeOffset? ButtonStuckSince = null);
