using System.Globalization;

namespace WaSms.Gateway.Updates;

/// <summary>
/// The last or current update as <c>status --json</c> shows it (<c>update</c>).
/// <paramref name="Phase"/>: <c>downloading</c> (<paramref name="Bytes"/> of <paramref name="Total"/>, <paramref name="Percent"/>
/// when the total is known), <c>checking</c>, <c>installing</c>, <c>installed</c> (reboot to run it; <paramref name="Step"/>
/// <c>rebooting</c> when a reboot was requested), <c>refused</c> (the bundle did not pass the check; nothing was written), <c>failed</c>, or <c>rolled-back</c>
/// (found at start-up: the installed version did not come up and the board went back; <see cref="UpdateOutcomes"/>).
/// </summary>
public sealed record UpdateReport(string Phase, string Bundle, string? Version, int? Percent, string? Step, string? Reason, DateTimeOffset Since,
    long? Bytes = null, long? Total = null)
{
    /// <summary>The step of an installation after which the board reboots into the new slot.</summary>
    public const string Rebooting = "rebooting";

    /// <summary>One line for people: <c>status</c> and <c>update</c> print it.</summary>
    public string Describe() => Phase switch
    {
        "downloading" => Total is { } total
            ? $"downloading {Bundle}: {Percent}% ({Megabytes(Bytes ?? 0)} of {Megabytes(total)} MB)"
            : $"downloading {Bundle}: {Megabytes(Bytes ?? 0)} MB",
        "checking" => $"checking {Bundle}",
        "installing" => $"installing {Version}: {Percent}% {Step}",
        "installed" when Step == Rebooting => $"update {Version} installed; rebooting into it (the board returns to this version by itself if it does not come up)",
        "installed" => $"update {Version} installed; reboot to run it (the board returns to this version by itself if it does not come up)",
        "refused" => $"{Bundle} refused: {Reason}",
        "failed" => $"update {Version ?? Bundle} failed: {Reason}",
        "rolled-back" => $"update {Version ?? "(unknown version)"} failed and was rolled back: {Reason}",
        _ => $"update {Phase}",
    };

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
