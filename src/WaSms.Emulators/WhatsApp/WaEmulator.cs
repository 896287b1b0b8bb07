using System.Collections.Concurrent;
using System.Globalization;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Contacts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.Emulators.WhatsApp.Routing;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// A WhatsApp server on loopback for dev mode and tests: WebSocket <c>/ws/chat</c> (Origin checked),
/// the Noise XX responder with a certificate chain under its own test root (give
/// <see cref="TrustedRootKeyHex"/> to the client) — both from <see cref="WaServerListener"/> —,
/// <c>pair-device</c> refs on WhatsApp's schedule, login with <c>success</c>/<c>failure</c>, and the
/// basic iq handlers. A <see cref="PhoneSimulator"/> plays the phone that scans the QR.
/// docs/whatsapp.md §7. For a test that wants to say node by node what the server does, see
/// <see cref="Scripting.ScriptedWaServer"/>.
/// </summary>
public sealed partial class WaEmulator : IAsyncDisposable
{
    private readonly WaServerListener _server;
    private readonly ConcurrentDictionary<EmulatorConnection, byte> _connections = new();
    private readonly ConcurrentQueue<string> _acks = new();
    private readonly ConcurrentDictionary<string, PendingCodeLink> _codeLinks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PendingCodeLink, byte> _codeLinksInUse = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _phones = [];
    private int _pingCount;
    private long _pushCounter;

    /// <summary>Creates the emulator on 127.0.0.1 (port 0 picks a free one); call <see cref="Start"/>.</summary>
    public WaEmulator(int port = 0, TimeProvider? time = null)
    {
        _server = new WaServerListener(RunConnectionAsync, port, time);
        Accounts = new AccountDirectory(PlayPhone);
        Contacts = new EmulatedContacts(this);
        var log = new MessageLog();
        Messages = new MessageRouter(Accounts, Groups, log, Time);
        Receipts = new ReceiptRouter(Accounts, log, Time);
    }

    /// <summary>Every account: phone number, LID, devices and their keys.</summary>
    internal AccountDirectory Accounts { get; }

    /// <summary>The emulated contacts (dev mode's Alice and Bob, tests' peers) and their groups.</summary>
    public EmulatedContacts Contacts { get; }

    internal GroupDirectory Groups { get; } = new();

    internal MessageRouter Messages { get; }

    internal ReceiptRouter Receipts { get; }

    /// <summary>The emulator's clock (ref expiry, <c>t</c> attributes, certificate validity).</summary>
    public TimeProvider Time => _server.Time;

    /// <summary>The trust anchor a client needs for this emulator.</summary>
    public CertificateTrust Trust => _server.Trust;

    /// <summary>The test root public key as hex, for <c>WhatsApp:TrustedRootKey</c>.</summary>
    public string TrustedRootKeyHex => _server.TrustedRootKeyHex;

    /// <summary>The WebSocket URL, valid after <see cref="Start"/>.</summary>
    public Uri Uri => _server.Uri;

    /// <summary>The companion devices linked so far (and not unlinked).</summary>
    public IReadOnlyCollection<EmulatedDevice> Devices =>
        [.. Accounts.All.SelectMany(a => a.Devices).Select(d => d.Linked).OfType<EmulatedDevice>()];

    /// <summary>Fault injection: answer every login with <c>&lt;failure reason="N"/&gt;</c> (e.g. 405 client outdated, 401/403/406 logged out, 503).</summary>
    public int? FailLoginsWith { get; set; }

    /// <summary>Fault injection: leave keepalive pings (<c>xmlns="w:p"</c>) unanswered.</summary>
    public bool DropPings { get; set; }

    /// <summary>Fault injection: zlib-compress every node sent (flag 2), as the real server may.</summary>
    public bool CompressFrames { get; set; }

    /// <summary>How many keepalive pings arrived (answered or not).</summary>
    public int PingCount => _pingCount;

    /// <summary>How many connections completed the Noise handshake.</summary>
    public int HandshakeCount => _server.HandshakeCount;

    /// <summary>Starts listening and accepting connections.</summary>
    public void Start() => _server.Start();

    /// <summary>Stops listening, ends every connection and the emulated phones.</summary>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _stopping.CancelAsync();
        await Task.WhenAll(_phones);
        _stopping.Dispose();
    }

    /// <summary>Counts a ping; true when it should be answered.</summary>
    internal bool OnPing()
    {
        Interlocked.Increment(ref _pingCount);
        return !DropPings;
    }

    /// <summary>The acks received so far, as <c>class/type</c> (e.g. <c>notification/companion_reg_refresh</c>).</summary>
    public IReadOnlyCollection<string> Acks => [.. _acks];

    internal void OnAck(Node ack) => _acks.Enqueue($"{ack.Attr("class")}/{ack.Attr("type")}");

    /// <summary>The linked companion <paramref name="device"/> of <paramref name="user"/> (a login's username and device).</summary>
    internal ServerDevice? FindDevice(ulong user, uint device) =>
        Accounts.Find(new Jid(user.ToString(CultureInfo.InvariantCulture), JidServer.WhatsApp))?.Device(device) is { Linked: not null } found ? found : null;

    internal EmulatorConnection? FindConnectionByRef(string reference, out int index)
    {
        foreach (var connection in _connections.Keys)
        {
            var refs = connection.Refs;
            for (var i = 0; i < refs.Count; i++)
            {
                if (string.Equals(refs[i], reference, StringComparison.Ordinal))
                {
                    index = i;
                    return connection;
                }
            }
        }

        index = -1;
        return null;
    }

    /// <summary>A companion_hello for <see cref="PendingCodeLink.PhoneNumber"/>; replaces an earlier one for that number.</summary>
    internal void OfferCodeLink(PendingCodeLink link) => _codeLinks[link.PhoneNumber] = link;

    /// <summary>The newest companion_hello for <paramref name="phoneNumber"/>, taken (a code is entered once).</summary>
    internal PendingCodeLink? TakeCodeLink(string phoneNumber) =>
        _codeLinks.TryRemove(phoneNumber, out var link) ? link : null;

    /// <summary>The pending or taken link on <paramref name="connection"/> with <paramref name="reference"/>, for routing companion_finish.</summary>
    internal PendingCodeLink? FindCodeLink(EmulatorConnection connection, ReadOnlySpan<byte> reference)
    {
        foreach (var link in _codeLinksInUse.Keys.Concat(_codeLinks.Values))
        {
            if (link.Connection == connection && link.Ref.AsSpan().SequenceEqual(reference))
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Marks a taken link as waiting for its companion_finish (or done, <paramref name="inUse"/> false).</summary>
    internal void SetCodeLinkInUse(PendingCodeLink link, bool inUse)
    {
        if (inUse)
        {
            _codeLinksInUse[link] = 0;
        }
        else
        {
            _codeLinksInUse.TryRemove(link, out _);
        }
    }

    /// <summary>A companion unlinked itself: forget it and tell the contacts.</summary>
    internal async Task UnregisterAsync(Jid jid, CancellationToken cancellationToken)
    {
        if (Accounts.Find(jid) is { } account && account.Remove(jid.Device ?? 0) is { } removed)
        {
            await DeviceNotifications.SendAsync(Accounts, removed, added: false, NextPushId, Time.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
        }
    }

    /// <summary>How many one-time prekeys of <paramref name="device"/> the server holds.</summary>
    public int PreKeyCount(Jid device) => Accounts.FindDevice(device)?.Keys.Count ?? 0;

    /// <summary>True after <paramref name="device"/> sent <c>passive/active</c> (and no <c>passive</c> since).</summary>
    public bool IsActive(Jid device) => Accounts.FindDevice(device)?.Keys.Active ?? false;

    /// <summary>
    /// Plays contacts starting sessions: hands out (and forgets) up to <paramref name="count"/> of
    /// <paramref name="device"/>'s one-time prekeys, as the server does when bundles are fetched.
    /// </summary>
    /// <returns>The ids taken.</returns>
    public IReadOnlyList<uint> TakePreKeys(Jid device, int count) => Accounts.FindDevice(device)?.Keys.Take(count) ?? [];

    /// <summary>How many stanzas wait in <paramref name="device"/>'s offline queue.</summary>
    public int QueuedFor(Jid device) => Accounts.FindDevice(device)?.Mailbox.QueuedCount ?? 0;

    /// <summary>
    /// The phone of account <paramref name="phoneNumber"/> (digits) sends its linked devices a history-sync
    /// notification (docs/protocol/messaging.md §10b); returns its id.
    /// </summary>
    public Task<string> SendHistorySyncNotificationAsync(string phoneNumber, CancellationToken cancellationToken)
    {
        var phone = PhoneOf(phoneNumber);
        return phone.RunOnLoopAsync(phone.SendHistorySyncNotificationAsync, cancellationToken);
    }

    /// <summary>True once a linked device of <paramref name="phoneNumber"/> answered notification <paramref name="id"/> with <c>hist_sync</c>.</summary>
    public bool HistorySyncAcknowledged(string phoneNumber, string id) => PhoneOf(phoneNumber).HistorySyncAcknowledged(id);

    private PlayedPhone PhoneOf(string phoneNumber) =>
        Accounts.GetOrCreate(phoneNumber).Phone.Mailbox.Local as PlayedPhone ?? throw new InvalidOperationException($"+{phoneNumber} has no played phone.");

    /// <summary>The LID user of the account with <paramref name="phoneNumber"/> (digits), made on first use.</summary>
    public string LidOf(string phoneNumber) => Accounts.GetOrCreate(phoneNumber).LidUser;

    /// <summary>A companion was linked: remember it and tell the contacts.</summary>
    internal async Task RegisterAsync(EmulatedAccount account, uint deviceId, EmulatedDevice linked, CancellationToken cancellationToken)
    {
        var device = new ServerDevice(account, deviceId, linked);
        account.Add(device);
        await DeviceNotifications.SendAsync(Accounts, device, added: true, NextPushId, Time.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
    }

    /// <summary>Every account's phone (device 0) is played in-process with real Signal sessions.</summary>
    private void PlayPhone(EmulatedAccount account)
    {
        var phone = new PlayedPhone(this, account);
        account.Phone.Mailbox.Local = phone;
        _phones.Add(phone.RunAsync(_stopping.Token));
    }

    /// <summary>An id for a stanza the server pushes.</summary>
    internal string NextPushId() => "emu-push-" + Interlocked.Increment(ref _pushCounter).ToString(CultureInfo.InvariantCulture);

    private async Task RunConnectionAsync(WaServerConnection accepted, CancellationToken cancellationToken)
    {
        var connection = new EmulatorConnection(this, accepted.Socket, accepted.ClientStaticKey, accepted.Payload);
        _connections[connection] = 0;
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>The connections that are logged in now.</summary>
    private IEnumerable<EmulatorConnection> LoggedIn => _connections.Keys.Where(c => c.IsLoggedIn);
}
