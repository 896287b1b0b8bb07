namespace WaSms.Core.State;

/// <summary>A request to move the state machine.</summary>
/// <param name="Trigger">What happened.</param>
/// <param name="Reason">Human reason for the resulting state.</param>
/// <param name="Pairing">New pairing details (for <see cref="GatewayTrigger.NeedsPairing"/>); kept otherwise only while unpaired.</param>
/// <param name="Account">The linked account; replaces the known one when given.</param>
/// <param name="Problem">What is wrong beyond the state, for this snapshot only.</param>
/// <param name="Notice">A notice to show from this snapshot on, until it lapses (it replaces an open one of its kind).</param>
public sealed record StateChange(
    GatewayTrigger Trigger,
    string Reason,
    PairingInfo? Pairing = null,
    LinkedAccount? Account = null,
    GatewayProblem Problem = GatewayProblem.None,
    GatewayNotice? Notice = null);
