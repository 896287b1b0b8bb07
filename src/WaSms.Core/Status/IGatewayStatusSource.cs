namespace WaSms.Core.Status;

/// <summary>Gives observers (CLI, MQTT, tunnel) the current <see cref="GatewayStatus"/>; the host implements it.</summary>
public interface IGatewayStatusSource
{
    Task<GatewayStatus> GetAsync(CancellationToken cancellationToken);
}
