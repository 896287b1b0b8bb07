namespace WaSms.Core.State;

/// <summary>
/// Every state the gateway can be in. The machine-readable names (<see cref="GatewayStateNames"/>)
/// are a contract shared by the CLI's JSON, MQTT and the platform tunnel.
/// </summary>
public enum GatewayState
{
    Booting,
    /// <summary>No WhatsApp account is linked; a QR or pairing code is (or can be) shown.</summary>
    Unpaired,
    /// <summary>The phone scanned the QR / entered the code; the link is being completed.</summary>
    Pairing,
    Connecting,
    Online,
    /// <summary>Linked, but the WhatsApp or platform link is down.</summary>
    Degraded,
    /// <summary>WhatsApp logged this device out; a new link is needed.</summary>
    RelinkNeeded,
    ClientOutdated,
    TempBanned,
    Resetting,
    Updating,
    Fatal,
}
