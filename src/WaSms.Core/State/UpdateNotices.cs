namespace WaSms.Core.State;

/// <summary>
/// The update being installed, for every observer (screen, MQTT, status): posted by the gateway's
/// <c>UpdateProgressFeed</c> while the state is <c>updating</c>, throttled there (a new phase or step, or the next 5 %),
/// so the e-paper panel and the broker see a handful of changes, not every line RAUC prints. The state machine drops it
/// when the state leaves <c>updating</c>.
/// </summary>
/// <param name="Version">The version being installed (null while the bundle is still being checked).</param>
/// <param name="Phase"><c>checking</c>, <c>installing</c> or <c>installed</c> (written; the new version runs after the reboot).</param>
/// <param name="Percent">0–100, or null when RAUC has not said yet.</param>
/// <param name="Step">RAUC's words for what it does now ("Copying image to rootfs.1"), or null.</param>
public sealed record UpdateProgress(string? Version, string Phase, int? Percent, string? Step) : GatewayNotice(DateTimeOffset.MaxValue);

/// <summary>
/// How the last update ended, learned at start-up from what the installer left before the reboot and what the boot
/// script found (docs/updates.md §6): installed and running, or rolled back to this version. A rolled-back update
/// stays on the online and degraded screens, in <c>status</c> and MQTT until the next successful update or an operator
/// dismisses it; an installed one is only reported (status and MQTT, <c>last_update</c>).
/// </summary>
/// <param name="Version">The version that was installed (null when the boot script reported a failure the gateway had no record of).</param>
/// <param name="RolledBack">True when the new version did not come up and the board went back to the old one.</param>
/// <param name="Reason">Why it was rolled back, printable and at most <see cref="MaxReasonLength"/> characters; null when installed.</param>
/// <param name="At">When the update was installed (the installer's record) or when the rollback was noticed.</param>
public sealed record UpdateOutcome(string? Version, bool RolledBack, string? Reason, DateTimeOffset At) : GatewayNotice(DateTimeOffset.MaxValue)
{
    /// <summary>Longest reason kept: one short sentence on the screen, well inside Home Assistant's 255-character release summary.</summary>
    public const int MaxReasonLength = 120;

    /// <summary>The outcome as status, MQTT and the tunnel's <c>state</c> frame name it: <c>installed</c> or <c>rolled-back</c>.</summary>
    public string Result => RolledBack ? "rolled-back" : "installed";

    /// <summary>"Update 1.6.0 failed and was rolled back: B: not marked good within its boot attempts"; "Update 1.6.0 installed".</summary>
    public string Describe() => RolledBack
        ? $"Update {Version ?? "(unknown version)"} failed and was rolled back: {Reason}"
        : $"Update {Version} installed";
}
