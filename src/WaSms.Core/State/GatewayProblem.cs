namespace WaSms.Core.State;

/// <summary>
/// Something wrong that the state alone does not say, carried by one snapshot (the next change clears
/// it) so the LEDs can show it too, not only the reason text.
/// </summary>
public enum GatewayProblem
{
    None,

    /// <summary>WhatsApp's certificates are not valid at our clock: the board has no real-time clock and NTP has not answered yet.</summary>
    ClockNotSet,
}
