namespace WaSms.Core.State;

/// <summary>An immutable picture of the gateway's state; observers only ever see these.</summary>
/// <param name="State">The current state.</param>
/// <param name="Reason">Why the gateway is in this state, in words a customer understands.</param>
/// <param name="Since">When the gateway entered this state.</param>
/// <param name="Sequence">Increases by one on every change, so observers can spot missed ones.</param>
/// <param name="Pairing">QR / code details while unpaired.</param>
/// <param name="Account">The linked account, when there is one.</param>
/// <param name="Problem">What is wrong beyond the state (e.g. the clock), until the next change.</param>
/// <param name="Notices">What the customer is being told beside the state (at most one of each kind), until each lapses; null when none.</param>
/// <param name="Platform">The platform link's sub-state, set by the tunnel and carried across state changes; null on a host without the tunnel.</param>
public sealed record GatewaySnapshot(
    GatewayState State,
    string Reason,
    DateTimeOffset Since,
    long Sequence,
    PairingInfo? Pairing = null,
    LinkedAccount? Account = null,
    GatewayProblem Problem = GatewayProblem.None,
    IReadOnlyList<GatewayNotice>? Notices = null,
    PlatformLink? Platform = null)
{
    public string StateName => State.ToName();

    /// <summary>The notice of kind <typeparamref name="T"/> that is still open at <paramref name="now"/>, or null.</summary>
    public T? OpenNotice<T>(DateTimeOffset now) where T : GatewayNotice =>
        Notices?.OfType<T>().FirstOrDefault(n => n.Until > now);

    public override string ToString() => $"{StateName}: {Reason}";
}
