using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Support;

public static class ReporterExtensions
{
    /// <summary>Waits (real time) until the reporter has connected and published birth, discovery, state and telemetry.</summary>
    public static Task WaitConnectedAsync(this MqttHealthReporter reporter, TimeSpan timeout) =>
        Eventually.UntilAsync(() => reporter.IsConnected, timeout, "reporter did not connect");
}
