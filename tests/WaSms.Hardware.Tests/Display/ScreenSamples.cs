using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Display.Ssd1680;

namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// One deterministic <see cref="ScreenModel"/> per screen (fixed clock, fixed account, fixed QR):
/// the golden images in docs/screens are these, drawn on every panel.
/// </summary>
public static class ScreenSamples
{
    /// <summary>The fixed clock every sample is drawn at.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 14, 14, 5, 0, TimeSpan.Zero);

    /// <summary>
    /// The shape and length of a real WhatsApp QR string (266 characters, QR version 10 at level L):
    /// ref, base64 noise public key, base64 identity public key, base64 ADV secret. The emulator's refs are shorter.
    /// </summary>
    public const string Qr = "2@6b+IRl8Dre0pqxTCVufYUFZ5GjhDIMQ0lWhy1yyIa8uPrhZmAtIcwftHDHnZOQE+ZWepBCpECCv+Zdcjy2IvSlgVG4pMiRE+znlSFrsssTi752vNZQnCqADdOW1x4Yw==,"
        + "LZ2RNBwNw9v+sX8h2XYxzb69R5RXhA8ZWIZUPUsGGB8=,5mrHlge1kUj2jkYslzwh1+dIxFaM/bIyGI1BWCtTcQY=,"
        + "Z1ry6cYqWPaGIg7fniGZIHJGNDP76B76Gw6/fOp2vv0=";

    private static readonly LinkedAccount Account = new("491701234567@s.whatsapp.net", PushName: "Acme Front Desk");

    private static GatewaySnapshot Snap(GatewayState state, string reason, PairingInfo? pairing = null, LinkedAccount? account = null,
        PlatformLink? platform = null, string? offered = null, GatewayNotice? notice = null) =>
        new(state, reason, Now.AddMinutes(-3), 7, pairing, account,
            Notices: new GatewayNotice?[] { offered is null ? null : new UpdateNotice(offered), notice }.OfType<GatewayNotice>().ToArray() is { Length: > 0 } notices ? notices : null,
            Platform: platform);

    /// <summary>What the boot script wrote after the trial boot of 1.6.0 failed (docs/updates.md §2).</summary>
    private static readonly UpdateOutcome RolledBack = new("1.6.0", true, "B: not marked good within its boot attempts", Now.AddHours(-1));

    private static PlatformLink Link(PlatformLinkState state, string reason = "") => new(state, reason, Now.AddMinutes(-2));

    /// <summary>Name (the file name in docs/screens), what it shows, and the model.</summary>
    public static IReadOnlyList<(string Name, string Description, ScreenModel Model)> All { get; } =
    [
        ("booting", "Starting up, before the store is read.", new(Snap(GatewayState.Booting, "Reading settings"), Now)),
        ("unpaired-qr", "Not linked: the QR to scan, which of the server's refs it is and the time left.",
            new(Snap(GatewayState.Unpaired, "Scan the code with WhatsApp", new PairingInfo(Qr, Now.AddSeconds(57), RefNumber: 1, RefCount: 6)), Now)),
        ("unpaired-code", "Not linked, pairing by phone number: the 8-character code to type on the phone.",
            new(Snap(GatewayState.Unpaired, "Enter the code on your phone", new PairingInfo(null, PairingCode: "KQ7WR2ZD")), Now)),
        ("unpaired-expired", "Not linked, and the last QR expired: a short press asks for new ones.",
            new(Snap(GatewayState.Unpaired, "No more codes from WhatsApp", new PairingInfo(Qr, Now.AddSeconds(-1), RefNumber: 6, RefCount: 6)), Now)),
        ("pairing", "The phone scanned the code; the link is being completed.", new(Snap(GatewayState.Pairing, "Phone scanned the code"), Now)),
        ("connecting", "Linked, connecting to WhatsApp.", new(Snap(GatewayState.Connecting, "Logging in", account: Account), Now)),
        ("online", "Online: masked number, name, messages in/out, queue depth, the platform link, last sync.",
            new(Snap(GatewayState.Online, "Online", account: Account, platform: Link(PlatformLinkState.Connected)), Now,
                Stats: new ScreenStats(12, 7, 0, Now.AddMinutes(-1)))),
        ("online-platform-unreachable", "Online, but the platform does not answer: the gateway keeps sending and retries with backoff.",
            new(Snap(GatewayState.Online, "Online", account: Account,
                platform: Link(PlatformLinkState.Unreachable, "sys.wasms.net:443: Connection refused")), Now, Stats: new ScreenStats(12, 7, 3))),
        ("online-platform-not-enrolled", "Online, with a platform URL but no enrollment code yet.",
            new(Snap(GatewayState.Online, "Online", account: Account,
                platform: Link(PlatformLinkState.NotEnrolled, "waiting for an enrollment code")), Now, Stats: new ScreenStats(12, 7, 0))),
        ("online-platform-revoked", "Online, but the platform revoked the enrollment: no retries; the bold line says why (red LED blinks slowly).",
            new(Snap(GatewayState.Online, "Online", account: Account,
                platform: Link(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard")), Now,
                Stats: new ScreenStats(12, 7, 0))),
        ("online-platform-refused", "Online, but the platform's certificate was refused (here: the clock is behind it); retried, the bold line says why.",
            new(Snap(GatewayState.Online, "Online", account: Account,
                platform: Link(PlatformLinkState.Refused, "clock skew: the platform's certificate is valid from 2026-11-01 00:00 UTC to 2027-11-01 00:00 UTC; this gateway's clock says 2026-03-14 14:05 UTC, 231 days before it: is the time synchronised (NTP)?")), Now,
                Stats: new ScreenStats(12, 7, 0))),
        ("online-update-available", "Online, and the platform offers firmware 1.6.0: named in the header, so no line moves.",
            new(Snap(GatewayState.Online, "Online", account: Account, platform: Link(PlatformLinkState.Connected), offered: "1.6.0"), Now,
                Stats: new ScreenStats(12, 7, 0, Now.AddMinutes(-1)))),
        ("online-update-platform-revoked", "An update is offered and the platform revoked the enrollment: the bold line stays at the bottom, the offer in the header.",
            new(Snap(GatewayState.Online, "Online", account: Account,
                platform: Link(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard"), offered: "1.6.0"), Now,
                Stats: new ScreenStats(12, 7, 0))),
        ("online-no-stats", "Online before anything counts messages: only what the snapshot has.",
            new(Snap(GatewayState.Online, "Online", account: new LinkedAccount("447700900123@s.whatsapp.net")), Now)),
        ("online-update-rolled-back", "Online after update 1.6.0 did not come up and the board went back: the header says so, the line under the name why (until an update works or update-dismiss).",
            new(Snap(GatewayState.Online, "Online", account: Account, platform: Link(PlatformLinkState.Connected), offered: "1.6.0", notice: RolledBack), Now,
                Stats: new ScreenStats(12, 7, 0, Now.AddMinutes(-1)))),
        ("degraded", "Linked, but WhatsApp stopped answering; the reason in words, and the platform link.",
            new(Snap(GatewayState.Degraded, "WhatsApp has not answered pings since 14:01:10; waiting", account: Account,
                platform: Link(PlatformLinkState.Connected)), Now)),
        ("degraded-update-available", "Degraded, with an update offered: in the header, where the shorter title leaves room for the version only.",
            new(Snap(GatewayState.Degraded, "WhatsApp has not answered pings since 14:01:10; waiting", account: Account,
                platform: Link(PlatformLinkState.Connected), offered: "1.6.0"), Now)),
        ("degraded-update-rolled-back", "Degraded, after a rolled-back update: the header names it, the reason follows the platform line.",
            new(Snap(GatewayState.Degraded, "WhatsApp has not answered pings since 14:01:10; waiting", account: Account,
                platform: Link(PlatformLinkState.Connected), notice: RolledBack), Now)),
        ("relink-needed", "WhatsApp logged the gateway out: hold the button to link again.",
            new(Snap(GatewayState.RelinkNeeded, "WhatsApp logged this gateway out (401: device removed); press the button to link again"), Now)),
        ("client-outdated", "WhatsApp rejected the client version and no update is offered yet: wait for one from WaSMS.",
            new(Snap(GatewayState.ClientOutdated, "WhatsApp rejected client version 2.3000.1012 (405); update WhatsApp:ClientVersion or the firmware"), Now)),
        ("client-outdated-update-offered", "WhatsApp rejected the client version and the platform offers 1.6.0: it installs by itself.",
            new(Snap(GatewayState.ClientOutdated, "WhatsApp rejected client version 2.3000.1012 (405); update WhatsApp:ClientVersion or the firmware",
                offered: "1.6.0"), Now)),
        ("temp-banned", "WhatsApp banned the number for a while.", new(Snap(GatewayState.TempBanned, "Temporarily banned (code 101) until 18:00"), Now)),
        ("resetting", "A relink or factory reset is flushing queues and wiping.", new(Snap(GatewayState.Resetting, "Relink requested (button held)"), Now)),
        ("updating", "Update 1.6.0 is being installed: RAUC's step and percentage, a bar, and \"Do not unplug\".",
            new(Snap(GatewayState.Updating, "Installing update 1.6.0", notice: new UpdateProgress("1.6.0", "installing", 40, "Copying image to rootfs.1")), Now)),
        ("updating-installed", "Update 1.6.0 is written to the other slot; it starts after the restart.",
            new(Snap(GatewayState.Updating, "Installing update 1.6.0", notice: new UpdateProgress("1.6.0", "installed", 100, "reboot to run it")), Now)),
        ("updating-starting", "Updating, before RAUC reported any progress: the state's reason.",
            new(Snap(GatewayState.Updating, "Installing update 1.6.0"), Now)),
        ("fatal", "A fatal error, with a short code that identifies the reason.",
            new(Snap(GatewayState.Fatal, "Store cannot be opened: SQLite error 10 (disk I/O error)"), Now)),
        ("hold-relink", "Button held 2 s: keep holding to relink.",
            new(Snap(GatewayState.Online, "Online", account: Account), Now, Hold: new HoldProgress(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)))),
        ("hold-factory-reset", "Button held 8 s: release to relink, keep holding for a factory reset.",
            new(Snap(GatewayState.Online, "Online", account: Account), Now, Hold: new HoldProgress(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)))),
        ("hold-release", "Button held past 15 s: releasing starts the factory reset.",
            new(Snap(GatewayState.Online, "Online", account: Account), Now, Hold: new HoldProgress(TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)))),
        ("reset-stopped", "A reset stopped because items are undelivered: hold again to discard them.",
            new(Snap(GatewayState.Online, "Relink stopped: 3 undelivered item(s) would be lost.", account: Account), Now,
                Notice: new ResetNotice(false, 3, Now.AddSeconds(60)))),
        ("setup-refused", "The setup file on the boot partition was refused (shown for 2 minutes after start).",
            new(Snap(GatewayState.Unpaired, "Scan the code with WhatsApp", new PairingInfo(Qr, Now.AddSeconds(57), RefNumber: 1, RefCount: 6)), Now,
                Setup: new SetupNotice("mqtt_port", 9, "mqtt_port must be a TCP port 1-65535", Now.AddMinutes(2)))),
        ("button-stuck", "The button has read pressed for 60 s (shorted, miswired, an emulator's GPIO): a hint under the current screen, never over the QR.",
            new(Snap(GatewayState.Unpaired, "Scan the code with WhatsApp", new PairingInfo(Qr, Now.AddSeconds(57), RefNumber: 1, RefCount: 6)), Now,
                ButtonStuck: true)),
    ];

    /// <summary>The folder name of a panel under docs/screens.</summary>
    public static string FolderOf(PanelKind kind) => kind switch
    {
        PanelKind.Waveshare2In13V4 => "waveshare-2in13-v4",
        PanelKind.Waveshare1In54V2 => "waveshare-1in54-v2",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
