using System.Globalization;
using System.Security.Cryptography;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// A WhatsApp linked-device client: connects, does the Noise handshake with certificate-chain
/// checks, registers (no JID stored) or logs in (JID stored), then routes incoming nodes by tag.
/// Pairing by QR and the 515 restart into login happen inside <see cref="RunAsync"/>; everything
/// the owner needs to know comes out as <see cref="EventRaised"/> (docs/whatsapp.md).
/// Reconnecting after <see cref="ConnectionOutcome.Ended"/> is the owner's decision.
/// </summary>
public sealed class WaClient
{
    /// <summary>Shortest wait between keepalive pings (whatsmeow keepalive.go: random 20–30 s).</summary>
    public static readonly TimeSpan KeepAliveIntervalMin = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait between keepalive pings.</summary>
    public static readonly TimeSpan KeepAliveIntervalMax = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered.</summary>
    public static readonly TimeSpan KeepAliveResponseDeadline = TimeSpan.FromSeconds(10);

    /// <summary>How long without any answered ping before the connection is dropped.</summary>
    public static readonly TimeSpan KeepAliveMaxFailTime = TimeSpan.FromMinutes(3);

    private readonly WaClientOptions _options;
    private readonly IWaCredentialStore _store;
    private readonly IPreKeyStore _preKeys;
    private readonly string _idPrefix;
    private long _idCounter;
    private volatile Connection? _connection;

    /// <summary>Creates a client; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="options">Server, trust, version, clock.</param>
    /// <param name="store">Where the credentials live.</param>
    /// <param name="preKeys">Where the one-time prekeys live; null keeps them in memory (tools, tests).</param>
    public WaClient(WaClientOptions options, IWaCredentialStore store, IPreKeyStore? preKeys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        _options = options;
        _store = store;
        _preKeys = preKeys ?? new InMemoryPreKeyStore();
        if ((options.SignalStore is null) != (options.MessageStore is null))
        {
            throw new ArgumentException("WaClientOptions.SignalStore and MessageStore go together: the message store commits into the signal store's storage.", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.UndecryptableAfter, TimeSpan.Zero, nameof(options.UndecryptableAfter));

        // Without stores (tests, tools) the state lives in memory; the gateway passes its SQLite stores.
        var signal = options.SignalStore ?? new InMemorySignalStore(_preKeys);
        SignalStore = signal;
        MessageStore = options.MessageStore ?? new InMemoryMessageStore((InMemorySignalStore)signal, options.Time);
        Sending = new SendServices(SignalStateLock, SignalStore, MessageStore, options.Send, options.Time, options.Logger);
        _idPrefix = string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetInt32(ushort.MaxValue)}.{RandomNumberGenerator.GetInt32(ushort.MaxValue)}-");
    }

    /// <summary>Raised for every <see cref="WaEvent"/>, from the receive loop or the QR timer.</summary>
    public event EventHandler<WaEvent>? EventRaised;

    /// <summary>
    /// Runs connections until one ends for a reason other than the 515 restart, and returns that outcome.
    /// Credentials are loaded at the start (fresh ones are generated when none are saved) and saved
    /// on pairing and when the server announces a new LID.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ConnectionOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = await _store.LoadAsync(cancellationToken) ?? WaCredentials.Generate();
        while (true)
        {
            await using var connection = new Connection(this, credentials);
            _connection = connection;
            var outcome = await connection.RunAsync(cancellationToken);
            _connection = null;
            credentials = connection.Credentials;
            if (outcome != ConnectionOutcome.Restart)
            {
                return outcome;
            }
        }
    }

    /// <summary>
    /// Unlinks this device (the reset path): sends <c>remove-companion-device</c> for our JID with
    /// reason <c>user_initiated</c>, waits for the result, closes the connection and raises
    /// <see cref="LoggedOut"/> with reason 0 (docs/whatsapp.md §6.1). Wiping the stored credentials is
    /// the owner's job, as after any logout.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is not logged in.</exception>
    /// <exception cref="WaSocketException">The connection failed before the server answered.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public Task LogoutAsync(CancellationToken cancellationToken) =>
        (_connection ?? throw new InvalidOperationException("The client is not connected.")).LogoutAsync(cancellationToken);

    /// <summary>
    /// Sends <c>&lt;iq xmlns="passive" type="set"&gt;</c> with <c>&lt;passive/&gt;</c> or <c>&lt;active/&gt;</c>
    /// (docs/whatsapp.md §6.3) and waits for the result. The client sends <c>active</c> after every login itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is not logged in.</exception>
    /// <exception cref="WaSocketException">The server refused, or the connection closed first.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public Task SetPassiveAsync(bool passive, CancellationToken cancellationToken) =>
        (_connection ?? throw new InvalidOperationException("The client is not connected.")).SetPassiveAsync(passive, cancellationToken);

    /// <summary>
    /// Starts pairing by phone number (docs/whatsapp.md §9): waits until the running connection has
    /// its <c>pair-device</c> refs, sends <c>link_code_companion_reg</c> stage <c>companion_hello</c>
    /// with an 8-character code's wrapped ephemeral key, and returns the code as <c>XXXX-XXXX</c>
    /// (also raised as <see cref="PairingCodeIssued"/>). When the user types it on the phone, the
    /// client answers the server's <c>primary_hello</c> with <c>companion_finish</c> by itself; the
    /// pairing then ends with <see cref="PairSuccess"/> and the 515 restart, as with a QR.
    /// Call it while <see cref="RunAsync"/> runs; a later call replaces the pending code.
    /// </summary>
    /// <param name="phoneNumber">The account's number in international form; non-digits such as <c>+</c> and spaces are dropped.</param>
    /// <param name="cancellationToken">Cancels waiting for the connection and for the server's answer.</param>
    /// <exception cref="PairingCodeException">
    /// <see cref="PairingCodeError.InvalidPhoneNumber"/>; <see cref="PairingCodeError.ServerRefused"/> when the server
    /// answers with an error; <see cref="PairingCodeError.Malformed"/> when its answer has no pairing ref.
    /// </exception>
    /// <exception cref="InvalidOperationException">This device is already paired.</exception>
    /// <exception cref="WaSocketException">The connection closed before the server answered.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public async Task<string> RequestPairingCodeAsync(string phoneNumber, CancellationToken cancellationToken)
    {
        var phone = PairingCode.NormalizePhoneNumber(phoneNumber);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_connection is { } connection && await connection.WaitForRefsAsync(cancellationToken))
            {
                return await connection.RequestPairingCodeAsync(phone, cancellationToken);
            }

            // Between connections (start-up, the 515 restart): look again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>
    /// Tells the outbox a send job was enqueued (<see cref="IMessageStore.EnqueueOutboundAsync"/>). While logged
    /// in and past the offline backlog it sends pending jobs in creation order, per chat in order; each ends
    /// <c>sent</c> on the server's ack or <c>failed</c> with a reason (raised as <see cref="MessageStatusChanged"/>),
    /// or stays pending for the next connection. Between connections this does nothing: every connection starts by draining.
    /// </summary>
    public void WakeOutbox() => _connection?.WakeOutbox();

    /// <summary>The groups the account is in (<c>w:g2</c> <c>participating</c>, docs/protocol/messaging.md §11).</summary>
    /// <exception cref="InvalidOperationException">The client is not logged in.</exception>
    /// <exception cref="WaProtocolException">The server refused or answered badly.</exception>
    /// <exception cref="WaSocketException">The connection closed before the answer.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public Task<IReadOnlyList<GroupInfo>> GetJoinedGroupsAsync(CancellationToken cancellationToken) =>
        (_connection ?? throw new InvalidOperationException("The client is not connected.")).GetJoinedGroupsAsync(cancellationToken);

    /// <summary>What the connections share: the options, the stores and the event.</summary>
    internal WaClientOptions Options => _options;

    internal IWaCredentialStore Store => _store;

    internal IPreKeyStore PreKeys => _preKeys;

    /// <summary>The Signal state of peers (<see cref="WaClientOptions.SignalStore"/>, or in memory).</summary>
    internal ISignalStore SignalStore { get; }

    /// <summary>
    /// Held from loading Signal records to committing them (and writing the stanza or receipt) by the send
    /// side (sends, retry answers) and the receive side (decrypts, session-deleting notifications), so two
    /// steps on one session never save over each other. Never held across a round trip to the server
    /// (usync, prekey and group queries run before), so a handler on the receive loop may wait for it.
    /// </summary>
    internal SemaphoreSlim SignalStateLock => _options.SignalStateLock;

    /// <summary>The send side's caches and workers.</summary>
    internal SendServices Sending { get; }

    /// <summary>Messages and send jobs (<see cref="WaClientOptions.MessageStore"/>, or in memory).</summary>
    internal IMessageStore MessageStore { get; }

    internal void Raise(WaEvent e) => EventRaised?.Invoke(this, e);

    /// <summary>Iq ids are unique across this client's connections: a random prefix and a counter (whatsmeow request.go).</summary>
    internal string NextId() => _idPrefix + Interlocked.Increment(ref _idCounter).ToString(CultureInfo.InvariantCulture);
}
