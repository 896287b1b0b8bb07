using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Support;

public static class ReporterExtensions
{
    /// <summary>Waits (real time) until the reporter has connected and published birth, discovery, state and telemetry.</summary>
    public static async Task WaitConnectedAsync(this MqttHealthReporter reporter, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!reporter.IsConnected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("reporter did not connect");
            }
            await Task.Delay(25);
        }
    }
}
