using System.Globalization;
using WaSms.Core.State;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Draws one screen per state (docs/screens/README.md shows each on each panel). Pure: the same
/// <see cref="ScreenModel"/> gives the same pixels. Every text is wrapped or cut with "…" to its
/// box, so nothing runs off the panel (<see cref="MonoFrame.ClippedPixels"/> stays 0).
/// </summary>
public static partial class ScreenRenderer
{
    /// <summary>How the phone's menu reads, for the QR and pairing-code screens.</summary>
    public const string LinkPath = "WhatsApp \u2192 Linked devices \u2192 Link a device";

    private const int ProgressBarHeight = 8;

    public static MonoFrame Render(GatewaySnapshot snapshot, int width, int height, DateTimeOffset now) =>
        Render(new ScreenModel(snapshot, now), width, height);

    public static MonoFrame Render(ScreenModel model, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(model);
        var frame = new MonoFrame(width, height);
        var snapshot = model.Snapshot;
        if (model.Hold is { } hold)
        {
            DrawHold(frame, hold);
            return frame;
        }
        if (model.Notice is { } notice && notice.Until > model.Now)
        {
            DrawNotice(frame, notice, model.Now);
            return frame;
        }
        if (model.Setup is { } setup && setup.Until > model.Now)
        {
            Message(frame, Icon.Warning, "Setup file", "Setup file refused",
                [setup.Line > 0 ? $"Line {setup.Line}: {setup.Message}" : setup.Message, "Nothing from it was applied; the last good settings stay."],
                "Fix wasms-gateway.txt and restart");
            return frame;
        }
        var hintLeft = 0;
        switch (snapshot.State)
        {
            case GatewayState.Booting:
                Message(frame, Icon.Hourglass, "Starting", "Starting up", [snapshot.Reason], null);
                break;
            case GatewayState.Unpaired:
                hintLeft = DrawUnpaired(frame, model);
                break;
            case GatewayState.Pairing:
                Message(frame, Icon.Phone, "Linking", "Linking\u2026", ["Your phone accepted the code. Finishing the link; keep the phone online.", snapshot.Reason], null);
                break;
            case GatewayState.Connecting:
                Message(frame, Icon.Signal, "Connecting", "Connecting", [AccountLine(snapshot), snapshot.Reason], null);
                break;
            case GatewayState.Online:
                DrawOnline(frame, model);
                break;
            case GatewayState.Degraded:
                Message(frame, Icon.Warning, "Degraded", DegradedHeadline(snapshot.Reason), [snapshot.Reason, PlatformLine(snapshot), RolledBackLine(model)],
                    AccountLine(snapshot), aside: UpdateAside(model));
                break;
            case GatewayState.RelinkNeeded:
                Message(frame, Icon.BrokenLink, "Link again", "Logged out", [snapshot.Reason], "Hold the button 5 s to link again");
                break;
            case GatewayState.ClientOutdated:
                Message(frame, Icon.Download, "Update needed", "Update needed", ["WhatsApp no longer accepts this software version.", snapshot.Reason],
                    OutdatedAdvice(snapshot.OpenNotice<UpdateNotice>(model.Now)?.Version));
                break;
            case GatewayState.TempBanned:
                Message(frame, Icon.Clock, "Temporarily banned", "Banned for now", ["WhatsApp blocked this number for a while; the gateway retries by itself.", snapshot.Reason], null);
                break;
            case GatewayState.Resetting:
                Message(frame, Icon.Reset, "Resetting", "Resetting\u2026", [snapshot.Reason, "Do not unplug."], null);
                break;
            case GatewayState.Updating:
                DrawUpdating(frame, model);
                break;
            default:
                Message(frame, Icon.Cross, "Error", "Error " + FatalCode(snapshot.Reason), [snapshot.Reason], "Hold the button 15 s to reset");
                break;
        }
        if (model.ButtonStuck)
        {
            DrawHint(frame, hintLeft, "Button stuck: check wiring", "Button stuck");
        }
        return frame;
    }

    /// <summary>Short title of a state, for logs and headers.</summary>
    public static string Title(GatewayState state) => state switch
    {
        GatewayState.Booting => "Starting",
        GatewayState.Unpaired => "Scan to link",
        GatewayState.Pairing => "Linking",
        GatewayState.Connecting => "Connecting",
        GatewayState.Online => "Online",
        GatewayState.Degraded => "Degraded",
        GatewayState.RelinkNeeded => "Link again",
        GatewayState.ClientOutdated => "Update needed",
        GatewayState.TempBanned => "Temporarily banned",
        GatewayState.Resetting => "Resetting",
        GatewayState.Updating => "Updating",
        GatewayState.Fatal => "Error",
        _ => state.ToName(),
    };

    /// <summary>
    /// A short code for a fatal reason ("E-1A2B"): a 16-bit FNV-1a hash of the reason text, so the
    /// same failure always shows the same code and support can match it against the log.
    /// </summary>
    public static string FatalCode(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var hash = 2166136261u;
        foreach (var c in reason)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return "E-" + ((hash >> 16) ^ (hash & 0xFFFF)).ToString("X4", CultureInfo.InvariantCulture);
    }

    /// <summary>What the QR screen says under the code: "Code 2 of 6", "50 s left".</summary>
    /// <remarks>Time left is rounded down to 10 s, so the text changes (and the panel refreshes) at most every 10 s and never promises too much.</remarks>
    public static (string? Which, string TimeLeft) QrStatus(PairingInfo pairing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        var which = pairing.RefCount > 0 ? $"Code {pairing.RefNumber} of {pairing.RefCount}" : null;
        if (pairing.QrExpiresAt is not { } expires)
        {
            return (which, "Scan it now");
        }
        var seconds = (int)Math.Floor((expires - now).TotalSeconds);
        var left = seconds >= 10 ? $"{seconds / 10 * 10} s left" : seconds > 0 ? "< 10 s left" : "expired";
        return (which, left);
    }

    private static void DrawOnline(MonoFrame frame, ScreenModel model)
    {
        var snapshot = model.Snapshot;
        var zone = model.TimeZone ?? TimeZoneInfo.Utc;
        var lines = new List<string>();
        if (snapshot.Account?.PushName is { Length: > 0 } name)
        {
            lines.Add(name);
        }
        if (model.Stats is { } stats)
        {
            var counters = new List<string>();
            if (stats.MessagesIn is { } received)
            {
                counters.Add($"In {received}");
            }
            if (stats.MessagesOut is { } sent)
            {
                counters.Add($"Out {sent}");
            }
            if (stats.QueueDepth is { } queued)
            {
                counters.Add($"Queue {queued}");
            }
            if (counters.Count > 0)
            {
                lines.Add(string.Join(" \u00b7 ", counters));
            }
        }
        // The platform link: a line among the others while all is well or retrying; the bold footer
        // when it needs a person (revoked, forbidden, a refused certificate…), so it cannot be missed.
        string? footer = null;
        if (PlatformLine(snapshot) is { } platform)
        {
            if (snapshot.Platform!.NeedsAttention)
            {
                footer = platform;
            }
            else
            {
                lines.Add(platform);
            }
        }
        if (model.Stats?.LastSync is { } sync)
        {
            lines.Add("Last sync " + Clock(sync, model.Now, zone));
        }
        if (RolledBackLine(model) is { } rolledBack)
        {
            lines.Insert(Math.Min(1, lines.Count), rolledBack); // after the name: the counters may be cut, not this
        }
        lines.Add("Online since " + Clock(snapshot.Since, model.Now, zone));
        // An offered update installs at the next quiet moment by itself; a short press installs it now (docs/updates.md).
        if (footer is null && snapshot.OpenNotice<UpdateNotice>(model.Now) is not null
            && snapshot.OpenNotice<UpdateOutcome>(model.Now) is not { RolledBack: true })
        {
            footer = "Press button to update now";
        }
        Message(frame, Icon.Check, "Online", snapshot.Account?.MaskedNumber ?? "Online", lines, footer, aside: UpdateAside(model));
    }

    /// <summary>
    /// What the client-outdated screen and <c>status</c> tell the customer to do: the offered update installs by itself
    /// (docs/updates.md); without an offer, the platform has to publish one.
    /// </summary>
    public static string OutdatedAdvice(string? offeredVersion) => offeredVersion is { Length: > 0 } version
        ? $"Update {version} available: it installs automatically"
        : "Wait for an update from WaSMS or see the dashboard";

    /// <summary>
    /// The header's right side on the online and degraded screens: a rolled-back update first ("Update 1.6.0 failed",
    /// until the next update works or an operator dismisses it), else "Update 1.6.0 available" while the platform offers
    /// firmware (docs/tunnel.md §7.1), shorter where the title leaves less room; only the version: the bundle's URL and
    /// signature are for the installer. Null when neither.
    /// </summary>
    private static string[]? UpdateAside(ScreenModel model)
    {
        if (model.Snapshot.OpenNotice<UpdateOutcome>(model.Now) is { RolledBack: true } failed)
        {
            return failed.Version is { } version ? [$"Update {version} failed", "Update failed"] : ["Update failed"];
        }
        return model.Snapshot.OpenNotice<UpdateNotice>(model.Now) is { } offer ? [$"Update {offer.Version} available", $"Update {offer.Version}", "Update available"] : null;
    }

    /// <summary>"Update 1.6.0 rolled back: B: not marked good…" (the reason is already printable and capped); null without a rollback.</summary>
    private static string? RolledBackLine(ScreenModel model) =>
        model.Snapshot.OpenNotice<UpdateOutcome>(model.Now) is { RolledBack: true } failed
            ? failed.Version is { } version ? $"Update {version} rolled back: {failed.Reason}" : $"An update was rolled back: {failed.Reason}"
            : null;

    /// <summary>
    /// The version being installed, RAUC's percentage (in the header and as a bar) and step, and "Do not unplug" in bold:
    /// a power cut now costs nothing (the new slot is not primary until written) but the customer should not try.
    /// Before the first progress notice, the state's reason.
    /// </summary>
    private static void DrawUpdating(MonoFrame frame, ScreenModel model)
    {
        var progress = model.Snapshot.OpenNotice<UpdateProgress>(model.Now);
        var headline = progress?.Version is { } version ? $"Updating to {version}" : "Updating\u2026";
        string? line = progress switch
        {
            null => model.Snapshot.Reason,
            { Phase: "installed" } => $"{progress.Version} is installed; it starts after the restart.",
            { Percent: { } percent, Step: { Length: > 0 } step } => $"{percent}% \u00b7 {step}",
            { Percent: { } percent } => $"{percent}%",
            _ => progress.Step,
        };
        var percentShown = progress?.Phase == "installed" ? 100 : progress?.Percent;
        var bar = percentShown is null ? 0 : ProgressBarHeight + 2;
        Message(frame, Icon.Download, "Updating", headline, [line], "Do not unplug", bar, percentShown is { } p ? [$"{p}%"] : null);
        if (percentShown is { } shown)
        {
            var x = Margin;
            var width = frame.Width - 2 * Margin;
            var y = frame.Height - ProgressBarHeight;
            frame.DrawRectangle(x, y, width, ProgressBarHeight - 1);
            frame.FillRectangle(x, y, (int)(width * Math.Clamp(shown / 100.0, 0, 1)), ProgressBarHeight - 1);
        }
    }

    /// <summary>"Platform: connected / unreachable / not enrolled / enrollment revoked…"; null on a gateway without the platform tunnel.</summary>
    private static string? PlatformLine(GatewaySnapshot snapshot) =>
        snapshot.Platform is { State: not PlatformLinkState.NotConfigured } link ? link.ScreenLine : null;

    private static void DrawHold(MonoFrame frame, HoldProgress hold)
    {
        string headline, line;
        var body = new List<string>();
        if (hold.Held < hold.RelinkHold)
        {
            var left = SecondsLeft(hold.RelinkHold - hold.Held);
            headline = $"Relink in {left}\u00a0s";
            line = $"Keep holding: relink in\u00a0{left}\u00a0s";
            body.Add("Release now to cancel.");
        }
        else if (hold.Held < hold.FactoryResetHold)
        {
            var left = SecondsLeft(hold.FactoryResetHold - hold.Held);
            headline = $"Reset in {left}\u00a0s";
            line = $"Keep holding: factory reset in\u00a0{left}\u00a0s";
            body.Add("Release now to relink: log out of WhatsApp and show a new QR.");
        }
        else
        {
            headline = "Release to reset";
            line = "Release now: factory reset";
            body.Add("Forgets WhatsApp, the platform enrollment and settings.");
        }
        body.Insert(0, line);
        Message(frame, Icon.Button, "Button held", headline, body, null, ProgressBarHeight);
        // Progress towards the factory reset, with a tick where the relink begins.
        var x = Margin;
        var width = frame.Width - 2 * Margin;
        var y = frame.Height - ProgressBarHeight;
        frame.DrawRectangle(x, y, width, ProgressBarHeight - 1);
        var total = hold.FactoryResetHold.Ticks;
        var filled = (int)(width * Math.Clamp((double)hold.Held.Ticks / total, 0, 1));
        frame.FillRectangle(x, y, filled, ProgressBarHeight - 1);
        var tick = x + (int)(width * ((double)hold.RelinkHold.Ticks / total));
        frame.FillRectangle(tick, y - 3, 1, 3);
    }

    private static void DrawNotice(MonoFrame frame, ResetNotice notice, DateTimeOffset now)
    {
        var what = notice.FactoryReset ? "Factory reset" : "Relink";
        var seconds = Math.Max(1, SecondsLeft(notice.Until - now));
        Message(frame, Icon.Warning, what + " stopped", $"{notice.Undelivered} undelivered",
            [$"{notice.Undelivered} undelivered item(s) would be lost.", $"Hold the button again within {seconds}\u00a0s to discard them."],
            "Do nothing to keep them");
    }

    private static string? AccountLine(GatewaySnapshot snapshot) => snapshot.Account is { } account
        ? account.PushName is { Length: > 0 } name ? $"{account.MaskedNumber} {name}" : account.MaskedNumber
        : null;

    private static string DegradedHeadline(string reason) =>
        reason.Contains("network", StringComparison.OrdinalIgnoreCase) ? "No network"
        : reason.Contains("clock", StringComparison.OrdinalIgnoreCase) ? "Clock not set"
        : reason.Contains("platform", StringComparison.OrdinalIgnoreCase) || reason.Contains("tunnel", StringComparison.OrdinalIgnoreCase) ? "Platform offline"
        : reason.Contains("WhatsApp", StringComparison.OrdinalIgnoreCase) ? "WhatsApp offline"
        : "Partly offline";

    /// <summary>"14:02" today, "3 Nov 14:02" on another day, in the panel's time zone.</summary>
    private static string Clock(DateTimeOffset when, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(when, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        return local.Date == today
            ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("d MMM HH:mm", CultureInfo.InvariantCulture);
    }

    private static int SecondsLeft(TimeSpan left) => (int)Math.Ceiling(Math.Max(0, left.TotalSeconds));
}