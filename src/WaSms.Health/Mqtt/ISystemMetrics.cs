namespace WaSms.Health.Mqtt;

/// <summary>Reads the platform's health for telemetry (<see cref="SystemMetrics"/> on Linux).</summary>
public interface ISystemMetrics
{
    Task<SystemSample> SampleAsync(CancellationToken cancellationToken);
}
