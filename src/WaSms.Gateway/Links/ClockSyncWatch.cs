namespace WaSms.Gateway.Links;

/// <summary>
/// Notices, cheaply, when the system clock gets set — so a gateway that failed WhatsApp's
/// certificate check because of a wrong clock (a board without a real-time clock, before NTP
/// answers) reconnects at once instead of at its next retry. Two signs, polled every
/// <see cref="PollInterval"/>: systemd-timesyncd touches <see cref="SystemdSyncFlag"/> on each
/// synchronisation (it exists once the clock has been synced since boot), and a clock that is set
/// jumps against the monotonic clock. docs/image.md, "What the network must allow".
/// </summary>
public sealed class ClockSyncWatch(TimeProvider time, string syncFlagPath = ClockSyncWatch.SystemdSyncFlag)
{
    /// <summary>systemd-timesyncd's flag file (systemd-timesyncd.service(8)).</summary>
    public const string SystemdSyncFlag = "/run/systemd/timesync/synchronized";

    /// <summary>How often the flag and the clock are looked at while waiting.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>A wall-clock jump against the monotonic clock larger than this means the clock was set.</summary>
    public static readonly TimeSpan StepThreshold = TimeSpan.FromSeconds(30);

    private (DateTimeOffset Wall, long Monotonic, DateTime? Flag)? _mark;

    /// <summary>
    /// Remembers the clock as it is now (call it when the wrong clock is noticed): a sync that
    /// happens before <see cref="WaitForSyncAsync"/> starts still counts.
    /// </summary>
    public void Mark() => _mark = (time.GetUtcNow(), time.GetTimestamp(), FlagTime());

    /// <summary>Waits until the clock is synchronised or set since <see cref="Mark"/> (or since now), or <paramref name="limit"/> passes.</summary>
    /// <returns>What ended the wait: "synchronised", "set" or null for the limit.</returns>
    public async Task<string?> WaitForSyncAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var (wallStart, monotonicStart, flagAtStart) = _mark ?? (time.GetUtcNow(), time.GetTimestamp(), FlagTime());
        _mark = null;
        var waitStart = time.GetTimestamp();
        while (true)
        {
            if (FlagTime() is { } flag && flag != flagAtStart)
            {
                return "synchronised";
            }
            var drift = (time.GetUtcNow() - wallStart) - time.GetElapsedTime(monotonicStart);
            if (drift.Duration() > StepThreshold)
            {
                return "set";
            }
            if (time.GetElapsedTime(waitStart) >= limit)
            {
                return null;
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private DateTime? FlagTime()
    {
        try
        {
            return File.Exists(syncFlagPath) ? File.GetLastWriteTimeUtc(syncFlagPath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
