namespace WaSms.Gateway.Updates;

/// <summary>
/// The last or current update as <c>status --json</c> shows it (<c>update</c>).
/// <paramref name="Phase"/>: <c>checking</c>, <c>installing</c>, <c>installed</c> (reboot to run it),
/// <c>refused</c> (the bundle did not pass the check; nothing was written), <c>failed</c>, or <c>rolled-back</c>
/// (found at start-up: the installed version did not come up and the board went back; <see cref="UpdateOutcomes"/>).
/// </summary>
public sealed record UpdateReport(string Phase, string Bundle, string? Version, int? Percent, string? Step, string? Reason, DateTimeOffset Since)
{
    /// <summary>One line for people: <c>status</c> and <c>update</c> print it.</summary>
    public string Describe() => Phase switch
    {
        "checking" => $"checking {Bundle}",
        "installing" => $"installing {Version}: {Percent}% {Step}",
        "installed" => $"update {Version} installed; reboot to run it (the board returns to this version by itself if it does not come up)",
        "refused" => $"{Bundle} refused: {Reason}",
        "failed" => $"update {Version} failed: {Reason}",
        "rolled-back" => $"update {Version ?? "(unknown version)"} failed and was rolled back: {Reason}",
        _ => $"update {Phase}",
    };
}
