using static WaSms.Core.State.GatewayState;
using static WaSms.Core.State.GatewayTrigger;

namespace WaSms.Core.State;

/// <summary>
/// The transition table: the only place that says which state follows which.
/// A target of <c>null</c> means "return to the state held before resetting/updating".
/// docs/architecture.md draws the same table.
/// </summary>
public static class GatewayTransitions
{
    private static readonly GatewayState[] Everything = Enum.GetValues<GatewayState>();

    private static readonly (GatewayState[] From, GatewayTrigger Trigger, GatewayState? To)[] Rules =
    [
        // Not from resetting: only the reset itself ends a reset (ResetDone), so a QR the link
        // service posts while the reset asks its question cannot end it early.
        ([Booting, Unpaired, Pairing, Connecting, RelinkNeeded], NeedsPairing, Unpaired),
        ([Unpaired], PairingStarted, Pairing),
        // Pairing ends with the server's 515 restart into login; a lapsed ban or a new client
        // version is retried by connecting again.
        ([Booting, Pairing, ClientOutdated, TempBanned], Connect, Connecting),
        ([Connecting, Degraded], LinkUp, Online),
        ([Online, Degraded], LinkDown, Degraded),
        ([Connecting], LinkDown, Connecting),
        ([Pairing, Connecting, Online, Degraded], LoggedOut, RelinkNeeded),
        ([Unpaired, Pairing, Connecting, Online, Degraded], VersionRejected, ClientOutdated),
        ([Connecting, Online, Degraded], Banned, TempBanned),
        (Except(Booting, Resetting, Updating), ResetRequested, Resetting),
        ([Resetting], ResetCancelled, null),
        // Booting too: a reset a crash interrupted is finished at start-up, before the first state.
        ([Booting, Resetting], ResetDone, Unpaired),
        ([Unpaired, Connecting, Online, Degraded, RelinkNeeded, ClientOutdated, TempBanned, Fatal], UpdateStarted, Updating),
        ([Updating], UpdateFailed, null),
        (Except(Fatal), Fail, Fatal),
    ];

    private static readonly Dictionary<(GatewayState, GatewayTrigger), GatewayState?> Table = Build();

    /// <summary>Looks up the rule for <paramref name="trigger"/> in <paramref name="from"/>.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="trigger">What happened.</param>
    /// <param name="to">The next state, or null to resume the state held before resetting/updating.</param>
    /// <returns>False when the trigger is not allowed in that state.</returns>
    public static bool TryGetTarget(GatewayState from, GatewayTrigger trigger, out GatewayState? to) =>
        Table.TryGetValue((from, trigger), out to);

    /// <summary>Every allowed (from, trigger, to) triple, for docs and tests.</summary>
    public static IEnumerable<(GatewayState From, GatewayTrigger Trigger, GatewayState? To)> All =>
        Table.Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Value));

    private static GatewayState[] Except(params GatewayState[] excluded) =>
        Everything.Where(s => !excluded.Contains(s)).ToArray();

    private static Dictionary<(GatewayState, GatewayTrigger), GatewayState?> Build()
    {
        var table = new Dictionary<(GatewayState, GatewayTrigger), GatewayState?>();
        foreach (var (from, trigger, to) in Rules)
        {
            foreach (var state in from)
            {
                // A duplicate would make the table ambiguous; fail the type initializer loudly.
                table.Add((state, trigger), to);
            }
        }
        return table;
    }
}
