using System.Collections;
using System.Globalization;

namespace WaSms.Gateway.Hosting;

/// <summary>What systemd told us through the environment: where to notify, and the watchdog period.</summary>
/// <param name="NotifySocket"><c>NOTIFY_SOCKET</c>, or null when not started by systemd.</param>
/// <param name="WatchdogInterval">Half of <c>WATCHDOG_USEC</c> (systemd's advice), or null without a watchdog.</param>
public sealed record SystemdSettings(string? NotifySocket, TimeSpan? WatchdogInterval)
{
    public static SystemdSettings FromEnvironment(IDictionary environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var socket = environment["NOTIFY_SOCKET"] as string;
        TimeSpan? interval = null;
        if (long.TryParse(environment["WATCHDOG_USEC"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0)
        {
            // WATCHDOG_PID, when set, says which process the watchdog is meant for.
            var pid = environment["WATCHDOG_PID"] as string;
            if (string.IsNullOrEmpty(pid) || pid == processId.ToString(CultureInfo.InvariantCulture))
            {
                interval = TimeSpan.FromTicks(usec * 10 / 2);
            }
        }
        return new SystemdSettings(string.IsNullOrEmpty(socket) ? null : socket, interval);
    }
}
