namespace WaSms.Core.State;

/// <summary>What happened. The transition table maps (state, trigger) to the next state.</summary>
public enum GatewayTrigger
{
    /// <summary>No usable credentials, or a new QR / pairing code is ready to be shown.</summary>
    NeedsPairing,
    /// <summary>The phone accepted the QR or code; pair-success is being processed.</summary>
    PairingStarted,
    /// <summary>Credentials exist and the WhatsApp connection is being opened.</summary>
    Connect,
    /// <summary>Every link the gateway needs is up.</summary>
    LinkUp,
    /// <summary>A link (WhatsApp, platform, network, clock) went down.</summary>
    LinkDown,
    /// <summary>WhatsApp logged the device out (401, device removed).</summary>
    LoggedOut,
    /// <summary>WhatsApp refused our client version (405).</summary>
    VersionRejected,
    /// <summary>WhatsApp temporarily banned the account.</summary>
    Banned,
    ResetRequested,
    /// <summary>The reset did not happen (released early, nothing discarded): back to where we were.</summary>
    ResetCancelled,
    /// <summary>The reset wiped everything: unpaired, with a new QR to come. Only the reset path fires it.</summary>
    ResetDone,
    UpdateStarted,
    /// <summary>The update failed or was rolled back: back to where we were.</summary>
    UpdateFailed,
    Fail,
}
