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
/// <param name="Today">Today's message counters, when the host has messaging.</param>
/// <param name="Tunnel">The platform link's state name (<c>connected</c>, <c>unreachable</c>, <c>not-enrolled</c>…), when the host has the tunnel.</param>
public sealed record GatewayStatus(
    GatewaySnapshot Snapshot,
    IReadOnlyDictionary<string, long> QueueDepths,
    string BoardKind,
    string DisplayDescription,
    bool DisplayPresent,
    string FirmwareVersion,
    TimeSpan Uptime,
    IReadOnlyList<string> StalledLoops,
    DateTimeOffset? ButtonStuckSince = null,
    MessageCounts? Today = null,
    string? Tunnel = null);

/// <summary>The message counters of one local day.</summary>
/// <param name="In">Messages received that day.</param>
/// <param name="Out">Sends that reached <c>sent</c> that day.</param>
/// <param name="Failed">Sends that failed that day.</param>
/// <param name="Queued">Sends waiting now.</param>
public sealed record MessageCounts(DateOnly Day, long In, long Out, long Failed, long Queued);
