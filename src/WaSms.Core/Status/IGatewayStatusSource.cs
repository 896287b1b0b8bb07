namespace WaSms.Core.Status;

/// <summary>Gives observers (CLI, MQTT, tunnel) the current <see cref="GatewayStatus"/>; the host implements it.</summary>
public interface IGatewayStatusSource
{
    Task<GatewayStatus> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Raised when a fact outside the state machine changed (a hardware fault such as a stuck button),
    /// so observers publish again without waiting for their next tick. Sources without such facts never raise it.
    /// </summary>
    event EventHandler? Changed
    {
        add { }
        remove { }
    }
}
