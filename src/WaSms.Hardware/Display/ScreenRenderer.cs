using System.Globalization;
using WaSms.Core.State;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Draws one screen per state (docs/screens/README.md shows each on each panel). Pure: the same
/// <see cref="ScreenModel"/> gives the same pixels. Every text is wrapped or cut with "…" to its
/// box, so nothing runs off the panel (<see cref="MonoFrame.ClippedPixels"/> stays 0).
/// </summary>
public static class ScreenRenderer
{
    /// <summary>How the phone's menu reads, for the QR and pairing-code screens.</summary>
    public const string LinkPath = "WhatsApp \u2192 Linked devices \u2192 Link a device";

    private const string ShortLinkPath = "Linked devices \u2192 Link a device";

    private const int Margin = 3;
    private const int HeaderHeight = 17;
    private const int BigIconScale = 2;
    private const int ProgressBarHeight = 8;

    /// <summary>
    /// The light margin kept around the QR on every side, in modules, up to the panel's edge or the
    /// nearest text: ISO/IEC 18004 asks 4; 2 is the least a phone camera still reads through e-paper's
    /// grey-on-grey contrast (tests/…/PhoneCamera.cs). The QR gets the full 4 where the panel has room
    /// at <see cref="QrMinimumModulePixels"/> or more, else the largest module size that keeps 2.
    /// </summary>
    private const int QrQuietModules = 2;

    private const int QrIdealQuietModules = 4;

    /// <summary>Modules smaller than this blur into each other on a phone photo of e-paper.</summary>
    private const int QrMinimumModulePixels = 2;

    private static BdfFont Body => BdfFont.Small;

    private static BdfFont Bold => BdfFont.SmallBold;

    private static BdfFont Large => BdfFont.Large;

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
                Message(frame, Icon.Warning, "Degraded", DegradedHeadline(snapshot.Reason), [snapshot.Reason], AccountLine(snapshot));
                break;
            case GatewayState.RelinkNeeded:
                Message(frame, Icon.BrokenLink, "Link again", "Logged out", [snapshot.Reason], "Hold the button 5 s to link again");
                break;
            case GatewayState.ClientOutdated:
                Message(frame, Icon.Download, "Update needed", "Update needed", ["WhatsApp no longer accepts this software version.", snapshot.Reason], "Install the latest firmware");
                break;
            case GatewayState.TempBanned:
                Message(frame, Icon.Clock, "Temporarily banned", "Banned for now", ["WhatsApp blocked this number for a while; the gateway retries by itself.", snapshot.Reason], null);
                break;
            case GatewayState.Resetting:
                Message(frame, Icon.Reset, "Resetting", "Resetting\u2026", [snapshot.Reason, "Do not unplug."], null);
                break;
            case GatewayState.Updating:
                Message(frame, Icon.Download, "Updating", "Updating\u2026", [snapshot.Reason, "Do not unplug."], null);
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

    /// <summary>
    /// A dark line across the bottom from <paramref name="left"/> (right of a landscape QR, never over
    /// it or its quiet zone): a hardware fault shown on whatever screen is up.
    /// </summary>
    private static void DrawHint(MonoFrame frame, int left, string text, string shortText)
    {
        var height = Bold.LineHeight + 1;
        var width = frame.Width - left - 2 * Margin;
        var shown = Bold.MeasureWidth(text) <= width ? text : Bold.Ellipsize(shortText, width);
        frame.FillRectangle(left, frame.Height - height, frame.Width - left, height, dark: false);
        frame.FillRectangle(left, frame.Height - height + 1, frame.Width - left, height - 1);
        Bold.Draw(frame, left + Margin, frame.Height - height + 1, shown, dark: false);
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

    /// <returns>Where text may start at the bottom: right of a landscape QR, else 0.</returns>
    private static int DrawUnpaired(MonoFrame frame, ScreenModel model)
    {
        var pairing = model.Snapshot.Pairing;
        if (pairing?.QrCode is { } qr && (pairing.QrExpiresAt is not { } expires || expires > model.Now))
        {
            return DrawQr(frame, qr, QrStatus(pairing, model.Now));
        }
        else if (pairing?.PairingCode is { } code)
        {
            DrawPairingCode(frame, code);
        }
        else if (pairing?.QrCode is not null)
        {
            Message(frame, Icon.Phone, "Link WhatsApp", "Code expired", ["The QR code on screen expired.", model.Snapshot.Reason], "Press the button for a new code");
        }
        else if (model.Snapshot.Reason.StartsWith("Clock ", StringComparison.Ordinal))
        {
            // No QR until the clock is right (WhatsApp's certificate check needs it); nothing to press.
            Message(frame, Icon.Clock, "Link WhatsApp", "Clock not set", [model.Snapshot.Reason], "The gateway retries by itself");
        }
        else
        {
            Message(frame, Icon.Phone, "Link WhatsApp", "Not linked", [model.Snapshot.Reason], "Press the button for a new code");
        }
        return 0;
    }

    /// <returns>Where the text column starts: right of the code in landscape, else 0.</returns>
    private static int DrawQr(MonoFrame frame, string qr, (string? Which, string TimeLeft) status)
    {
        var matrix = QrMatrix.Encode(qr);
        var withQuiet = matrix.Size + 2 * QrQuietModules;
        if (frame.Width * 2 >= frame.Height * 3)
        {
            // Landscape: the code fills the height on the left, the words go in the column beside it.
            var box = Math.Min(frame.Height, frame.Width / 2);
            var scale = box / withQuiet;
            box = withQuiet * scale;
            matrix.Draw(frame, 0, (frame.Height - box) / 2, box, QrQuietModules);
            var left = box + 1;
            Header(frame, left, Icon.Phone, "Link WhatsApp");
            var width = frame.Width - left - 2 * Margin;
            var bottom = frame.Height - 1;
            var tail = new List<string>();
            if (status.Which is { } which)
            {
                tail.Add(which);
            }
            tail.Add(status.TimeLeft);
            var tailLines = FitLines(Bold, tail, width, 2);
            var top = HeaderHeight + 2;
            var maxLines = (bottom - top - tailLines.Count * Bold.LineHeight - 2) / Body.LineHeight;
            var lines = FitLines(Body, ["On your phone:", "WhatsApp \u2192\nLinked devices \u2192\nLink a device"], width, maxLines);
            DrawLines(frame, Body, left + Margin, top, lines);
            DrawLines(frame, Bold, left + Margin, bottom - tailLines.Count * Bold.LineHeight, tailLines);
            return left;
        }
        else
        {
            // Portrait: the code on top, its quiet zone kept clear on all four sides (the text below
            // starts only after it), then the menu path if it fits, and the status line at the bottom.
            var textWidth = frame.Width - 2 * Margin;
            var statusHeight = Bold.LineHeight;
            var (scale, quiet) = PortraitQrLayout(matrix.Size, frame.Width, frame.Height - statusHeight - 1);
            var size = matrix.Size * scale;
            var free = frame.Height - 1 - statusHeight - size;
            // Beyond the quiet zones, room for the menu path; what is left widens the quiet zones.
            var menuLines = Math.Max(0, (free - 2 * quiet * scale) / Body.LineHeight);
            var statusLine = status.Which is null ? status.TimeLeft : $"{status.Which} \u00b7 {status.TimeLeft}";
            var statusLines = FitLines(Bold, [statusLine], textWidth, 1);
            // Where one line is all there is, the menu path loses its first step rather than its last.
            var lines = FitLines(Body, [LinkPath], textWidth, menuLines);
            if (lines.Count > 0 && lines[^1].EndsWith('\u2026'))
            {
                lines = FitLines(Body, [ShortLinkPath], textWidth, menuLines);
            }
            var top = (free - lines.Count * Body.LineHeight) / 2;
            var box = (matrix.Size + 2 * quiet) * scale;
            matrix.Draw(frame, (frame.Width - box) / 2, top - quiet * scale, box, quiet);
            var y = size + 2 * top;
            DrawLines(frame, Body, Margin, y, lines);
            DrawLines(frame, Bold, Margin, y + lines.Count * Body.LineHeight, statusLines);
            return 0;
        }
    }

    /// <summary>
    /// The module size (pixels) and quiet zone (modules) for a QR of <paramref name="modules"/> in a
    /// <paramref name="width"/> × <paramref name="height"/> area: a 4-module quiet zone at 2 px per
    /// module or more when it fits, else the largest module size that keeps 2 modules.
    /// </summary>
    private static (int Scale, int Quiet) PortraitQrLayout(int modules, int width, int height)
    {
        var ideal = Math.Min(width, height) / (modules + 2 * QrIdealQuietModules);
        if (ideal >= QrMinimumModulePixels)
        {
            return (ideal, QrIdealQuietModules);
        }
        return (Math.Max(1, Math.Min(width, height) / (modules + 2 * QrQuietModules)), QrQuietModules);
    }

    private static void DrawPairingCode(MonoFrame frame, string code)
    {
        Header(frame, 0, Icon.Phone, "Link with code");
        // WaClient gives "XXXX-XXXX"; a bare 8-character code gets the dash the phone shows too.
        var shown = code.Length == 8 ? $"{code[..4]}-{code[4..]}" : code;
        var width = frame.Width - 2 * Margin;
        var scale = Large.MeasureWidth(shown) * 2 <= width ? 2 : 1;
        var text = Large.Ellipsize(shown, width / scale);
        var codeWidth = Large.MeasureWidth(text) * scale;
        var y = HeaderHeight + 3;
        Large.Draw(frame, (frame.Width - codeWidth) / 2, y, text, dark: true, scale);
        y += Large.LineHeight * scale + 3;
        var maxLines = (frame.Height - 1 - y) / Body.LineHeight;
        var lines = FitLines(Body, [LinkPath + " \u2192 Link with phone number instead, then enter this code."], width, maxLines);
        DrawLines(frame, Body, Margin, y, lines);
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
            if (stats.LastSync is { } sync)
            {
                lines.Add("Last sync " + Clock(sync, model.Now, zone));
            }
        }
        lines.Add("Online since " + Clock(snapshot.Since, model.Now, zone));
        Message(frame, Icon.Check, "Online", snapshot.Account?.MaskedNumber ?? "Online", lines, null);
    }

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

    /// <summary>
    /// The common layout: a dark header with icon and title, the icon again at double size beside a
    /// large headline, body text below, and an optional bold footer on the bottom line(s).
    /// </summary>
    private static void Message(MonoFrame frame, Icon icon, string title, string headline, IEnumerable<string?> paragraphs, string? footer, int reserveBottom = 0)
    {
        Header(frame, 0, icon, title);
        var width = frame.Width - 2 * Margin;
        var y = HeaderHeight + 3;
        var iconSize = icon.Height * BigIconScale;
        icon.Draw(frame, Margin, y, BigIconScale);
        var headX = Margin + icon.Width * BigIconScale + 6;
        var headLines = FitLines(Large, [headline], frame.Width - headX - Margin, 2);
        DrawLines(frame, Large, headX, y, headLines);
        y += Math.Max(iconSize, headLines.Count * Large.LineHeight) + 3;

        var bottom = frame.Height - 1 - reserveBottom;
        var footerLines = footer is null ? [] : FitLines(Bold, [footer], width, 2);
        var footerTop = bottom - footerLines.Count * Bold.LineHeight;
        DrawLines(frame, Bold, Margin, footerTop, footerLines);
        var maxLines = (footerTop - y) / Body.LineHeight;
        var lines = FitLines(Body, paragraphs.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!), width, maxLines);
        DrawLines(frame, Body, Margin, y, lines);
    }

    /// <summary>The dark title bar from <paramref name="left"/> to the right edge.</summary>
    private static void Header(MonoFrame frame, int left, Icon icon, string title)
    {
        frame.FillRectangle(left, 0, frame.Width - left, HeaderHeight);
        icon.Draw(frame, left + Margin, (HeaderHeight - icon.Height) / 2, 1, dark: false);
        var x = left + Margin + icon.Width + 4;
        Bold.Draw(frame, x, 2, Bold.Ellipsize(title, frame.Width - x - Margin), dark: false);
    }

    /// <summary>Wraps the paragraphs to <paramref name="width"/>; beyond <paramref name="maxLines"/> the last line kept ends in "…".</summary>
    private static List<string> FitLines(BdfFont font, IEnumerable<string> paragraphs, int width, int maxLines)
    {
        var all = paragraphs.SelectMany(p => font.Wrap(p, width)).ToList();
        if (maxLines <= 0)
        {
            return [];
        }
        if (all.Count <= maxLines)
        {
            return all;
        }
        var kept = all.Take(maxLines).ToList();
        kept[^1] = font.Ellipsize(kept[^1] + " " + all[maxLines], width);
        if (!kept[^1].EndsWith('\u2026'))
        {
            kept[^1] = font.Ellipsize(kept[^1] + "\u2026", width);
        }
        return kept;
    }

    private static void DrawLines(MonoFrame frame, BdfFont font, int x, int y, IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            font.Draw(frame, x, y, line);
            y += font.LineHeight;
        }
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
