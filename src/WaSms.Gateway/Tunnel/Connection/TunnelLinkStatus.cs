using WaSms.Core.State;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// The tunnel's hand on the platform link's sub-state (<see cref="PlatformLink"/>): it writes into the
/// one state machine, which carries it in every snapshot to the screen, LEDs, MQTT and <c>status</c>;
/// nothing else keeps a copy.
/// </summary>
public sealed class TunnelLinkStatus
{
    private readonly GatewayStateMachine _machine;

    /// <summary>Starts the link as "not configured" (unless the tunnel already said more), so every snapshot from now on carries it.</summary>
    public TunnelLinkStatus(GatewayStateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        _machine = machine;
        if (machine.Current.Platform is null)
        {
            machine.SetPlatform(PlatformLinkState.NotConfigured, "");
        }
    }

    public PlatformLink Current => _machine.Current.Platform!;

    public void Set(PlatformLinkState state, string reason = "") => _machine.SetPlatform(state, reason);
}
