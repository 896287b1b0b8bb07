using System.Globalization;
using System.Reflection;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// Holds the tunnel back before TLS while the clock cannot be trusted (docs/tunnel.md §1): a board
/// without a real-time clock (the Pi) boots at 1970 or at its last saved time until NTP answers, and
/// every certificate check would fail or, worse, pass against the wrong day. Two signs, polled on the
/// <see cref="TimeProvider"/>: a clock before this firmware was built (wait as long as it takes, TLS
/// cannot work), and systemd-timesyncd not yet synchronised (wait at most <c>Tunnel:TimeSyncWait</c>).
/// (WhatsApp's link uses Links/ClockSyncWatch the other way round: to retry at once when the clock is set.)
/// </summary>
public sealed class ClockGate(TunnelOptions options, TimeProvider time)
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>No clock reads earlier than this on a working board: the build's time (SOURCE_DATE_EPOCH, stamped by scripts/build-image) or, on a developer's build, 2025-01-01.</summary>
    public static DateTimeOffset Earliest { get; } = ReadBuildTime() ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private bool _syncSettled;

    /// <summary>Returns once the clock may be used for TLS, setting the link to "waiting for the clock" meanwhile.</summary>
    public async Task WaitAsync(TunnelLinkStatus status, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var now = time.GetUtcNow();
            if (now < Earliest)
            {
                status.Set(PlatformLinkState.WaitingForClock,
                    $"waiting for time sync: the clock says {Day(now)}, {Math.Ceiling((Earliest - now).TotalDays):0} days before this firmware was built ({Day(Earliest)})");
            }
            else if (!_syncSettled && WaitingForSync() && time.GetElapsedTime(started) < options.TimeSyncWait)
            {
                status.Set(PlatformLinkState.WaitingForClock, "waiting for time sync (NTP has not answered yet)");
            }
            else
            {
                // Once synchronised (or waited out) the flag is not read again: a later reconnect goes straight on.
                _syncSettled = true;
                return;
            }
            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    private bool WaitingForSync() =>
        options.TimeSyncFlag.Length > 0 && Directory.Exists(Path.GetDirectoryName(options.TimeSyncFlag)) && !File.Exists(options.TimeSyncFlag);

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ReadBuildTime() =>
        typeof(ClockGate).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SourceDateEpoch")?.Value is { } epoch && long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
