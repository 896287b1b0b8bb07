using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>Where and as what <see cref="WaClient"/> connects (docs/whatsapp.md §1, §2).</summary>
public sealed class WaClientOptions
{
    /// <summary>WhatsApp Web's chat socket.</summary>
    public static readonly Uri DefaultServerUri = new("wss://web.whatsapp.com/ws/chat");

    /// <summary>
    /// The WA Web version triple sent as <c>userAgent.appVersion</c>: npm baileys@7.0.0-rc14 sends
    /// 2.3000.1043857760 (observed; docs/whatsapp.md §2.5). WhatsApp refuses stale ones with failure 405, so the
    /// gateway makes this configurable.
    /// </summary>
    public static readonly Version DefaultClientVersion = new(2, 3000, 1043857760);

    /// <summary>The WebSocket URL (<c>WhatsApp:ServerUrl</c>).</summary>
    public Uri ServerUri { get; init; } = DefaultServerUri;

    /// <summary>The root the server's certificate chain must lead to (<c>WhatsApp:TrustedRootKey</c>).</summary>
    public CertificateTrust Trust { get; init; } = CertificateTrust.WhatsApp;

    /// <summary>The client version triple (major.minor.build).</summary>
    public Version ClientVersion { get; init; } = DefaultClientVersion;

    /// <summary>The name the phone shows for this linked device (<c>DeviceProps.os</c>).</summary>
    public string DeviceName { get; init; } = "WaSMS Gateway";

    /// <summary>The platform id at the end of the QR string (docs/whatsapp.md §4.2).</summary>
    public string QrPlatformId { get; init; } = PairingQrCode.DefaultPlatformId;

    /// <summary>
    /// <c>companion_platform_id</c> in a pair-code request: whatsmeow's <c>PairClientType</c> number
    /// (1 = Chrome); docs/whatsapp.md §9.
    /// </summary>
    public string PairingCodePlatformId { get; init; } = "1";

    /// <summary>
    /// <c>companion_platform_display</c> in a pair-code request. It must read <c>Browser (OS)</c> with a
    /// common browser and OS, or WhatsApp answers 400 (whatsmeow pair-code.go); docs/whatsapp.md §9.
    /// </summary>
    public string PairingCodePlatformDisplay { get; init; } = "Chrome (Linux)";

    /// <summary>The clock for QR rotation, the handshake timeout and certificate validity.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the client's own warnings go (a slow node handler, a full inbound queue, a failed
    /// background task); the owner learns everything else from <see cref="WaClient.EventRaised"/>.
    /// </summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Where Signal sessions, identities, sender keys and LID pairs live; give it with <see cref="MessageStore"/> or neither (then both are in memory).</summary>
    public ISignalStore? SignalStore { get; init; }

    /// <summary>Where inbound messages and send jobs live; it commits Signal changes into <see cref="SignalStore"/>'s storage.</summary>
    public IMessageStore? MessageStore { get; init; }

    /// <summary>How messages are sent: cache lifetimes, the server-ack deadline, retry bounds (validated when the client is made).</summary>
    public SendOptions Send { get; init; } = new();

    /// <summary>
    /// How long after its first failed decrypt a message the sender did not resend is stored as
    /// undecryptable (Messaging/Receive/UndecryptableSweeper.cs); must be positive.
    /// </summary>
    public TimeSpan UndecryptableAfter { get; init; } = Messaging.Receive.UndecryptableSweeper.DefaultWait;

    /// <summary>
    /// Asked before each send attempt and told of each send (pacing, caps, opt-outs: the gateway's
    /// acceptable-use rules); the default sends every job at once.
    /// </summary>
    public ISendGate SendGate { get; init; } = new AlwaysSend();

    /// <summary>
    /// The push name sent with <c>&lt;presence type="available" name/&gt;</c> after login (docs/protocol/messaging.md §4);
    /// null uses the business name from pairing, and with neither no presence is sent (both reference clients need a name).
    /// </summary>
    public string? PushName { get; init; }

    /// <summary>
    /// Serialises every load → ratchet step → commit of Signal state (see <see cref="WaClient.SignalStateLock"/>).
    /// It lives here, not in the client, because the gateway makes a new client per connection from the
    /// same options: a resend of the previous client still finishing must not interleave with the new one.
    /// </summary>
    internal SemaphoreSlim SignalStateLock { get; } = new(1, 1);
}
